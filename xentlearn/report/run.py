"""Running learners' exercise notebooks, each in a fresh kernel, and counting their checks.

Each notebook runs top to bottom in a fresh kernel (nbclient), from its own
folder, with the environment variable ``XENTLEARN_RESULTS_LOG`` naming a fresh
file: the checker appends every result to it as it happens
(:func:`xentlearn.exercises.record.record`), so the report keeps the results
earned before a kernel died or a cell ran past the time limit. On Linux the
kernel processes are forked from one that has imported ipykernel once, which
halves the CPU time of their start (see ``_forkserver``).

Running a notebook executes its code with the rights of whoever runs the
report: run it on copies, as an unprivileged user or in a container (the room's
report runs each learner's copies as that learner, see ``hub/report.py``).
"""

from __future__ import annotations

import asyncio
import functools
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from .notebooks import Unreadable, read_notebook
from .results import NotebookResult, questions, tally

__all__ = ["KERNEL_NAME", "KERNEL_CODE", "START_ATTEMPTS", "grade"]

#: Extra arguments of every kernel the report starts: the command history stays in memory.
KERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:",)

#: Where CurveZMQ cannot encrypt the kernels' traffic (see :func:`_encryption`), these
#: arguments keep ipykernel from warning, once per notebook, that it talks to the
#: report over local TCP without encryption.
QUIET_ARGUMENTS = ("--IPKernelApp.log_level=ERROR",)

#: The report's kernel: ipykernel as ``python -m ipykernel_launcher`` starts it, but
#: without its debugger (debugpy), which nobody attaches to a headless run and which
#: takes a fifth of the CPU time of a kernel's start. Its first lines are the fork
#: server's ``PRELUDE`` (``_forkserver``), which starts the same kernel by forking.
KERNEL_NAME = "xentlearn-report"
KERNEL_CODE = ("import sys\n"
               "if sys.path[0] == '':\n"  # as ipykernel_launcher: not the cwd while starting
               "    del sys.path[0]\n"
               "sys.modules['debugpy'] = None\n"
               "from ipykernel import kernelapp\n"
               "kernelapp.launch_new_instance()\n")

#: How often a kernel that fails to start is tried again before "setup failed".
START_ATTEMPTS = 3


def _client_class():
    from nbclient import NotebookClient

    class ReportClient(NotebookClient):
        """Keeps no outputs: the results come from the log, and a learner's cell that
        prints without end cannot fill the memory of whoever runs the report."""

        def output(self, outs, msg, display_id, cell_index):
            return None

    return ReportClient


def _snippet(source: str, width: int = 60) -> str:
    """The text's non-empty lines joined by "; ", shortened to ``width`` characters."""
    line = "; ".join(s.strip() for s in source.splitlines() if s.strip())
    return line if len(line) <= width else line[:width - 3] + "..."


def _setup_cells(cells: list, code: list[int]) -> set[int]:
    """The code cells before the first check (at least the first code cell): the setup."""
    first_check = next((i for i in code if ".check(" in cells[i].source), None)
    setup = {i for i in code if first_check is None or i < first_check}
    return setup or set(code[:1])


def _kernel_spec_manager(folder: Path):
    """A kernel-spec manager that knows the report's kernel, written to ``folder``."""
    from .._jupyter_kernels import spec_manager

    return spec_manager(folder, KERNEL_NAME,
                        [sys.executable, "-c", KERNEL_CODE, "-f", "{connection_file}"],
                        "xentlearn progress report", {"supported_encryption": ["curve"]})


@functools.cache
def _encryption() -> bool:
    """Whether the kernels' traffic can be encrypted (CurveZMQ keys from the kernel manager).

    Encrypted, ipykernel has no reason to warn that it runs over TCP without
    encryption. That needs pyzmq with CurveZMQ, a jupyter_client that hands out the
    keys (``KernelManager.transport_encryption``) and an ipykernel that uses them (its
    own kernel spec, ``python3``, says so).
    """
    try:
        import zmq
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import KernelManager

        if not zmq.has("curve") or "transport_encryption" not in KernelManager.class_traits():
            return False
        supported = KernelSpecManager().get_kernel_spec("python3").metadata.get(
            "supported_encryption", ())
        return "curve" in ([supported] if isinstance(supported, str) else supported)
    except Exception:  # no python3 kernel spec, an older jupyter_client: no encryption
        return False


def _use_fork_server(km, server) -> None:
    """Have ``km`` start its kernel through the fork server (see ``_forkserver``)."""
    from ._forkserver import ForkProvisioner

    km.kernel_id = km.kernel_id or str(uuid.uuid4())
    provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    provisioner.server = server
    km.provisioner = provisioner


