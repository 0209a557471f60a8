"""The class report: run learners' exercise notebooks and tabulate what each got right.

Used by ``python -m xentlearn progress PATH``. ``PATH`` is one learner's folder
of exercise notebooks (``NN_name.ipynb``), one such notebook, or a folder with
one sub-folder per learner (the sub-folder's name is the learner's name).

Each notebook runs top to bottom in a fresh kernel (nbclient), from its own
folder, with the environment variable ``XENTLEARN_RESULTS_LOG`` naming a fresh
file: the checker appends every result to it as it happens
(:func:`xentlearn.exercises.record.record`), so the report keeps the results
earned before a kernel died or a cell ran past the time limit. On Linux the
kernel processes are forked from one that has imported ipykernel once, which
halves the CPU time of their start (see ``_forkserver``).

A chapter's notebook counts only that chapter's questions, each with the
status of its latest check; checks of other chapters' questions are listed as
ignored. So ``correct <= attempted <= total`` always holds.

Running a notebook executes its code with the rights of whoever runs the
report: run it on copies, as an unprivileged user or in a container.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["FIELDS", "STATUSES", "NotebookResult", "find_notebooks", "grade", "format_report",
           "as_csv", "as_json", "progress_bar"]

#: A notebook's status in the report.
STATUSES = ("ok", "crashed", "timed out", "setup failed", "unreadable")

#: The fields of one record of ``--csv`` and ``--json``, in order.
FIELDS = ("learner", "chapter", "correct", "attempted", "total", "status", "error", "cell",
          "ignored")

#: The mark after a table entry for each status other than "ok".
MARKS = {"crashed": "C", "timed out": "T", "setup failed": "S", "unreadable": "U"}

#: Extra arguments of every kernel the report starts: the command history stays in memory.
KERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:",)

#: Where CurveZMQ cannot encrypt the kernels' traffic (see :func:`_encryption`), these
#: arguments keep ipykernel from warning, once per notebook, that it talks to the
#: report over local TCP without encryption.
QUIET_ARGUMENTS = ("--IPKernelApp.log_level=ERROR",)

#: The report's kernel: ipykernel as ``python -m ipykernel_launcher`` starts it, but
#: without its debugger (debugpy), which nobody attaches to a headless run and which
#: takes a fifth of the CPU time of a kernel's start. Its first lines are the fork
#: server's ``PRELUDE`` (``_forkserver``), which starts the same kernel by forking.
KERNEL_NAME = "xentlearn-report"
KERNEL_CODE = ("import sys\n"
               "if sys.path[0] == '':\n"  # as ipykernel_launcher: not the cwd while starting
               "    del sys.path[0]\n"
               "sys.modules['debugpy'] = None\n"
               "from ipykernel import kernelapp\n"
               "kernelapp.launch_new_instance()\n")

#: The explanation under the table.
LEGEND = ("Each entry: correct/attempted/total questions. C crashed (the kernel died), "
          "T timed out,",
          "S setup failed (a cell before the first check raised, e.g. import xentlearn),",
          "U unreadable, + other chapters' checks ignored, - no notebook.")

#: How often a kernel that fails to start is tried again before "setup failed".
START_ATTEMPTS = 3

#: The largest notebook the report reads, in bytes (20 MB): the course's exercise
#: notebooks have under 10 kB, a learner's with its figures a few MB.
MAX_NOTEBOOK_BYTES = 20_000_000

#: The first characters that make a spreadsheet take a CSV field for a formula (OWASP,
#: "CSV injection"); ``--csv`` puts a ``'`` before them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_NAME = re.compile(r"(\d\d)_.*\.ipynb")

#: How a notebook is opened: never through a symbolic link (``O_NOFOLLOW``, missing on
#: Windows, where the check by ``lstat`` before opening is all there is), never waiting
#: (``O_NONBLOCK``: a FIFO), never taking a terminal as the report's own.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0))

#: What a file that is not a regular file is called in the report, by its ``st_mode``.
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


def _registry() -> dict[int, tuple[str, str]]:
    """Chapter number -> (notebook stem, title), from ``xentlearn.exercises.CHAPTERS``."""
    from . import CHAPTERS

    return {number: (entry[0], entry[1]) for number, entry in CHAPTERS.items()}


def _questions(number: int) -> list[str]:
    from . import chapter

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
    seconds : float
        How long the notebook ran.

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
    seconds: float = 0.0

    def record(self) -> dict:
        """The fields of :data:`FIELDS` as a dict (one record of ``--json``)."""
        data = asdict(self)
        return {name: data[name] for name in FIELDS}


# --- finding the notebooks --------------------------------------------------------------------


def _exercise_notebooks(folder: Path, chapters: dict) -> dict[int, list[Path]]:
    """By chapter, whatever in ``folder`` is named as an exercise notebook: links, folders
    and special files too, so that the report says why it does not read them."""
    found: dict[int, list[Path]] = {}
    for path in sorted(folder.glob("*.ipynb")):
        m = _NAME.fullmatch(path.name)
        if m and int(m.group(1)) in chapters:
            found.setdefault(int(m.group(1)), []).append(path)
    return found


def find_notebooks(path: str | os.PathLike) -> tuple[list[tuple[str, int, Path]], list[str]]:
    """The exercise notebooks under ``path``, with their learner and chapter.

    ``path`` is one notebook, a folder of notebooks (one learner, named after
    the folder; sub-folders are then ignored), or a folder of learner folders.
    A notebook is an exercise notebook when its name is ``NN_*.ipynb`` with
    ``NN`` a chapter number. When a learner has several notebooks for one
    chapter, the one named as in the course is graded (else the first by name).
    Symbolic links are not followed: a learner's folder that is one is skipped (with
    a note), a notebook that is one is listed and graded "unreadable". Only ``path``
    itself, the instructor's choice, is followed when it is a link to a folder.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    notebooks : list of (str, int, Path)
        Learner, chapter number and notebook, sorted by learner and chapter.
    notes : list of str
        What was skipped and why.

    Raises
    ------
    ValueError
        If ``path`` does not exist or is a file not named as an exercise notebook.

    Examples
    --------
    >>> notebooks, notes = find_notebooks("exercises/solutions")
    >>> [(learner, n, p.name) for learner, n, p in notebooks][:2]
    [('solutions', 1, '01_shannon_entropy.ipynb'), ('solutions', 2, '02_cross_entropy.ipynb')]
    """
    chapters = _registry()
    target = Path(path)
    if not (target.exists() or target.is_symlink()):
        raise ValueError(f"{target} does not exist; give a folder of exercise notebooks, a "
                         "folder of learner folders, or one notebook")
    if _NAME.fullmatch(target.name) or not target.is_dir():
        m = _NAME.fullmatch(target.name)
        if not m or int(m.group(1)) not in chapters:
            raise ValueError(f"{target} is not named as an exercise notebook (NN_name.ipynb, "
                             f"NN one of {', '.join(f'{n:02d}' for n in sorted(chapters))})")
        return [(target.parent.resolve().name, int(m.group(1)), target)], []
    learner_name = target.resolve().name
    own = _exercise_notebooks(target, chapters)
    notebooks, notes = [], []
    if own:
        folders = {learner_name: own}
    else:
        folders = {}
        for sub in sorted(target.iterdir()):
            if sub.name.startswith(".") or not sub.is_dir():
                continue
            if sub.is_symlink():
                notes.append(f"{sub.name}: a symbolic link to a folder, not followed: skipped")
                continue
            found = _exercise_notebooks(sub, chapters)
            if found:
                folders[sub.name] = found
    for learner, found in folders.items():
        for number, paths in sorted(found.items()):
            stem = chapters[number][0]
            chosen = next((p for p in paths if p.stem == stem), paths[0])
            notebooks.append((learner, number, chosen))
            others = [p.name for p in paths if p != chosen]
            if others:
                notes.append(f"{learner}: several notebooks for chapter {number:02d}; graded "
                             f"{chosen.name}, skipped {', '.join(others)}")
    return notebooks, notes


# --- reading one notebook ---------------------------------------------------------------------


class _Unreadable(Exception):
    """Why a notebook is not read: the error of an "unreadable" status.

    Parameters
    ----------
    message : str
        What the report says. It never quotes the file.
    cell : int, optional
        The cell at fault (1 is the first), where it is known.
    """

    def __init__(self, message: str, cell: int | None = None) -> None:
        super().__init__(message)
        self.cell = cell


def _refusal(mode: int) -> str | None:
    """Why a file of this ``st_mode`` is not read; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return "a symbolic link, not a notebook: refused"
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return f"{kind}, not a regular file"


