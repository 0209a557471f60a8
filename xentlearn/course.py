"""The course's files on a learner's machine: ``python -m xentlearn course`` and ``lab``.

The chapters (``notebooks/``), the exercises with their solutions (``exercises/``) and the
course's JupyterLab settings (``lab/``) travel in the package: in an installed wheel they are
under ``xentlearn/_course/``; in a checkout of the repository they are the checkout's own
folders. :func:`write_course` copies the notebooks into a folder of the learner's; run again,
it adds what is new, brings up to date the files the learner has not changed, and never
overwrites one they edited. :func:`lab_command` is the JupyterLab that ``lab`` opens on the
welcome chapter with the course's settings (no news, no update checks), leaving the learner's
own JupyterLab settings as they are.

Everything here works the same on Windows, macOS and Linux: paths through :mod:`pathlib`,
processes through :mod:`subprocess` with this Python.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["REPOSITORY", "INSTALL", "COURSE_FOLDERS", "DEFAULT_FOLDER", "MANIFEST", "WELCOME",
           "source", "course_files", "write_course", "Written", "lab_command", "lab_settings"]

#: The course's folders, as they are in the repository and in the learner's copy.
COURSE_FOLDERS = ("notebooks", "exercises", "exercises/solutions")

#: The course's repository: where pip installs it from (``git+``), and the site links to.
REPOSITORY = "https://github.com/xentlearn/xentlearn"

#: What a learner installs: the package with the course's tools, from the repository.
INSTALL = f"xentlearn[course] @ git+{REPOSITORY}"

#: Where ``python -m xentlearn course`` writes the course when no folder is given.
DEFAULT_FOLDER = "xentlearn-course"

#: In the learner's copy: what was written, file by file (its SHA-256), to tell their edits
#: from the course's own text on the next run.
MANIFEST = ".xentlearn-course.json"

#: The notebook JupyterLab opens first, relative to the course folder.
WELCOME = "notebooks/00_welcome.ipynb"

_PACKAGE = Path(__file__).resolve().parent


def source() -> Path:
    """The folder holding ``notebooks/``, ``exercises/`` and ``lab/``: the installed
    package's ``_course``, or the checkout this package runs from."""
    installed = _PACKAGE / "_course"
    if (installed / "notebooks").is_dir():
        return installed
    checkout = _PACKAGE.parent
    if (checkout / "notebooks").is_dir() and (checkout / "exercises").is_dir():
        return checkout
    raise FileNotFoundError(
        f"the course's notebooks are not beside this xentlearn ({_PACKAGE}): reinstall it "
        f"with pip install \"{INSTALL}\"")


def course_files(root: Path | None = None) -> list[str]:
    """The course's notebooks, as ``/``-separated paths relative to ``root`` (default:
    :func:`source`), sorted."""
    root = source() if root is None else root
    return sorted(f"{folder}/{path.name}" for folder in COURSE_FOLDERS
                  for path in (root / folder).glob("*.ipynb") if path.is_file())


