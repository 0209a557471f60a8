"""The room's live results: what the ``room`` service accepts, keeps and shows.

No web code here (``hub.roomservice`` serves it) and nothing is executed: the class report
reads the same database (``python -m hub.report --live``).

- :func:`validate` turns a learner's POST body into a :class:`Check` or raises
  :class:`BadResult` (a 400): only known question ids, statuses and, for that question,
  known mistake names pass. The learner comes from the hub, never from the body.
- :class:`Store` keeps one :class:`Record` per learner and question in memory and in SQLite
  (``state/room.sqlite``, root only), so a restart of the hub or the service loses nothing.
- :func:`room_state` is what the live view draws for one chapter: the grid, per question the
  learners done and the commonest mistakes, who is stuck, who is absent. In projector mode it
  holds no learner's name at all.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: The largest POST body accepted, in bytes (a real one is under 100).
MAX_BODY = 1024

#: What a learner may send, and nothing else.
FIELDS = frozenset({"question", "status", "mistake"})

#: A learner is stuck after this many wrong attempts at a question without a success ...
STUCK_ATTEMPTS = 3
#: ... or after this many seconds without a check while others checked in that time.
STUCK_IDLE = 600.0

#: A check's statuses; "not attempted" (the template ran unchanged) is seen, not an attempt.
STATUSES = ("correct", "incorrect", "error", "timeout", "not attempted")


class BadResult(ValueError):
    """A posted result the room does not accept; the message says which field and why."""


@dataclass(frozen=True)
class Question:
    """What the room knows of one question: its id, chapter, the mistakes it names and the
    feedback each gives."""

    id: str
    chapter: int
    mistakes: frozenset[str]
    whys: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


def course_questions() -> dict[str, Question]:
    """Every question of the course, by id, with the mistake names its checker can give."""
    from xentlearn.exercises import all_questions

    return {q.id: Question(q.id, q.chapter, frozenset(q.mistake_names),
                           {m.name: m.why for m in q.mistakes}) for q in all_questions()}


@dataclass(frozen=True)
class Check:
    """One accepted check: the question, its status and the diagnosed mistake (or "")."""

    question: str
    chapter: int
    status: str
    mistake: str = ""


def validate(body: bytes, questions: dict[str, Question]) -> Check:
    """The check a learner's POST body describes, or :class:`BadResult` saying what is wrong.

    The body is a JSON object with exactly ``question`` (a known id such as ``"01.q2"``),
    ``status`` (one of :data:`STATUSES`) and, optionally, ``mistake`` (one of that question's
    mistake names, or ``""``); anything else is refused, so nothing a learner's kernel makes up
    is ever stored or shown.

    >>> qs = {"01.q2": Question("01.q2", 1, frozenset({"count_for_entropy"}))}
    >>> body = b'{"question": "01.q2", "status": "incorrect", "mistake": "count_for_entropy"}'
    >>> validate(body, qs)
    Check(question='01.q2', chapter=1, status='incorrect', mistake='count_for_entropy')
    >>> validate(b'{"question": "01.q2", "status": "correct", "learner": "bob"}', qs)
    Traceback (most recent call last):
    ...
    hub.roomstore.BadResult: unknown field(s) ['learner']: send only question, status and mistake
    """
    if len(body) > MAX_BODY:
        raise BadResult(f"the body has {len(body)} bytes; at most {MAX_BODY} are accepted")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: [[[[...
        raise BadResult("the body is not JSON: send {\"question\": ..., \"status\": ...}") from None
    if not isinstance(data, dict):
        raise BadResult("the body must be a JSON object with question, status and mistake")
    extra = sorted(set(data) - FIELDS)
    if extra:
        raise BadResult(f"unknown field(s) {extra}: send only question, status and mistake")
    question = questions.get(data.get("question")) if isinstance(data.get("question"), str) \
        else None
    if question is None:
        raise BadResult("question: not a question of this course (ids look like '01.q2')")
    status = data.get("status")
    if status not in STATUSES:
        raise BadResult(f"status: give one of {', '.join(STATUSES)}")
    mistake = data.get("mistake", "")
    if not isinstance(mistake, str) or (mistake and mistake not in question.mistakes):
        raise BadResult(f"mistake: not a mistake question {question.id} names")
    if mistake and status == "correct":
        raise BadResult("mistake: a correct answer names no mistake")
    return Check(question.id, question.chapter, status, mistake)


@dataclass
class Record:
    """One learner's work on one question.

    ``status`` is ``"correct"`` once any attempt was correct (done stays done), otherwise the
    latest status; ``mistake`` the latest attempt's diagnosed mistake (``""`` when none or once
    correct); ``attempts`` the answers checked (the unchanged template is not one); ``wrong``
    those not correct before the first correct one; ``mistakes`` how often each mistake was
    diagnosed; ``first`` and ``last`` the times (seconds since the epoch) of the first and the
    latest check.
    """

    learner: str
    question: str
    chapter: int
    status: str
    mistake: str = ""
    attempts: int = 0
    wrong: int = 0
    first: float = 0.0
    last: float = 0.0
    mistakes: dict[str, int] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.status == "correct"

    def add(self, check: Check, at: float) -> None:
        """Count one more check of this question, made at ``at``."""
        self.last = at
        if check.status == "not attempted":
            if not self.attempts:
                self.status = check.status
            return
        self.attempts += 1
        if self.done:
            return
        self.status, self.mistake = check.status, check.mistake
        if check.status != "correct":
            self.wrong += 1
            if check.mistake:
                self.mistakes[check.mistake] = self.mistakes.get(check.mistake, 0) + 1

    def public(self) -> dict:
        """The record as the API gives it (times as ISO 8601, UTC)."""
        return {"learner": self.learner, "question": self.question, "chapter": self.chapter,
                "status": self.status, "mistake": "" if self.done else self.mistake,
                "attempts": self.attempts, "first": _iso(self.first), "last": _iso(self.last)}


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)) if t else ""


_SCHEMA = """
CREATE TABLE IF NOT EXISTS checks (
    id INTEGER PRIMARY KEY,
    learner TEXT NOT NULL,
    question TEXT NOT NULL,
    status TEXT NOT NULL,
    mistake TEXT NOT NULL,
    at REAL NOT NULL
);
"""


class Store:
    """Every accepted check, appended to SQLite, and the records they make, in memory.

    The database holds the checks themselves (one row each); the records are rebuilt from
    them when the store opens, so a restart gives the same records. ``version`` is the number
    of the latest check kept (it only grows, across restarts too), for the live view to wait
    on.
    """

    def __init__(self, path: str | os.PathLike, questions: dict[str, Question]):
        self.path = Path(path)
        self.questions = questions
        new = not self.path.exists()
        if new:  # private from the first byte: the folder is root's, the file too
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self.records: dict[tuple[str, str], Record] = {}
        self.version = _replay(self._db, questions, self.records)

    def close(self) -> None:
        self._db.close()

    def add(self, learner: str, check: Check, at: float | None = None) -> int:
        """Keep one check of ``learner``; the store's new version."""
        at = time.time() if at is None else at
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO checks (learner, question, status, mistake, at) "
                "VALUES (?, ?, ?, ?, ?)", (learner, check.question, check.status, check.mistake,
                                           at))
            _apply(self.records, learner, check, at)
            self.version = cursor.lastrowid
            return self.version

    def all_records(self) -> list[Record]:
        """Every record, by learner then question."""
        with self._lock:
            return _in_order(self.records)


