"""Learners' accounts from a class list: system users, home folders, passwords and slips.

    python -m hub.accounts create class.txt   # as root: users, homes, passwords, slips
    python -m hub.accounts remove             # as root: every learner of this hub, and homes

A class list has one user name a line (``#`` starts a comment, blank lines are skipped). A
name that appears twice, cannot be a user name, is the instructor's account, belongs to a
system user or group the hub did not create (``staff``, ``plugdev``) or to a learner of
another hub is refused with its line number, and then nothing is created. Each learner gets
a system user (``useradd``, comment ``xentlearn learner``) whose home is
``$HUB_DIR/homes/NAME`` with mode 0700, and a password of their own, generated once: the hub
keeps only its hash (``state/passwords.json``) for logging in; the passwords as given out
are kept in ``state/slips.json`` (root only, 0600) so that the slips, ``state/slips.txt``
(root only), can be printed again, with the address learners type (``HUB_PUBLIC_URL``),
without changing anyone's password:

    python -m hub.accounts slips [NAME ...]   # as root: rewrite state/slips.txt

``create`` is all-or-nothing: if any user cannot be made, the users and homes it made are
removed again and it says why; the password files are written only once every user exists.
"""

from __future__ import annotations

import argparse
import grp
import hashlib
import hmac
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from .memory import remove_cgroup
from .settings import MARKER, Settings

#: Debian's default NAME_REGEX for useradd, at most 32 characters.
USERNAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
#: No 0/O, 1/l/I: a slip is read from paper.
ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
ITERATIONS = 200_000


class ClassListError(ValueError):
    """A class list that cannot become accounts; the message names each bad line."""


class CreateError(RuntimeError):
    """``create`` failed part-way; what it had made is removed again, the message says why."""


def read_class_list(path: Path, admin: str = "instructor",
                    homes: Path | None = None) -> list[str]:
    """The learners' user names of a class list, in order.

    Parameters
    ----------
    path : Path
        The class list: one user name a line, ``#`` starts a comment.
    admin : str
        The instructor's account (``HUB_ADMIN``), which no learner may take.
    homes : Path, optional
        This hub's ``homes/`` folder: a learner of the hub with a home elsewhere (another
        hub's) is refused too.

    Raises
    ------
    ClassListError
        If any line is bad (a duplicate, not a user name, the instructor's name, an existing
        system user or group the hub did not create); the message names every bad line.
    """
    names: list[str] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        raise ClassListError(f"the class list {path} cannot be read ({e.strerror}): give a "
                             "text file with one user name a line") from None
    for number, line in enumerate(lines, start=1):
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        where = f"{path}, line {number}: {name!r}"
        user, group = _system_user(name), _group(name)
        ours = user is not None and MARKER in user.pw_gecos
        if not USERNAME.fullmatch(name):
            problems.append(f"{where} cannot be a user name (use lower-case letters, digits, "
                            "'-' and '_', starting with a letter, at most 32 characters)")
        elif name in seen:
            problems.append(f"{where} is already on line {seen[name]}")
        elif name == admin:
            problems.append(f"{where} is the instructor's account (HUB_ADMIN)")
        elif user is not None and not ours:
            problems.append(f"{where} is a system user this hub did not create; "
                            "choose another name")
        elif group is not None and not (ours and group.gr_gid == user.pw_gid):
            problems.append(f"{where} is an existing system group (a learner's user gets a "
                            "group of the same name); choose another name")
        elif ours and homes is not None and Path(user.pw_dir).parent != homes:
            problems.append(f"{where} is a learner of another hub (home {user.pw_dir}); "
                            "remove them there first (make hub-remove-users with its HUB_DIR)")
        else:
            seen[name] = number
            names.append(name)
    if problems:
        raise ClassListError("the class list is refused, nothing was created:\n  "
                             + "\n  ".join(problems))
    if not names:
        raise ClassListError(f"{path} names no learner: one user name a line")
    return names


def _system_user(name: str):
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def _group(name: str):
    try:
        return grp.getgrnam(name)
    except KeyError:
        return None


def new_password() -> str:
    """Ten characters from a 32-letter alphabet (50 bits), in two groups: ``abcde-fghij``."""
    text = "".join(secrets.choice(ALPHABET) for _ in range(10))
    return f"{text[:5]}-{text[5:]}"


