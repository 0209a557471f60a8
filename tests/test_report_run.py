"""The class report (``python -m xentlearn progress``): running learners' notebooks.

The notebooks here are small and made on the spot: a learner who crashes the kernel
after two correct answers, one whose cell never ends, a broken first cell, a file that
is not a notebook, checks of other chapters' questions. One class is graded once per
module (--jobs 2, as JSON) and once more (--jobs 1, as CSV) to compare.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from xentlearn import report
from xentlearn.exercises import chapter
from xentlearn.report import _forkserver, notebooks, run

ROOT = Path(__file__).resolve().parents[1]
TIME_LIMIT = "2.5"  # seconds per notebook: a fraction, as the command line allows


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Exercises")]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _setup(n: int) -> str:
    return f"import numpy as np\nfrom xentlearn.exercises import chapter\n\nex = chapter({n})"


CH01, CH02 = "01_shannon_entropy.ipynb", "02_cross_entropy.ipynb"
Q1_RIGHT, Q2_RIGHT = "ex.q1.check(0.56651)", "ex.q2.check(3.0)"
TOTAL1, TOTAL2 = len(chapter(1).questions), len(chapter(2).questions)


def _progress(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xentlearn", "progress", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """Three learners; cell numbers count the markdown cell at the top as cell 1."""
    root = tmp_path_factory.mktemp("class")
    # ana: two correct answers, then the kernel dies (cell 5); q5 is never checked
    _notebook(root / "ana" / CH01, _setup(1), Q1_RIGHT, Q2_RIGHT, "import os\nos._exit(1)",
              "ex.q5.check(1.75)")
    # ana: a right answer to chapter 01's q2 in chapter 02's notebook is not counted here
    _notebook(root / "ana" / CH02, _setup(2), "chapter(1).q2.check(3.0)", "ex.q1.check(123.0)")
    # bo: one correct answer, then a cell that never ends (cell 4)
    _notebook(root / "bo" / CH01, _setup(1), Q1_RIGHT, "while True:\n    pass",
              Q2_RIGHT)
    # bo: the first cell fails (a broken environment), so nothing can be checked
    _notebook(root / "bo" / CH02, "import xentlearn_is_not_installed_here\n" + _setup(2),
              "ex.q1.check(123.0)")
    # cy: checks every question of every other chapter, and its own twice
    _notebook(root / "cy" / CH01, _setup(1), Q2_RIGHT, "ex.q2.check(2.0)", Q1_RIGHT,
              "for n in range(2, 9):\n    for q in chapter(n).questions:\n        q.check(0.5)",
              Q1_RIGHT)
    # cy: not a notebook
    (root / "cy" / CH02).write_text("{this is not json")
    # not learners: a hidden folder and a folder without exercise notebooks
    _notebook(root / ".ipynb_checkpoints" / CH01, _setup(1), Q1_RIGHT)
    (root / "data").mkdir()
    return root


@pytest.fixture(scope="module")
def graded(klass) -> tuple[subprocess.CompletedProcess, dict]:
    result = _progress(str(klass), "--json", "--jobs", "2", "--time-limit", TIME_LIMIT)
    assert result.returncode == 0, result.stderr
    records = {(r["learner"], r["chapter"]): r for r in json.loads(result.stdout)}
    return result, records


def test_a_class_gives_one_record_per_learner_and_chapter(graded):
    result, records = graded
    assert sorted(records) == [("ana", 1), ("ana", 2), ("bo", 1), ("bo", 2), ("cy", 1),
                               ("cy", 2)]
    for r in records.values():
        assert list(r) == list(report.FIELDS)
        assert r["status"] in report.STATUSES
        assert 0 <= r["correct"] <= r["attempted"] <= r["total"]
    assert records[("ana", 1)]["total"] == TOTAL1 and records[("ana", 2)]["total"] == TOTAL2
    # ipykernel's warning about TCP without encryption is silenced; no bar without a terminal
    assert "without encryption" not in result.stderr
    assert "grading" not in result.stderr


def test_results_before_a_crash_are_kept_and_the_cell_is_named(graded):
    r = graded[1][("ana", 1)]
    assert (r["correct"], r["attempted"], r["status"], r["cell"]) == (2, 2, "crashed", 5)
    assert "kernel died" in r["error"] and "os._exit(1)" in r["error"]


def test_a_cell_that_never_ends_is_timed_out_and_earlier_results_are_kept(graded):
    r = graded[1][("bo", 1)]
    assert (r["correct"], r["attempted"], r["status"], r["cell"]) == (1, 1, "timed out", 4)
    assert "2.5 s" in r["error"] and "while True" in r["error"]


def test_a_broken_first_cell_is_setup_failed_not_zero_attempted(graded):
    r = graded[1][("bo", 2)]
    assert (r["status"], r["cell"], r["attempted"]) == ("setup failed", 2, 0)
    assert "ModuleNotFoundError" in r["error"] and "xentlearn_is_not_installed_here" in r["error"]


def test_an_unreadable_file_is_reported_as_such(graded):
    r = graded[1][("cy", 2)]
    assert (r["status"], r["correct"], r["attempted"], r["total"]) == ("unreadable", 0, 0, TOTAL2)
    assert r["error"].startswith("not a notebook")


def test_checks_of_other_chapters_are_ignored_and_counts_stay_within_the_total(graded):
    records = graded[1]
    cy = records[("cy", 1)]
    # own chapter: q2 right then wrong (the latest counts), q1 right twice
    assert (cy["correct"], cy["attempted"], cy["total"], cy["status"]) == (1, 2, TOTAL1, "ok")
    others = [q.id for n in range(2, 9) for q in chapter(n).questions]
    assert cy["ignored"] == others
    ana = records[("ana", 2)]
    assert (ana["correct"], ana["attempted"], ana["ignored"]) == (0, 1, ["01.q2"])


def test_the_same_class_one_at_a_time_as_csv_gives_the_same_records(klass, graded):
    result = _progress(str(klass), "--csv", "--jobs", "1", "--time-limit", TIME_LIMIT)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.stdout.splitlines()[0] == ",".join(report.FIELDS)
    assert len(rows) == 6
    for row in rows:
        expected = graded[1][(row["learner"], int(row["chapter"]))]
        assert row["status"] == expected["status"]
        assert row["error"] == expected["error"]
        assert [int(row[k]) for k in ("correct", "attempted", "total")] == \
            [expected[k] for k in ("correct", "attempted", "total")]
        assert row["cell"] == ("" if expected["cell"] is None else str(expected["cell"]))
        assert row["ignored"].split() == expected["ignored"]


def test_kernels_started_without_the_fork_server_give_the_same_records(klass, graded):
    notebooks, _ = report.find_notebooks(klass)
    results = report.grade(notebooks, time_limit=float(TIME_LIMIT), jobs=2, fork=False)
    assert {(r.learner, r.chapter): r.record() for r in results} == graded[1]


def test_a_fork_server_that_fails_falls_back_to_starting_kernels(tmp_path, monkeypatch):
    monkeypatch.setattr(_forkserver, "SERVER_CODE", "import sys\nsys.exit(3)")
    notebook = _notebook(tmp_path / "zoe" / CH01, _setup(1), Q2_RIGHT, Q1_RIGHT)
    [r] = report.grade([("zoe", 1, notebook)], time_limit=20, fork=True)
    assert (r.status, r.correct, r.attempted) == ("ok", 2, 2)


def test_the_kernels_prelude_is_the_fork_servers():
    assert run.KERNEL_CODE.startswith(_forkserver.PRELUDE)
    assert _forkserver.SERVER_CODE.startswith(_forkserver.PRELUDE)


def test_one_learners_folder_and_one_notebook(klass):
    result = _progress(str(klass / "cy"), "--time-limit", TIME_LIMIT)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["learner", "01", "02", "total"]
    assert lines[2].split() == ["cy", "1/2/5", "+", "0/0/4", "U", "1/2/9"]
    solved = _progress("exercises/solutions", "--json")
    assert solved.returncode == 0, solved.stderr
    records = json.loads(solved.stdout)
    assert [r["chapter"] for r in records] == list(range(1, 9))
    for r in records:
        assert (r["learner"], r["status"], r["correct"], r["attempted"]) == \
            ("solutions", "ok", r["total"], r["total"]), r
    template = _progress("exercises/01_shannon_entropy.ipynb", "--csv")
    assert template.returncode == 0, template.stderr
    assert template.stdout.splitlines()[1] == f"exercises,1,0,0,{TOTAL1},ok,,,,"


def test_a_kernel_that_cannot_start_is_tried_again_then_setup_failed(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "KERNEL_CODE", "raise SystemExit(3)")
    notebook = _notebook(tmp_path / "zoe" / CH01, _setup(1), Q2_RIGHT)
    [r] = report.grade([("zoe", 1, notebook)], time_limit=10, fork=False)
    assert (r.status, r.correct, r.attempted, r.cell) == ("setup failed", 0, 0, None)
    assert f"did not start ({run.START_ATTEMPTS} attempts)" in r.error


@pytest.mark.parametrize("encrypted", [True, False])
def test_no_warning_about_tcp_without_encryption_either_way(encrypted, tmp_path, monkeypatch,
                                                           capfd):
    """Encrypted (CurveZMQ) where possible, else ipykernel's warnings are silenced."""
    if encrypted and not run._encryption():
        pytest.skip("this pyzmq/jupyter_client/ipykernel cannot encrypt kernel traffic")
    monkeypatch.setattr(run, "_encryption", lambda: encrypted)
    notebook = _notebook(tmp_path / "zoe" / CH01, _setup(1), Q2_RIGHT)
    [r] = report.grade([("zoe", 1, notebook)], time_limit=20)
    assert (r.status, r.correct) == ("ok", 1)
    assert "without encryption" not in capfd.readouterr().err


