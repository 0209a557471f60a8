"""Everything ``make hub`` can check before it creates anything.

    python -m hub.preflight class.txt     # as root; exit 2 and every problem named, or 0

Checks, all at once: root; the ``HUB_*`` settings; the class list (see accounts.py); an
address for the slips (``HUB_PUBLIC_URL`` with ``HUB_IP=0.0.0.0``); the tools the hub runs
(useradd, runuser, git, and the project's jupyterhub, proxy, gitpuller); that learners' users
can reach the project's environment (no folder on the way closed to other users); that the
hub's three ports are free. It warns, without stopping, when the class at ``HUB_MEM_LIMIT``
each would need more memory than the machine has.
"""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import socket
import sys
from pathlib import Path

from .accounts import NO_ADDRESS, ClassListError, read_class_list
from .settings import Settings, closed_dirs, learner_paths, venv_bin

#: What the hub and its proxy take besides the learners (measured: 125 + 33 MB, rounded up).
HUB_OVERHEAD = 256 * 2**20
TOOLS = ("useradd", "userdel", "runuser", "git")
VENV_TOOLS = ("jupyterhub", "configurable-http-proxy", "jupyterhub-singleuser", "gitpuller")


def port_problem(ip: str, port: int, what: str) -> str | None:
    """Why ``port`` on ``ip`` cannot be listened on (in use, not allowed), or None."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip, port))
        except OSError as e:
            why = "in use" if e.errno == errno.EADDRINUSE else e.strerror
            return (f"{what}: port {port} on {ip} is {why}; stop what listens there "
                    f"(`ss -ltnp 'sport = :{port}'` names it) or choose another port")
    return None


def machine_memory() -> int:
    """Bytes of memory this machine has (``MemTotal`` in /proc/meminfo)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def memory_warning(learners: int, settings: Settings, total: int | None = None) -> str | None:
    """A warning when ``learners`` × ``HUB_MEM_LIMIT`` (and the hub) exceed the memory.

    Parameters
    ----------
    learners : int
        How many learners the class list has.
    settings : Settings
        ``mem_limit``, the bytes each learner's server and kernels may use (0: no limit).
    total : int, optional
        The machine's memory in bytes; read from /proc/meminfo when not given.

    Returns
    -------
    str or None
        The warning, or None when the class fits (or there is no limit to add up).
    """
    total = machine_memory() if total is None else total
    need = learners * settings.mem_limit + HUB_OVERHEAD
    if not settings.mem_limit or not total or need <= total:
        return None
    gb = 2**30
    fits = max((total - HUB_OVERHEAD) // settings.mem_limit, 0)
    return (f"warning: {learners} learners × HUB_MEM_LIMIT {settings.mem_limit / gb:.2g} GB "
            f"(and the hub) is {need / gb:.1f} GB, more than this machine's "
            f"{total / gb:.1f} GB: if they all fill their limit, the machine runs out before "
            f"any limit is reached. {fits} learners fit at that limit; with idle kernels "
            "culled a learner uses far less (README: How many learners), so this may be "
            "fine; lower HUB_MEM_LIMIT or HUB_KERNEL_IDLE_TIMEOUT to be sure.")


def problems(class_list: Path, settings: Settings) -> tuple[list[str], list[str]]:
    """(problems, warnings) for starting the hub with ``class_list``; nothing is changed."""
    found: list[str] = []
    warnings: list[str] = []
    if os.geteuid() != 0:
        found.append("the hub creates a system user per learner: run it as root "
                     "(sudo make hub CLASS=...)")
    names: list[str] = []
    try:
        names = read_class_list(class_list, settings.admin, settings.homes)
    except ClassListError as e:
        found.append(str(e).replace("the class list is refused, nothing was created:",
                                    "the class list is refused:").replace("\n  ", "\n    "))
    if settings.slip_url is None:
        found.append(NO_ADDRESS)
    for tool in TOOLS:
        if shutil.which(tool) is None:
            found.append(f"no `{tool}` on this machine (Debian: apt-get install "
                         f"{'git' if tool == 'git' else 'passwd util-linux'})")
    missing = [t for t in VENV_TOOLS if not (venv_bin() / t).exists()]
    if missing:
        found.append(f"{', '.join(missing)} not in {venv_bin()}: install the hub's extra "
                     "(make .venv/.installed-hub, or pip install -e '.[hub]')")
    closed = closed_dirs(learner_paths())
    if closed:
        found.append("learners' servers cannot reach the project's environment: other users "
                     "may not pass through " + ", ".join(map(str, closed)) + ". Run `chmod "
                     "o+x " + " ".join(map(str, closed)) + "` (lets them pass, not list), or "
                     "put the project and its Python where every user can reach them (/opt)")
    ports = {"HUB_PORT": (settings.ip, settings.port),
             "HUB_API_PORT": ("127.0.0.1", settings.api_port),
             "HUB_PROXY_API_PORT": ("127.0.0.1", settings.proxy_api_port),
             "HUB_ROOM_PORT": ("127.0.0.1", settings.room_port)}
    seen: dict[int, str] = {}
    for name, (ip, port) in ports.items():
        if port in seen:
            found.append(f"{name}={port} is also {seen[port]}: give each its own port")
            continue
        seen[port] = name
        problem = port_problem(ip, port, name)
        if problem:
            found.append(problem)
    warning = memory_warning(len(names), settings) if names else None
    if warning:
        warnings.append(warning)
    return found, warnings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub.preflight", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("class_list", type=Path)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except ValueError as e:
        print(f"the hub cannot start, nothing was created:\n  {e}", file=sys.stderr)
        return 2
    found, warnings = problems(args.class_list, settings)
    for warning in warnings:
        print(warning, file=sys.stderr)
    if found:
        print("the hub cannot start, nothing was created:\n  " + "\n  ".join(found),
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
