"""The class report over the learners' work on the hub.

    python -m hub.report [--csv | --json] [--jobs N] [--time-limit S]   # as root
    python -m hub.report --live [--csv | --json]                         # as root

``--live`` runs nothing: it reads the checks the learners' kernels sent to the room's live
view (the ``room`` service's database, ``state/room.sqlite``; ``hub.roomstore``), as they
stand now. A question counts as correct once any check of it was, as in the live view.
Without it, the report re-executes the learners' notebooks, for the end of the day:

Each learner's code runs as that learner, on a private copy. As root, the report copies
each learner's exercise notebooks (``~/course/exercises/NN_*.ipynb``) and results log
(``~/.xentlearn/results.jsonl``, every check they made, saved or not) into a folder of
their own (mode 0700, theirs) inside the report's folder (root's, 0711): only regular files
of their own, following no link, within a size limit; anything else is refused and named.
Then ``python -m xentlearn progress --json`` runs over that copy as the learner (their uid
and gid, no other groups), and the records it gives back are checked and merged. A
learner's notebook can so reach only that learner's copy and results, as in their own
kernel: not a classmate's notebooks, logs or kernels, not the hub's files. Learners of the
class list with no work are listed as absent.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .accounts import learners
from .settings import REPO, Settings, closed_dirs, learner_paths, venv_bin

#: The learner's exercise notebooks, relative to their home.
EXERCISES = ("course", "exercises")

#: Seconds a learner's report may take beyond its notebooks' time limits (kernels' starts).
SLACK = 120.0

#: The most bytes read back from one learner's report (its JSON records).
MAX_OUTPUT_BYTES = 5_000_000

#: How a folder on the way to a learner's file is opened: never through a symbolic link.
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


@dataclass
class Work:
    """One learner's private copy: what was copied, what was refused and why.

    Attributes
    ----------
    user : pwd.struct_passwd
        The learner's system user.
    folder : Path
        ``BASE/NAME``: mode 0700, the learner's once copied; only they and root reach it.
    notebooks : list of str
        The names of the notebooks copied into ``folder / "work" / NAME``.
    refused : list of (str, str)
        Each file not copied, with why (it names the file's kind, never its content).
    log : bool
        Whether the learner's results log was copied to ``folder / "results.jsonl"``.
    """

    user: pwd.struct_passwd
    folder: Path
    notebooks: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    log: bool = False

    @property
    def name(self) -> str:
        return self.user.pw_name

    @property
    def work(self) -> Path:
        return self.folder / "work" / self.name


def _open_folders(home: str, parts: tuple[str, ...]) -> int:
    """An open descriptor of ``home/parts...``, each step opened without following a link.

    Raises
    ------
    OSError
        ``ELOOP``/``ENOTDIR`` when a step is a link or not a folder, ``ENOENT`` when missing.
    """
    fd = os.open(home, _DIR_FLAGS)
    try:
        for part in parts:
            step = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = step
    except BaseException:
        os.close(fd)
        raise
    return fd


def _why_not_a_folder(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symbolic link, not a folder: refused"
    if exc.errno == errno.ENOTDIR:
        return "not a folder: refused"
    return f"cannot be read: {exc.strerror}"


def _new_private(path: Path):
    """A new file open for writing (never an existing one, never through a link), mode 0600."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600),
                     "wb")


def _write_private(path: Path, data: bytes) -> None:
    with _new_private(path) as out:
        out.write(data)