def test_ctrl_c_stops_the_kernels_and_prints_no_traceback(tmp_path):
    pid_file = tmp_path / "kernel.pid"
    _notebook(tmp_path / "zoe" / CH01, _setup(1), Q2_RIGHT,
              f"import os, time\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
              "time.sleep(600)")
    run = subprocess.Popen([sys.executable, "-m", "xentlearn", "progress", str(tmp_path)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                           preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        kernel = int(pid_file.read_text())
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=60)
    finally:
        run.kill()
    assert run.returncode == 130 and "interrupted" in err and "Traceback" not in err
    time.sleep(1)
    with pytest.raises(ProcessLookupError):
        os.kill(kernel, 0)


def test_grade_refuses_a_limit_that_would_run_nothing():
    for limit in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="time_limit"):
            report.grade([], time_limit=limit)


# --- what the report reads, and what it never echoes -------------------------------------------

SECRET = "root:x:0:0:SECRET-LINE\n"


@pytest.fixture
def alarm():
    """Fail, instead of hanging, when reading blocks (a FIFO opened for reading waits)."""
    def ring(signum, frame):
        raise TimeoutError("reading a notebook blocked")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _invalid_notebook(cell_source) -> str:
    nb = json.loads(nbformat.writes(nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("1"), nbformat.v4.new_code_cell("2")])))
    nb["cells"][1]["source"] = cell_source
    return json.dumps(nb)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and sockets need a POSIX system")
