"""What the class report found for one learner's notebook, and how checks are counted.

A chapter's notebook counts only that chapter's questions, each with the status of
its latest check; checks of other chapters' questions are listed as ignored. So
``correct <= attempted <= total`` always holds. Checks a learner made in their own
kernel (a results log, see :mod:`xentlearn.exercises.record`) that the saved notebook
does not repeat are counted too, and named as unsaved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

__all__ = ["STATUSES", "FIELDS", "NotebookResult", "tally", "add_checks", "from_record",
           "questions", "chapters"]

#: A notebook's status in the report ("absent": a learner of the class list with no work).
STATUSES = ("ok", "crashed", "timed out", "setup failed", "unreadable", "absent")

#: The fields of one record of ``--csv`` and ``--json``, in order.
FIELDS = ("learner", "chapter", "correct", "attempted", "total", "status", "error", "cell",
          "ignored", "unsaved")

#: How good a check's status is, to keep the better of the saved notebook's and the log's.
_RANK = {"correct": 2, "incorrect": 1, "error": 1, "timeout": 1, "not attempted": 0}

_QUESTION_ID = re.compile(r"(\d\d)\.q\d+")

#: The longest error text taken from a record made by another process.
_MAX_ERROR = 1000


def chapters() -> dict[int, tuple[str, str]]:
    """Chapter number -> (notebook stem, title), from ``xentlearn.exercises.CHAPTERS``."""
    from ..exercises import CHAPTERS

    return {number: (entry[0], entry[1]) for number, entry in CHAPTERS.items()}


def questions(number: int) -> list[str]:
    """The ids of chapter ``number``'s questions (``"01.q1"``, ...)."""
    from ..exercises import chapter

    return [q.id for q in chapter(number).questions]


@dataclass
class NotebookResult:
    """One learner's notebook for one chapter, as the report found it.

    Attributes
    ----------
    learner : str
        The learner's folder name.
    chapter : int
        The chapter number, from the notebook's name (``01_...`` is 1).
    notebook : str
        The notebook's path.
    correct, attempted, total : int
        Questions of this chapter answered correctly, checked at all (any status
        but "not attempted"), and in total.
    status : str
        One of :data:`STATUSES`.
    error : str
        What went wrong, empty when the status is "ok".
    cell : int or None
        The position in the notebook (1 is its first cell) of the cell where it
        went wrong.
    ignored : list of str
        Questions of other chapters checked in this notebook, not counted.
    unsaved : list of str
        Questions counted from the learner's results log whose check the saved
        notebook does not repeat (checked, then not saved).
    seconds : float
        How long the notebook ran.
    statuses : dict of str to str
        The latest status of each of the chapter's questions that was checked.

    Examples
    --------
    >>> r = NotebookResult("ana", 1, "ana/01_shannon_entropy.ipynb", correct=2, attempted=3,
    ...                    total=5, status="crashed", error="the kernel died", cell=8)
    >>> r.record()["status"], r.record()["cell"]
    ('crashed', 8)
    """

    learner: str
    chapter: int
    notebook: str
    correct: int = 0
    attempted: int = 0
    total: int = 0
    status: str = "ok"
    error: str = ""
    cell: int | None = None
    ignored: list[str] = field(default_factory=list)
    unsaved: list[str] = field(default_factory=list)
    seconds: float = 0.0
    statuses: dict[str, str] = field(default_factory=dict, repr=False)

    def record(self) -> dict:
        """The fields of :data:`FIELDS` as a dict (one record of ``--json``)."""
        data = asdict(self)
        return {name: data[name] for name in FIELDS}


def _count(result: NotebookResult) -> None:
    result.correct = sum(s == "correct" for s in result.statuses.values())
    result.attempted = sum(s != "not attempted" for s in result.statuses.values())


def tally(result: NotebookResult, entries: Iterable[dict], own: Sequence[str]) -> None:
    """Count the chapter's own questions (latest status each); list the others as ignored.

    Parameters
    ----------
    result : NotebookResult
        Updated in place.
    entries : iterable of dict
        Results log entries (:func:`xentlearn.exercises.record.read_log`), in order.
    own : sequence of str
        The ids of the chapter's questions.
    """
    latest: dict[str, str] = {}
    ignored: set[str] = set()
    known = set(own)
    for entry in entries:
        if entry["chapter"] == result.chapter and entry["question"] in known:
            latest[entry["question"]] = entry["status"]
        else:
            ignored.add(entry["question"])
    result.statuses = latest
    _count(result)
    result.ignored = sorted(ignored)


