"""The course on a learner's machine: ``python -m xentlearn course`` and ``lab``, and the course
in the wheel (exactly the tracked notebooks and the lab settings, from where they are tracked).
The wheel's own test from a fresh virtual environment is in test_wheel.py."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import tomllib
from helpers import running_lab

from xentlearn import course

ROOT = Path(__file__).resolve().parents[1]


def _git_files(*folders: str) -> list[str]:
    out = subprocess.run(["git", "ls-files", *folders], cwd=ROOT, capture_output=True,
                         text=True)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return sorted(out.stdout.split())


def test_the_course_files_are_the_tracked_notebooks():
    assert course.source() == ROOT  # a checkout: its own folders, nothing copied
    tracked = [f for f in _git_files("notebooks", "exercises") if f.endswith(".ipynb")]
    assert course.course_files() == tracked
    assert "notebooks/00_welcome.ipynb" in tracked and len(tracked) == 25


def test_every_package_of_xentlearn_is_in_the_wheels_list():
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"]
    found = sorted(".".join(p.parent.relative_to(ROOT).parts)
                   for p in (ROOT / "xentlearn").rglob("__init__.py"))
    assert [p for p in listed if not p.startswith("xentlearn._course")] == found


def test_the_wheel_holds_exactly_the_tracked_course_and_lab_settings(course_wheel):
    wheel = course_wheel
    names = zipfile.ZipFile(wheel).namelist()
    shipped = sorted(n.removeprefix("xentlearn/_course/") for n in names
                     if n.startswith("xentlearn/_course/"))
    assert shipped == _git_files("notebooks", "exercises", "lab")
    with zipfile.ZipFile(wheel) as z:  # byte for byte what is tracked
        for name in shipped:
            assert z.read(f"xentlearn/_course/{name}") == (ROOT / name).read_bytes(), name
    size = wheel.stat().st_size
    print(f"wheel {wheel.name}: {size / 1024:.0f} KiB, {len(shipped)} course files")


def test_course_writes_the_notebooks_and_a_second_run_keeps_an_edit(tmp_path):
    where = tmp_path / "my course"
    first = course.write_course(where)
    assert sorted(first.added) == course.course_files() and not first.kept
    for name in first.added:
        assert (where / name).read_bytes() == (ROOT / name).read_bytes()
    mine = where / "exercises" / "03_binary_cross_entropy.ipynb"
    edited = mine.read_text(encoding="utf-8").replace("answer = ...", "answer = 0.223")
    assert edited != mine.read_text(encoding="utf-8")
    mine.write_text(edited, encoding="utf-8")
    (where / "notebooks" / "01_shannon_entropy.ipynb").unlink()  # deleted by the learner
    again = course.write_course(where)
    assert again.kept == ["exercises/03_binary_cross_entropy.ipynb"]
    assert again.added == ["notebooks/01_shannon_entropy.ipynb"]
    assert mine.read_text(encoding="utf-8") == edited
    assert "kept 1 you changed" in again.summary() and "03_binary" in again.summary()


def test_a_newer_course_updates_what_the_learner_left_alone_only(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    for src in (old, new):
        for folder in course.COURSE_FOLDERS:
            (src / folder).mkdir(parents=True)
    for name, text in (("notebooks/00_welcome.ipynb", "v1"), ("exercises/01_a.ipynb", "v1")):
        (old / name).write_text(text)
        (new / name).write_text(text + " and v2")
    (new / "exercises/solutions/01_a.ipynb").write_text("new")
    where = tmp_path / "course"
    course.write_course(where, root=old)
    (where / "exercises/01_a.ipynb").write_text("the learner's answers")
    done = course.write_course(where, root=new)
    assert done.updated == ["notebooks/00_welcome.ipynb"]
    assert done.kept == ["exercises/01_a.ipynb"]
    assert done.added == ["exercises/solutions/01_a.ipynb"]
    assert (where / "notebooks/00_welcome.ipynb").read_text() == "v1 and v2"
    assert (where / "exercises/01_a.ipynb").read_text() == "the learner's answers"
    # a folder this command did not write: everything different is the learner's
    (tmp_path / "theirs" / "notebooks").mkdir(parents=True)
    (tmp_path / "theirs" / "notebooks" / "00_welcome.ipynb").write_text("their own")
    assert course.write_course(tmp_path / "theirs", root=new).kept == [
        "notebooks/00_welcome.ipynb"]


def test_course_on_the_command_line_and_a_file_in_the_way(tmp_path):
    run = subprocess.run([sys.executable, "-m", "xentlearn", "course", str(tmp_path / "c")],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "added 25 notebook(s)" in run.stdout and "python -m xentlearn lab" in run.stdout
    default = subprocess.run([sys.executable, "-m", "xentlearn", "course"], capture_output=True,
                             text=True, cwd=tmp_path, timeout=120)
    assert default.returncode == 0 and (tmp_path / "xentlearn-course" / course.WELCOME).exists()
    (tmp_path / "a file").write_text("")
    refused = subprocess.run([sys.executable, "-m", "xentlearn", "course",
                              str(tmp_path / "a file")], capture_output=True, text=True,
                             timeout=120)
    assert refused.returncode == 2 and "is a file" in refused.stderr, refused.stderr


#: Calls and modules that exist on POSIX systems only (a call guarded by getattr is fine),
#: and commands that need make or a shell.
POSIX_CALLS = {"fork", "setsid", "killpg", "getpgid", "setpgrp", "getuid", "geteuid", "chown",
               "alarm", "SIGALRM", "SIGKILL", "SIGHUP"}
POSIX_MODULES = {"pwd", "grp", "fcntl", "resource", "termios"}
COMMANDS = {"make", "bash", "sh"}


def test_course_and_lab_use_nothing_posix_only():
    for path, only in ((ROOT / "xentlearn" / "course.py", None),
                       (ROOT / "xentlearn" / "__main__.py", "_course_command")):
        tree = ast.parse(path.read_text())
        if only:
            tree = next(n for n in ast.walk(tree)
                        if isinstance(n, ast.FunctionDef) and n.name == only)
        calls = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        calls |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        modules = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import)
                   for a in n.names} | {n.module for n in ast.walk(tree)
                                        if isinstance(n, ast.ImportFrom)}
        texts = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                 and isinstance(n.value, str)}
        assert not calls & POSIX_CALLS, (path.name, calls & POSIX_CALLS)
        assert not modules & POSIX_MODULES, (path.name, modules & POSIX_MODULES)
        assert not texts & COMMANDS, (path.name, texts & COMMANDS)
        assert "shell=True" not in path.read_text()


def test_a_check_without_sigalrm_says_it_runs_without_a_limit(monkeypatch, capsys):
    from xentlearn.exercises import chapter, runner, view

    monkeypatch.setattr(runner, "can_limit", lambda: False)
    monkeypatch.setattr(view, "_NOTED_NO_LIMIT", False)
    result = chapter(1).q2.check(3.0)
    assert result.passed
    out = capsys.readouterr().out
    assert "cannot stop a function that never returns" in out, out


def test_lab_opens_the_welcome_chapter_with_the_courses_settings_only(tmp_path):
    pytest.importorskip("jupyterlab")
    user_settings = tmp_path / "user-settings"  # the learner's own JupyterLab settings
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(user_settings),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "BROWSER": "true"}
    env.pop("JUPYTER_CONFIG_PATH", None)
    with running_lab(sys.executable, [str(tmp_path / "c")], cwd=tmp_path, env=env) as lab:
        assert lab.path == f"/lab/tree/{course.WELCOME}", lab.path
        assert "added 25 notebook(s)" in lab.output
        welcome = lab.get(f"/api/contents/{course.WELCOME}")
        assert welcome["type"] == "notebook" and welcome["content"]["cells"]
        notes = lab.get("/lab/api/settings/@jupyterlab/apputils-extension:notification")
        defaults = notes["schema"]["properties"]  # the course's overrides, as defaults
        assert defaults["fetchNews"]["default"] == "false", defaults["fetchNews"]
        assert defaults["checkForUpdates"]["default"] is False, defaults["checkForUpdates"]
        assert notes["settings"] == {}  # the learner's own: none written
        assert lab.get("/lab/api/news")["news"] == []  # news_url None: asks nobody
    assert not user_settings.exists() or not any(user_settings.rglob("*.jupyterlab-settings"))


def test_the_wheels_metadata_tells_an_index_what_the_course_is(course_wheel):
    from email.parser import Parser

    with zipfile.ZipFile(course_wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        meta = Parser().parsestr(z.read(name).decode())
    classifiers = meta.get_all("Classifier")
    for wanted in ("Intended Audience :: Education", "Intended Audience :: Science/Research",
                   "Framework :: Jupyter", "Programming Language :: Python :: 3.10",
                   "Programming Language :: Python :: 3.12"):
        assert wanted in classifiers, wanted
    assert meta["License-Expression"] == "MIT"
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert set(urls) >= {"Homepage", "Documentation", "Source", "Issues"}, urls
    assert all(u.startswith("https://") for u in urls.values()), urls
    assert "cross-entropy" in meta["Keywords"] and meta["Author"]
    # the description is the README: every link in it works on the package index too
    description = meta.get_payload()
    links = re.findall(r"\]\(([^)\s]+)\)", description)
    assert links and all(re.match(r"https?://|#", link) for link in links), [
        link for link in links if not re.match(r"https?://|#", link)]


def test_the_readme_installs_what_the_package_says_on_every_os():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Take the course on your own computer", 1)[1].split("\n## ", 1)[0]
    installs = re.findall(r'-m pip install "([^"]+)"', setup)
    assert installs.count(course.INSTALL) == 2, installs  # Windows, and macOS and Linux
    assert "xentlearn-env\\Scripts\\python -m xentlearn lab" in setup
    assert "xentlearn-env/bin/python -m xentlearn lab" in setup
    assert not re.search(r"`make|make lab|\.venv/", setup)  # no make, no checkout paths
