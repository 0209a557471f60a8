"""Counting checks (xentlearn.report.results): a learner's own results log beside the runs of
their saved notebooks, and records from another process read as data."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from xentlearn import report
from xentlearn.exercises import chapter

ROOT = Path(__file__).resolve().parents[1]
TOTAL1, TOTAL2 = len(chapter(1).questions), len(chapter(2).questions)


def _entry(question: str, status: str, chapter: int | None = None) -> dict:
    return {"question": question, "chapter": chapter or int(question[:2]), "status": status,
            "cell": None}


def test_the_log_adds_what_the_saved_notebook_lacks_and_names_it():
    saved = report.NotebookResult("ana", 1, "01.ipynb", total=TOTAL1)
    report.results.tally(saved, [_entry("01.q1", "incorrect"), _entry("01.q3", "correct")],
                         [q.id for q in chapter(1).questions])
    log = [_entry("01.q1", "correct"), _entry("01.q2", "incorrect"),
           _entry("01.q3", "incorrect"),   # worse than the saved notebook's: not counted
           _entry("02.q1", "correct"),     # a chapter without a notebook: a result of its own
           _entry("01.q99", "correct"), _entry("01.q1", "correct", chapter=2),  # not known
           _entry("09.q1", "correct")]
    results = report.add_checks([saved], log, "ana", notebook="results.jsonl")
    one, two = results
    assert (one.correct, one.attempted, one.unsaved) == (2, 3, ["01.q1", "01.q2"])
    assert (two.chapter, two.correct, two.attempted, two.total, two.unsaved, two.notebook) == \
        (2, 1, 1, TOTAL2, ["02.q1"], "results.jsonl")
    assert 0 <= one.correct <= one.attempted <= one.total


def test_a_record_from_another_process_is_checked_and_named_by_the_caller():
    good = {"learner": "bo", "chapter": 1, "correct": 1, "attempted": 2, "total": TOTAL1,
            "status": "crashed", "error": "x" * 5000, "cell": 3, "ignored": ["02.q1"],
            "unsaved": []}
    r = report.from_record(good, "ana")
    assert (r.learner, r.correct, r.status, r.cell, len(r.error)) == ("ana", 1, "crashed", 3,
                                                                       1000)
    for change, field in (({"chapter": 99}, "chapter"), ({"total": 99}, "total"),
                          ({"correct": 3}, "correct"), ({"attempted": True}, "attempted"),
                          ({"status": "great"}, "status"), ({"cell": "7"}, "cell"),
                          ({"ignored": ["rm -rf"]}, "ignored"), ({"unsaved": "01.q1"}, "unsaved"),
                          ({"error": 3}, "error")):
        with pytest.raises(ValueError, match=f"^{field}"):
            report.from_record({**good, **change}, "ana")
    with pytest.raises(ValueError, match="not a record"):
        report.from_record([good], "ana")


def test_progress_with_a_results_log_counts_unsaved_checks(tmp_path):
    folder = tmp_path / "zoe"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from xentlearn.exercises import chapter\n"
                                          "ex = chapter(1)\nex.q2.check(3.0)")]
    nbformat.write(nb, folder / "01_shannon_entropy.ipynb")
    log = tmp_path / "results.jsonl"
    log.write_text("\n".join(json.dumps(_entry(q, s)) for q, s in
                             (("01.q1", "incorrect"), ("01.q4", "correct"), ("02.q2", "error")))
                   + "\n{broken")
    run = subprocess.run([sys.executable, "-m", "xentlearn", "progress", str(folder), "--json",
                          "--results-log", str(log)], capture_output=True, text=True, cwd=ROOT,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    one, two = json.loads(run.stdout)
    assert (one["correct"], one["attempted"], one["unsaved"]) == (2, 3, ["01.q1", "01.q4"])
    assert (two["chapter"], two["correct"], two["attempted"], two["unsaved"]) == \
        (2, 0, 1, ["02.q2"])
    link = tmp_path / "link.jsonl"
    link.symlink_to(log)
    run = subprocess.run([sys.executable, "-m", "xentlearn", "progress", str(folder), "--json",
                          "--results-log", str(link)], capture_output=True, text=True, cwd=ROOT,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert [r["chapter"] for r in json.loads(run.stdout)] == [1]
    assert f"{link}: a symbolic link, not a results log: refused; its checks are not counted" \
        in run.stderr
    nbformat.write(nb, (tmp_path / "al").mkdir() or tmp_path / "al" / "01_x.ipynb")
    several = subprocess.run([sys.executable, "-m", "xentlearn", "progress", str(tmp_path),
                              "--results-log", str(log)], capture_output=True, text=True,
                             cwd=ROOT, timeout=300)
    assert several.returncode == 2 and "give that learner's folder" in several.stderr