def _kernel_env(log: Path, jobs: int) -> dict[str, str]:
    from ..exercises.record import LOG_ENV_VAR

    env = dict(os.environ)
    env[LOG_ENV_VAR] = str(log)
    env["XENTLEARN_PROGRESS"] = "0"  # no training progress bars: nobody watches these kernels
    if jobs > 1:  # the kernels share the cores: one BLAS thread each
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, "1")
    return env


class _Run:
    """One notebook's run: its cells, the code cells to run, the setup cells, and the
    errors its cells raised (by cell index), filled in while it runs."""

    def __init__(self, nb, path: Path) -> None:
        self.nb, self.path = nb, path
        self.cells = list(nb.cells)
        self.code = [i for i, c in enumerate(self.cells)
                     if c.cell_type == "code" and c.source.strip()]
        self.setup = _setup_cells(self.cells, self.code)
        self.errors: dict[int, str] = {}
        self.current: int | None = None

    def source(self, index: int | None) -> str:
        return "" if index is None else _snippet(self.cells[index].source)


def _new_client(run: _Run):
    """An nbclient that keeps no outputs and notes each cell's error in ``run.errors``."""
    from .._jupyter_kernels import error_text

    def on_error(cell, cell_index, execute_reply):
        run.errors[cell_index] = error_text(execute_reply.get("content", {}))

    encrypted = _encryption()
    client = _client_class()(run.nb, kernel_name=KERNEL_NAME, allow_errors=True,
                             shutdown_kernel="immediate", on_cell_error=on_error,
                             extra_arguments=list(KERNEL_ARGUMENTS)
                             + ([] if encrypted else list(QUIET_ARGUMENTS)),
                             resources={"metadata": {"path": str(run.path.parent)}})
    client.encrypted = encrypted
    return client


async def _start_kernel(client, run: _Run, log: Path, *, jobs: int, logs: Path,
                        server=None) -> str | None:
    """Start the notebook's kernel, trying :data:`START_ATTEMPTS` times; why it did not
    start (None when it did)."""
    from .._jupyter_kernels import stop_client

    for attempt in range(1, START_ATTEMPTS + 1):
        try:
            client.km = client.kernel_manager_class(
                kernel_name=KERNEL_NAME,
                kernel_spec_manager=_kernel_spec_manager(logs / "kernels"),
                **({"transport_encryption": "auto"} if client.encrypted else {}))
            if server is not None:
                _use_fork_server(client.km, server)
            await client.async_start_new_kernel(cwd=str(run.path.parent),
                                                env=_kernel_env(log, jobs),
                                                stdout=subprocess.DEVNULL)
            await client.async_start_new_kernel_client()
            return None
        except Exception as exc:  # e.g. a port taken by another kernel meanwhile
            await stop_client(client)
            if attempt == START_ATTEMPTS:
                return (f"the kernel did not start ({attempt} attempts): "
                        f"{type(exc).__name__}: {_snippet(str(exc), 100)}")
    return None


async def _execute(client, run: _Run, result: NotebookResult, time_limit: float) -> None:
    """Run the code cells in order until the end, the time limit or the kernel's death.

    A setup cell that raises makes the status "setup failed" and the rest still runs:
    whatever works is counted."""
    from nbclient.exceptions import CellTimeoutError

    deadline = time.monotonic() + time_limit
    client.timeout_func = lambda cell: max(deadline - time.monotonic(), 0.001)
    for index in run.code:
        run.current = index
        if time.monotonic() >= deadline:
            raise CellTimeoutError(f"time limit of {time_limit:g} s reached")
        await client.async_execute_cell(run.cells[index], index)
        if index in run.setup and index in run.errors and result.status == "ok":
            result.status = "setup failed"
            result.error = (f"{_snippet(run.errors[index], 100)} (in: "
                            f"{run.source(index)})")
            result.cell = index + 1


