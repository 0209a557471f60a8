"""A memory limit per learner: a cgroup for each learner's server and kernels.

cgroup v2 (``memory.max``) where the machine's cgroup tree has the memory controller, else
cgroup v1's memory hierarchy (``memory.limit_in_bytes``); without either (a container
that mounts the cgroup tree read-only) there is no limit and the hub says so in its log.
"""

from __future__ import annotations

from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
CGROUP_NAME = "xentlearn-hub"


def memory_cgroup(name: str) -> Path | None:
    """The folder of a new (or reused) memory cgroup for ``name``, or None if the machine
    offers none we can write (no cgroup v2 memory controller, no v1 memory hierarchy)."""
    v2 = CGROUP_ROOT / "cgroup.controllers"
    if v2.exists() and "memory" in v2.read_text().split():
        parent = CGROUP_ROOT / CGROUP_NAME
        try:
            parent.mkdir(exist_ok=True)
            (CGROUP_ROOT / "cgroup.subtree_control").write_text("+memory")
            (parent / "cgroup.subtree_control").write_text("+memory")
            (parent / name).mkdir(exist_ok=True)
            return parent / name
        except OSError:
            return None
    v1 = CGROUP_ROOT / "memory"
    if (v1 / "memory.limit_in_bytes").exists():
        try:
            (v1 / CGROUP_NAME / name).mkdir(parents=True, exist_ok=True)
            return v1 / CGROUP_NAME / name
        except OSError:
            return None
    return None


def set_memory_limit(cgroup: Path, limit: int) -> None:
    if (cgroup / "memory.max").exists():
        (cgroup / "memory.max").write_text(str(limit))
        if (cgroup / "memory.swap.max").exists():
            (cgroup / "memory.swap.max").write_text("0")
    else:
        (cgroup / "memory.limit_in_bytes").write_text(str(limit))
        swap = cgroup / "memory.memsw.limit_in_bytes"
        if swap.exists():
            swap.write_text(str(limit))


def cgroup_dirs(name: str) -> list[Path]:
    """Where a learner's cgroup may be (v2, v1)."""
    return [CGROUP_ROOT / CGROUP_NAME / name, CGROUP_ROOT / "memory" / CGROUP_NAME / name]


def remove_cgroup(name: str) -> None:
    """Remove a learner's (empty) cgroup, and the hub's when no learner's is left."""
    for path in cgroup_dirs(name):
        for folder in (path, path.parent):
            try:
                folder.rmdir()
            except OSError:
                pass
