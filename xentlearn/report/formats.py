"""The class report's formats: a text table with a class summary, CSV and JSON.

Each takes the :class:`~xentlearn.report.results.NotebookResult` list that
:func:`xentlearn.report.grade` gives (or the room's report merges).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence

from .results import FIELDS, STATUSES, NotebookResult, questions
from .results import chapters as _registry

__all__ = ["MARKS", "LEGEND", "FORMULA_STARTS", "format_report", "as_csv", "csv_field",
           "as_json", "progress_bar"]

#: The mark after a table entry for each status other than "ok".
MARKS = {"crashed": "C", "timed out": "T", "setup failed": "S", "unreadable": "U",
         "absent": "A"}

#: The explanation under the table.
LEGEND = ("Each entry: correct/attempted/total questions. C crashed (the kernel died), "
          "T timed out,",
          "S setup failed (a cell before the first check raised, e.g. import xentlearn),",
          "U unreadable, + other chapters' checks ignored, - no notebook.")

#: Added to :data:`LEGEND` when the table has such entries.
LEGEND_ABSENT = "A absent: on the class list, no work found."
LEGEND_UNSAVED = "* checks counted from the learner's results log, not in the saved notebook."

#: The first characters that make a spreadsheet take a CSV field for a formula (OWASP,
#: "CSV injection"); ``--csv`` puts a ``'`` before them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _chapters_in(results: Sequence[NotebookResult]) -> list[int]:
    return sorted({r.chapter for r in results})


def _totals(number: int) -> int:
    return len(questions(number))


def format_report(results: Sequence[NotebookResult], notes: Sequence[str] = ()) -> str:
    """The report as text: learners x chapters, what went wrong, and a class summary.

    Each entry of the table is ``correct/attempted/total``, followed by a mark when
    the notebook did not run to its end (C crashed, T timed out, S setup failed,
    U unreadable, A absent), ``+`` when other chapters' checks were ignored and ``*``
    when checks from the learner's results log, not in the saved notebook, are
    counted; ``-`` means no notebook. The last column sums the learner's chapters (a
    missing notebook counts as nothing attempted).

    Parameters
    ----------
    results : sequence of NotebookResult
    notes : sequence of str
        Printed at the end (e.g. what :func:`find_notebooks` skipped).

    Returns
    -------
    str

    Examples
    --------
    >>> results = [NotebookResult("ana", 1, "a", 5, 5, 5), NotebookResult("bo", 1, "b", 2, 2, 5,
    ...            "crashed", "the kernel died while running: os._exit(1)", 8)]
    >>> print(format_report(results))  # doctest: +NORMALIZE_WHITESPACE
    learner  01        total
    -------  -------   -------
    ana      5/5/5     5/5/5
    bo       2/2/5 C   2/2/5
    <BLANKLINE>
    Each entry: correct/attempted/total questions. C crashed (the kernel died), T timed out,
    S setup failed (a cell before the first check raised, e.g. import xentlearn),
    U unreadable, + other chapters' checks ignored, - no notebook.
    <BLANKLINE>
    Problems
      bo, chapter 01: crashed at cell 8: the kernel died while running: os._exit(1)
      (results checked before it are counted)
    <BLANKLINE>
    Class summary
    chapter              notebooks  done  mean correct  not ok
    01 Shannon entropy           2     1       3.5 / 5       1
    2 learners, 2 notebooks: 1 ok, 1 crashed
    """
    registry = _registry()
    chapters = _chapters_in(results)
    learners = sorted({r.learner for r in results})
    by_key = {(r.learner, r.chapter): r for r in results}

    def entry(r: NotebookResult | None) -> str:
        if r is None:
            return "-"
        text = f"{r.correct}/{r.attempted}/{r.total}"
        mark = (MARKS.get(r.status, "") + ("+" if r.ignored else "")
                + ("*" if r.unsaved else ""))
        return f"{text} {mark}" if mark else text

    rows = [["learner", *(f"{n:02d}" for n in chapters), "total"]]
    for learner in learners:
        mine = [by_key.get((learner, n)) for n in chapters]
        correct = sum(r.correct for r in mine if r)
        attempted = sum(r.attempted for r in mine if r)
        total = sum(r.total if r else _totals(n) for r, n in zip(mine, chapters, strict=True))
        rows.append([learner, *(entry(r) for r in mine), f"{correct}/{attempted}/{total}"])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    widths[1:] = [max(w, 7) for w in widths[1:]]
    lines = ["   ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "   ".join("-" * w for w in widths))
    lines += ["", *LEGEND]
    lines += [LEGEND_ABSENT] if any(r.status == "absent" for r in results) else []
    lines += [LEGEND_UNSAVED] if any(r.unsaved for r in results) else []

    problems = []
    for r in sorted(results, key=lambda r: (r.learner, r.chapter)):
        where = f"{r.learner}, chapter {r.chapter:02d}"
        if r.status not in ("ok", "absent"):
            at = f" at cell {r.cell}" if r.cell else ""
            kept = ("\n  (results checked before it are counted)"
                    if r.status in ("crashed", "timed out") else "")
            problems.append(f"  {where}: {r.status}{at}: {r.error}{kept}")
        if r.ignored:
            listed = (", ".join(r.ignored) if len(r.ignored) <= 6 else
                      f"{len(r.ignored)} questions of chapters "
                      + ", ".join(sorted({q.split('.')[0] for q in r.ignored})))
            problems.append(f"  {where}: ignored checks of other chapters' questions: {listed}")
        if r.unsaved:
            problems.append(f"  {where}: checked in the learner's kernel but not in the saved "
                            f"notebook (counted): {', '.join(r.unsaved)}")
    absent = sorted({r.learner for r in results if r.status == "absent"})
    if absent:
        problems.append(f"  absent (on the class list, no work found): {', '.join(absent)}")
    if problems:
        lines += ["", "Problems", *problems]

    summary = [["chapter", "notebooks", "done", "mean correct", "not ok"]]
    for n in chapters:
        mine = [r for r in results if r.chapter == n]
        total = _totals(n)
        done = sum(r.correct == r.total for r in mine)
        mean = sum(r.correct for r in mine) / len(mine)
        summary.append([f"{n:02d} {registry[n][1]}", str(len(mine)), str(done),
                        f"{mean:.1f} / {total}", str(sum(r.status != "ok" for r in mine))])
    widths = [max(len(row[i]) for row in summary) for i in range(len(summary[0]))]
    lines += ["", "Class summary"]
    lines += ["  ".join([row[0].ljust(widths[0])]
                        + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)])
              for row in summary]
    counts = [f"{sum(r.status == s for r in results)} {s}" for s in STATUSES
              if any(r.status == s for r in results)]
    lines.append(f"{len(learners)} learner{'s' * (len(learners) != 1)}, {len(results)} "
                 f"notebook{'s' * (len(results) != 1)}: {', '.join(counts)}")
    lines += list(notes)
    return "\n".join(lines)


def as_csv(results: Sequence[NotebookResult]) -> str:
    """A header row (:data:`FIELDS`), then one row per learner and chapter.

    ``ignored`` and ``unsaved`` are space-separated lists of question ids; an unknown
    ``cell`` is empty.
    A text that a spreadsheet would take for a formula (it starts with one of
    :data:`FORMULA_STARTS`: a learner's folder named ``=HYPERLINK(...)``) gets a ``'``
    before it; numbers stay numbers. :func:`as_json` keeps every text as it is.

    Parameters
    ----------
    results : sequence of NotebookResult

    Returns
    -------
    str

    Examples
    --------
    >>> print(as_csv([NotebookResult("ana", 1, "a", 4, 5, 5, ignored=["02.q1", "02.q2"]),
    ...               NotebookResult("=1+1", 2, "b", 0, 0, 4)]))
    learner,chapter,correct,attempted,total,status,error,cell,ignored,unsaved
    ana,1,4,5,5,ok,,,02.q1 02.q2,
    '=1+1,2,0,0,4,ok,,,,
    <BLANKLINE>
    """
    rows = [",".join(FIELDS)]
    for r in results:
        record = r.record()
        record["ignored"] = " ".join(record["ignored"])
        record["unsaved"] = " ".join(record["unsaved"])
        rows.append(",".join(csv_field(record[name]) for name in FIELDS))
    return "\n".join(rows) + "\n"


def csv_field(value: str | int | None) -> str:
    """One field of a CSV line: a text that a spreadsheet would take for a formula gets a
    ``'`` before it (numbers stay numbers), and the field is quoted when it holds a comma, a
    quote or a line break (a ``\\r`` too, which :mod:`csv` leaves bare when lines end in
    ``\\n``). The class report's ``--csv`` and the room's CSV export are made of these."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        text = "'" + text
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def as_json(results: Sequence[NotebookResult]) -> str:
    """A JSON list with one record (:data:`FIELDS`) per learner and chapter.

    Parameters
    ----------
    results : sequence of NotebookResult

    Returns
    -------
    str

    Examples
    --------
    >>> print(as_json([NotebookResult("ana", 1, "a", 5, 5, 5)]))  # doctest: +ELLIPSIS
    [
      {
        "learner": "ana",
        "chapter": 1,
    ...
        "unsaved": []
      }
    ]
    """
    return json.dumps([r.record() for r in results], indent=2)


def progress_bar(total: int, stream=None) -> Callable[[NotebookResult], None] | None:
    """A callback for :func:`grade` that redraws a one-line bar on ``stream``.

    Parameters
    ----------
    total : int
        The number of notebooks.
    stream : text stream, optional
        Default ``sys.stderr``.

    Returns
    -------
    callable or None
        None when ``stream`` is not a terminal or ``XENTLEARN_PROGRESS`` is ``"0"``:
        no bar then.

    Examples
    --------
    >>> import io
    >>> progress_bar(10, io.StringIO()) is None      # not a terminal
    True
    """
    from ..training_progress import enabled_by_environment

    stream = stream or sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty() and enabled_by_environment()):
        return None
    start = time.perf_counter()
    done: list[NotebookResult] = []

    def update(result: NotebookResult) -> None:
        done.append(result)
        width = 30
        filled = round(width * len(done) / max(total, 1))
        bad = [f"{sum(r.status == s for r in done)} {s}" for s in STATUSES[1:]
               if any(r.status == s for r in done)]
        text = (f"\rgrading [{'#' * filled}{'.' * (width - filled)}] {len(done)}/{total} "
                f"notebooks  {time.perf_counter() - start:5.0f} s"
                + (f"  ({', '.join(bad)})" if bad else ""))
        stream.write(text.ljust(100)[:100] if len(done) < total else text + "\n")
        stream.flush()

    return update
