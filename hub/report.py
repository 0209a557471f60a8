"""The class report over the learners' work on the hub.

    python hub/report.py [--csv | --json] [--jobs N] [--time-limit S]   # as root

copies each learner's exercise notebooks (``$HUB_DIR/homes/NAME/course/exercises``) into a
fresh folder of learner folders and runs ``python -m xentlearn progress`` over it as the
unprivileged user ``nobody``: the report executes the learners' code, and so it runs on
copies, without root's rights and without access to the learners' homes.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from accounts import learners  # noqa: E402
from settings import REPO, Settings, closed_dirs, learner_paths, venv_bin  # noqa: E402

RUN_AS = "nobody"


def copy_work(settings: Settings, into: Path) -> list[str]:
    """One folder per learner under ``into`` with copies of their exercise notebooks."""
    names = []
    for user in sorted(learners(settings), key=lambda u: u.pw_name):
        exercises = Path(user.pw_dir) / "course" / "exercises"
        target = into / user.pw_name
        target.mkdir()
        for notebook in sorted(exercises.glob("[0-9][0-9]_*.ipynb")):
            shutil.copyfile(notebook, target / notebook.name)
        names.append(user.pw_name)
    return names


def run(settings: Settings, options: list[str]) -> subprocess.CompletedProcess:
    if os.geteuid() != 0:
        raise SystemExit("the report reads every learner's home: run it as root")
    closed = closed_dirs(learner_paths())
    if closed:
        raise SystemExit(f"{RUN_AS} cannot reach the project's environment through "
                         + ", ".join(map(str, closed)) + " (chmod o+x them, see README)")
    runner = pwd.getpwnam(RUN_AS)
    with tempfile.TemporaryDirectory(prefix="xentlearn-class-") as tmp:
        base = Path(tmp)
        work, home = base / "class", base / "home"
        work.mkdir()
        home.mkdir()
        copy_work(settings, work)
        for path in [base, *base.rglob("*")]:
            os.chown(path, runner.pw_uid, runner.pw_gid)
        env = {"HOME": str(home), "TMPDIR": str(home), "PATH": f"{venv_bin()}:/usr/bin:/bin",
               "MPLBACKEND": "Agg", "LANG": "C.UTF-8"}
        command = ["runuser", "-u", RUN_AS, "--", "env", *(f"{k}={v}" for k, v in env.items()),
                   str(venv_bin() / "python"), "-m", "xentlearn", "progress", str(work),
                   *options]
        return subprocess.run(command, cwd=str(REPO), capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python hub/report.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    form = parser.add_mutually_exclusive_group()
    form.add_argument("--csv", action="store_true")
    form.add_argument("--json", action="store_true")
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--time-limit", type=float)
    args = parser.parse_args(argv)
    options = ["--csv"] if args.csv else ["--json"] if args.json else []
    if args.jobs:
        options += ["--jobs", str(args.jobs)]
    if args.time_limit:
        options += ["--time-limit", str(args.time_limit)]
    result = run(Settings.from_env(), options)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
