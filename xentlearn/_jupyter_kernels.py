"""Jupyter kernels as the package's commands handle them: started, asked, stopped.

The doctor (``python -m xentlearn doctor``) starts the ``python3`` kernel to see that it
works; the class report (``python -m xentlearn progress``) starts one kernel per
learner's notebook. Both need the same few things, written here once:

* :func:`spec_manager`: a kernel-spec manager that knows one kernel, whose spec is
  written to a folder of the caller's (the class report's own kernel);
* :func:`error_text`: what an execute reply says went wrong, ``"ename: evalue"``;
* :func:`stop`: kill a kernel, close its channels and release its files, never raising,
  for a blocking or an asynchronous kernel manager alike (:func:`stop_client` for an
  nbclient client, :func:`stop_now` outside an event loop);
* :class:`Kernel`: one kernel that threads share (the doctor checks it from two).

Jupyter's packages are imported inside the functions, so importing this module is
cheap and works without them.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

__all__ = ["error_text", "spec_manager", "stop", "stop_client", "stop_now", "Kernel"]


def error_text(content: Mapping, outputs: Iterable[Mapping] = (), limit: int | None = None) -> str:
    """What went wrong in a cell, as ``"ename: evalue"``.

    Parameters
    ----------
    content : mapping
        The content of the execute reply.
    outputs : iterable of mapping, optional
        The IOPub messages the execution caused; the first ``error`` among them is
        preferred to the reply (it is what the notebook shows).
    limit : int, optional
        At most this many characters.

    Returns
    -------
    str

    Examples
    --------
    >>> error_text({"status": "error", "ename": "ZeroDivisionError",
    ...             "evalue": "division by zero"})
    'ZeroDivisionError: division by zero'
    >>> error_text({"status": "error"}, limit=3)
    'Err'
    """
    for msg in outputs:
        if msg["header"]["msg_type"] == "error":
            content = msg["content"]
            break
    text = f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"
    return text if limit is None else text[:limit]


def spec_manager(folder: str | Path, name: str, argv: list[str], display_name: str,
                 metadata: Mapping | None = None):
    """A kernel-spec manager that knows one kernel, ``name``, whose spec is in ``folder``.

    The spec (``folder/name/kernel.json``) is written the first time. The kernels the
    user installed are not seen (only ipykernel's own ``python3`` besides), so no other
    spec can take the name.

    Parameters
    ----------
    folder : str or path-like
        Where the spec is written (created if missing).
    name : str
        The kernel's name.
    argv : list of str
        The kernel's command line, with ``"{connection_file}"`` where its connection
        file goes.
    display_name : str
    metadata : mapping, optional
        The spec's metadata, e.g. ``{"supported_encryption": ["curve"]}``.

    Returns
    -------
    jupyter_client.kernelspec.KernelSpecManager

    Examples
    --------
    >>> import sys, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> ksm = spec_manager(folder, "mine", [sys.executable, "-m", "ipykernel_launcher",
    ...                    "-f", "{connection_file}"], "My kernel")
    >>> sorted(ksm.find_kernel_specs())
    ['mine', 'python3']
    """
    from jupyter_client.kernelspec import KernelSpecManager

    spec = Path(folder) / name / "kernel.json"
    if not spec.exists():
        spec.parent.mkdir(parents=True, exist_ok=True)
        spec.write_text(json.dumps({"argv": list(argv), "display_name": display_name,
                                    "language": "python", "metadata": dict(metadata or {})}))
    return KernelSpecManager(kernel_dirs=[str(folder)])


async def stop(km, kc) -> None:
    """Kill the kernel of ``km`` (and what it started), close ``kc``, release the files.

    Never raises. Works with a blocking (``KernelManager``) and an asynchronous
    (``AsyncKernelManager``) manager alike; either argument may be None.

    Examples
    --------
    >>> import asyncio
    >>> asyncio.run(stop(None, None))   # nothing started: nothing to do
    """
    if km is None and kc is None:
        return
    from jupyter_core.utils import ensure_async

    try:
        if km is not None and await ensure_async(km.is_alive()):
            await ensure_async(km.shutdown_kernel(now=True))
    except Exception:  # already gone, or never started
        pass
    finally:
        try:
            if kc is not None:
                kc.stop_channels()
            if km is not None:
                await ensure_async(km.cleanup_resources())
        except Exception:  # the files were released already
            pass


async def stop_client(client) -> None:
    """:func:`stop` for an nbclient client's kernel; a second call does nothing.

    ``client.km`` and ``client.kc`` stay set: a poll that nbclient left running then
    finds the kernel dead and ends quietly.

    Examples
    --------
    >>> import asyncio, types
    >>> client = types.SimpleNamespace(km=None, kc=None)
    >>> asyncio.run(stop_client(client))
    """
    km, kc = client.km, client.kc
    if getattr(client, "_stopped", None) == (id(km), id(kc)):
        return
    client._stopped = (id(km), id(kc))
    await stop(km, kc)


def stop_now(km, kc) -> None:
    """:func:`stop`, from code that runs no event loop (in this thread).

    Examples
    --------
    >>> stop_now(None, None)
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(stop(km, kc))
        return
    raise RuntimeError("stop_now() runs its own event loop: in a coroutine, await stop()")


class Kernel:
    """One kernel, started once and used from several threads, with its stderr kept.

    Parameters
    ----------
    kernel_name : str
        The kernel spec to start, e.g. ``"python3"``.

    Attributes
    ----------
    km, kc
        The kernel manager and its blocking client; None until :meth:`start`.

    Examples
    --------
    >>> kernel = Kernel("python3")
    >>> try:                                              # doctest: +SKIP
    ...     kernel.start(timeout=30)
    ...     content, outputs = kernel.execute("1+1", timeout=10)
    ... finally:
    ...     kernel.close()
    >>> content["status"]                                 # doctest: +SKIP
    'ok'
    """

    def __init__(self, kernel_name: str = "python3"):
        self.kernel_name = kernel_name
        self.km = self.kc = None
        self._dir = tempfile.TemporaryDirectory(prefix="xentlearn-kernel-")
        self._stderr = open(Path(self._dir.name) / "kernel-stderr.txt", "w+b")
        self._lock = threading.Lock()
        self._closed = False

    @property
    def folder(self) -> str:
        """The kernel's working folder, a fresh temporary one."""
        return self._dir.name

    def start(self, timeout: float) -> None:
        """Start the kernel and wait until it answers (``TimeoutError``/``RuntimeError``
        when it does not, ``NoSuchKernel`` without its spec, ``OSError`` when its
        program cannot run)."""
        from jupyter_client.manager import KernelManager

        with self._lock:
            if self._closed:
                raise RuntimeError("the kernel was closed before it started")
            self.km = KernelManager(kernel_name=self.kernel_name)
            self.km.start_kernel(cwd=self._dir.name, stdout=subprocess.DEVNULL,
                                 stderr=self._stderr)
            self.kc = self.km.client()
            self.kc.start_channels()
        self.kc.wait_for_ready(timeout=timeout)

    def execute(self, code: str, timeout: float) -> tuple[dict, list[dict]]:
        """Run ``code``: the reply's content and the IOPub messages it caused
        (``TimeoutError`` when it takes longer than ``timeout``)."""
        outputs: list[dict] = []

        def hook(msg):
            if msg["header"]["msg_type"] in ("execute_result", "display_data", "stream",
                                             "error"):
                outputs.append(msg)

        reply = self.kc.execute_interactive(code, timeout=timeout, output_hook=hook,
                                            store_history=False, allow_stdin=False)
        return reply["content"], outputs

    def alive(self) -> bool:
        """Whether the kernel's process runs."""
        try:
            return bool(self.km is not None and self.km.is_alive())
        except Exception:  # a manager that never launched anything
            return False

    def spec_folder(self) -> str | None:
        """The folder of the kernel's spec, once the manager has found it."""
        try:
            return str(self.km.kernel_spec.resource_dir)
        except Exception:  # no spec found, or the manager never started
            return None

    def stderr_tail(self, limit: int = 160) -> str:
        """The kernel's last line of stderr (at most ``limit`` characters)."""
        try:
            self._stderr.flush()
            text = Path(self._stderr.name).read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError):
            return ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1][:limit] if lines else ""

    def close(self) -> None:
        """Stop the kernel and remove its folder; waits at most 5 s for a start under way."""
        locked = self._lock.acquire(timeout=5)
        try:
            if self._closed:
                return
            self._closed = True
            stop_now(self.km, self.kc)
            self._stderr.close()
            self._dir.cleanup()
        finally:
            if locked:
                self._lock.release()
