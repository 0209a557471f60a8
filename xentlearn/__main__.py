"""Command line of the course.

- ``python -m xentlearn lab [DIR]``: the course into DIR (default ``xentlearn-course``), then
  JupyterLab on its welcome chapter;
- ``python -m xentlearn course [DIR]``: the course into DIR only;
- ``python -m xentlearn doctor [--timeout S]``: check a learner's machine before a workshop;
- ``python -m xentlearn progress PATH [--csv | --json] [--jobs N] [--time-limit S]``: a
  class's progress over their exercise notebooks.

Each has ``--help``.
"""

from __future__ import annotations

import argparse
import os
import sys

from ._argtypes import seconds, whole_number

PROGRESS_DESCRIPTION = """\
Run learners' exercise notebooks, each in a fresh kernel, and tabulate per learner
and chapter the questions correct, attempted and in total. PATH is one learner's
folder of exercise notebooks (NN_name.ipynb), one notebook, or a folder with one
sub-folder per learner (the sub-folder's name is the learner's name).

A chapter's notebook counts only that chapter's questions; results checked before
a kernel died or a notebook ran out of time are kept, and the report says which
notebook crashed, timed out, failed in its setup (a cell before the first check,
such as `import xentlearn`) or could not be read, and at which cell.

With --results-log, the checks a learner made in their own kernel (the file that
XENTLEARN_RESULTS_LOG names there) count too, saved or not; the report names the
checks that are not in the saved notebook.

SECURITY: the report executes the learners' code with the rights of whoever runs
it. Run it on copies of the notebooks, as an unprivileged user or in a container.
"""


COURSE_DESCRIPTION = """\
Write the course (the chapters in notebooks/, the exercises and their solutions in
exercises/) into DIR, made when missing. Run again, it adds what is new, brings up to date
the notebooks you have not changed, and keeps every notebook you edited as it is; it says
which. Works the same on Windows, macOS and Linux.
"""

LAB_DESCRIPTION = """\
Write the course into DIR as `course` does, then open JupyterLab on its welcome chapter,
with the course's settings for this JupyterLab only (no news, no update checks); your own
JupyterLab settings are left as they are. Needs the course's packages:
pip install "xentlearn[course]".
"""

#: The largest ``--time-limit``: one day per notebook.
MAX_TIME_LIMIT = 86400.0


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xentlearn",
                                     description="The xentlearn course's command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    prog = sub.add_parser("progress", help="run exercise notebooks and tabulate a class's progress",
                          description=PROGRESS_DESCRIPTION,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    prog.add_argument("path", nargs="?", default="exercises",
                      help="a learner's folder of exercise notebooks, one notebook, or a folder "
                           "of learner folders (default: exercises)")
    out = prog.add_mutually_exclusive_group()
    out.add_argument("--csv", action="store_true",
                     help="print CSV: a header row, then one row per learner and chapter")
    out.add_argument("--json", action="store_true",
                     help="print JSON: one record per learner and chapter")
    prog.add_argument("--jobs", type=whole_number(1), default=_cores(), metavar="N",
                      help="notebooks run at once (default: the number of cores, here "
                           f"{_cores()})")
    prog.add_argument("--time-limit", type=seconds(MAX_TIME_LIMIT), default=120.0,
                      metavar="SECONDS",
                      help="seconds each notebook's cells may run in all, fractions allowed "
                           f"(default 120, at most {MAX_TIME_LIMIT:g}); a notebook still "
                           "running then is stopped")
    prog.add_argument("--results-log", metavar="FILE",
                      help="one learner's own results log (XENTLEARN_RESULTS_LOG in their "
                           "kernels): their checks count too, saved or not; PATH is then "
                           "that learner's folder")
    for name, what in (("course", "write the course's notebooks into a folder"),
                       ("lab", "write the course into a folder and open JupyterLab on it")):
        cmd = sub.add_parser(name, help=what, description=COURSE_DESCRIPTION if name ==
                             "course" else LAB_DESCRIPTION,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
        cmd.add_argument("folder", nargs="?", default=None, metavar="DIR",
                         help="where the course goes (default: xentlearn-course in the "
                              "current folder)")
        if name == "lab":
            cmd.add_argument("--no-browser", action="store_true",
                             help="print the address instead of opening a browser")
            cmd.add_argument("--port", type=whole_number(1), default=None,
                             help="the port JupyterLab listens on (default: 8888 or the "
                                  "next free one)")
    from . import doctor

    doc = sub.add_parser("doctor", help="check this machine before a workshop",
                         description=doctor.DESCRIPTION,
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    doctor.add_arguments(doc)
    args = parser.parse_args(argv)
    if args.command == "doctor":
        return doctor.run_command(args)
    if args.command in ("course", "lab"):
        return _course_command(args)

    from . import report

    try:
        notebooks, notes = report.find_notebooks(args.path)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.results_log and len({learner for learner, _, _ in notebooks}) > 1:
        print(f"error: --results-log is one learner's log, and {args.path} holds several "
              "learners' folders: give that learner's folder", file=sys.stderr)
        return 2
    if not notebooks and not args.results_log:
        print(f"error: no exercise notebooks (NN_name.ipynb) in {args.path} or its "
              "sub-folders", file=sys.stderr)
        return 2
    try:
        results = report.grade(notebooks, time_limit=args.time_limit, jobs=args.jobs,
                               on_done=report.progress_bar(len(notebooks)))
    except KeyboardInterrupt:  # the kernels are stopped on the way out
        print("\ninterrupted: no report", file=sys.stderr)
        return 130
    if args.results_log:
        learner = notebooks[0][0] if notebooks else os.path.basename(
            os.path.abspath(args.path))
        results = _add_log(report, results, args.results_log, learner, notes)
    if args.csv:
        sys.stdout.write(report.as_csv(results))
        for note in notes:
            print(note, file=sys.stderr)
    elif args.json:
        print(report.as_json(results))
        for note in notes:
            print(note, file=sys.stderr)
    else:
        print(report.format_report(results, notes))
    return 0


def _course_command(args) -> int:
    """``course`` and ``lab``: the course into the folder, then (``lab``) JupyterLab on it."""
    import subprocess

    from . import course

    folder = args.folder or course.DEFAULT_FOLDER
    try:
        written = course.write_course(folder)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(written.summary())
    if args.command == "course":
        print(f"Open it with: python -m xentlearn lab {folder}")
        return 0
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        print('error: JupyterLab is not installed here: pip install "xentlearn[course]", '
              "then run this again", file=sys.stderr)
        return 2
    command, env = course.lab_command(written.folder, browser=not args.no_browser,
                                      port=args.port)
    print("Opening JupyterLab on the welcome chapter; stop it with Ctrl+C (twice).")
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 130


def _add_log(report, results: list, path: str, learner: str, notes: list[str]) -> list:
    """``results`` with the checks of a learner's own results log added; a log that is
    not a regular file of at most ``report.MAX_RESULTS_LOG_BYTES`` is noted, not read."""
    from .exercises.record import parse_log

    try:
        data = report.read_regular(path, report.MAX_RESULTS_LOG_BYTES, what="a results log")
    except report.Unreadable as exc:
        notes.append(f"{path}: {exc}; its checks are not counted")
        return results
    entries = parse_log(data.decode("utf-8", errors="replace").splitlines())
    return report.add_checks(list(results), entries, learner, notebook=path)


if __name__ == "__main__":
    sys.exit(main())