def _megabytes(size: float) -> str:
    return f"{size / 1e6:.1f} MB" if size % 1_000_000 else f"{size / 1e6:g} MB"


def _read_bytes(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``MAX_NOTEBOOK_BYTES``.

    Checked before opening (``lstat``), opened without following a link and without
    waiting, and checked again on what was opened (``fstat``): a file swapped for a
    link or a FIFO in between is refused all the same. The size is known before
    anything is read.

    Raises
    ------
    _Unreadable
        Naming what ``path`` is instead, or why it cannot be read.
    """
    try:
        refused = _refusal(os.lstat(path).st_mode)
    except OSError as exc:
        raise _Unreadable(f"cannot be read: {exc.strerror}") from None
    if refused:
        raise _Unreadable(refused)
    try:
        fd = os.open(path, _OPEN_FLAGS | _NOFOLLOW)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):  # O_NOFOLLOW: a link since the check
            raise _Unreadable(_refusal(stat.S_IFLNK)) from None
        raise _Unreadable(f"cannot be read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        refused = _refusal(info.st_mode)
        if refused:
            raise _Unreadable(refused)
        limit = f"more than the {_megabytes(MAX_NOTEBOOK_BYTES)} a notebook may have"
        if info.st_size > MAX_NOTEBOOK_BYTES:
            raise _Unreadable(f"{_megabytes(info.st_size)}, {limit}")
        chunks, size = [], 0
        while size <= MAX_NOTEBOOK_BYTES:  # it may grow while it is read
            chunk = os.read(fd, min(1 << 20, MAX_NOTEBOOK_BYTES + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise _Unreadable(f"cannot be read: {exc.strerror}") from None
    finally:
        os.close(fd)
    if size > MAX_NOTEBOOK_BYTES:
        raise _Unreadable(limit)
    return b"".join(chunks)


def _fault(exc: BaseException) -> tuple[str, int | None]:
    """An exception of reading a notebook as its type and where it arose (and the cell).

    Never its message: nbformat's quote the file (its first bytes when it is not JSON,
    the offending value when it does not validate)."""
    for e in (exc, exc.__cause__):  # nbformat's NotJSONError wraps json's error
        if isinstance(e, json.JSONDecodeError):  # messages of json's own, no content
            return f"JSONDecodeError: {e.msg}: line {e.lineno} column {e.colno}", None
        if isinstance(e, UnicodeDecodeError):
            return f"UnicodeDecodeError: not UTF-8 at byte {e.start + 1}", None
    where = list(getattr(exc, "absolute_path", ()))  # jsonschema's ValidationError
    if where[:1] == ["cells"] and len(where) > 1 and isinstance(where[1], int):
        return f"{type(exc).__name__} in cell {where[1] + 1}", where[1] + 1
    return type(exc).__name__, None


def _read_notebook(path: Path):
    """The notebook at ``path``, as nbformat version 4, validated.

    Raises
    ------
    _Unreadable
        When it is not a regular file, is too big or is not a valid notebook.
    """
    import nbformat
    from nbformat import reader

    try:
        text = _read_bytes(path).decode("utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat's warnings quote the cells' ids
            nb = nbformat.convert(reader.reads(text), 4)
            del text
            nbformat.validate(nb)  # not nbformat.reads: it logs the offending value
    except _Unreadable:
        raise
    except Exception as exc:  # not UTF-8, not JSON, not a notebook
        message, cell = _fault(exc)
        raise _Unreadable(f"not a notebook: {message}", cell) from None
    return nb


# --- running one notebook ---------------------------------------------------------------------


def _client_class():
    from nbclient import NotebookClient

    class ReportClient(NotebookClient):
        """Keeps no outputs: the results come from the log, and a learner's cell that
        prints without end cannot fill the memory of whoever runs the report."""

        def output(self, outs, msg, display_id, cell_index):
            return None

    return ReportClient


def _snippet(source: str, width: int = 60) -> str:
    """The text's non-empty lines joined by "; ", shortened to ``width`` characters."""
    line = "; ".join(s.strip() for s in source.splitlines() if s.strip())
    return line if len(line) <= width else line[:width - 3] + "..."