def copy_work(user: pwd.struct_passwd, base: Path) -> Work:
    """Copy, as root, one learner's exercise notebooks and results log into ``base/NAME``.

    Every folder on the way is opened without following a link, and only regular files
    of the learner's own, of at most the report's size limits, are copied
    (:func:`xentlearn.report.read_regular`): a link to the hub's slips or to
    ``/etc/shadow``, a hard link to someone else's file, a FIFO or a folder named like
    a notebook is refused, named, and never copied. The copies are written while the
    folder is still root's, then given to the learner: ``base/NAME`` (0700) holds
    ``work/NAME/`` (the notebooks), ``home/`` (HOME and TMPDIR of the run) and
    ``results.jsonl`` (their log).

    Parameters
    ----------
    user : pwd.struct_passwd
        The learner.
    base : Path
        The report's folder: root's, mode 0711 (learners pass through, cannot list it).

    Returns
    -------
    Work
    """
    from xentlearn.exercises.record import HOME_LOG
    from xentlearn.report import (
        MAX_NOTEBOOK_BYTES,
        MAX_RESULTS_LOG_BYTES,
        Unreadable,
        read_regular,
    )
    from xentlearn.report.notebooks import NOTEBOOK_NAME
    from xentlearn.report.results import chapters

    work = Work(user, base / user.pw_name)
    work.folder.mkdir(mode=0o700)
    work.work.mkdir(parents=True, mode=0o700)
    (work.folder / "home").mkdir(mode=0o700)
    known = chapters()
    try:
        fd = _open_folders(user.pw_dir, EXERCISES)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            work.refused.append(("~/" + "/".join(EXERCISES), _why_not_a_folder(exc)))
    else:
        try:
            for name in sorted(os.listdir(fd)):
                m = NOTEBOOK_NAME.fullmatch(name)
                if not m or int(m.group(1)) not in known:
                    continue
                try:
                    data = read_regular(name, MAX_NOTEBOOK_BYTES, dir_fd=fd, owner=user.pw_uid)
                except Unreadable as exc:
                    work.refused.append((name, str(exc)))
                    continue
                _write_private(work.work / name, data)
                work.notebooks.append(name)
        finally:
            os.close(fd)
    *folders, log_name = HOME_LOG.split("/")
    try:
        fd = _open_folders(user.pw_dir, tuple(folders))
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            work.refused.append(("~/" + "/".join(folders), _why_not_a_folder(exc)))
    else:
        try:
            data = read_regular(log_name, MAX_RESULTS_LOG_BYTES, dir_fd=fd,
                                owner=user.pw_uid, what="a results log")
            _write_private(work.folder / "results.jsonl", data)
            work.log = True
        except Unreadable as exc:
            if exc.errno != errno.ENOENT:
                work.refused.append(("~/" + HOME_LOG, str(exc)))
        finally:
            os.close(fd)
    for path in [work.folder, *work.folder.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)
    return work


def _learner_env(work: Work) -> dict[str, str]:
    home = str(work.folder / "home")
    return {"HOME": home, "TMPDIR": home, "USER": work.name, "LOGNAME": work.name,
            "PATH": f"{venv_bin()}:/usr/bin:/bin", "MPLBACKEND": "Agg", "LANG": "C.UTF-8",
            "XENTLEARN_PROGRESS": "0"}


def as_learner(work: Work) -> list[str]:
    """The command prefix that runs a program as the learner: their uid and gid, no
    supplementary groups, no way to gain rights (setuid programs do nothing)."""
    return ["setpriv", f"--reuid={work.user.pw_uid}", f"--regid={work.user.pw_gid}",
            "--clear-groups", "--no-new-privs", "--"]


def _stopped(work: Work, error: str):
    """Every copied notebook of the learner's as "crashed", with ``error``."""
    from xentlearn.report import NotebookResult
    from xentlearn.report.notebooks import NOTEBOOK_NAME
    from xentlearn.report.results import questions

    numbers = sorted({int(NOTEBOOK_NAME.fullmatch(n).group(1)) for n in work.notebooks})
    return [NotebookResult(work.name, n, "", total=len(questions(n)), status="crashed",
                           error=error) for n in numbers]


def _last_line(data: bytes) -> str:
    """The last non-empty line of a program's messages, printable characters only."""
    lines = [s for s in data.decode("utf-8", "replace").splitlines() if s.strip()]
    text = "".join(c for c in (lines[-1] if lines else "") if c.isprintable())
    return text if len(text) <= 200 else text[:197] + "..."


