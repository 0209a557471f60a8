"""Benchmark the class report: 30 learners x 8 chapters graded by ``python -m xentlearn progress``.

Run from the repository root (``make bench`` does)::

    .venv/bin/python benchmarks/bench_progress.py [--learners 30] [--keep DIR]

The class is made from the solved notebooks in ``exercises/solutions/``, seeded
so that it is the same on every run: each learner leaves a question right
(75 %), answers it wrongly (15 %: a value off, or a function that returns a
constant) or leaves it unanswered (10 %). Eight notebooks misbehave as learners'
notebooks do: four kernels die after two checks (``os._exit(1)``), one cell
spins and one sleeps past the time limit after three checks, one first cell
imports a package that is not installed, and one file was cut off half-way.

The report runs as an instructor would run it: ``--json`` with the default
``--jobs`` (the number of cores) and ``--time-limit 30`` (each hanging notebook
costs those 30 s). The table gives the wall time, the CPU time of the report and
its kernels, notebooks per second, and the statuses found; every record is
compared with what the class was built to contain (correct, attempted, status,
cell). Exits with status 1 when a record differs or the time is over the target
of 240 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import nbformat
from _table import table  # noqa: E402  (benchmarks/ is on sys.path when run)

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "exercises" / "solutions"
TARGET_SECONDS = 240.0
TIME_LIMIT = 30
CHECK = re.compile(r"^ex\.(q\d+)\.check\((\w+)\)$", re.M)

#: (learner index, chapter) -> how the notebook misbehaves.
TROUBLE = {(3, 1): "crash", (11, 4): "crash", (19, 6): "crash", (27, 8): "crash",
           (7, 2): "spin", (23, 5): "sleep", (15, 3): "setup", (29, 7): "truncated"}
CRASH_AFTER, HANG_AFTER = 2, 3  # checks made before the kernel dies / the cell hangs
HANG_CODE = {"spin": "while True:\n    pass", "sleep": "import time\n\ntime.sleep(3600)"}


def build_notebook(source: Path, target: Path, rng: random.Random, trouble: str | None) -> dict:
    """Write a learner's version of ``source``; return the record the report should give."""
    nb = nbformat.read(source, as_version=4)
    number = int(source.name[:2])
    expected = {"chapter": number, "correct": 0, "attempted": 0, "status": "ok", "cell": None}
    cells, checks = [], 0
    stop_after = {"crash": CRASH_AFTER, "spin": HANG_AFTER, "sleep": HANG_AFTER}.get(trouble)
    counting = True
    for cell in nb.cells:
        m = None
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            m = CHECK.search(cell.source)
            if m:
                draw = rng.random()
                name, arg = m.groups()
                if draw < 0.75:
                    outcome = "correct"
                elif draw < 0.90:
                    outcome = "incorrect"
                    wrong = "answer * 1.5 + 1" if arg == "answer" else "lambda *args: 0.5"
                    cell.source = cell.source.replace(m.group(0), f"ex.{name}.check({wrong})")
                else:
                    outcome = "not attempted"
                    cell.source = cell.source.replace(m.group(0), f"ex.{name}.check(...)")
                if counting and trouble not in ("setup", "truncated"):
                    expected["correct"] += outcome == "correct"
                    expected["attempted"] += outcome != "not attempted"
                checks += 1
        cells.append(cell)
        if stop_after is not None and checks == stop_after and counting and m:
            counting = False
            code = "import os\n\nos._exit(1)" if trouble == "crash" else HANG_CODE[trouble]
            cells.append(nbformat.v4.new_code_cell(code))
            expected["status"] = "crashed" if trouble == "crash" else "timed out"
            expected["cell"] = len(cells)
    if trouble == "setup":
        first = next(i for i, c in enumerate(cells) if c.cell_type == "code")
        cells[first].source = "import xentlearn_helpers  # not installed\n" + cells[first].source
        expected.update(status="setup failed", cell=first + 1)
    nb.cells = cells
    target.parent.mkdir(parents=True, exist_ok=True)
    text = nbformat.writes(nb)
    if trouble == "truncated":
        text = text[: len(text) // 2]
        expected.update(status="unreadable")
    target.write_text(text)
    return expected


def build_class(folder: Path, learners: int) -> dict[tuple[str, int], dict]:
    rng = random.Random(20240611)
    expected = {}
    for i in range(learners):
        learner = f"learner{i + 1:02d}"
        for source in sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb")):
            number = int(source.name[:2])
            expected[(learner, number)] = build_notebook(
                source, folder / learner / source.name, rng, TROUBLE.get((i, number)))
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--keep", type=Path, help="build the class here and keep it")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="xentlearn-class-") as tmp:
        folder = args.keep or Path(tmp) / "class"
        expected = build_class(folder, args.learners)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "xentlearn", "progress", str(folder),
                              "--json", "--time-limit", str(TIME_LIMIT)],
                             capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
        return 1
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    records = json.loads(run.stdout)
    statuses = Counter(r["status"] for r in records)
    wrong = []
    for r in records:
        want = expected.get((r["learner"], r["chapter"]))
        got = {k: r[k] for k in ("chapter", "correct", "attempted", "status", "cell")}
        if want is None or got != want or not r["correct"] <= r["attempted"] <= r["total"]:
            wrong.append(f"  {r['learner']} chapter {r['chapter']:02d}: got {got}, "
                         f"expected {want}")
    if len(records) != len(expected):
        wrong.append(f"  {len(records)} records for {len(expected)} notebooks")
    n = len(records)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    rows = [(f"{args.learners} learners x 8 chapters", n, f"{seconds:.1f}", f"{cpu:.1f}",
             f"{n / seconds:.2f}", statuses["ok"], statuses["crashed"], statuses["timed out"],
             statuses["setup failed"], statuses["unreadable"], n - len(wrong))]
    met = seconds < TARGET_SECONDS
    table("xentlearn class report (python -m xentlearn progress)",
          ("class", "notebooks", "wall s", "CPU s", "nb/s", "ok", "crashed", "timed out",
           "setup failed", "unreadable", "as built"), rows,
          notes=[f"{cores} cores, --jobs {cores} (the default), --time-limit {TIME_LIMIT}",
                 f"CPU s: the report and its kernels; CPU s / {cores} cores = "
                 f"{cpu / cores:.0f} s, the least wall time on otherwise idle cores",
                 f"load average (other processes compete for the cores): "
                 f"{load_before:.1f} at the start, {load:.1f} at the end",
                 f"target: under {TARGET_SECONDS:.0f} s: {'met' if met else 'MISSED'}; "
                 f"records as built: {n - len(wrong)} of {len(expected)}"])
    if wrong:
        print("Records that differ from the class as built:")
        print("\n".join(wrong[:20]))
    return 0 if met and not wrong else 1


if __name__ == "__main__":
    sys.exit(main())
