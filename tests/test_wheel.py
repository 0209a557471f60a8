"""The wheel as a learner installs it, in a fresh virtual environment outside the repository:
``python -m xentlearn course`` writes the course and keeps an edit on a second run; after
``pip install "<wheel>[course]"`` the doctor passes and ``lab`` serves the welcome chapter with
the course's settings. Needs the package index (PyPI) for the dependencies; skips without it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import running_lab

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

    with running_lab(python, [], cwd=tmp_path, env=env) as lab:
        assert lab.path == "/lab/tree/notebooks/00_welcome.ipynb", lab.output
        assert lab.get("/api/contents/notebooks/00_welcome.ipynb")["type"] == "notebook"
        notes = lab.get("/lab/api/settings/@jupyterlab/apputils-extension:notification")
        defaults = notes["schema"]["properties"]  # JupyterLab's own: "none" and true
        assert defaults["fetchNews"]["default"] == "false"
        assert defaults["checkForUpdates"]["default"] is False
    own = tmp_path / ".jupyter" / "lab" / "user-settings"
    assert not own.exists() or not any(own.rglob("*.jupyterlab-settings"))