def grade_learner(work: Work, base: Path, *, jobs: int, time_limit: float) -> list:
    """Run ``python -m xentlearn progress --json`` over one learner's copy, as the learner.

    Their results log counts too (``--results-log``). What comes back is read as data:
    at most :data:`MAX_OUTPUT_BYTES`, each record checked, and named after this learner
    whatever it says. A run that stops, runs past its time or answers nonsense gives
    this learner's notebooks "crashed", and no one else's.
    """
    from xentlearn.report import Unreadable, from_record, read_regular

    command = [*as_learner(work), str(venv_bin() / "python"), "-m", "xentlearn", "progress",
               str(work.work), "--json", "--jobs", str(jobs), "--time-limit", f"{time_limit:g}"]
    if work.log:
        command += ["--results-log", str(work.folder / "results.jsonl")]
    limit = SLACK + len(work.notebooks) * (time_limit + 30) / jobs
    out_path, err_path = base / f".{work.name}.out", base / f".{work.name}.err"
    with _new_private(out_path) as out, _new_private(err_path) as err:  # root's, 0600
        proc = subprocess.Popen(command, cwd=str(REPO), env=_learner_env(work),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True)
        try:
            code = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return _stopped(work, f"the learner's report did not finish in {limit:.0f} s")
    try:
        output = read_regular(out_path, MAX_OUTPUT_BYTES, what="a report")
        messages = read_regular(err_path, MAX_OUTPUT_BYTES, what="a report")[-4000:]
    except Unreadable as exc:
        return _stopped(work, f"the learner's report could not be read: {exc}")
    if code != 0:
        return _stopped(work, f"the learner's report stopped (exit status {code}): "
                              f"{_last_line(messages)}")
    try:
        records = json.loads(output)
        if not isinstance(records, list):
            raise ValueError("not a list of records")
        return [from_record(record, work.name) for record in records]
    except ValueError as exc:
        return _stopped(work, f"the learner's report gave no readable result: {exc}")


def merge(works: list[Work], graded: dict[str, list]) -> tuple[list, list[str]]:
    """Everyone's results in one list: refused notebooks as "unreadable" (where nothing
    else stands for their chapter), learners with no work as "absent"; and the notes."""
    from xentlearn.report import NotebookResult
    from xentlearn.report.notebooks import NOTEBOOK_NAME
    from xentlearn.report.results import questions

    results, notes = [], []
    for work in works:
        mine = list(graded.get(work.name, []))
        have = {r.chapter for r in mine}
        for name, why in work.refused:
            notes.append(f"{work.name}: {name}: {why}; not copied, not run")
            m = NOTEBOOK_NAME.fullmatch(name)
            if m and int(m.group(1)) not in have:
                number = int(m.group(1))
                mine.append(NotebookResult(work.name, number, name, total=len(questions(number)),
                                           status="unreadable", error=f"{name}: {why}"))
                have.add(number)
        results += sorted(mine, key=lambda r: r.chapter)
    chapters = sorted({r.chapter for r in results})
    for work in works:
        if not any(r.learner == work.name for r in results):
            results += [NotebookResult(work.name, n, "", total=len(questions(n)),
                                       status="absent", error="no work found")
                        for n in chapters]
            if not chapters:
                notes.append(f"{work.name}: absent (no work found)")
    results.sort(key=lambda r: (r.learner, r.chapter))
    return results, notes