def _stopped(result: NotebookResult, exc: Exception, run: _Run, time_limit: float) -> None:
    """Sort what stopped a run: the kernel died ("crashed"), the time limit ("timed out"),
    anything else ("crashed", the kernel is lost). These take precedence over a failed
    setup."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    where = run.source(run.current)
    if isinstance(exc, DeadKernelError):
        result.status, result.error = "crashed", f"the kernel died while running: {where}"
    elif isinstance(exc, CellTimeoutError):
        result.status = "timed out"
        result.error = f"still running after the time limit of {time_limit:g} s: {where}"
    else:
        result.status = "crashed"
        result.error = f"the run stopped: {type(exc).__name__}: {_snippet(str(exc))}"
    result.cell = None if run.current is None else run.current + 1


async def _run(learner: str, number: int, path: Path, *, time_limit: float, jobs: int,
               starting: asyncio.Semaphore, running: asyncio.Semaphore,
               logs: Path, server=None) -> NotebookResult:
    """Run one notebook. At most ``jobs`` kernels start at once and at most ``jobs`` run
    cells at once, so the next notebooks' kernels start while these run.

    A setup cell (a code cell before the first check) that raises makes the status
    "setup failed"; the kernel dying ("crashed") or the time limit ("timed out")
    stop the run and take precedence. The notebook is read first: one that cannot be
    ("unreadable") starts no kernel."""
    from .._jupyter_kernels import stop_client
    from ..exercises.record import read_log

    own = questions(number)
    result = NotebookResult(learner, number, str(path), total=len(own))
    try:
        run = _Run(read_notebook(path), path)
    except Unreadable as exc:
        result.status, result.error, result.cell = "unreadable", str(exc), exc.cell
        return result
    handle, name = tempfile.mkstemp(prefix=f"{number:02d}-", suffix=".jsonl", dir=logs)
    os.close(handle)
    log = Path(name)
    client = _new_client(run)
    start = time.perf_counter()
    async with starting:
        try:
            failed = await _start_kernel(client, run, log, jobs=jobs, logs=logs, server=server)
            if failed:
                result.status, result.error = "setup failed", failed
                return result
            await running.acquire()
        except BaseException:  # cancelled (Ctrl-C) while starting or waiting: not needed
            await stop_client(client)
            raise
    try:
        start = time.perf_counter()
        await _execute(client, run, result, time_limit)
    except Exception as exc:  # the run stops: the kernel is lost
        _stopped(result, exc, run, time_limit)
    finally:
        running.release()
        await stop_client(client)
        result.seconds = time.perf_counter() - start
    tally(result, read_log(log), own)
    log.unlink(missing_ok=True)
    return result


def grade(notebooks: Sequence[tuple[str, int, Path]], *, time_limit: float = 120.0,
          jobs: int = 1, on_done: Callable[[NotebookResult], None] | None = None,
          fork: bool | None = None) -> list[NotebookResult]:
    """Run every notebook, ``jobs`` at a time, each in its own fresh kernel.

    Parameters
    ----------
    notebooks : sequence of (str, int, Path)
        Learner, chapter and notebook, as from :func:`find_notebooks`.
    time_limit : float
        Seconds each notebook's cells may run in all (its kernel's start not
        included); a notebook still running then is stopped: "timed out".
    jobs : int
        Notebooks run at once. The kernels of the next ``jobs`` notebooks start
        while these run. A notebook is read only then, when its turn comes: at most
        ``2 * jobs`` are in memory at once.
    on_done : callable, optional
        Called with each result as soon as its notebook is done.
    fork : bool, optional
        Whether the kernels are forked from a process that has imported ipykernel
        already (half the CPU time of a kernel's start; a new process all the same).
        Default: where the system allows (Linux); False starts every kernel as
        ``python -m ipykernel_launcher`` would.

    Returns
    -------
    list of NotebookResult
        In the order of ``notebooks``.

    Examples
    --------
    >>> from xentlearn.report import find_notebooks
    >>> notebooks, _ = find_notebooks("exercises/solutions/01_shannon_entropy.ipynb")
    >>> [r] = grade(notebooks, time_limit=60)
    >>> r.learner, r.chapter, r.correct, r.attempted, r.total, r.status
    ('solutions', 1, 5, 5, 5, 'ok')
    """
    if not (time_limit > 0 and time_limit < float("inf")):
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    if int(jobs) < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs!r}")
    jobs = int(jobs)

    from ._forkserver import ForkServer, available

    async def main() -> list[NotebookResult]:
        starting, running = asyncio.Semaphore(jobs), asyncio.Semaphore(jobs)
        turns = asyncio.Semaphore(2 * jobs)  # the notebooks starting and those running
        server = ForkServer() if (available() if fork is None else fork) else None
        with tempfile.TemporaryDirectory(prefix="xentlearn-progress-") as logs:

            async def one(learner, number, path):
                async with turns:
                    r = await _run(learner, number, Path(path), time_limit=time_limit,
                                   jobs=jobs, starting=starting, running=running,
                                   logs=Path(logs), server=server)
                    if on_done is not None:
                        on_done(r)
                return r

            try:
                return list(await asyncio.gather(*(one(*item) for item in notebooks)))
            finally:
                if server is not None:
                    await server.close()

    return asyncio.run(main())