def lab_settings(root: Path | None = None) -> Path:
    """The course's JupyterLab settings folder (``overrides.json``,
    ``jupyter_server_config.json``)."""
    return (source() if root is None else root) / "lab"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Written:
    """What :func:`write_course` did, file by file (paths relative to the course folder)."""

    folder: Path
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few lines for the learner: what was written and what was kept."""
        lines = [f"The course is in {self.folder}"]
        if self.added:
            lines.append(f"  added {len(self.added)} notebook(s)")
        if self.updated:
            lines.append(f"  brought up to date {len(self.updated)} you had not changed: "
                         + ", ".join(self.updated))
        if self.kept:
            lines.append(f"  kept {len(self.kept)} you changed, as they are: "
                         + ", ".join(self.kept))
            lines.append("  (to get the course's version of one, rename yours and run this "
                         "again)")
        if self.unchanged and not (self.added or self.updated):
            lines.append(f"  {len(self.unchanged)} notebook(s) already up to date")
        return "\n".join(lines)


def _read_manifest(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(files, dict) else {}


def _write_atomic(path: Path, data: bytes) -> None:
    """``data`` into ``path`` through a temporary file beside it, replaced in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_course(folder: str | os.PathLike = DEFAULT_FOLDER, root: Path | None = None
                 ) -> Written:
    """Copy the course's notebooks into ``folder``; never overwrite a learner's edit.

    A notebook missing from ``folder`` is added. One that is there is left alone when it is
    the course's text already; replaced by the course's newer text when it is what an
    earlier run wrote (the learner has not changed it); and kept as it is when the learner
    changed it, or when this folder was not written by this command.

    Parameters
    ----------
    folder : path
        Where the course goes (made when missing), e.g. ``"xentlearn-course"``.
    root : Path, optional
        Where the course is taken from (default: :func:`source`).

    Returns
    -------
    Written
        The paths added, updated, kept and unchanged.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> where = pathlib.Path(tempfile.mkdtemp()) / "course"
    >>> first = write_course(where)
    >>> len(first.added) == len(course_files()), first.kept
    (True, [])
    >>> mine = where / "exercises" / "01_shannon_entropy.ipynb"
    >>> _ = mine.write_text(mine.read_text() + " ")          # the learner's edit
    >>> again = write_course(where)
    >>> again.kept, again.added
    (['exercises/01_shannon_entropy.ipynb'], [])
    """
    root = source() if root is None else root
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(f"{folder} is a file: give a folder for the course")
    folder.mkdir(parents=True, exist_ok=True)
    written = _read_manifest(folder)
    done = Written(folder.resolve())
    manifest: dict[str, str] = dict(written)
    for name in course_files(root):
        data = (root / name).read_bytes()
        new = _digest(data)
        target = folder / name
        if not target.exists():
            _write_atomic(target, data)
            done.added.append(name)
            manifest[name] = new
            continue
        have = _digest(target.read_bytes())
        if have == new:
            done.unchanged.append(name)
            manifest[name] = new
        elif written.get(name) == have:  # as this command wrote it: the course's newer text
            _write_atomic(target, data)
            done.updated.append(name)
            manifest[name] = new
        else:
            done.kept.append(name)
    _write_atomic(folder / MANIFEST, (json.dumps(
        {"about": "what `python -m xentlearn course` wrote here (SHA-256 of each file), to "
                  "tell your edits from the course's text; safe to delete",
         "files": dict(sorted(manifest.items()))}, indent=1) + "\n").encode())
    return done


def lab_command(folder: Path, *, browser: bool = True, port: int | None = None,
                root: Path | None = None) -> tuple[list[str], dict[str, str]]:
    """The command and environment that open JupyterLab on ``folder``'s welcome chapter.

    JupyterLab runs with this Python; the course's settings come from :func:`lab_settings`,
    for this one server only: its ``overrides.json`` as JupyterLab's defaults (no news, no
    update checks), its ``jupyter_server_config.json`` through ``JUPYTER_CONFIG_PATH``
    (helper folders hidden, a read-only extension manager). The learner's own settings, in
    their home, are read as usual and never written.
    """
    settings = lab_settings(root)
    command = [sys.executable, "-m", "jupyterlab",
               f"--ServerApp.root_dir={Path(folder).resolve()}",
               f"--LabApp.default_url=/lab/tree/{WELCOME}",
               f"--LabApp.app_settings_dir={settings}"]
    if not browser:
        command.append("--no-browser")
    if getattr(os, "geteuid", lambda: -1)() == 0:  # root in a container: JupyterLab asks
        command.append("--allow-root")
    if port is not None:
        command.append(f"--ServerApp.port={port}")
    # the chapters' stored outputs assume a fixed hash seed (sets print in one order)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [str(settings), *filter(None, [os.environ.get("JUPYTER_CONFIG_PATH")])])
    return command, env
