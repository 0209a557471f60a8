"""Where check results go: :data:`RESULTS` in this process and, when asked, a log file.

The checker calls :func:`record` after every check. The progress report
(``python -m xentlearn progress``) sets the environment variable
``XENTLEARN_RESULTS_LOG`` to a fresh file for each notebook it runs; every
result is then appended to that file at once, one JSON line each, so the
results a learner earned are kept even when the kernel dies or a cell never
ends. The room's hub sets it for every learner's kernels to
``~/.xentlearn/results.jsonl``, so that the class report counts checks that were
never saved in a notebook. A line looks like::

    {"question": "01.q3", "chapter": 1, "status": "correct", "cell": 7}

where ``cell`` is IPython's execution count of the cell that ran the check
(``null`` outside a kernel).
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

__all__ = ["LOG_ENV_VAR", "HOME_LOG", "RESULTS", "record", "read_log", "parse_log"]

#: The environment variable naming the results log.
LOG_ENV_VAR = "XENTLEARN_RESULTS_LOG"

#: Where the room's hub keeps each learner's log, relative to their home: private (the
#: folder 0700, the file 0600), kept across kernels and servers.
HOME_LOG = ".xentlearn/results.jsonl"

#: The latest result of every question checked in this process, by question id.
RESULTS: dict[str, Any] = {}

#: A log is never opened through a symbolic link (``O_NOFOLLOW``; missing on Windows).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

_QUESTION_ID = re.compile(r"(\d+)\.q\d+")
_STATUSES = ("correct", "incorrect", "error", "not attempted", "timeout")


def _chapter_of(result: Any, question: str) -> int | None:
    chapter = getattr(result, "chapter", None)
    if isinstance(chapter, int) and not isinstance(chapter, bool):
        return chapter
    m = _QUESTION_ID.fullmatch(question)
    return int(m.group(1)) if m else None


def _cell() -> int | None:
    """IPython's execution count of the running cell, or None outside IPython."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return None
    shell = ipython.get_ipython()
    count = getattr(shell, "execution_count", None)
    return count if isinstance(count, int) else None


def record(result: Any) -> None:
    """Keep ``result`` in :data:`RESULTS` and append it to the results log, if one is set.

    A new log is private (mode 0600, in a folder of mode 0700 when its folder is
    missing) and is never written through a symbolic link. Never raises: a log that
    cannot be written (a folder that cannot be made, no permission, a full disk) is
    skipped silently, so that a learner's check still shows its feedback.

    Parameters
    ----------
    result : object
        A check's result with the attributes ``question`` (``"01.q3"``),
        ``status`` (``"correct"``, ``"incorrect"``, ``"error"``, ``"not attempted"``
        or ``"timeout"``), ``message`` and, optionally, ``chapter`` (an int; taken
        from the question id when missing).

    Examples
    --------
    >>> import json, os, tempfile
    >>> from types import SimpleNamespace
    >>> log = os.path.join(tempfile.mkdtemp(), "results.jsonl")
    >>> os.environ[LOG_ENV_VAR] = log
    >>> record(SimpleNamespace(question="01.q2", chapter=1, status="correct", message="3 is right"))
    >>> RESULTS["01.q2"].status
    'correct'
    >>> json.loads(open(log).read())
    {'question': '01.q2', 'chapter': 1, 'status': 'correct', 'cell': None}
    >>> os.environ[LOG_ENV_VAR] = os.path.join(log, "not", "a", "folder")
    >>> record(SimpleNamespace(question="01.q2", chapter=1, status="incorrect", message=""))
    >>> RESULTS["01.q2"].status              # kept here although the log could not be written
    'incorrect'
    >>> del os.environ[LOG_ENV_VAR]
    """
    try:
        question = str(result.question)
        RESULTS[question] = result
        path = os.environ.get(LOG_ENV_VAR)
        if not path:
            return
        line = json.dumps({"question": question, "chapter": _chapter_of(result, question),
                           "status": str(result.status), "cell": _cell()})
        folder = os.path.dirname(path)
        if folder and not os.path.isdir(folder):  # the room's ~/.xentlearn, made private
            os.makedirs(folder, mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as log:
            log.write(line + "\n")
            log.flush()
            os.fsync(log.fileno())
    except Exception:  # recording must never break a learner's check
        pass


def read_log(path: str | os.PathLike) -> list[dict]:
    """The well-formed entries of a results log, in the order they were written.

    Lines that are not JSON objects with a question id (``"NN.qK"``), an int
    chapter and a known status are skipped: a kernel that died mid-write, or
    anything else written to the file, cannot break the report.

    Parameters
    ----------
    path : str or path-like
        The log written by :func:`record`. A missing file gives no entries.

    Returns
    -------
    list of dict
        Each with ``question``, ``chapter``, ``status`` and ``cell``.

    Examples
    --------
    >>> import os, tempfile
    >>> log = os.path.join(tempfile.mkdtemp(), "results.jsonl")
    >>> with open(log, "w") as f:
    ...     _ = f.write('{"question": "01.q1", "chapter": 1, "status": "correct", "cell": 2}\\n'
    ...                 '{"question": "01.q2", "chap')
    >>> read_log(log)
    [{'question': '01.q1', 'chapter': 1, 'status': 'correct', 'cell': 2}]
    """
    try:
        with open(path, encoding="utf-8", errors="replace") as log:
            lines = log.read().splitlines()
    except OSError:
        return []
    return parse_log(lines)


def parse_log(lines: list[str]) -> list[dict]:
    """The well-formed entries among a results log's lines (see :func:`read_log`).

    Examples
    --------
    >>> parse_log(['{"question": "01.q1", "chapter": 1, "status": "correct"}', '[1]'])
    [{'question': '01.q1', 'chapter': 1, 'status': 'correct', 'cell': None}]
    """
    entries = []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        question, chapter, status = entry.get("question"), entry.get("chapter"), entry.get("status")
        cell = entry.get("cell")
        if (isinstance(question, str) and _QUESTION_ID.fullmatch(question)
                and isinstance(chapter, int) and not isinstance(chapter, bool)
                and status in _STATUSES):
            entries.append({"question": question, "chapter": chapter, "status": status,
                            "cell": cell if isinstance(cell, int) else None})
    return entries