def hash_password(password: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt), ITERATIONS)
    return f"pbkdf2_sha256${ITERATIONS}${salt}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, iterations, salt, digest = stored.split("$")
        got = hashlib.pbkdf2_hmac("sha256", password.encode(), bytes.fromhex(salt),
                                  int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)


def load_passwords(settings: Settings) -> dict[str, dict]:
    if not settings.passwords.exists():
        return {}
    return json.loads(settings.passwords.read_text())


def _write_private(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def learners(settings: Settings) -> list[pwd.struct_passwd]:
    """The system users this hub created: marked, with a home under ``$HUB_DIR/homes``."""
    return [u for u in pwd.getpwall()
            if MARKER in u.pw_gecos and Path(u.pw_dir).parent == settings.homes]


NO_ADDRESS = ("HUB_IP=0.0.0.0 listens on every network of this machine, so the slips need "
              "the address learners will type: set HUB_PUBLIC_URL, such as "
              "HUB_PUBLIC_URL=http://192.168.1.20:8000/ (this machine's address on the room's "
              "network: `hostname -I` lists them)")


def create(class_list: Path, settings: Settings) -> dict[str, str]:
    """Users, homes and passwords for a class list, all or nothing.

    Parameters
    ----------
    class_list : Path
        One user name a line (see :func:`read_class_list`).
    settings : Settings
        The hub's folders, its admin and the address for the slips.

    Returns
    -------
    dict
        The passwords made now (learners who already had one keep it). The instructor's
        password is made on the first run.

    Raises
    ------
    ClassListError
        A bad class list: nothing is created.
    CreateError
        No address for the slips (nothing is created), or a user that could not be made:
        the users and homes made by this call are removed again.
    """
    names = read_class_list(class_list, settings.admin, settings.homes)
    if os.geteuid() != 0:
        raise SystemExit("creating learners' system users needs root (sudo make hub ...)")
    if settings.slip_url is None:
        raise CreateError(NO_ADDRESS + "; nothing was created")
    new_hub_dir = not settings.hub_dir.exists()
    made_users: list[str] = []
    name = None
    try:
        settings.make_dirs()
        for name in names:
            home = settings.homes / name
            if _system_user(name) is None:
                made_users.append(name)  # before useradd: a failed useradd may leave a user
                _add_user(name, home)
            home.chmod(0o700)
        name = None
        stored = load_passwords(settings)
        plain = _load_json(settings.slip_passwords)
        made: dict[str, str] = {}
        for who in [settings.admin, *names]:
            if who not in stored:
                made[who] = new_password()
                stored[who] = {"hash": hash_password(made[who]),
                               "role": "admin" if who == settings.admin else "learner"}
        plain.update(made)
        _write_private(settings.slip_passwords, json.dumps(plain, indent=1))
        _write_private(settings.passwords, json.dumps(stored, indent=1))
        write_slips(settings)
    except (Exception, KeyboardInterrupt) as e:
        undone = _undo(made_users, settings, new_hub_dir)
        why = e.stderr.strip() if isinstance(e, subprocess.CalledProcessError) and e.stderr \
            else f"{type(e).__name__}: {e}"
        who = f"creating the user {name!r}" if name else "writing the passwords"
        raise CreateError(f"{who} failed ({why}). Undone: " + (undone or "nothing was made")
                          + ". Fix the cause and run it again.") from None
    return made


def _add_user(name: str, home: Path) -> None:
    """A system user for a learner: home ``home`` (0700), no login shell, the hub's marker."""
    subprocess.run(["useradd", "--create-home", "--home-dir", str(home),
                    "--shell", "/usr/sbin/nologin", "--comment", MARKER,
                    "--user-group", "--key", "HOME_MODE=0700", name],
                   check=True, capture_output=True, text=True)


def _undo(names: list[str], settings: Settings, new_hub_dir: bool) -> str:
    """Remove the users (and their homes) ``create`` made; the hub's folder if it made it."""
    removed = []
    for name in names:
        user = _system_user(name)
        if user is not None and MARKER in user.pw_gecos:
            _kill_processes(user.pw_uid)
            subprocess.run(["userdel", "--remove", name], check=False, capture_output=True)
        shutil.rmtree(settings.homes / name, ignore_errors=True)
        removed.append(name)
    text = f"removed the users {', '.join(removed)} and their homes" if removed else ""
    if new_hub_dir and settings.hub_dir.exists():
        shutil.rmtree(settings.hub_dir, ignore_errors=True)
        text += ("; " if text else "") + f"removed {settings.hub_dir}"
    return text


def _load_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def write_slips(settings: Settings, names: list[str] | None = None) -> list[str]:
    """Rewrite ``state/slips.txt`` from the passwords as given out, with today's address.

    Parameters
    ----------
    settings : Settings
        Where the state is, and ``slip_url`` (``HUB_PUBLIC_URL``) for the address.
    names : list of str, optional
        Whose slips; every account's (the instructor's first) when not given.

    Returns
    -------
    list of str
        The names whose slips were written. Passwords never change.
    """
    url = settings.slip_url
    if url is None:
        raise CreateError(NO_ADDRESS)
    plain = _load_json(settings.slip_passwords)
    if names:
        unknown = [n for n in names if n not in plain]
        if unknown:
            raise CreateError(f"no slip for {', '.join(unknown)}: not on this hub's class list "
                              f"(accounts in {settings.slip_passwords})")
    order = names or sorted(plain, key=lambda n: n != settings.admin)
    _write_private(settings.slips, "".join(_slip(n, plain[n], url) for n in order))
    return order


def _slip(name: str, password: str, where: str) -> str:
    cut = "-" * 40
    return (f"{cut}\nxentlearn course\n  open:      {where}\n  user name: {name}\n"
            f"  password:  {password}\nKeep it to yourself.\n{cut}\n\n")


def _kill_processes(uid: int) -> None:
    """SIGTERM, then SIGKILL, every process of ``uid`` (read from /proc)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = [int(p.name) for p in Path("/proc").iterdir()
                if p.name.isdigit() and _owner(p) == uid]
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        if not pids:
            return
        time.sleep(1.0)


def _owner(proc: Path) -> int | None:
    try:
        return proc.stat().st_uid
    except OSError:
        return None


def remove(settings: Settings) -> list[str]:
    """Remove every learner of this hub: their processes, system user, home and password, and
    the live view's results. Users the hub did not create are never touched. Returns the
    names removed."""
    if os.geteuid() != 0:
        raise SystemExit("removing learners' system users needs root (sudo make hub-remove-users)")
    removed = []
    for user in learners(settings):
        _kill_processes(user.pw_uid)
        subprocess.run(["userdel", "--remove", user.pw_name], check=False,
                       capture_output=True, text=True)
        shutil.rmtree(user.pw_dir, ignore_errors=True)
        shutil.rmtree(f"/run/user/{user.pw_uid}", ignore_errors=True)
        remove_cgroup(user.pw_name)
        removed.append(user.pw_name)
    stored = load_passwords(settings)
    left = {name: v for name, v in stored.items()
            if name not in removed and v.get("role") == "admin"}
    if settings.passwords.exists():
        _write_private(settings.passwords, json.dumps(left, indent=1))
    if settings.slip_passwords.exists():
        plain = _load_json(settings.slip_passwords)
        _write_private(settings.slip_passwords, json.dumps(
            {n: p for n, p in plain.items() if n in left}, indent=1))
    if settings.slips.exists():
        settings.slips.unlink()
    # The live view's results are the learners' too: a next class starts with none.
    for path in (settings.room_db, *(settings.room_db.with_name(settings.room_db.name + end)
                                     for end in ("-wal", "-shm"))):
        path.unlink(missing_ok=True)
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.accounts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("create", help="users, homes and passwords from a class list")
    make.add_argument("class_list", type=Path)
    sub.add_parser("remove", help="remove every learner of this hub with their homes")
    slips = sub.add_parser("slips", help="print the slips again (same passwords, today's "
                           "address from HUB_PUBLIC_URL)")
    slips.add_argument("names", nargs="*", help="whose slips (default: everyone's)")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "create":
            made = create(args.class_list, settings)
            total = len(read_class_list(args.class_list, settings.admin, settings.homes))
            print(f"{total} learners in {settings.homes}; {len(made)} new password(s)"
                  + (f" ({', '.join(made)})" if made else "")
                  + f". Slips to print: {settings.slips} (root only), for {settings.slip_url}")
        elif args.command == "slips":
            if os.geteuid() != 0:
                raise SystemExit("the slips are root's (state/): run it as root")
            written = write_slips(settings, args.names)
            print(f"{len(written)} slip(s) in {settings.slips} (root only), for "
                  f"{settings.slip_url}; passwords unchanged")
        else:
            removed = remove(settings)
            print(f"removed {len(removed)} learner(s): {' '.join(removed) or '-'}")
    except (ClassListError, CreateError, ValueError) as e:
        print(e, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