def test_links_and_special_files_are_refused_by_kind_and_no_content_is_echoed(
        tmp_path, monkeypatch, capfd, alarm):
    import socket

    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    eve = tmp_path / "class" / "eve"
    eve.mkdir(parents=True)
    (eve / CH01).symlink_to(secret)
    os.mkfifo(eve / CH02)
    (eve / "03_binary_cross_entropy.ipynb").mkdir()
    monkeypatch.chdir(eve)  # a socket's path must be short
    server = socket.socket(socket.AF_UNIX)
    server.bind("04_categorical_cross_entropy.ipynb")
    (eve / "05_sparse_categorical_cross_entropy.ipynb").write_text(SECRET)  # not JSON
    (eve / "06_kl_divergence.ipynb").write_text(_invalid_notebook({"x": SECRET}))
    (eve / "07_training_with_cross_entropy.ipynb").write_text(
        json.dumps({"nbformat": SECRET, "cells": []}))
    (eve / "08_pitfalls.ipynb").symlink_to(tmp_path / "nowhere.ipynb")  # dangling
    try:
        found, notes = report.find_notebooks(tmp_path / "class")
        assert [n for _, n, _ in found] == list(range(1, 9)) and notes == []
        results = report.grade(found, time_limit=5, fork=False)
    finally:
        server.close()
    errors = {r.chapter: r.error for r in results}
    assert {r.status for r in results} == {"unreadable"}
    assert errors[1] == errors[8] == "a symbolic link, not a notebook: refused"
    assert errors[2] == "a FIFO, not a regular file"
    assert errors[3] == "a folder, not a regular file"
    assert errors[4] == "a socket, not a regular file"
    assert errors[5] == "not a notebook: JSONDecodeError: Expecting value: line 1 column 1"
    assert errors[6] == "not a notebook: NotebookValidationError in cell 2"
    assert results[5].cell == 2
    assert errors[7] == "not a notebook: NBFormatError"
    shown = report.format_report(results) + report.as_csv(results) + report.as_json(results)
    out, err = capfd.readouterr()
    for text in (shown, out, err):
        assert "root" not in text and "SECRET" not in text


