"""Finding learners' exercise notebooks and reading them without trusting them.

Nothing is followed: a notebook is read only when it is a regular file, opened
without following a symbolic link (``O_NOFOLLOW``) and without waiting (a FIFO),
checked again on what was opened (``fstat``) and capped in size before it is read.
:func:`read_regular` is that reader, shared with whatever copies learners' files
(the room's report, ``hub/report.py``).
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import warnings
from pathlib import Path

from .results import chapters as registry

__all__ = ["MAX_NOTEBOOK_BYTES", "MAX_RESULTS_LOG_BYTES", "NOTEBOOK_NAME", "Unreadable",
           "find_notebooks", "read_regular", "read_notebook"]

#: The largest notebook the report reads, in bytes (20 MB): the course's exercise
#: notebooks have under 10 kB, a learner's with its figures a few MB.
MAX_NOTEBOOK_BYTES = 20_000_000

#: The largest results log the report reads (a check is a line of about 80 bytes).
MAX_RESULTS_LOG_BYTES = 5_000_000

#: An exercise notebook's name: ``NN_name.ipynb``, ``NN`` the chapter.
NOTEBOOK_NAME = re.compile(r"(\d\d)_.*\.ipynb")

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


# --- finding the notebooks --------------------------------------------------------------------


def _exercise_notebooks(folder: Path, chapters: dict) -> dict[int, list[Path]]:
    """By chapter, whatever in ``folder`` is named as an exercise notebook: links, folders
    and special files too, so that the report says why it does not read them."""
    found: dict[int, list[Path]] = {}
    for path in sorted(folder.glob("*.ipynb")):
        m = NOTEBOOK_NAME.fullmatch(path.name)
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
    chapters = registry()
    target = Path(path)
    if not (target.exists() or target.is_symlink()):
        raise ValueError(f"{target} does not exist; give a folder of exercise notebooks, a "
                         "folder of learner folders, or one notebook")
    if NOTEBOOK_NAME.fullmatch(target.name) or not target.is_dir():
        m = NOTEBOOK_NAME.fullmatch(target.name)
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


class Unreadable(Exception):
    """Why a file is not read: the error of an "unreadable" status.

    Parameters
    ----------
    message : str
        What the report says. It never quotes the file.
    cell : int, optional
        The cell at fault (1 is the first), where it is known.
    errno : int, optional
        The error number when the file system refused (``errno.ENOENT``: no such file).
    """

    def __init__(self, message: str, cell: int | None = None,
                 errno: int | None = None) -> None:
        super().__init__(message)
        self.cell = cell
        self.errno = errno


def _refusal(mode: int, what: str = "a notebook") -> str | None:
    """Why a file of this ``st_mode`` is not read; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISLNK(mode):
        return f"a symbolic link, not {what}: refused"
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return f"{kind}, not a regular file"


def _megabytes(size: float) -> str:
    return f"{size / 1e6:.1f} MB" if size % 1_000_000 else f"{size / 1e6:g} MB"


def read_regular(path: str | os.PathLike, limit: int = MAX_NOTEBOOK_BYTES, *,
                 dir_fd: int | None = None, owner: int | None = None,
                 what: str = "a notebook") -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Checked before opening (``lstat``), opened without following a link and without
    waiting, and checked again on what was opened (``fstat``): a file swapped for a
    link or a FIFO in between is refused all the same. The size is known before
    anything is read.

    Parameters
    ----------
    path : str or path-like
        The file; a name relative to ``dir_fd`` when that is given.
    limit : int
        The most bytes it may have.
    dir_fd : int, optional
        An open folder that ``path`` is relative to (``os.open`` with ``dir_fd``):
        a caller who opened each folder on the way without following links knows
        that the file is where it looks.
    owner : int, optional
        The user id the file must belong to: a hard link to someone else's file
        (another learner's, root's) is refused.
    what : str
        What the file should be, for the messages.

    Returns
    -------
    bytes

    Raises
    ------
    Unreadable
        Naming what ``path`` is instead, or why it cannot be read.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> os.symlink("/etc/passwd", os.path.join(folder, "01_x.ipynb"))
    >>> read_regular(os.path.join(folder, "01_x.ipynb"))
    Traceback (most recent call last):
    ...
    xentlearn.report.notebooks.Unreadable: a symbolic link, not a notebook: refused
    """
    try:
        refused = _refusal(os.stat(path, dir_fd=dir_fd, follow_symlinks=False).st_mode, what)
    except OSError as exc:
        raise Unreadable(f"cannot be read: {exc.strerror}", errno=exc.errno) from None
    if refused:
        raise Unreadable(refused)
    try:
        fd = os.open(path, _OPEN_FLAGS | _NOFOLLOW, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):  # O_NOFOLLOW: a link since the check
            raise Unreadable(_refusal(stat.S_IFLNK, what)) from None
        raise Unreadable(f"cannot be read: {exc.strerror}", errno=exc.errno) from None
    try:
        info = os.fstat(fd)
        refused = _refusal(info.st_mode, what)
        if refused:
            raise Unreadable(refused)
        if owner is not None and info.st_uid != owner:
            raise Unreadable(f"a file of another user (uid {info.st_uid}): refused")
        too_big = f"more than the {_megabytes(limit)} {what} may have"
        if info.st_size > limit:
            raise Unreadable(f"{_megabytes(info.st_size)}, {too_big}")
        chunks, size = [], 0
        while size <= limit:  # it may grow while it is read
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise Unreadable(f"cannot be read: {exc.strerror}", errno=exc.errno) from None
    finally:
        os.close(fd)
    if size > limit:
        raise Unreadable(too_big)
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


def read_notebook(path: Path):
    """The notebook at ``path``, as nbformat version 4, validated.

    Raises
    ------
    Unreadable
        When it is not a regular file, is too big or is not a valid notebook.
    """
    import nbformat
    from nbformat import reader

    try:
        text = read_regular(path).decode("utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat's warnings quote the cells' ids
            nb = nbformat.convert(reader.reads(text), 4)
            del text
            nbformat.validate(nb)  # not nbformat.reads: it logs the offending value
    except Unreadable:
        raise
    except Exception as exc:  # not UTF-8, not JSON, not a notebook
        message, cell = _fault(exc)
        raise Unreadable(f"not a notebook: {message}", cell) from None
    return nb

