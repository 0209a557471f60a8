"""The class report's formats (xentlearn.report.formats): the text table with its class
summary, CSV that a spreadsheet cannot run, JSON, the progress bar."""

from __future__ import annotations

import csv
import io
import json

from xentlearn import report
from xentlearn.exercises import chapter

FORMULAS = ["=HYPERLINK(\"http://evil\",\"x\")", "+x", "-x", "@x", "\tx", "\rx"]


def test_progress_bar_only_on_a_terminal(monkeypatch):
    assert report.progress_bar(3, io.StringIO()) is None

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    update = report.progress_bar(2, stream)
    update(report.NotebookResult("a", 1, "", status="crashed"))
    update(report.NotebookResult("a", 2, ""))
    text = stream.getvalue()
    assert "1/2 notebooks" in text and "2/2 notebooks" in text and "1 crashed" in text
    assert text.endswith("\n")
    monkeypatch.setenv("XENTLEARN_PROGRESS", "0")
    assert report.progress_bar(3, Terminal()) is None


def test_csv_escapes_text_that_a_spreadsheet_would_run_and_json_keeps_it():
    results = [report.NotebookResult(name, 1, "n", 1, 2, 5, "setup failed", name, 3, [name])
               for name in FORMULAS]
    results.append(report.NotebookResult("ana-b", 2, "n", 0, 0, 4, error="a=b"))
    rows = list(csv.reader(io.StringIO(report.as_csv(results))))
    assert rows[0] == list(report.FIELDS)
    for row, name in zip(rows[1:], FORMULAS, strict=False):
        assert row == ["'" + name, "1", "1", "2", "5", "setup failed", "'" + name, "3",
                       "'" + name, ""]
    assert rows[-1] == ["ana-b", "2", "0", "0", "4", "ok", "a=b", "", "", ""]
    records = json.loads(report.as_json(results))
    assert [(r["learner"], r["error"], r["ignored"]) for r in records[:-1]] == \
        [(name, name, [name]) for name in FORMULAS]
    assert [type(records[0][k]) for k in ("chapter", "correct", "cell")] == [int, int, int]



def _class() -> list[report.NotebookResult]:
    """The records of the class that tests/test_report_run.py grades."""
    others = [q.id for n in range(2, 9) for q in chapter(n).questions]
    return [
        report.NotebookResult("ana", 1, "", 2, 2, 5, "crashed", "the kernel died while "
                              "running: import os; os._exit(1)", 5),
        report.NotebookResult("ana", 2, "", 0, 1, 4, ignored=["01.q2"]),
        report.NotebookResult("bo", 1, "", 1, 1, 5, "timed out", "still running after the "
                              "time limit of 2.5 s: while True:; pass", 4),
        report.NotebookResult("bo", 2, "", 0, 0, 4, "setup failed", "ModuleNotFoundError", 2),
        report.NotebookResult("cy", 1, "", 1, 2, 5, ignored=others),
        report.NotebookResult("cy", 2, "", 0, 0, 4, "unreadable", "not a notebook"),
    ]


def test_the_table_marks_problems_and_sums_up_the_class():
    text = report.format_report(_class())
    lines = text.splitlines()
    assert lines[0].split() == ["learner", "01", "02", "total"]
    assert lines[2].split() == ["ana", "2/2/5", "C", "0/1/4", "+", "2/3/9"]
    assert lines[3].split() == ["bo", "1/1/5", "T", "0/0/4", "S", "1/1/9"]
    assert lines[4].split() == ["cy", "1/2/5", "+", "0/0/4", "U", "1/2/9"]
    assert "ana, chapter 01: crashed at cell 5" in text
    assert "bo, chapter 01: timed out at cell 4" in text
    summary = text[text.index("Class summary"):].splitlines()
    assert summary[2].split() == ["01", "Shannon", "entropy", "3", "0", "1.3", "/", "5", "2"]
    assert summary[-1] == ("3 learners, 6 notebooks: 2 ok, 1 crashed, 1 timed out, "
                           "1 setup failed, 1 unreadable")


def test_absent_learners_and_unsaved_checks_are_marked_and_explained():
    results = [report.NotebookResult("ana", 1, "", 2, 2, 5, unsaved=["01.q2"]),
               report.NotebookResult("dee", 1, "", 0, 0, 5, "absent", "no work found")]
    text = report.format_report(results)
    lines = text.splitlines()
    assert lines[2].split() == ["ana", "2/2/5", "*", "2/2/5"]
    assert lines[3].split() == ["dee", "0/0/5", "A", "0/0/5"]
    assert "A absent: on the class list, no work found." in text
    assert "* checks counted from the learner's results log" in text
    assert ("ana, chapter 01: checked in the learner's kernel but not in the saved notebook "
            "(counted): 01.q2") in text
    assert "absent (on the class list, no work found): dee" in text
    assert "dee, chapter 01: absent" not in text  # not a problem of a notebook
    rows = list(csv.DictReader(io.StringIO(report.as_csv(results))))
    assert [(r["status"], r["unsaved"]) for r in rows] == [("ok", "01.q2"), ("absent", "")]
    assert json.loads(report.as_json(results))[0]["unsaved"] == ["01.q2"]
