"""Fresh kernels for the class report, forked from a process that has already imported ipykernel.

Starting a Python kernel costs about half a second of CPU time, most of it
importing ipykernel, IPython, pyzmq and tornado; for a class of 240 notebooks
that is most of the report's time. On Linux the report therefore starts one
*fork server*: a process that imports ipykernel once, runs no code of anyone's
and forks a new kernel process for each notebook. Each kernel is still a new
process, in its own session (process group), with the notebook's folder as
working directory and its own environment; it has only skipped the imports.
The report talks to it, interrupts and kills it as it would a kernel started
with ``python -m ipykernel_launcher``.

Where ``fork`` is not available or the fork server fails, kernels are started the
usual way (see :class:`ForkProvisioner`).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from typing import Any

from jupyter_client.provisioning.local_provisioner import LocalProvisioner

#: The first lines of every kernel the report starts: as ``ipykernel_launcher``, the
#: working directory is not on ``sys.path`` while ipykernel is imported; debugpy (the
#: debugger), which nobody attaches to a headless run, is not imported at all.
PRELUDE = ("import sys\n"
           "if sys.path[0] == '':\n"
           "    del sys.path[0]\n"
           "sys.modules['debugpy'] = None\n")

#: The fork server. It reads one JSON request per line (``args``, ``env``, ``cwd``)
#: and answers with the new kernel's process id; it exits when its input closes.
SERVER_CODE = PRELUDE + r'''
import json, os, signal, threading
os.environ["JPY_PARENT_PID"] = str(os.getpid())  # the kernels' parent: this process
from ipykernel import kernelapp
import ipykernel.ipkernel, ipykernel.zmqshell  # noqa: F401 - imported by every kernel

if threading.active_count() != 1:  # forking a process with threads is not safe
    sys.exit(3)


def reap(signum, frame):
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


signal.signal(signal.SIGCHLD, reap)
signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the report, which stops us
answers = sys.stdout
for line in sys.stdin:
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setsid()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)
            os.dup2(null, 1)  # not the answers' pipe; stderr stays the report's
            os.close(null)
            sys.stdin = open(os.devnull)
            os.chdir(request["cwd"])
            os.environ.clear()
            os.environ.update(request["env"])
            sys.argv = ["-c", *request["args"]]
            kernelapp.launch_new_instance()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    answers.write(f"{pid}\n")
    answers.flush()
'''


def available() -> bool:
    """Whether kernels can be forked here: Linux, with ``os.fork`` and ``/proc``."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and os.path.isdir("/proc")


class ForkServer:
    """The process that forks the kernels; started on first use, stopped by :meth:`close`."""

    def __init__(self) -> None:
        self._process: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()
        self.broken = not available()

    async def fork(self, args: list[str], env: dict[str, str], cwd: str) -> int:
        """Start a kernel with command-line ``args`` (after ``python -c CODE``); its pid."""
        async with self._lock:
            if self._process is None:
                self._process = await asyncio.create_subprocess_exec(
                    sys.executable, "-c", SERVER_CODE, stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE)
            assert self._process.stdin is not None and self._process.stdout is not None
            request = json.dumps({"args": args, "env": env, "cwd": cwd})
            self._process.stdin.write(request.encode() + b"\n")
            await self._process.stdin.drain()
            answer = await self._process.stdout.readline()
        if not answer.strip().isdigit():
            raise RuntimeError("the fork server stopped")
        return int(answer)

    async def close(self) -> None:
        """Stop the fork server (its kernels are stopped by the report beforehand)."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
            await asyncio.wait_for(process.wait(), timeout=5)
        except (asyncio.TimeoutError, ProcessLookupError, OSError):
            process.kill()
            await process.wait()


class ForkedProcess:
    """What jupyter_client needs of a kernel's ``Popen``, for a kernel forked by the server."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """None while the kernel runs (a zombie not yet reaped by the server has ended)."""
        if self.returncode is None:
            try:
                with open(f"/proc/{self.pid}/stat") as stat:
                    state = stat.read().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                state = "X"
            if state in ("Z", "X"):
                self.returncode = -1  # the exit status went to the fork server
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        return self.poll()

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, launching through a :class:`ForkServer`.

    The kernel command must be ``[python, "-c", code, *args]`` with ``code``
    starting the kernel as :data:`SERVER_CODE` does; if the server cannot fork,
    the command is run as a new process instead.
    """

    server: ForkServer | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        server = self.server
        if server is not None and not server.broken:
            try:
                pid = await server.fork(list(cmd[3:]), dict(kwargs.get("env") or os.environ),
                                        str(kwargs.get("cwd") or os.getcwd()))
            except Exception:
                server.broken = True
            else:
                self.process = ForkedProcess(pid)
                self.pid = self.pgid = pid
                return self.connection_info
        return await super().launch_kernel(cmd, **kwargs)
