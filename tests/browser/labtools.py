"""Helpers shared by the browser tests: paths, HTTP without proxies, process groups."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skips (one line) when either is missing."""
    yield from launch_chromium()


def launch_chromium():
    """Start Debian's Chromium with Playwright, yield it, close it: the body of a fixture of
    any scope. Skips (one line) when either is missing."""
    try:
        from playwright import sync_api
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[browser]')")
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def start_make_lab(url: re.Pattern, *args: str, env: dict | None = None,
                   wait: float = 120.0
                   ) -> tuple[subprocess.Popen, list[str], re.Match, threading.Thread]:
    """Start ``make lab NO_BROWSER=1 [args]`` in its own process group and wait for the URL
    it prints (the first line ``url`` matches).

    Returns the process, the list its output lines keep arriving in, the URL's match and the
    thread reading them (join it after stopping the process for the last lines).
    The caller stops the process group; if no URL comes within ``wait`` seconds (make may
    first (re)install the .venv), this stops it and fails the test with make's output.
    """
    proc = subprocess.Popen(["make", "--no-print-directory", "lab", "NO_BROWSER=1", *args],
                            cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + wait
    while True:
        match = next((m for m in map(url.search, list(lines)) if m), None)
        if match is not None:
            return proc, lines, match, reader
        if proc.poll() is not None or time.monotonic() > deadline:
            if stop_process_group(proc, 15, 20) is None:
                stop_process_group(proc, 9, 5)
            pytest.fail(f"make lab NO_BROWSER=1 printed no URL matching {url.pattern}:\n"
                        + "".join(lines)[-3000:])
        time.sleep(0.2)
