"""The wheel as a learner installs it, in a fresh virtual environment outside the repository:
``python -m xentlearn course`` writes the course and keeps an edit on a second run; after
``pip install "<wheel>[course]"`` the doctor passes and ``lab`` serves the welcome chapter with
the course's settings. Needs the package index (PyPI) for the dependencies; skips without it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


def _run(args: list, cwd: Path, timeout: float = 900, env: dict | None = None):
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture(scope="module")
def venv(tmp_path_factory, course_wheel) -> Path:
    """A fresh environment with the wheel and its runtime dependencies only."""
    where = tmp_path_factory.mktemp("learner") / "venv"
    assert ROOT not in where.parents
    made = _run([sys.executable, "-m", "venv", where], cwd=where.parent, timeout=300)
    assert made.returncode == 0, made.stderr
    pip = [_bin(where, "python"), "-m", "pip", "install", "--quiet",
           "--disable-pip-version-check"]
    done = _run([*pip, course_wheel], cwd=where.parent)
    if done.returncode != 0 and re.search(r"(?i)connection|resolve|network|index",
                                          done.stderr):
        pytest.skip(f"no package index here: {done.stderr.strip()[-300:]}")
    assert done.returncode == 0, done.stderr[-3000:]
    return where


def _clean_env(home: Path) -> dict:
    """An environment with nothing of this checkout: no PYTHONPATH, a home of its own."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV", "XENTLEARN"))}
    env.update(HOME=str(home), USERPROFILE=str(home), BROWSER="true")
    return env


def test_course_from_the_wheel_writes_the_files_and_keeps_an_edit(venv, tmp_path,
                                                                  course_wheel):
    env = _clean_env(tmp_path)
    python = _bin(venv, "python")
    where = _run([python, "-c", "import xentlearn, pathlib; print(pathlib.Path("
                  "xentlearn.__file__).parent)"], cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv), where  # the wheel's, not ours
    first = _run([python, "-m", "xentlearn", "course"], cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    course = tmp_path / "xentlearn-course"
    written = sorted(p.relative_to(course).as_posix() for p in course.rglob("*.ipynb"))
    tracked = subprocess.run(["git", "ls-files", "notebooks", "exercises"], cwd=ROOT,
                             capture_output=True, text=True).stdout.split()
    assert written == sorted(tracked), first.stdout
    for name in written:
        assert (course / name).read_bytes() == (ROOT / name).read_bytes(), name
    mine = course / "exercises" / "01_shannon_entropy.ipynb"
    mine.write_text(mine.read_text(encoding="utf-8").replace("answer = ...", "answer = 0.57",
                                                             1), encoding="utf-8")
    edited = mine.read_bytes()
    second = _run([python, "-m", "xentlearn", "course"], cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    assert "kept 1 you changed" in second.stdout and "01_shannon_entropy" in second.stdout
    assert mine.read_bytes() == edited
    print(f"wheel {course_wheel.name}: {course_wheel.stat().st_size / 1024:.0f} KiB")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_with_the_course_extra_the_doctor_passes_and_lab_serves_the_course(venv, tmp_path,
                                                                           course_wheel):
    env = _clean_env(tmp_path)
    python = _bin(venv, "python")
    done = _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 f"{course_wheel}[course]"], cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    doctor = _run([python, "-m", "xentlearn", "doctor"], cwd=tmp_path, env=env, timeout=600)
    assert doctor.returncode == 0, doctor.stdout[-3000:] + doctor.stderr[-2000:]
    assert "PROBLEM" not in doctor.stdout, doctor.stdout

    port = _free_port()
    proc = subprocess.Popen([str(python), "-m", "xentlearn", "lab", "--no-browser", "--port",
                             str(port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            start_new_session=(os.name == "posix"))
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    url = re.compile(rf"http://(?:127\.0\.0\.1|localhost):{port}(/lab\S*)\?token=(\w+)")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        deadline, m = time.monotonic() + 120, None
        while m is None and time.monotonic() < deadline and proc.poll() is None:
            m = next(filter(None, map(url.search, list(lines))), None)
            time.sleep(0.2)
        assert m and m.group(1) == "/lab/tree/notebooks/00_welcome.ipynb", "".join(lines)

        def get(path: str) -> dict:
            for _ in range(50):
                try:
                    with opener.open(f"http://127.0.0.1:{port}{path}?token={m.group(2)}",
                                     timeout=30) as r:
                        return json.loads(r.read())
                except urllib.error.URLError:
                    time.sleep(0.2)
            raise AssertionError("".join(lines)[-3000:])

        assert get("/api/contents/notebooks/00_welcome.ipynb")["type"] == "notebook"
        notes = get("/lab/api/settings/@jupyterlab/apputils-extension:notification")
        defaults = notes["schema"]["properties"]  # JupyterLab's own: "none" and true
        assert defaults["fetchNews"]["default"] == "false"
        assert defaults["checkForUpdates"]["default"] is False
        assert not (tmp_path / ".jupyter" / "lab" / "user-settings").exists() or not any(
            (tmp_path / ".jupyter" / "lab" / "user-settings").rglob("*.jupyterlab-settings"))
    finally:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