def _apply(records: dict[tuple[str, str], Record], learner: str, check: Check,
           at: float) -> None:
    """Count ``check`` of ``learner`` into its record in ``records`` (made on its first)."""
    record = records.get((learner, check.question))
    if record is None:
        record = records[learner, check.question] = Record(learner, check.question,
                                                           check.chapter, check.status, first=at)
    record.add(check, at)


def _replay(db: sqlite3.Connection, questions: dict[str, Question],
            records: dict[tuple[str, str], Record]) -> int:
    """Every check stored in ``db``, in order, counted into ``records``; the latest check's
    number (0 when there is none). Rows of questions the course no longer has are skipped."""
    latest = 0
    for row_id, learner, question, status, mistake, at in db.execute(
            "SELECT id, learner, question, status, mistake, at FROM checks ORDER BY id"):
        latest = row_id
        known = questions.get(question)
        if known is not None and status in STATUSES:
            _apply(records, learner, Check(question, known.chapter, status, mistake), at)
    return latest


def _in_order(records: dict[tuple[str, str], Record]) -> list[Record]:
    return sorted(records.values(), key=lambda r: (r.learner, r.question))


def read_records(path: str | os.PathLike, questions: dict[str, Question] | None = None
                 ) -> list[Record]:
    """The records of the room's database at ``path``, read only (``hub.report --live``)."""
    questions = course_questions() if questions is None else questions
    records: dict[tuple[str, str], Record] = {}
    db = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    try:
        _replay(db, questions, records)
    finally:
        db.close()
    return _in_order(records)


