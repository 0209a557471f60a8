"""hub.accounts: class lists refused line by line, passwords of one's own, and (as root)
a refused list creates nothing while a good one creates users with private homes."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest
from hubtools import ROOT, hub_command

from hub.accounts import (
    ClassListError,
    check_password,
    hash_password,
    new_password,
    read_class_list,
)
from hub.settings import MARKER, Settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "class.txt"
    path.write_text(text)
    return path


def test_a_class_list_is_read_in_order_without_comments_and_blank_lines(tmp_path):
    path = write(tmp_path, "# room 2\nana\n\n  bo  # back row\ncy_2\n")
    assert read_class_list(path) == ["ana", "bo", "cy_2"]


@pytest.mark.parametrize("text, line, why", [
    ("ana\nbo\nana\n", 3, "is already on line 1"),
    ("ana\nBo Smith\n", 2, "cannot be a user name"),
    ("ana\n\n2pac\n", 3, "cannot be a user name"),
    ("ana\n" + "a" * 33 + "\n", 2, "cannot be a user name"),
    ("ana\ninstructor\n", 2, "the instructor's account"),
    ("root\n", 1, "a system user this hub did not create"),
])
def test_a_bad_line_is_refused_with_its_number(tmp_path, text, line, why):
    path = write(tmp_path, text)
    with pytest.raises(ClassListError) as info:
        read_class_list(path)
    message = str(info.value)
    assert f"line {line}:" in message and why in message, message
    assert "nothing was created" in message


def test_every_bad_line_is_named_at_once(tmp_path):
    path = write(tmp_path, "ana\nana\nBad\nbo\nbo\n")
    message = str(pytest.raises(ClassListError, read_class_list, path).value)
    assert [f"line {n}:" in message for n in (2, 3, 5)] == [True] * 3, message
    assert "line 1:" not in message and "line 4:" not in message


def test_an_empty_class_list_is_refused(tmp_path):
    with pytest.raises(ClassListError, match="names no learner"):
        read_class_list(write(tmp_path, "# nobody yet\n\n"))


def test_passwords_are_each_learners_own_and_only_their_hash_is_kept():
    passwords = {new_password() for _ in range(200)}
    assert len(passwords) == 200
    password = passwords.pop()
    stored = hash_password(password)
    assert password not in stored
    assert check_password(password, stored)
    assert not check_password(passwords.pop(), stored)
    assert not check_password(password, "not a hash")
    assert hash_password(password) != stored  # salted


def _run(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(hub_command("accounts", *args), cwd=ROOT,
                          env={**os.environ, **env}, capture_output=True, text=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="creates system users: needs root")
def test_a_refused_list_creates_nothing_and_a_good_one_creates_private_homes(tmp_path):
    hub_dir = tmp_path / "xentlearn-hub-test-accounts"
    env = {"HUB_DIR": str(hub_dir)}
    refused = _run("create", str(write(tmp_path, "xlt-dee\nxlt-eve\nxlt-dee\n")), env=env)
    assert refused.returncode == 2 and "line 3:" in refused.stderr, refused.stderr
    assert not hub_dir.exists()
    assert not any(u.pw_name in ("xlt-dee", "xlt-eve") for u in pwd.getpwall())
    try:
        made = _run("create", str(write(tmp_path, "xlt-dee\nxlt-eve\n")), env=env)
        assert made.returncode == 0, made.stderr
        settings = Settings.from_env(env)
        for name in ("xlt-dee", "xlt-eve"):
            user = pwd.getpwnam(name)
            assert MARKER in user.pw_gecos and Path(user.pw_dir) == settings.homes / name
            assert Path(user.pw_dir).stat().st_mode & 0o777 == 0o700
            assert Path(user.pw_dir).stat().st_uid == user.pw_uid
        assert settings.state.stat().st_mode & 0o777 == 0o700
        for secret in (settings.passwords, settings.slips):
            assert secret.stat().st_mode & 0o777 == 0o600 and secret.stat().st_uid == 0
        slips = settings.slips.read_text()
        assert slips.count("user name:") == 3  # two learners and the instructor
        again = _run("create", str(write(tmp_path, "xlt-dee\nxlt-eve\n")), env=env)
        assert "0 new password(s)" in again.stdout, again.stdout
        from hub.roomstore import Check, Store, course_questions
        store = Store(settings.room_db, course_questions())  # the live view's results
        store.add("xlt-dee", Check("01.q2", 1, "correct"))
        store.close()
    finally:
        removed = _run("remove", env=env)
    assert "removed 2 learner(s): xlt-dee xlt-eve" in removed.stdout, removed.stdout
    assert not [p for p in settings.state.iterdir() if p.name.startswith("room.sqlite")]
    assert not any(u.pw_name in ("xlt-dee", "xlt-eve") for u in pwd.getpwall())
    assert not list(settings.homes.iterdir())
    shutil.rmtree(hub_dir)


def _groups_without_a_user() -> list[str]:
    """Two existing groups with no user of the same name: Debian's ``staff`` and ``plugdev``
    where the machine has them."""
    import grp

    from hub.accounts import USERNAME
    names = sorted((g.gr_name for g in grp.getgrall() if _no_user(g.gr_name)
                    and USERNAME.fullmatch(g.gr_name)),
                   key=lambda n: n not in ("staff", "plugdev"))
    return names[:2]


def _no_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return True
    return False


def test_a_class_list_naming_an_existing_group_is_refused_with_its_line(tmp_path):
    groups = _groups_without_a_user()
    assert groups, "no group without a user of its name on this machine"
    path = write(tmp_path, "ana\n" + "\n".join(groups) + "\n")
    message = str(pytest.raises(ClassListError, read_class_list, path).value)
    for number, group in enumerate(groups, start=2):
        assert f"line {number}: {group!r} is an existing system group" in message, message
    assert "line 1:" not in message


@pytest.mark.skipif(os.geteuid() != 0, reason="creates system users: needs root")
def test_a_list_naming_a_group_creates_nobody_and_preflight_says_so_first(tmp_path):
    group = _groups_without_a_user()[0]
    hub_dir = tmp_path / "xentlearn-hub-test-groups"
    path = write(tmp_path, f"xlt-dee\n{group}\n")
    refused = _run("create", str(path), env={"HUB_DIR": str(hub_dir)})
    assert refused.returncode == 2, refused.stderr
    assert f"line 2: {group!r} is an existing system group" in refused.stderr
    assert "Traceback" not in refused.stderr
    checked = subprocess.run(hub_command("preflight", str(path)), cwd=ROOT,
                             env={**os.environ, "HUB_DIR": str(hub_dir)},
                             capture_output=True, text=True)
    assert checked.returncode == 2 and f"line 2: {group!r}" in checked.stderr, checked.stderr
    assert "nothing was created" in checked.stderr
    assert _no_user("xlt-dee") and not hub_dir.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="creates system users: needs root")
def test_create_is_all_or_nothing_when_a_user_fails_part_way(tmp_path, monkeypatch, capsys):
    from hub import accounts
    hub_dir = tmp_path / "xentlearn-hub-test-undo"
    real = accounts._add_user

    def fail_on_the_third(name, home):
        if name == "xlt-fay":
            real(name, home)  # made, then a failure after it: it must go too
            raise subprocess.CalledProcessError(12, ["useradd"], stderr="useradd: disk full")
        real(name, home)

    monkeypatch.setattr(accounts, "_add_user", fail_on_the_third)
    monkeypatch.setenv("HUB_DIR", str(hub_dir))
    path = write(tmp_path, "xlt-dee\nxlt-eve\nxlt-fay\nxlt-gus\n")
    try:
        code = accounts.main(["create", str(path)])
        err = capsys.readouterr().err
        assert code == 2, err
        assert "creating the user 'xlt-fay' failed (useradd: disk full)" in err, err
        assert "removed the users xlt-dee, xlt-eve, xlt-fay and their homes" in err, err
        assert "Traceback" not in err
        for name in ("xlt-dee", "xlt-eve", "xlt-fay", "xlt-gus"):
            assert _no_user(name), name
        assert not hub_dir.exists()  # made by this call: removed, passwords and all
    finally:
        accounts.remove(Settings.from_env({"HUB_DIR": str(hub_dir)}))
        shutil.rmtree(hub_dir, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="creates system users: needs root")
def test_slips_carry_the_public_address_and_are_reprinted_with_the_same_passwords(tmp_path):
    from hubtools import slips as read_slips
    hub_dir = tmp_path / "xentlearn-hub-test-slips"
    env = {"HUB_DIR": str(hub_dir), "HUB_IP": "0.0.0.0"}
    path = write(tmp_path, "xlt-dee\nxlt-eve\n")
    refused = _run("create", str(path), env=env)
    assert refused.returncode == 2 and "set HUB_PUBLIC_URL" in refused.stderr, refused.stderr
    assert "THIS-MACHINE" not in refused.stderr and _no_user("xlt-dee")
    assert not hub_dir.exists()
    try:
        made = _run("create", str(path), env={**env, "HUB_PUBLIC_URL": "http://10.1.2.3:8000"})
        assert made.returncode == 0, made.stderr
        settings = Settings.from_env(env)
        first = settings.slips.read_text()
        assert first.count("open:      http://10.1.2.3:8000/\n") == 3, first
        passwords = read_slips(settings.slips)
        hashes = settings.passwords.read_text()
        assert settings.slip_passwords.stat().st_mode & 0o777 == 0o600
        again = _run("slips", env={**env, "HUB_PUBLIC_URL": "https://room.example.org/"})
        assert again.returncode == 0 and "passwords unchanged" in again.stdout, again.stderr
        second = settings.slips.read_text()
        assert second.count("open:      https://room.example.org/\n") == 3, second
        assert "10.1.2.3" not in second
        assert read_slips(settings.slips) == passwords and len(passwords) == 3
        assert settings.passwords.read_text() == hashes
        assert settings.slips.stat().st_mode & 0o777 == 0o600
        one = _run("slips", "xlt-eve", env={**env, "HUB_PUBLIC_URL": "http://10.1.2.3:8000/"})
        assert read_slips(settings.slips) == {"xlt-eve": passwords["xlt-eve"]}, one.stderr
    finally:
        _run("remove", env=env)
        shutil.rmtree(hub_dir, ignore_errors=True)
