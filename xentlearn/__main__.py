"""Command line: ``python -m xentlearn progress [PATH] [--json] [--time-limit S]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xentlearn",
                                     description="The xentlearn course's command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    prog = sub.add_parser("progress", help="run exercise notebooks and tabulate progress")
    prog.add_argument("path", nargs="?", default="exercises",
                      help="a folder of exercise notebooks or one notebook (default: exercises)")
    prog.add_argument("--json", action="store_true", help="print JSON instead of a table")
    prog.add_argument("--time-limit", type=float, default=120.0,
                      help="seconds each notebook may run (default 120)")
    args = parser.parse_args(argv)

    from .exercises.progress import as_json, collect, format_table

    target = Path(args.path)
    if not target.exists():
        print(f"error: {target} does not exist; give a folder of exercise notebooks or a "
              "notebook file", file=sys.stderr)
        return 2
    results = collect(target, args.time_limit)
    if not results:
        print(f"error: no exercise notebooks (NN_name.ipynb) in {target}", file=sys.stderr)
        return 2
    print(as_json(results) if args.json else format_table(results))
    unreadable = [r for r in results if r.error and r.error.startswith("cannot read")]
    for r in unreadable:
        print(f"error: {r.error}", file=sys.stderr)
    return 1 if unreadable else 0


if __name__ == "__main__":
    sys.exit(main())