def _setup_cells(cells: list, code: list[int]) -> set[int]:
    """The code cells before the first check (at least the first code cell): the setup."""
    first_check = next((i for i in code if ".check(" in cells[i].source), None)
    setup = {i for i in code if first_check is None or i < first_check}
    return setup or set(code[:1])


def _tally(result: NotebookResult, entries: list[dict], questions: list[str]) -> None:
    """Count the chapter's own questions (latest status each); list the others as ignored."""
    latest: dict[str, str] = {}
    ignored: set[str] = set()
    own = set(questions)
    for entry in entries:
        if entry["chapter"] == result.chapter and entry["question"] in own:
            latest[entry["question"]] = entry["status"]
        else:
            ignored.add(entry["question"])
    result.correct = sum(s == "correct" for s in latest.values())
    result.attempted = sum(s != "not attempted" for s in latest.values())
    result.ignored = sorted(ignored)


def _kernel_spec_manager(folder: Path):
    """A kernel-spec manager that knows the report's kernel, written to ``folder``."""
    from .._jupyter_kernels import spec_manager

    return spec_manager(folder, KERNEL_NAME,
                        [sys.executable, "-c", KERNEL_CODE, "-f", "{connection_file}"],
                        "xentlearn progress report", {"supported_encryption": ["curve"]})