def run(settings: Settings, *, jobs: int = 2, time_limit: float = 120.0) -> tuple[list,
                                                                                   list[str]]:
    """Copy every learner's work and run it as that learner; the merged results and notes."""
    if os.geteuid() != 0:
        raise SystemExit("the report reads every learner's home and runs their notebooks as "
                         "them: run it as root (sudo make hub-report)")
    if shutil.which("setpriv") is None:
        raise SystemExit("no setpriv on this machine (util-linux): the report runs each "
                         "learner's notebooks as that learner with it; install util-linux")
    closed = closed_dirs(learner_paths())
    if closed:
        raise SystemExit("learners cannot reach the project's environment through "
                         + ", ".join(map(str, closed)) + " (chmod o+x them, see README)")
    users = sorted(learners(settings), key=lambda u: u.pw_name)
    base = Path(tempfile.mkdtemp(prefix="xentlearn-class-"))
    try:
        base.chmod(0o711)  # learners pass through to their own folder; none can list it
        works = [copy_work(user, base) for user in users]
        todo = [w for w in works if w.notebooks or w.log]
        # A learner's run spends much of its time starting (Python, its fork server, the
        # kernels): two learners a core keep the cores busy.
        at_once = max(1, min(2 * jobs, len(todo)))
        each = max(1, jobs // at_once)
        with ThreadPoolExecutor(at_once) as pool:
            graded = dict(zip((w.name for w in todo), pool.map(
                lambda w: grade_learner(w, base, jobs=each, time_limit=time_limit), todo),
                strict=True))
        return merge(works, graded)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def live(settings: Settings) -> tuple[list, list[str]]:
    """The class report from the room's live results, executing nothing: one result per
    learner of the class list and chapter anyone checked; learners with no check are
    absent; checks by anyone not on the class list (the instructor trying a question) are
    left out and counted in the notes."""
    from xentlearn.report import NotebookResult
    from xentlearn.report.results import questions, tally

    from .roomstore import read_records

    if not settings.room_db.exists():
        return [], [f"no live results yet: {settings.room_db} does not exist (the hub's room "
                    "service makes it when it starts)"]
    try:
        records = read_records(settings.room_db)
    except Exception as exc:  # noqa: BLE001 - sqlite3 errors: a file that is not a database
        raise SystemExit(f"cannot read the live results in {settings.room_db}: {exc}") from None
    names = sorted(u.pw_name for u in learners(settings))
    on_list = set(names)
    outsiders = sorted({r.learner for r in records} - on_list)
    chapters = sorted({r.chapter for r in records if r.learner in on_list})
    results = []
    for name in names:
        mine = [r for r in records if r.learner == name]
        for number in chapters:
            own = questions(number)
            if not mine:
                results.append(NotebookResult(name, number, "", total=len(own),
                                              status="absent", error="no check yet"))
                continue
            result = NotebookResult(name, number, "(live)", total=len(own))
            # counted as a results log is: the record's status stands for its latest check
            tally(result, [{"question": r.question, "chapter": r.chapter, "status": r.status}
                           for r in mine if r.chapter == number], own)
            results.append(result)
    notes = [f"{name}: not on the class list; its checks are not counted"
             for name in outsiders]
    if names and not chapters:
        notes.append("no learner of the class list has checked an answer yet")
    return results, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--csv", action="store_true")
    form.add_argument("--json", action="store_true")
    parser.add_argument("--live", action="store_true",
                        help="the checks sent to the room's live view, as they stand; runs "
                             "nothing (needs no setpriv, takes a second)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="notebooks run at once, all learners together (default: cores)")
    parser.add_argument("--time-limit", type=float, default=120.0,
                        help="seconds each notebook's cells may run in all (default 120)")
    args = parser.parse_args(argv)
    if args.jobs < 1 or not 0 < args.time_limit <= 86400:
        parser.error("--jobs must be at least 1 and --time-limit from 0 to 86400 seconds")
    from xentlearn import report

    settings = Settings.from_env()
    if args.live:
        if os.geteuid() != 0:
            raise SystemExit("the live results are in the hub's state folder, root's only: "
                             "run it as root (sudo make hub-report LIVE=1)")
        results, notes = live(settings)
    else:
        results, notes = run(settings, jobs=args.jobs, time_limit=args.time_limit)
    if not results:
        print("no learners on this hub's class list have any work yet", file=sys.stderr)
        for note in notes:
            print(note, file=sys.stderr)
        return 0
    if args.csv or args.json:
        sys.stdout.write(report.as_csv(results) if args.csv else report.as_json(results) + "\n")
        for note in notes:
            print(note, file=sys.stderr)
    else:
        print(report.format_report(results, notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
