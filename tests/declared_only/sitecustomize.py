"""Run a Python process as if only xentlearn's declared requirements were installed.

Put this folder on ``PYTHONPATH`` (every child process, kernels included, inherits it)
and name the extras in ``XENTLEARN_DECLARED_EXTRAS`` (comma-separated, may be empty).
The packages allowed are the standard library, xentlearn, and the closure of
xentlearn's requirements with those extras: each requirement's own requirements,
recursively, as their metadata declares them. Importing a module of any other
installed distribution raises ``ModuleNotFoundError``, exactly as if it were absent,
and is written to the file named by ``XENTLEARN_BLOCKED_LOG`` (when set).

Modules that belong to no distribution (this folder, the tests) import as usual.
"""

from __future__ import annotations

import importlib.abc
import importlib.metadata as metadata
import os
import re
import sys

from packaging.markers import default_environment
from packaging.requirements import Requirement


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_closure(root: str, extras: set[str]) -> set[str]:
    """Normalised names of ``root`` and everything its requirements (with ``extras``) pull in."""
    seen: set[str] = set()
    todo = [(root, frozenset(extras))]
    while todo:
        name, wanted = todo.pop()
        key = (_norm(name), wanted)
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            env = default_environment()
            if req.marker is not None and not any(
                    req.marker.evaluate({**env, "extra": extra}) for extra in wanted | {""}):
                continue
            todo.append((req.name, frozenset(req.extras)))
    return {name for name, _ in seen}


class _DeclaredOnly(importlib.abc.MetaPathFinder):
    def __init__(self, allowed: set[str], log: str | None):
        self.allowed = allowed
        self.log = log
        self.owners = metadata.packages_distributions()

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in sys.stdlib_module_names or top in sys.builtin_module_names:
            return None
        dists = {_norm(d) for d in self.owners.get(top, ())}
        if not dists or dists & self.allowed:
            return None
        if self.log:
            with open(self.log, "a", encoding="utf-8") as f:
                f.write(f"{top} ({', '.join(sorted(dists))})\n")
        raise ModuleNotFoundError(
            f"No module named {top!r} ({', '.join(sorted(dists))} is not declared)", name=top)


def _install() -> None:
    extras = os.environ.get("XENTLEARN_DECLARED_EXTRAS")
    if extras is None:
        return
    wanted = {e.strip() for e in extras.split(",") if e.strip()}
    allowed = requirement_closure("xentlearn", wanted)
    sys.meta_path.insert(0, _DeclaredOnly(allowed, os.environ.get("XENTLEARN_BLOCKED_LOG")))


_install()
