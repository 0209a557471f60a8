"""Memory of one learner's kernels through a session plan, for the README's sizing rule.

    .venv/bin/python scripts/measure_room_memory.py [half-day | full-day]

Reads the plan's notebooks from instructor/plans.md (chapters and exercise sets, in order),
starts one kernel per notebook as a learner does (one tab each), runs every code cell, and
after each notebook prints the resident memory (RSS) and proportional memory (PSS, shared
libraries split between processes: what a room of learners adds up to) of all kernels open
so far. No kernel is closed: this is a learner who never culls, the worst case.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[1]


def plan_notebooks(plan: str) -> list[Path]:
    text = (ROOT / "instructor" / "plans.md").read_text()
    part = text.split(f"<!-- plan: {plan} ", 1)[1].split("\n\n", 1)[0]
    found = re.findall(r"\]\(\.\./((?:notebooks|exercises)/[^)]+\.ipynb)\)", part)
    return [ROOT / p for p in dict.fromkeys(found)]


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process in MB, from /proc/PID/smaps_rollup."""
    fields = dict(line.split(":", 1) for line in
                  Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
    return (int(fields["Rss"].split()[0]) / 1024, int(fields["Pss"].split()[0]) / 1024)


def run(path: Path) -> KernelManager:
    km = KernelManager(kernel_name="python3")
    path_env = f"{Path(sys.executable).parent}:/usr/bin:/bin"
    km.start_kernel(cwd=str(path.parent), env={"MPLBACKEND": "Agg", "PATH": path_env})
    client = km.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "code":
            client.execute_interactive(cell.source, timeout=600, output_hook=lambda msg: None)
    client.stop_channels()
    return km


def main(plan: str = "half-day") -> None:
    kernels: list[KernelManager] = []
    try:
        for path in plan_notebooks(plan):
            kernels.append(run(path))
            rss, pss = map(sum, zip(*(memory_mb(k.provisioner.process.pid) for k in kernels),
                                    strict=True))
            print(f"{path.parent.name}/{path.name}: {len(kernels)} kernels, "
                  f"RSS {rss:.0f} MB, PSS {pss:.0f} MB", flush=True)
    finally:
        for km in kernels:
            km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main(*sys.argv[1:2])
