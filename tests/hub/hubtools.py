"""Helpers for the hub tests: the hub's package importable, HTTP as a learner, kernels over
websockets, memory of a user's processes."""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT / "hub"
if str(ROOT) not in sys.path:  # the package ``hub``, also when pytest runs from elsewhere
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

NAMES = ("xlt-ana", "xlt-bo", "xlt-cy")
#: Small enough that a test can exceed it; a room's default is 1G.
MEM_LIMIT = "600M"


def hub_command(module: str, *args: str) -> list[str]:
    """The project's Python running ``hub.MODULE`` (from the repository's root)."""
    return [str(Path(sys.prefix) / "bin" / "python"), "-m", f"hub.{module}", *args]


#: Figures for the end-of-run summary (hub start, spawn times, memory, wall time).
REPORT: list[str] = []


def test_course(into: Path, source: Path = ROOT) -> Path:
    """The course as the room gets it, cut to chapters 00-02 to keep the test short."""
    for folder, pattern in (("notebooks", "0[0-2]_*.ipynb"), ("exercises", "0[1-2]_*.ipynb")):
        (into / folder).mkdir(parents=True, exist_ok=True)
        for nb in sorted((source / folder).glob(pattern)):
            shutil.copyfile(nb, into / folder / nb.name)
    return into


test_course.__test__ = False  # a helper, not a test


def slips(path: Path) -> dict[str, str]:
    """User name -> password, read back from the printed slips."""
    return dict(re.findall(r"user name: (\S+)\n\s+password:\s+(\S+)", path.read_text()))


@dataclass
class Learner:
    """A learner logged in through the hub's login form, with an API token of their own."""

    name: str
    base: str
    session: requests.Session
    token: str
    uid: int
    home: Path
    kernels: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    def hub_api(self, method: str, path: str, **kw) -> requests.Response:
        return self.session.request(method, f"{self.base}/hub/api/{path}", headers=self.headers,
                                    timeout=120, **kw)

    def server_api(self, method: str, path: str, user: str | None = None,
                   **kw) -> requests.Response:
        return self.session.request(method, f"{self.base}/user/{user or self.name}/api/{path}",
                                    headers=self.headers, timeout=60, **kw)


def login(base: str, name: str, password: str) -> tuple[requests.Session, str]:
    """Log in with the form, as a browser does; then ask the hub for an API token."""
    s = requests.Session()
    s.trust_env = False  # 127.0.0.1 only, never through a proxy from the environment
    s.get(f"{base}/hub/login", timeout=30)
    xsrf = [c.value for c in s.cookies if c.name == "_xsrf"][-1]
    r = s.post(f"{base}/hub/login", data={"username": name, "password": password,
                                          "_xsrf": xsrf}, allow_redirects=False, timeout=30)
    if r.status_code != 302:
        raise AssertionError(f"login of {name} answered {r.status_code}: {r.text[:300]}")
    xsrf = [c.value for c in s.cookies if c.name == "_xsrf"][-1]
    r = s.post(f"{base}/hub/api/users/{name}/tokens", json={"note": "hub test",
                                                            "expires_in": 3600},
               headers={"X-XSRFToken": xsrf}, timeout=30)
    assert r.status_code == 201, (r.status_code, r.text[:300])
    return s, r.json()["token"]


def start_server(learner: Learner, timeout: float = 120) -> float:
    """Start the learner's server through the REST API; seconds until it is ready."""
    t0 = time.monotonic()
    r = learner.hub_api("POST", f"users/{learner.name}/server")
    assert r.status_code in (201, 202), (r.status_code, r.text[:300])
    while time.monotonic() - t0 < timeout:
        user = learner.hub_api("GET", f"users/{learner.name}").json()
        server = user["servers"].get("")
        if server and server["ready"]:
            return time.monotonic() - t0
        if not user["pending"] and not server:
            raise AssertionError(f"{learner.name}'s server stopped while starting")
        time.sleep(0.3)
    raise AssertionError(f"{learner.name}'s server not ready after {timeout} s")


def stop_server(learner: Learner, timeout: float = 60) -> None:
    r = learner.hub_api("DELETE", f"users/{learner.name}/server")
    assert r.status_code in (202, 204), (r.status_code, r.text[:300])
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        user = learner.hub_api("GET", f"users/{learner.name}").json()
        if not user["servers"] and not user["pending"]:
            return
        time.sleep(0.3)
    raise AssertionError(f"{learner.name}'s server did not stop in {timeout} s")


def new_kernel(learner: Learner) -> str:
    r = learner.server_api("POST", "kernels", json={"name": "python3"})
    assert r.status_code == 201, (r.status_code, r.text[:300])
    learner.kernels.append(r.json()["id"])
    return r.json()["id"]


def execute(learner: Learner, kernel: str, code: str, timeout: float = 90) -> dict:
    """Run ``code`` in a kernel over its websocket (through the hub's proxy); the text it
    printed and its error, if any."""
    import websocket

    url = learner.base.replace("http://", "ws://") + \
        f"/user/{learner.name}/api/kernels/{kernel}/channels"
    ws = websocket.create_connection(url, header=[f"Authorization: token {learner.token}"],
                                     timeout=timeout, http_no_proxy=["127.0.0.1"])
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": learner.name, "session": uuid.uuid4().hex,
                   "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    out: list[str] = []
    error = None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            msg = json.loads(ws.recv())
            state = msg["content"].get("execution_state") if msg["msg_type"] == "status" else None
            if msg.get("parent_header", {}).get("msg_id") != msg_id and \
                    state not in ("restarting", "dead"):
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind in ("execute_result", "display_data"):
                out.append(content["data"].get("text/plain", ""))
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                break
            if kind == "status" and content["execution_state"] in ("restarting", "dead"):
                error = f"kernel {content['execution_state']}"  # the kernel died
                break
        else:
            raise AssertionError(f"no answer from {learner.name}'s kernel in {timeout} s")
    finally:
        ws.close()
    return {"out": "".join(out), "error": error}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def processes_of(uid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process of ``uid``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if proc.stat().st_uid != uid:
                continue
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        found.append((int(proc.name), cmd))
    return found
