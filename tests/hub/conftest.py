"""The room's hub, started once for the hub tests: three learners from a class list.

Run with ``make test-hub`` as root (CI runs as root): the hub creates system users. Not as
root, every test here skips and says why. Everything is stopped and the test learners are
removed at the end, also when a test fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hubtools import (
    HUB,
    MEM_LIMIT,
    NAMES,
    REPORT,
    ROOT,
    Learner,
    hub_command,
    login,
    new_kernel,
    slips,
    start_server,
    test_course,
)
from stubhub import free_port  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "browser"))
from labtools import launch_chromium  # noqa: E402

VENV_BIN = Path(sys.prefix) / "bin"
WALL = {"start": time.monotonic()}


@dataclass
class Room:
    base: str
    hub_dir: Path
    env: dict
    proc: subprocess.Popen
    log: Path
    passwords: dict[str, str]
    learners: dict[str, Learner]
    started_in: float = 0.0  # seconds from starting the hub to /hub/health 200

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """``python -m hub.MODULE ARGS`` with this room's settings."""
        return subprocess.run(hub_command(*args), cwd=ROOT, env=self.env,
                              capture_output=True, text=True, check=check)


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "the hub creates system users: run make test-hub as root (CI does)"
    for tool in ("useradd", "userdel", "runuser", "git"):
        if shutil.which(tool) is None:
            return f"no {tool} on this machine"
    if not (VENV_BIN / "jupyterhub").exists():
        return "jupyterhub is not installed (pip install -e '.[hub]', or make test-hub)"
    return None


def _remove_stale_learners(prefix: str) -> None:
    """Learners left by an earlier run that was killed before its clean-up (hub folders
    named ``/tmp/PREFIX...``); skips when that run's hub is still running."""
    import pwd

    from hub.accounts import remove
    from hub.settings import MARKER, Settings
    stale = {Path(u.pw_dir).parent.parent for u in pwd.getpwall()
             if MARKER in u.pw_gecos and Path(u.pw_dir).parent.parent.name.startswith(prefix)}
    for hub_dir in stale:
        pid_file = hub_dir / "state" / "jupyterhub.pid"
        pid = pid_file.read_text().strip() if pid_file.exists() else ""
        if pid.isdigit() and Path(f"/proc/{pid}").exists():
            pytest.skip(f"another hub test is running ({hub_dir}); its learners have the "
                        "same names")
        remove(Settings.from_env({"HUB_DIR": str(hub_dir)}))


@contextlib.contextmanager
def running_room(tmp_path_factory, *, prefix: str, names: tuple[str, ...], settings: dict,
                 preflight: bool = False):
    """A hub of its own, as ``make hub`` starts one: a new ``HUB_DIR`` in ``/tmp/PREFIX...``,
    free ports, the class ``names`` created (after ``hub.preflight`` when ``preflight``), the
    test course published; ``settings`` are the other ``HUB_*`` values. Yields the
    :class:`Room`; on the way out the hub is stopped, its learners removed and the folders
    opened for them closed again, also when a test fails."""
    why = _why_not()
    if why:
        pytest.skip(why)
    from hub.settings import closed_dirs, learner_paths

    _remove_stale_learners(prefix)
    hub_dir = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    hub_dir.chmod(0o755)
    # Learners' servers run the project's Python: open the folders on the way (o+x, pass
    # through only) for the test, and close them again afterwards.
    opened = {d: d.stat().st_mode & 0o7777 for d in closed_dirs(learner_paths())}
    for d, mode in opened.items():
        d.chmod(mode | 0o001)
    port = free_port()
    env = {**os.environ, "HUB_DIR": str(hub_dir), "HUB_IP": "127.0.0.1", "HUB_PORT": str(port),
           "HUB_API_PORT": str(free_port()), "HUB_PROXY_API_PORT": str(free_port()),
           "HUB_ROOM_PORT": str(free_port()), **settings}
    env.pop("HUB_PUBLIC_URL", None)
    log = tmp_path_factory.mktemp("hub") / "jupyterhub.log"
    proc = None
    try:
        class_list = hub_dir / "class.txt"
        class_list.write_text("# the test class\n" + "\n".join(names) + "\n")
        steps = [["preflight", str(class_list)]] if preflight else []
        for step in [*steps, ["accounts", "create", str(class_list)]]:
            done = subprocess.run(hub_command(*step), cwd=ROOT, env=env, capture_output=True,
                                  text=True)
            assert done.returncode == 0, (step, done.stderr)
        course = test_course(tmp_path_factory.mktemp("course"))
        published = subprocess.run(hub_command("course", "publish", "--source", str(course)),
                                   cwd=ROOT, env=env, capture_output=True, text=True)
        assert published.returncode == 0, published.stderr
        t0 = time.monotonic()
        with log.open("w") as out:
            proc = subprocess.Popen([str(VENV_BIN / "jupyterhub"), "-f",
                                     str(HUB / "jupyterhub_config.py")], cwd=hub_dir, env=env,
                                    stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        _wait_healthy(base, proc, log)
        yield Room(base, hub_dir, env, proc, log, slips(hub_dir / "state" / "slips.txt"), {},
                   started_in=time.monotonic() - t0)
    finally:
        _stop_everything(proc, env, hub_dir, opened)


@pytest.fixture(scope="session")
def room(tmp_path_factory):
    with running_room(tmp_path_factory, prefix="xentlearn-hub-test-", names=NAMES,
                      settings={"HUB_MEM_LIMIT": MEM_LIMIT, "HUB_IDLE_TIMEOUT": "600",
                                "HUB_SERVER_ARGS": "--LabApp.expose_app_in_browser=True"}
                      ) as started:
        REPORT.append(f"hub start to /hub/health 200: {started.started_in:.1f} s")
        yield started
    REPORT.append(f"hub tests' wall time (fixture set-up to clean-up): "
                  f"{time.monotonic() - WALL['start']:.0f} s")


def _wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the hub exited ({proc.returncode}):\n{log.read_text()[-4000:]}")
        try:
            if requests.get(f"{base}/hub/health", timeout=2,
                            proxies={"http": None}).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the hub did not answer in {timeout} s:\n{log.read_text()[-4000:]}")


def _stop_everything(proc, env: dict, hub_dir: Path, opened: dict) -> None:
    try:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the hub stops the servers it started
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
    finally:
        try:
            subprocess.run(hub_command("accounts", "remove"), cwd=ROOT, env=env,
                           capture_output=True, text=True, check=False)
        finally:
            shutil.rmtree(hub_dir, ignore_errors=True)
            for d, mode in opened.items():
                d.chmod(mode)


@pytest.fixture(scope="session")
def learners(room) -> dict[str, Learner]:
    """Each learner logged in with their own password and their server started via the API."""
    import pwd

    for name in NAMES:
        session, token = login(room.base, name, room.passwords[name])
        user = pwd.getpwnam(name)
        learner = Learner(name, room.base, session, token, user.pw_uid, Path(user.pw_dir))
        seconds = start_server(learner)
        REPORT.append(f"spawn {name} (course pulled, server ready): {seconds:.1f} s")
        new_kernel(learner)
        room.learners[name] = learner
    return room.learners


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, for one module: Playwright's event loop is
    gone again before other tests (``asyncio.run`` refuses to start inside it)."""
    yield from launch_chromium()


def pytest_terminal_summary(terminalreporter):
    if REPORT:
        terminalreporter.write_sep("-", "the room's hub")
        for line in REPORT:
            terminalreporter.write_line(line)
