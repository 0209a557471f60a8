"""The lab as a workshop room gets it: ``make lab NO_BROWSER=1`` on a machine without internet.

The test runs ``make lab NO_BROWSER=1`` itself, on a copy of the repository
(``LAB_ROOT``, since JupyterLab autosaves) with build clutter added, and opens the
URL that make prints. JupyterLab's user configuration and settings folder is an
empty temporary one (``JUPYTER_CONFIG_DIR``): what switches the news and update
checks off and hides the clutter can only be the project's own files, which make
installs into ``.venv`` (``lab/overrides.json``, ``lab/jupyter_server_config.json``).
That folder adds one option, ``LabApp.expose_app_in_browser``, so the test can run
JupyterLab commands.

Checked: the printed URL opens the welcome chapter; no news prompt appears; the file
browser's root lists the course and none of the clutter; the welcome chapter and a
chapter with an explorer run (Run All). Every request of the page is recorded and
none may leave 127.0.0.1; the server and its kernels are watched too (a Python audit
hook on ``socket.connect`` and ``socket.getaddrinfo``), since JupyterLab fetches its
news and update checks on the server, on the page's behalf.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from labtools import REPORT, ROOT, free_port, http, start_make_lab, stop_process_group
from test_course_in_browser import OPEN_NOTEBOOK, READ_CELLS, RUN_ALL, check_outputs, rendered

WELCOME = "notebooks/00_welcome.ipynb"
CHAPTER = "notebooks/03_binary_cross_entropy.ipynb"  # figures and the bce explorer (widgets)
COURSE = ("notebooks", "exercises")
# Build folders and caches as a working copy has them; the project's settings hide them all.
CLUTTER = ("xentlearn.egg-info", "__pycache__", "_build", "build", "dist", "screenshots",
           ".pytest_cache", ".ruff_cache", ".hypothesis", ".ipynb_checkpoints")
NOTIFICATION = "@jupyterlab/apputils-extension:notification"
NEWS_PROMPT = "Would you like to get notified about official Jupyter news?"
URL = re.compile(r"http://127\.0\.0\.1:(\d+)(/\S*)\?token=([0-9a-zA-Z]+)")

# Loaded by every Python process that make starts (PYTHONPATH): the server and the kernels
# append each connection or name lookup that is not to the loopback to a log.
WATCH_SOCKETS = '''
import ipaddress, json, os, socket, sys

_LOG = os.environ.get("XENTLEARN_SOCKET_LOG")


def _local(host):
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host is None or host in ("", "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def _watch(event, args):
    if event == "socket.getaddrinfo":
        host = args[0]
    elif event == "socket.connect" and args[0].family in (socket.AF_INET, socket.AF_INET6):
        host = args[1][0]
    else:
        return
    if not _local(host):
        with open(_LOG, "a") as log:
            log.write(json.dumps({"event": event, "host": str(host),
                                  "argv": sys.orig_argv[:4]}) + "\\n")


if _LOG:
    sys.addaudithook(_watch)
'''

WAIT_FOR_WELCOME = """async (path) => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const app = window.jupyterapp;
  await app.started;
  await app.restored;
  for (let i = 0; i < 300; i++) {
    const w = app.shell.currentWidget;
    if (w && w.context && w.context.path === path) break;
    await sleep(100);
  }
  const w = app.shell.currentWidget;
  const tab = document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current');
  return {path: w && w.context ? w.context.path : null,
          tab: tab ? tab.textContent.trim() : null,
          tabs: [...document.querySelectorAll('#jp-main-dock-panel .lm-TabBar-tab')]
                  .map((t) => t.textContent.trim()),
          launcher: !!document.querySelector('#jp-main-dock-panel .jp-Launcher')};
}"""

# The file browser's folder and the names it lists (``.jp-DirListing-item`` rows).
FILE_BROWSER = """() => {
  const crumbs = document.querySelector('.jp-FileBrowser .jp-BreadCrumbs');
  return {crumbs: crumbs ? crumbs.textContent.trim() : null,
          names: [...document.querySelectorAll('.jp-FileBrowser .jp-DirListing-item')]
                   .map((e) => e.querySelector('.jp-DirListing-itemText').textContent.trim())};
}"""

OPEN_CHAPTER = """async (path) => {
  await window.jupyterapp.commands.execute('docmanager:open', {path});
}"""


@dataclass
class RoomLab:
    """``make lab NO_BROWSER=1`` running on a copy of the repository."""

    printed: str
    base: str
    token: str
    root: Path
    sockets: Path

    def api(self, path: str) -> str:
        return f"{self.base}/{path}?token={self.token}"

    def outbound(self) -> list[dict]:
        """Connections and lookups off the loopback by the server or a kernel."""
        if not self.sockets.exists():
            return []
        records = [json.loads(line) for line in self.sockets.read_text().splitlines()]
        return [r for r in records
                if any("jupyter" in a or "ipykernel" in a for a in r["argv"])]


@pytest.fixture(scope="module")
def room_lab(jupyter, tmp_path_factory):
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    if not (ROOT / WELCOME).exists():
        pytest.skip(f"no {WELCOME} yet")
    base = tmp_path_factory.mktemp("room")
    root, config, hook = base / "repository", base / "jupyter-config", base / "hook"
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for folder in COURSE:
        shutil.copytree(ROOT / folder, root / folder, ignore=ignore)
    for name in CLUTTER:
        (root / name).mkdir()
        (root / name / "PKG-INFO").write_text("clutter\n")
    (root / "notebooks" / "__pycache__").mkdir()
    config.mkdir()
    (config / "jupyter_server_config.json").write_text(
        json.dumps({"LabApp": {"expose_app_in_browser": True}}))
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(WATCH_SOCKETS)
    sockets = base / "sockets.jsonl"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "JUPYTERLAB_"))}
    env.update(JUPYTER_CONFIG_DIR=str(config), JUPYTER_PORT=str(free_port()),
               PYTHONPATH=os.pathsep.join(filter(None, [str(hook),
                                                        os.environ.get("PYTHONPATH")])),
               XENTLEARN_SOCKET_LOG=str(sockets))
    proc, lines, match, reader = start_make_lab(URL, f"LAB_ROOT={root}", env=env)
    try:
        port, _, token = match.groups()
        lab = RoomLab(match.group(0), f"http://127.0.0.1:{port}", token, root, sockets)
        deadline = time.monotonic() + 30
        while True:
            try:
                if http(lab.api("api/status"), timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("JupyterLab did not answer in 30 s:\n" + "".join(lines)[-3000:])
            time.sleep(0.3)
        yield lab
    finally:
        if stop_process_group(proc, signal.SIGINT, 30) is None:
            stop_process_group(proc, signal.SIGKILL, 5)
        reader.join(5)


def test_the_printed_url_opens_the_welcome_chapter(room_lab):
    path = urlsplit(room_lab.printed).path
    assert path == f"/lab/tree/{WELCOME}", f"make lab printed {room_lab.printed}"


def test_the_project_settings_switch_news_and_update_checks_off(room_lab):
    """The values come from the project's overrides.json (JupyterLab makes them the schema's
    defaults); the user settings are empty."""
    status, body = http(room_lab.api(f"lab/api/settings/{NOTIFICATION}"), timeout=10)
    assert status == 200, status
    plugin = json.loads(body)
    assert plugin["settings"] == {}, f"user settings are not empty: {plugin['settings']}"
    defaults = {k: v.get("default") for k, v in plugin["schema"]["properties"].items()}
    assert defaults["fetchNews"] == "false", defaults
    assert defaults["checkForUpdates"] is False, defaults
    status, body = http(room_lab.api("lab/api/news"), timeout=10)
    assert status == 200 and json.loads(body)["news"] == [], (status, body[:300])


def test_the_root_lists_the_course_and_hides_the_clutter(room_lab):
    assert all((room_lab.root / name).is_dir() for name in CLUTTER + COURSE)
    status, body = http(room_lab.api("api/contents"), timeout=10)
    assert status == 200, status
    names = {item["name"] for item in json.loads(body)["content"]}
    assert set(COURSE) <= names, sorted(names)
    assert not names & set(CLUTTER), f"listed: {sorted(names & set(CLUTTER))}"
    status, body = http(room_lab.api("api/contents/notebooks"), timeout=10)
    assert "__pycache__" not in {item["name"] for item in json.loads(body)["content"]}


def test_a_room_opens_the_lab_and_runs_a_chapter_without_leaving_the_machine(
        room_lab, browser, screenshots):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    blocked: list[str] = []

    def local(url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        return parts.hostname == "127.0.0.1"

    def route(r) -> None:  # record and stop anything bound off the machine
        if local(r.request.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.on("request", lambda r: requests.append(r.url))
    context.route("**/*", route)
    page = context.new_page()
    page.on("websocket", lambda ws: requests.append(ws.url))
    page.set_default_timeout(30_000)
    try:
        page.goto(room_lab.printed, wait_until="domcontentloaded")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell",
                               timeout=60_000)
        opened = page.evaluate(WAIT_FOR_WELCOME, WELCOME)
        assert opened["path"] == WELCOME, f"the printed URL opened {opened}"
        assert opened["tab"] == Path(WELCOME).name, opened
        assert not opened["launcher"], f"the launcher is open too: {opened['tabs']}"

        # The news prompt comes right after the settings load; give it time to show.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            assert NEWS_PROMPT not in page.inner_text("body"), "the news prompt appeared"
            time.sleep(0.25)
        toasts = page.locator(".Toastify__toast").all_inner_texts()
        assert not toasts, f"notifications shown: {toasts}"

        page.evaluate("() => window.jupyterapp.shell.activateById('filebrowser')")
        page.wait_for_function(f"() => ({FILE_BROWSER})().names.includes('{Path(WELCOME).name}')")
        start = page.evaluate(FILE_BROWSER)
        page.locator(".jp-FileBrowser .jp-BreadCrumbs-home").click()
        page.wait_for_function(f"() => ({FILE_BROWSER})().names.includes('notebooks')")
        at_root = page.evaluate(FILE_BROWSER)
        assert set(COURSE) <= set(at_root["names"]), at_root
        assert not set(at_root["names"]) & set(CLUTTER), at_root
        page.screenshot(path=str(screenshots / "room-lab-welcome.png"))

        ran = []
        for path in (WELCOME, CHAPTER):
            if path != WELCOME:
                page.evaluate(OPEN_CHAPTER, path)
            page.evaluate(OPEN_NOTEBOOK, path)
            run = page.evaluate(RUN_ALL)
            assert run["status"] == "idle", f"{path}: kernel still {run['status']}"
            cells = page.evaluate(READ_CELLS)
            n_code, n_images, n_widgets = check_outputs(path, cells)
            shown = rendered(page, cells)
            assert shown["done"], f"{path}: widgets or images did not render: {shown}"
            ran.append(f"{Path(path).stem} ({n_code} code cells, {n_images} figures, "
                       f"{n_widgets} widgets, {run['seconds']:.1f} s)")
        page.screenshot(path=str(screenshots / "room-lab-chapter.png"))
    finally:
        context.close()

    off = sorted({u for u in requests if not local(u)} | set(blocked))
    assert not off, f"the page made {len(off)} requests off the machine: {off[:10]}"
    checks = [u for u in requests if re.search(r"/lab/api/(news|update)\b", u)]
    assert not checks, f"the page asked for news or updates: {checks}"
    outbound = room_lab.outbound()
    assert not outbound, f"the server or a kernel reached off the machine: {outbound[:10]}"
    assert any("/api/kernels" in u for u in requests), "no kernel requests were recorded"
    REPORT.append(f"make lab NO_BROWSER=1 printed {urlsplit(room_lab.printed).path}: opened "
                  f"{opened['tab']} (no launcher, no news prompt); the file browser started in "
                  f"{start['crumbs'] or '/'} and its root lists {', '.join(at_root['names'])}")
    REPORT.append(f"  ran {'; '.join(ran)}: {len(requests)} requests, all to 127.0.0.1; "
                  "no connection off the machine from the server or the kernels")
