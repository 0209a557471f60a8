"""Learners' accounts from a class list: system users, home folders, passwords and slips.

    python hub/accounts.py create class.txt   # as root: users, homes, passwords, slips
    python hub/accounts.py remove             # as root: every learner of this hub, and homes

A class list has one user name a line (``#`` starts a comment, blank lines are skipped). A
name that appears twice, cannot be a user name, is the instructor's account or belongs to a
system user the hub did not create is refused with its line number, and then nothing is
created. Each learner gets a system user (``useradd``, comment ``xentlearn learner``) whose
home is ``$HUB_DIR/homes/NAME`` with mode 0700, and a password of their own, generated once:
the hub keeps only its hash (``state/passwords.json``); the passwords themselves are written
to ``state/slips.txt`` (root only) to print and hand out, one slip per learner.
"""

from __future__ import annotations

import argparse
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from memory import remove_cgroup  # noqa: E402
from settings import MARKER, Settings  # noqa: E402

#: Debian's default NAME_REGEX for useradd, at most 32 characters.
USERNAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
#: No 0/O, 1/l/I: a slip is read from paper.
ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
ITERATIONS = 200_000


class ClassListError(ValueError):
    """A class list that cannot become accounts; the message names each bad line."""


def read_class_list(path: Path, admin: str = "instructor") -> list[str]:
    """The learners' user names of a class list, in order; refuses the whole list if any
    line is bad (a duplicate, not a user name, the instructor's name, a system user)."""
    names: list[str] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        where = f"{path}, line {number}: {name!r}"
        if not USERNAME.fullmatch(name):
            problems.append(f"{where} cannot be a user name (use lower-case letters, digits, "
                            "'-' and '_', starting with a letter, at most 32 characters)")
        elif name in seen:
            problems.append(f"{where} is already on line {seen[name]}")
        elif name == admin:
            problems.append(f"{where} is the instructor's account (HUB_ADMIN)")
        elif _system_user(name) is not None and MARKER not in _system_user(name).pw_gecos:
            problems.append(f"{where} is a system user this hub did not create; "
                            "choose another name")
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


def create(class_list: Path, settings: Settings) -> dict[str, str]:
    """Users, homes and passwords for a class list; returns the passwords made now (learners
    who already had one keep it). The instructor's password is made on the first run."""
    names = read_class_list(class_list, settings.admin)
    if os.geteuid() != 0:
        raise SystemExit("creating learners' system users needs root (sudo make hub ...)")
    settings.make_dirs()
    stored = load_passwords(settings)
    made: dict[str, str] = {}
    for name in [settings.admin, *names]:
        if name not in stored:
            made[name] = new_password()
            stored[name] = {"hash": hash_password(made[name]),
                            "role": "admin" if name == settings.admin else "learner"}
    for name in names:
        home = settings.homes / name
        if _system_user(name) is None:
            subprocess.run(["useradd", "--create-home", "--home-dir", str(home),
                            "--shell", "/usr/sbin/nologin", "--comment", MARKER,
                            "--user-group", "--key", "HOME_MODE=0700", name],
                           check=True, capture_output=True, text=True)
        elif Path(_system_user(name).pw_dir) != home:
            raise SystemExit(f"{name}: a learner of another hub (home "
                             f"{_system_user(name).pw_dir}); remove them there first")
        home.chmod(0o700)
    _write_private(settings.passwords, json.dumps(stored, indent=1))
    if made:
        slips = [_slip(name, password, settings) for name, password in made.items()]
        old = settings.slips.read_text() if settings.slips.exists() else ""
        _write_private(settings.slips, old + "".join(slips))
    return made


def _slip(name: str, password: str, settings: Settings) -> str:
    where = f"http://{settings.ip if settings.ip != '0.0.0.0' else 'THIS-MACHINE'}:" \
            f"{settings.port}/"
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
    """Remove every learner of this hub: their processes, system user, home and password.
    Users the hub did not create are never touched. Returns the names removed."""
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
    if settings.slips.exists():
        settings.slips.unlink()
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python hub/accounts.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("create", help="users, homes and passwords from a class list")
    make.add_argument("class_list", type=Path)
    sub.add_parser("remove", help="remove every learner of this hub with their homes")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "create":
        try:
            made = create(args.class_list, settings)
        except ClassListError as e:
            print(e, file=sys.stderr)
            return 2
        total = len(read_class_list(args.class_list, settings.admin))
        print(f"{total} learners in {settings.homes}; {len(made)} new password(s). "
              f"Slips to print: {settings.slips} (root only)")
    else:
        removed = remove(settings)
        print(f"removed {len(removed)} learner(s): {' '.join(removed) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