def room_state(records: Iterable[Record], learners: Iterable[str], questions: list[str],
               chapter: int, now: float, *, projector: bool = False,
               whys: dict[str, dict[str, str]] | None = None) -> dict:
    """What the live view shows for ``chapter``: a JSON-ready dict.

    Parameters
    ----------
    records : the room's records (any chapter).
    learners : the room's learners (the hub's non-admin users); anyone with a record is one too.
    questions : the chapter's question ids, in order.
    chapter : the chapter shown.
    now : the time, seconds since the epoch.
    projector : leave out every name: counts and mistakes only.
    whys : question id -> mistake name -> what the learner was told (shown with the name).

    Returns
    -------
    dict with ``chapter``, ``questions`` (per question: ``id``, ``done``, ``tried`` (learners
    who checked an answer), ``mistakes``: the three made by most learners, each
    ``{"name", "made", "still", "why"}``: learners who made it, those of them not done yet
    whose latest check still shows it, and the feedback it gives), ``learners`` (a count),
    ``started`` (learners with a check in any chapter), ``stuck`` (learners stuck on this
    chapter) and ``absent`` (learners with no check at all), and, unless ``projector``,
    ``grid`` (one row per learner: ``learner`` and a cell per question, ``{"status",
    "attempts", "mistake"}`` or None), ``stuck_list`` (``learner``, ``question``, ``why``)
    and ``absent_list`` (names).
    """
    whys = whys or {}
    records = list(records)
    names = sorted(set(learners) | {r.learner for r in records})
    by_learner: dict[str, dict[str, Record]] = {n: {} for n in names}
    last_check: dict[str, float] = {}
    for r in records:
        last_check[r.learner] = max(last_check.get(r.learner, 0.0), r.last)
        if r.chapter == chapter:
            by_learner[r.learner][r.question] = r

    per_question = []
    for q in questions:
        rs = [by_learner[n][q] for n in names if q in by_learner[n]]
        made = Counter(m for r in rs for m in r.mistakes)  # learners who made each mistake
        still = Counter(r.mistake for r in rs if not r.done and r.mistake)
        top = sorted(made.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        per_question.append({
            "id": q, "done": sum(r.done for r in rs), "tried": sum(r.attempts > 0 for r in rs),
            "mistakes": [{"name": m, "made": n, "still": still[m],
                          "why": whys.get(q, {}).get(m, "")} for m, n in top]})

    stuck: list[dict] = []
    for n in names:
        mine = by_learner[n]
        for q in questions:
            r = mine.get(q)
            if r is not None and not r.done and r.wrong >= STUCK_ATTEMPTS:
                stuck.append({"learner": n, "question": q,
                              "why": f"{r.wrong} wrong attempts, none right yet"})
        unfinished = [q for q in questions if not (q in mine and mine[q].done)]
        others_moved = any(t > now - STUCK_IDLE for m, t in last_check.items() if m != n)
        if (mine and unfinished and last_check[n] <= now - STUCK_IDLE and others_moved
                and not any(s["learner"] == n for s in stuck)):
            minutes = int((now - last_check[n]) // 60)
            stuck.append({"learner": n, "question": unfinished[0],
                          "why": f"no check for {minutes} min while others moved on "
                                 f"(the first question not done)"})
    absent = [n for n in names if n not in last_check]

    state = {"chapter": chapter, "questions": per_question, "learners": len(names),
             "started": len(names) - len(absent), "stuck": len({s["learner"] for s in stuck}),
             "absent": len(absent),
             "projector": projector}
    if not projector:
        state["grid"] = [{"learner": n, "cells": [
            None if q not in by_learner[n] else
            {"status": by_learner[n][q].status, "attempts": by_learner[n][q].attempts,
             "mistake": "" if by_learner[n][q].done else by_learner[n][q].mistake}
            for q in questions]} for n in names]
        state["stuck_list"] = stuck
        state["absent_list"] = absent
    return state


#: The columns of the CSV export, as the API's records.
CSV_COLUMNS = ("learner", "question", "chapter", "status", "mistake", "attempts", "first", "last")


def as_csv(records: Iterable[Record]) -> str:
    """The records as CSV, each field as the class report writes it
    (:func:`xentlearn.report.formats.csv_field`): a text a spreadsheet would read as a formula
    gets a ``'`` before it, one with a comma, a quote or a line break is quoted."""
    from xentlearn.report.formats import csv_field

    lines = [",".join(CSV_COLUMNS)]
    for r in records:
        row = r.public()
        lines.append(",".join(csv_field(row[c]) for c in CSV_COLUMNS))
    return "\n".join(lines) + "\n"


def public(records: Iterable[Record]) -> list[dict]:
    """The API's records: one dict per learner and question."""
    return [r.public() for r in records]


__all__ = ["BadResult", "Check", "Question", "Record", "Store", "validate", "room_state",
           "read_records", "course_questions", "as_csv", "public"]