def _encryption() -> bool:
    """Whether the kernels' traffic can be encrypted (CurveZMQ keys from the kernel manager).

    Encrypted, ipykernel has no reason to warn that it runs over TCP without
    encryption. That needs pyzmq with CurveZMQ, a jupyter_client that hands out the
    keys (``KernelManager.transport_encryption``) and an ipykernel that uses them (its
    own kernel spec, ``python3``, says so).
    """
    try:
        import zmq
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import KernelManager

        if not zmq.has("curve") or "transport_encryption" not in KernelManager.class_traits():
            return False
        supported = KernelSpecManager().get_kernel_spec("python3").metadata.get(
            "supported_encryption", ())
        return "curve" in ([supported] if isinstance(supported, str) else supported)
    except Exception:  # no python3 kernel spec, an older jupyter_client: no encryption
        return False


def _use_fork_server(km, server) -> None:
    """Have ``km`` start its kernel through the fork server (see ``_forkserver``)."""
    from ._forkserver import ForkProvisioner

    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    provisioner.server = server
    km.provisioner = provisioner


def _kernel_env(log: Path, jobs: int) -> dict[str, str]:
    from .record import LOG_ENV_VAR

    env = dict(os.environ)
    env[LOG_ENV_VAR] = str(log)
    env["XENTLEARN_PROGRESS"] = "0"  # no training progress bars: nobody watches these kernels
    if jobs > 1:  # the kernels share the cores: one BLAS thread each
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, "1")
    return env


