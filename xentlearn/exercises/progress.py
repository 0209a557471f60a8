"""Execute exercise notebooks headlessly and tabulate each chapter's progress.

Used by ``python -m xentlearn progress [PATH] [--json]``. Each notebook runs in
a fresh kernel (nbclient) with a time limit; after its last cell the checker's
record of results is read back from the kernel.
"""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .chapters import CHAPTERS

__all__ = ["NotebookProgress", "run_notebook", "collect", "format_table"]

MARKER = "XL-PROGRESS "
REPORT_CELL = (
    "import json as _xl_json\n"
    "from xentlearn.exercises.checker import RESULTS as _xl_results\n"
    f"print({MARKER!r} + _xl_json.dumps({{k: r.status for k, r in _xl_results.items()}}))"
)


@dataclass
class NotebookProgress:
    """One notebook's result: questions correct / attempted / total, or why it could not run."""

    path: str
    chapter: int | None
    title: str
    total: int
    correct: int = 0
    attempted: int = 0
    statuses: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None


def _chapter_of(path: Path) -> int | None:
    m = re.match(r"(\d\d)_", path.name)
    return int(m.group(1)) if m and int(m.group(1)) in CHAPTERS else None


def run_notebook(path: Path, time_limit: float = 120.0) -> NotebookProgress:
    """Execute one exercise notebook and read back its checks' statuses."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError

    number = _chapter_of(path)
    title = CHAPTERS[number][1] if number else path.stem
    total = 0
    if number:
        from . import chapter

        total = len(chapter(number).questions)
    result = NotebookProgress(str(path), number, title, total)
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # unreadable JSON, missing file, not a notebook
        result.error = f"cannot read {path}: {type(exc).__name__}: {exc}"
        return result
    nb.cells.append(nbformat.v4.new_code_cell(REPORT_CELL))
    client = NotebookClient(nb, timeout=time_limit, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                remaining = time_limit - (time.perf_counter() - start)
                if remaining <= 0:
                    raise CellTimeoutError(f"time limit of {time_limit:g} s reached")
                client.timeout = max(int(remaining), 1)
                client.execute_cell(cell, index)
    except CellTimeoutError:
        result.error = f"stopped after the time limit of {time_limit:g} s"
    except Exception as exc:
        result.error = f"the notebook could not run: {type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - start
    for out in nb.cells[-1].get("outputs", []):
        text = out.get("text", "")
        if out.get("output_type") == "stream" and MARKER in text:
            result.statuses = json.loads(text.split(MARKER, 1)[1])
    result.correct = sum(s == "correct" for s in result.statuses.values())
    result.attempted = sum(s != "not attempted" for s in result.statuses.values())
    return result


def collect(target: Path, time_limit: float = 120.0, log=sys.stderr) -> list[NotebookProgress]:
    """Run every ``NN_*.ipynb`` in a folder (or one notebook), reporting progress to ``log``."""
    if target.is_dir():
        paths = sorted(p for p in target.glob("*.ipynb") if _chapter_of(p))
    else:
        paths = [target]
    results = []
    for i, path in enumerate(paths, start=1):
        if log is not None:
            print(f"[{i}/{len(paths)}] {path.name} ...", end="", file=log, flush=True)
        r = run_notebook(path, time_limit)
        if log is not None:
            print(f" {r.seconds:.1f} s" + (f" ({r.error})" if r.error else ""), file=log,
                  flush=True)
        results.append(r)
    return results


def format_table(results: list[NotebookProgress]) -> str:
    """A plain-text table: chapter, correct, attempted, total, and a total row."""
    rows = [("chapter", "correct", "attempted", "total")]
    for r in results:
        name = f"{r.chapter:02d} {r.title}" if r.chapter else r.title
        if r.error:
            name += "  (" + r.error.split(":")[0] + ")"
        rows.append((name, str(r.correct), str(r.attempted), str(r.total)))
    rows.append(("total", str(sum(r.correct for r in results)),
                 str(sum(r.attempted for r in results)), str(sum(r.total for r in results))))
    width = max(len(row[0]) for row in rows)
    lines = [f"{row[0]:<{width}}  {row[1]:>7}  {row[2]:>9}  {row[3]:>5}" for row in rows]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(len(lines) - 1, "-" * len(lines[0]))
    return "\n".join(lines)


def as_json(results: list[NotebookProgress]) -> str:
    return json.dumps({
        "notebooks": [asdict(r) for r in results],
        "total": {"correct": sum(r.correct for r in results),
                  "attempted": sum(r.attempted for r in results),
                  "total": sum(r.total for r in results)},
    }, indent=2)
