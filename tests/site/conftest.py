"""Fixtures for the website tests: the site built by `make site`, served on 127.0.0.1, and
Chromium recording every request and console error of each page.

Run with ``make test-site`` (``.ci/run`` runs it after the browser tests). Without
Playwright or ``/usr/bin/chromium`` the browser tests skip with a one-line reason; the
build itself is tested either way.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from labtools import ROOT, browser, free_port  # noqa: E402, F401 (browser: a fixture)

SITE = ROOT / "_build" / "site"
SCREENSHOTS = ROOT / "screenshots" / "site"
REPORT: list[str] = []


@pytest.fixture(scope="session")
def site() -> Path:
    """Build the site as ``make site`` does, and time it."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py")],
                            cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    assert result.returncode == 0, f"make site failed:\n{result.stdout}\n{result.stderr}"
    REPORT.append(f"site built in {seconds:.1f} s: {SITE}/index.html")
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def server(site) -> str:
    """The built site over HTTP on 127.0.0.1 (as a static host would serve it)."""
    port = free_port()
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@dataclass
class Visit:
    """A browser page that records what it asked for and what went wrong."""

    page: object
    requests: list[str] = field(default_factory=list)
    off_machine: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def new_visit(chromium, server: str) -> tuple[Visit, object]:
    """A fresh browser context at 1280 x 900 (clipboard allowed, for the copy buttons) whose
    page records every request, refuses those off 127.0.0.1, and records console errors,
    uncaught exceptions and HTTP errors. Returns the record and the context to close."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    record = Visit(page)

    def route(r):
        url = r.request.url
        record.requests.append(url)
        if urlparse(url).hostname != "127.0.0.1" and not url.startswith(("data:", "blob:")):
            record.off_machine.append(url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    page.on("console", lambda m: record.errors.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: record.errors.append(f"page error: {e}"))
    page.on("response", lambda r: record.errors.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)

    def open_(path: str):
        page.goto(f"{server}/{path}", wait_until="load")
        return page

    record.open = open_
    return record, context


def check_visit(record: Visit) -> None:
    """Fail on anything a page asked of another machine, and on any error it met."""
    assert not record.off_machine, f"requests off the machine: {record.off_machine[:5]}"
    assert not record.errors, record.errors[:5]


@pytest.fixture
def visit(browser, server):  # noqa: F811 (the fixture imported above)
    """Open pages of the site; every request off 127.0.0.1 is recorded and refused, every
    console error and uncaught exception recorded. The test fails on either."""
    record, context = new_visit(browser, server)
    try:
        yield record
    finally:
        context.close()
    check_visit(record)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    REPORT.append(f"screenshots: {SCREENSHOTS}/")
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter):
    if REPORT:
        terminalreporter.section("the course website")
        for line in REPORT:
            terminalreporter.write_line(line)