def test_one_notebook_given_as_a_link_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    link = tmp_path / "zoe" / CH01
    link.parent.mkdir()
    link.symlink_to(secret)
    found, _ = report.find_notebooks(link)
    assert found == [("zoe", 1, link)]
    [r] = report.grade(found, time_limit=5, fork=False)
    assert (r.status, r.error) == ("unreadable", "a symbolic link, not a notebook: refused")


def test_a_notebook_over_the_size_limit_is_unreadable_before_it_is_read(tmp_path, monkeypatch):
    big = tmp_path / "zoe" / CH01
    big.parent.mkdir()
    with open(big, "wb") as file:  # sparse: no disk space, no time
        file.truncate(104_857_600)
    reads = []
    real_read = os.read
    monkeypatch.setattr(notebooks.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    [r] = report.grade([("zoe", 1, big)], time_limit=5, fork=False)
    assert (r.status, r.error) == ("unreadable",
                                   "104.9 MB, more than the 20 MB a notebook may have")
    assert reads == []
    assert max(os.path.getsize(p) for p in ROOT.glob("exercises/**/*.ipynb")) \
        < report.MAX_NOTEBOOK_BYTES / 100


def test_each_notebook_is_read_when_its_turn_comes(tmp_path):
    """With one job, a notebook is read once one of the two before it is done: a notebook
    replaced on disk meanwhile is graded as it is then."""
    first = _notebook(tmp_path / "zoe" / CH01, "1")
    second = _notebook(tmp_path / "zoe" / CH02, "2")
    third = _notebook(tmp_path / "zoe" / "03_binary_cross_entropy.ipynb", "3")

    def replace(result):
        if result.chapter == 1:
            third.write_text("{replaced")

    results = report.grade([("zoe", 1, first), ("zoe", 2, second), ("zoe", 3, third)],
                           time_limit=20, jobs=1, on_done=replace)
    assert [r.status for r in results] == ["ok", "ok", "unreadable"]
    assert results[2].error.startswith("not a notebook: JSONDecodeError")