async def _run(learner: str, number: int, path: Path, *, time_limit: float, jobs: int,
               starting: asyncio.Semaphore, running: asyncio.Semaphore,
               logs: Path, server=None) -> NotebookResult:
    """Run one notebook. At most ``jobs`` kernels start at once and at most ``jobs`` run
    cells at once, so the next notebooks' kernels start while these run.

    A setup cell (a code cell before the first check) that raises makes the status
    "setup failed"; the kernel dying ("crashed") or the time limit ("timed out")
    stop the run and take precedence. The notebook is read first: one that cannot be
    ("unreadable") starts no kernel."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from .._jupyter_kernels import error_text, stop_client
    from .record import read_log

    questions = _questions(number)
    result = NotebookResult(learner, number, str(path), total=len(questions))
    try:
        nb = _read_notebook(path)
    except _Unreadable as exc:
        result.status, result.error, result.cell = "unreadable", str(exc), exc.cell
        return result
    cells = list(nb.cells)
    handle, name = tempfile.mkstemp(prefix=f"{number:02d}-", suffix=".jsonl", dir=logs)
    os.close(handle)
    log = Path(name)
    errors: dict[int, str] = {}

    def on_error(cell, cell_index, execute_reply):
        errors[cell_index] = error_text(execute_reply.get("content", {}))

    encrypted = _encryption()
    client = _client_class()(nb, kernel_name=KERNEL_NAME, allow_errors=True,
                             shutdown_kernel="immediate", on_cell_error=on_error,
                             extra_arguments=list(KERNEL_ARGUMENTS)
                             + ([] if encrypted else list(QUIET_ARGUMENTS)),
                             resources={"metadata": {"path": str(path.parent)}})
    code = [i for i, c in enumerate(cells) if c.cell_type == "code" and c.source.strip()]
    setup = _setup_cells(cells, code)
    current: int | None = None
    start = time.perf_counter()
    async with starting:
        try:
            for attempt in range(1, START_ATTEMPTS + 1):
                try:
                    client.km = client.kernel_manager_class(
                        kernel_name=KERNEL_NAME,
                        kernel_spec_manager=_kernel_spec_manager(logs / "kernels"),
                        **({"transport_encryption": "auto"} if encrypted else {}))
                    if server is not None:
                        _use_fork_server(client.km, server)
                    await client.async_start_new_kernel(cwd=str(path.parent),
                                                        env=_kernel_env(log, jobs),
                                                        stdout=subprocess.DEVNULL)
                    await client.async_start_new_kernel_client()
                    break
                except Exception as exc:  # e.g. a port taken by another kernel meanwhile
                    await stop_client(client)
                    if attempt == START_ATTEMPTS:
                        result.status = "setup failed"
                        result.error = (f"the kernel did not start ({attempt} attempts): "
                                        f"{type(exc).__name__}: {_snippet(str(exc), 100)}")
                        return result
            await running.acquire()
        except BaseException:  # cancelled (Ctrl-C) while starting or waiting: not needed
            await stop_client(client)
            raise
    try:
        start = time.perf_counter()
        deadline = time.monotonic() + time_limit
        client.timeout_func = lambda cell: max(deadline - time.monotonic(), 0.001)
        for index in code:
            current = index
            if time.monotonic() >= deadline:
                raise CellTimeoutError(f"time limit of {time_limit:g} s reached")
            await client.async_execute_cell(cells[index], index)
            if index in setup and index in errors and result.status == "ok":
                # the rest still runs: whatever works is counted
                result.status = "setup failed"
                result.error = (f"{_snippet(errors[index], 100)} (in: "
                                f"{_snippet(cells[index].source)})")
                result.cell = index + 1
    except DeadKernelError:
        result.status = "crashed"
        result.error = f"the kernel died while running: {_snippet(cells[current].source)}"
        result.cell = current + 1
    except CellTimeoutError:
        result.status = "timed out"
        result.error = (f"still running after the time limit of {time_limit:g} s: "
                        f"{_snippet(cells[current].source)}")
        result.cell = current + 1
    except Exception as exc:  # anything else that stops the run: the kernel is lost
        result.status = "crashed"
        result.error = f"the run stopped: {type(exc).__name__}: {_snippet(str(exc))}"
        result.cell = None if current is None else current + 1
    finally:
        running.release()
        await stop_client(client)
        result.seconds = time.perf_counter() - start
    _tally(result, read_log(log), questions)
    log.unlink(missing_ok=True)
    return result


def grade(notebooks: Sequence[tuple[str, int, Path]], *, time_limit: float = 120.0,
          jobs: int = 1, on_done: Callable[[NotebookResult], None] | None = None,
          fork: bool | None = None) -> list[NotebookResult]:
    """Run every notebook, ``jobs`` at a time, each in its own fresh kernel.

    Parameters
    ----------
    notebooks : sequence of (str, int, Path)
        Learner, chapter and notebook, as from :func:`find_notebooks`.
    time_limit : float
        Seconds each notebook's cells may run in all (its kernel's start not
        included); a notebook still running then is stopped: "timed out".
    jobs : int
        Notebooks run at once. The kernels of the next ``jobs`` notebooks start
        while these run. A notebook is read only then, when its turn comes: at most
        ``2 * jobs`` are in memory at once.
    on_done : callable, optional
        Called with each result as soon as its notebook is done.
    fork : bool, optional
        Whether the kernels are forked from a process that has imported ipykernel
        already (half the CPU time of a kernel's start; a new process all the same).
        Default: where the system allows (Linux); False starts every kernel as
        ``python -m ipykernel_launcher`` would.

    Returns
    -------
    list of NotebookResult
        In the order of ``notebooks``.

    Examples
    --------
    >>> notebooks, _ = find_notebooks("exercises/solutions/01_shannon_entropy.ipynb")
    >>> [r] = grade(notebooks, time_limit=60)
    >>> r.learner, r.chapter, r.correct, r.attempted, r.total, r.status
    ('solutions', 1, 5, 5, 5, 'ok')
    """
    if not (time_limit > 0 and time_limit < float("inf")):
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    if int(jobs) < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs!r}")
    jobs = int(jobs)

    from ._forkserver import ForkServer, available

    async def main() -> list[NotebookResult]:
        starting, running = asyncio.Semaphore(jobs), asyncio.Semaphore(jobs)
        turns = asyncio.Semaphore(2 * jobs)  # the notebooks starting and those running
        server = ForkServer() if (available() if fork is None else fork) else None
        with tempfile.TemporaryDirectory(prefix="xentlearn-progress-") as logs:

            async def one(learner, number, path):
                async with turns:
                    r = await _run(learner, number, Path(path), time_limit=time_limit,
                                   jobs=jobs, starting=starting, running=running,
                                   logs=Path(logs), server=server)
                    if on_done is not None:
                        on_done(r)
                return r

            try:
                return list(await asyncio.gather(*(one(*item) for item in notebooks)))
            finally:
                if server is not None:
                    await server.close()

    return asyncio.run(main())


# --- output -----------------------------------------------------------------------------------


def _chapters_in(results: Sequence[NotebookResult]) -> list[int]:
    return sorted({r.chapter for r in results})


def _totals(number: int) -> int:
    return len(_questions(number))


def format_report(results: Sequence[NotebookResult], notes: Sequence[str] = ()) -> str:
    """The report as text: learners x chapters, what went wrong, and a class summary.

    Each entry of the table is ``correct/attempted/total``, followed by a mark when
    the notebook did not run to its end (C crashed, T timed out, S setup failed,
    U unreadable) and ``+`` when other chapters' checks were ignored; ``-`` means
    no notebook. The last column sums the learner's chapters (a missing notebook
    counts as nothing attempted).

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
        mark = MARKS.get(r.status, "") + ("+" if r.ignored else "")
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

    problems = []
    for r in sorted(results, key=lambda r: (r.learner, r.chapter)):
        where = f"{r.learner}, chapter {r.chapter:02d}"
        if r.status != "ok":
            at = f" at cell {r.cell}" if r.cell else ""
            kept = ("\n  (results checked before it are counted)"
                    if r.status in ("crashed", "timed out") else "")
            problems.append(f"  {where}: {r.status}{at}: {r.error}{kept}")
        if r.ignored:
            listed = (", ".join(r.ignored) if len(r.ignored) <= 6 else
                      f"{len(r.ignored)} questions of chapters "
                      + ", ".join(sorted({q.split('.')[0] for q in r.ignored})))
            problems.append(f"  {where}: ignored checks of other chapters' questions: {listed}")
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

    ``ignored`` is a space-separated list of question ids; an unknown ``cell`` is empty.
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
    learner,chapter,correct,attempted,total,status,error,cell,ignored
    ana,1,4,5,5,ok,,,02.q1 02.q2
    '=1+1,2,0,0,4,ok,,,
    <BLANKLINE>
    """
    rows = [",".join(FIELDS)]
    for r in results:
        record = r.record()
        record["ignored"] = " ".join(record["ignored"])
        rows.append(",".join(_csv_field(record[name]) for name in FIELDS))
    return "\n".join(rows) + "\n"


def _csv_field(value: str | int | None) -> str:
    """One field of ``--csv``: quoted when it holds a comma, a quote or a line break (a
    ``\\r`` too, which :mod:`csv` leaves bare when lines end in ``\\n``)."""
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
        "ignored": []
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