def add_checks(results: list[NotebookResult], entries: Iterable[dict], learner: str,
               notebook: str = "") -> list[NotebookResult]:
    """Count a learner's own results log beside the runs of their saved notebooks.

    For each question the better of the two statuses counts (correct over a wrong
    answer over not attempted): the log holds every check the learner made in their
    kernels, saved or not. A question the log counts higher than the saved notebook
    is named in ``unsaved``. Only known question ids of their own chapter count; a
    chapter with checks but no notebook gets a result of its own.

    Parameters
    ----------
    results : list of NotebookResult
        The learner's results from running their notebooks; updated in place.
    entries : iterable of dict
        The log's entries, as :func:`xentlearn.exercises.record.read_log` gives them.
    learner : str
        The learner's name, for results of chapters without a notebook.
    notebook : str
        What such results name as their notebook (the log).

    Returns
    -------
    list of NotebookResult
        ``results`` and the new ones, sorted by chapter.

    Examples
    --------
    >>> r = NotebookResult("ana", 1, "01_shannon_entropy.ipynb", total=5)
    >>> [r] = add_checks([r], [{"question": "01.q1", "chapter": 1, "status": "correct"}], "ana")
    >>> r.correct, r.attempted, r.unsaved
    (1, 1, ['01.q1'])
    """
    registry = chapters()
    latest: dict[int, dict[str, str]] = {}
    for entry in entries:
        question, number = entry["question"], entry["chapter"]
        m = _QUESTION_ID.fullmatch(question)
        if not m or int(m.group(1)) != number or number not in registry \
                or question not in questions(number):
            continue
        latest.setdefault(number, {})[question] = entry["status"]
    by_chapter = {r.chapter: r for r in results}
    for number, logged in sorted(latest.items()):
        result = by_chapter.get(number)
        if result is None:
            result = NotebookResult(learner, number, notebook, total=len(questions(number)))
            results.append(result)
        for question, status in logged.items():
            saved = result.statuses.get(question, "not attempted")
            if _RANK[status] > _RANK[saved]:
                result.statuses[question] = status
                result.unsaved.append(question)
        result.unsaved.sort()
        _count(result)
    results.sort(key=lambda r: (r.learner, r.chapter))
    return results


def from_record(record: object, learner: str) -> NotebookResult:
    """A result from one record of ``--json`` made by another process, checked field by field.

    The learner's name is the caller's (``learner``), never the record's: a record
    cannot speak for anyone else.

    Raises
    ------
    ValueError
        Naming the first field that is not as :func:`NotebookResult.record` makes it.

    Examples
    --------
    >>> from_record({"chapter": 1, "correct": 1, "attempted": 2, "total": 5, "status": "ok",
    ...              "error": "", "cell": None, "ignored": [], "unsaved": []}, "bo").learner
    'bo'
    >>> from_record({"chapter": 1, "correct": 4, "attempted": 3, "total": 5}, "bo")
    Traceback (most recent call last):
    ...
    ValueError: correct: not a whole number from 0 to 3: 4
    """
    if not isinstance(record, dict):
        raise ValueError(f"not a record: {type(record).__name__}")

    def whole(name: str, top: int) -> int:
        value = record.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            raise ValueError(f"{name}: not a whole number from 0 to {top}: {value!r:.40}")
        return value

    number = record.get("chapter")
    if number not in chapters() or isinstance(number, bool):
        raise ValueError(f"chapter: not a chapter of the course: {number!r:.40}")
    total = len(questions(number))
    if whole("total", total) != total:
        raise ValueError(f"total: chapter {number:02d} has {total} questions")
    attempted = whole("attempted", total)
    correct = whole("correct", attempted)
    status = record.get("status", "ok")
    if status not in STATUSES:
        raise ValueError(f"status: not one of {', '.join(STATUSES)}: {status!r:.40}")
    error = record.get("error", "")
    if not isinstance(error, str):
        raise ValueError("error: not a text")
    cell = record.get("cell")
    if cell is not None and (isinstance(cell, bool) or not isinstance(cell, int) or cell < 1):
        raise ValueError(f"cell: not a cell number: {cell!r:.40}")
    lists = {}
    for name in ("ignored", "unsaved"):
        value = record.get(name, [])
        if not isinstance(value, list) or len(value) > 1000 or not all(
                isinstance(q, str) and _QUESTION_ID.fullmatch(q) for q in value):
            raise ValueError(f"{name}: not a list of question ids")
        lists[name] = value
    return NotebookResult(learner, number, "", correct=correct, attempted=attempted,
                          total=total, status=status, error=error[:_MAX_ERROR], cell=cell,
                          **lists)
