"""The doctor's command line: ``python -m xentlearn doctor [--timeout SECONDS]``."""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Iterable
from pathlib import Path

from .._argtypes import seconds
from . import _fixes
from ._core import DEFAULT_TIMEOUT, MAX_TIMEOUT, Check, run

#: The text of `--help`: what the doctor checks, its exit status, how to run it.
DESCRIPTION = """\
Check this machine before a workshop: the Python version, each package the course
needs (its version, and that it imports), ipywidgets' front end in JupyterLab, that
Jupyter can write to its folders, that the data sets load, that the exercises import,
that a kernel starts and that matplotlib draws inline.

Prints one line per check: ok, or PROBLEM with the fix. Exits with status 1 when
something needs fixing, 0 when the machine is ready. Nothing is downloaded.

Run it with the course's own Python, after `make lab` has installed it once:
    .venv/bin/python -m xentlearn doctor
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The doctor's options, for its own parser or a subcommand's.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> add_arguments(p)
    >>> p.parse_args(["--timeout", "5"]).timeout
    5.0
    """
    parser.add_argument("--timeout", type=seconds(MAX_TIMEOUT), default=DEFAULT_TIMEOUT,
                        metavar="SECONDS",
                        help=f"seconds each check may take (default {DEFAULT_TIMEOUT:g}, at "
                             f"most {MAX_TIMEOUT:g}); raise it on a slow or busy machine")


def run_command(args: argparse.Namespace, checks: Iterable[Check] | None = None) -> int:
    """Run the checks for parsed arguments (``args.timeout``), print them; the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        With ``timeout``, as :func:`add_arguments` parses it.
    checks : iterable of Check, optional
        The checks to run; by default every registered one.

    Returns
    -------
    int
        0 when every check is ok, 1 when something needs fixing, 130 when interrupted.

    Examples
    --------
    >>> run_command(argparse.Namespace(timeout=30.0))     # doctest: +SKIP
    0
    """
    print(f"xentlearn doctor: {_fixes.python()} (Python {sys.version.split()[0]}) in "
          f"{Path.cwd()}", flush=True)
    # IPython warns on stderr, amid the report, when it cannot write to its folder; the
    # "Jupyter folders" line says what to do about that
    warnings.filterwarnings("ignore", message=r"IPython (parent|dir) .* is not a writable")
    try:
        results = run(args.timeout, on_result=lambda r: print(r.line(), flush=True),
                      checks=checks)
    except KeyboardInterrupt:  # the kernel is shut down on the way out
        print("\ninterrupted: not every check ran", file=sys.stderr)
        return 130
    problems = [r for r in results if not r.ok]
    if problems:
        print(f"{len(problems)} of {len(results)} checks found a problem: fix them as "
              "shown, then run the doctor again.")
        return 1
    print(f"All {len(results)} checks ok: this machine is ready for the workshop.")
    return 0


def main(argv: list[str] | None = None, prog: str = "python -m xentlearn doctor",
         checks: Iterable[Check] | None = None) -> int:
    """Print the report; 0 if every check is ok, else 1.

    Parameters
    ----------
    argv : list of str, optional
        The command line after ``doctor``; by default ``sys.argv[1:]``.
    prog : str
        The command's name in ``--help``.
    checks : iterable of Check, optional
        The checks to run; by default every registered one.

    Returns
    -------
    int
        The exit status.

    Examples
    --------
    >>> main(["--timeout", "60"])                         # doctest: +SKIP
    xentlearn doctor: .venv/bin/python (Python 3.11.7) in /home/ana/xentlearn
    ok       Python              3.11.7 (needs >=3.10)
    ...
    All 16 checks ok: this machine is ready for the workshop.
    0
    """
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    return run_command(parser.parse_args(argv), checks)
