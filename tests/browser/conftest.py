"""Fixtures for the browser tests: JupyterLab on a copy of the course, and Chromium.

Run with ``make test-browser``. ``make test`` leaves this folder out
(``--ignore=tests/browser``); without Playwright or ``/usr/bin/chromium`` the
tests that need a browser skip with a one-line reason.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from labtools import (  # noqa: F401 (browser: a fixture for the tests)
    REPORT,
    ROOT,
    SCREENSHOTS,
    VENV_BIN,
    browser,
    free_port,
    http,
    stop_process_group,
)

# Settings of the test server only (its own settings folder, not the user's): attach
# every cell to the DOM, so images below the fold can be checked, and fetch no news.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


@dataclass
class Lab:
    """A running JupyterLab whose root is a temporary copy of notebooks/ and exercises/."""

    url: str
    token: str
    root: Path
    log: Path

    def api(self, path: str) -> str:
        return f"{self.url}/api/{path}?token={self.token}"

    def page_url(self, workspace: str, path: str) -> str:
        return f"{self.url}/lab/workspaces/{workspace}/tree/{path}?reset&token={self.token}"

    def shutdown_kernel(self, kernel_id: str | None) -> None:
        if kernel_id:
            status, _ = http(self.api(f"kernels/{kernel_id}"), method="DELETE", timeout=20)
            assert status in (204, 404), f"DELETE /api/kernels/{kernel_id} answered {status}"


@pytest.fixture(scope="session")
def jupyter() -> Path:
    """The project's JupyterLab, ``.venv/bin/jupyter`` as ``make lab`` uses it."""
    exe = VENV_BIN / "jupyter"
    if not exe.exists():
        pytest.skip(f"no {exe}: run `make lab` or `make test` once to create the .venv")
    return exe


@pytest.fixture(scope="session")
def lab(jupyter, tmp_path_factory) -> Lab:
    """JupyterLab started like ``make lab`` (no browser, ``--allow-root`` only as root), on
    127.0.0.1 with a free port and a random token, its root a copy of the course, and
    ``--expose-app-in-browser`` so the test can run JupyterLab commands."""
    base = tmp_path_factory.mktemp("course")
    root, settings, workspaces = base / "root", base / "settings", base / "workspaces"
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for folder in ("notebooks", "exercises"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, root / folder, ignore=ignore)
    for name, value in LAB_SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(value))
    port, token = free_port(), secrets.token_hex(24)
    cmd = [str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--port-retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--expose-app-in-browser",
           f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={workspaces}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = base / "jupyterlab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=root, env={**os.environ, "PYTHONHASHSEED": "0"},
                                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = Lab(f"http://127.0.0.1:{port}", token, root, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
            try:
                if http(server.api("status"), timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer in 60 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)
        yield server
    finally:
        if stop_process_group(proc, 15, 20) is None:
            stop_process_group(proc, 9, 5)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where screenshots go: ``screenshots/browser/`` (git ignores ``screenshots/``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    REPORT.append(f"screenshots: {SCREENSHOTS}/")
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter):
    if REPORT:
        terminalreporter.section("the course in a real browser")
        for line in REPORT:
            terminalreporter.write_line(line)
