"""The course as learners get it, and each learner's copy of it.

    python -m hub.course publish     # as root: notebooks/ and exercises/ into $HUB_DIR/course.git

``publish`` commits the chapters (``notebooks/``) and the exercises (``exercises/``, without
their solutions) to a git repository the hub serves from the local disk, one commit per change.
On every start of a learner's server the hub pulls it into ``~/course`` with nbgitpuller,
as the learner: the first time this is a copy; later it merges the instructor's updates
(a fixed typo, a new question) and keeps what the learner changed. A running learner can
also pull with the link ``/hub/user-redirect/git-pull?repo=$HUB_DIR/course.git&branch=main``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .settings import REPO, Settings, venv_bin

BRANCH = "main"
FOLDERS = ("notebooks", "exercises")
LEAVE_OUT = ("solutions", ".ipynb_checkpoints", "__pycache__")
#: Who the course's commits are by (no global git identity is needed).
GIT_ENV = {"GIT_AUTHOR_NAME": "xentlearn", "GIT_AUTHOR_EMAIL": "course@xentlearn.invalid",
           "GIT_COMMITTER_NAME": "xentlearn", "GIT_COMMITTER_EMAIL": "course@xentlearn.invalid"}


def git_env(settings: Settings) -> dict[str, str]:
    """Environment for learners' git: the hub's git settings (``$HUB_DIR/gitconfig``) trust
    the course repository, which root owns (git refuses another user's repository)."""
    return {"GIT_CONFIG_GLOBAL": str(settings.hub_dir / "gitconfig")}


def write_gitconfig(settings: Settings) -> None:
    path = settings.hub_dir / "gitconfig"
    path.write_text(f"[safe]\n\tdirectory = {settings.course_repo}\n"
                    "[user]\n\tname = xentlearn learner\n\temail = learner@xentlearn.invalid\n")
    path.chmod(0o644)


def _git(*args: str, cwd: Path, env: dict | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV, **(env or {})}).stdout.strip()


def publish(settings: Settings, source: Path = REPO, message: str | None = None) -> str | None:
    """Commit ``source``'s notebooks/ and exercises/ (no solutions) to the course repository;
    the new commit's hash, or None when nothing changed."""
    repo = settings.course_repo
    settings.make_dirs()
    write_gitconfig(settings)
    if not (repo / "HEAD").exists():
        _git("init", "--quiet", "--bare", f"--initial-branch={BRANCH}", str(repo),
             cwd=settings.hub_dir)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "course"
        has_commits = subprocess.run(["git", "rev-parse", "--verify", "--quiet", BRANCH],
                                     cwd=repo, capture_output=True).returncode == 0
        if has_commits:
            _git("clone", "--quiet", "--branch", BRANCH, str(repo), str(work), cwd=Path(tmp))
        else:
            _git("init", "--quiet", f"--initial-branch={BRANCH}", str(work), cwd=Path(tmp))
        for folder in FOLDERS:
            shutil.rmtree(work / folder, ignore_errors=True)
            shutil.copytree(source / folder, work / folder,
                            ignore=shutil.ignore_patterns(*LEAVE_OUT))
        _git("add", "--all", *FOLDERS, cwd=work)
        if not _git("status", "--porcelain", cwd=work):
            return None
        _git("commit", "--quiet", "-m", message or "Course update", cwd=work)
        _git("push", "--quiet", str(repo), f"HEAD:{BRANCH}", cwd=work)
        commit = _git("rev-parse", "HEAD", cwd=work)
    for path in [repo, *repo.rglob("*")]:  # readable by learners, writable by root only
        path.chmod(0o755 if path.is_dir() else 0o644)
    return commit


def pull_command(settings: Settings, home: Path) -> list[str]:
    """nbgitpuller's command that copies or updates ``home/course`` (run as the learner)."""
    return [str(venv_bin() / "gitpuller"), str(settings.course_repo), BRANCH,
            str(home / "course")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    pub = sub.add_parser("publish", help="commit the course to the hub's course repository")
    pub.add_argument("--message", "-m", help="the commit message learners' copies record")
    pub.add_argument("--source", type=Path, default=REPO,
                     help="the folder holding notebooks/ and exercises/ (default: this project)")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    commit = publish(settings, source=args.source, message=args.message)
    print(f"course in {settings.course_repo}: "
          + (f"new commit {commit[:10]}" if commit else "unchanged"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
