"""Helpers shared by the browser tests: paths, HTTP without proxies, process groups."""

from __future__ import annotations

import os
import socket
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / os.environ.get("VENV", ".venv") / "bin"
CHROMIUM = Path(os.environ.get("XENTLEARN_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "screenshots" / "browser"
# Quiet on a closed network; --no-sandbox because CI runs as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]

#: Lines for the end-of-run summary: what was checked, where the screenshots are.
REPORT: list[str] = []

# The test server talks to 127.0.0.1 only: never through an HTTP proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url: str, method: str = "GET", timeout: float = 5.0) -> tuple[int, bytes]:
    """Status and body of a request; HTTP errors are returned, not raised."""
    request = urllib.request.Request(url, method=method)
    try:
        with _OPENER.open(request, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def stop_process_group(proc: subprocess.Popen, sig: int, timeout: float) -> int | None:
    """Send ``sig`` to the process group led by ``proc``; its exit code, or None if it lingers."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
