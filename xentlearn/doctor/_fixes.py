"""How the doctor words a fix: commands for this Python, paths as the learner types them."""

from __future__ import annotations

import os
import re
import shlex
import sys
from pathlib import Path

#: The fix of a check that ran out of time (and of anything slow), written once.
SLOW_MACHINE = "close other programs and run the doctor again with --timeout 120"


def relative(path: str | os.PathLike) -> str:
    """``path`` relative to the current folder when inside it (``"."`` for the folder itself)."""
    path = Path(path)
    try:
        rel = path.relative_to(Path.cwd())
    except ValueError:
        return str(path)
    return str(rel) if rel.parts else "."


def shown(path: str | os.PathLike) -> str:
    """A path as the learner would type it: relative when inside the current folder, quoted."""
    return shlex.quote(relative(path))


def python() -> str:
    """This Python, as a command."""
    return shown(sys.executable)


def pip(*args: str) -> str:
    """``<this python> -m pip install ARGS``, each argument quoted for the shell."""
    return f"{python()} -m pip install " + " ".join(shlex.quote(a) for a in args)


def reinstall_course() -> str:
    """What to do when xentlearn itself is missing or broken in this Python: from a checkout,
    ``make lab`` (it installs the course into .venv); else the course extra again."""
    if checkout() is not None:
        return ("in the course folder run `make lab` (it installs the course into .venv), "
                "then `.venv/bin/python -m xentlearn doctor`")
    from ..course import INSTALL

    return (pip("--force-reinstall", INSTALL) + " (or the wheel you installed, with "
            f"[course]), then `{python()} -m xentlearn doctor`")


def checkout() -> Path | None:
    """The source checkout this xentlearn runs from (beside a pyproject.toml naming it)."""
    root = Path(__file__).resolve().parents[2]
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    return root if re.search(r'^name\s*=\s*"xentlearn"\s*$', text, re.M) else None


def install_course() -> str:
    """One command that installs (or upgrades) every package the course needs.

    From a checkout, the project's own install line (as ``make lab`` runs it); else the
    course extra, from the course's repository (``xentlearn.course.INSTALL``).
    """
    root = checkout()
    if root is not None:
        return pip("-e", f"{relative(root)}[course]")
    from ..course import INSTALL

    return pip(INSTALL)
