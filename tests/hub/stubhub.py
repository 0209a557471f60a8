"""A stand-in for the hub's API, enough for the ``room`` service: who owns a token.

``StubHub`` answers ``GET /hub/api/user`` (the token's owner, with the scopes a real hub
gives a learner's server token or an admin's) and ``GET /hub/api/users`` (the class), on
127.0.0.1. ``start_room_service`` runs ``python -m hub.roomservice`` against it, as the hub
would (the same ``JUPYTERHUB_*`` environment). The service tests and
``benchmarks/room_live.py`` use both; the hub tests use the real hub.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROOM_SCOPE = "access:services!service=room"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StubHub:
    """Tokens -> users; ``learner(name)`` and ``admin(name)`` add one and return its token."""

    def __init__(self) -> None:
        self.users: dict[str, dict] = {}
        self.tokens: dict[str, str] = {}
        self.service_token = "room-service-token"
        self.lookups = 0
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                token = self.headers.get("Authorization", "").removeprefix("token ").strip()
                path = self.path.split("?")[0]
                if path == "/hub/api/user" and token in hub.tokens:
                    hub.lookups += 1
                    self._json(200, hub.users[hub.tokens[token]])
                elif path == "/hub/api/users" and token == hub.service_token:
                    self._json(200, [{"kind": "user", "name": u["name"], "admin": u["admin"]}
                                     for u in hub.users.values()])
                else:
                    self._json(403, {"status": 403, "message": "no such token"})

            def _json(self, code: int, body) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.port = self.server.server_address[1]
        self.api_url = f"http://127.0.0.1:{self.port}/hub/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _add(self, name: str, admin: bool, scopes: list[str]) -> str:
        token = f"token-of-{name}"
        self.users[name] = {"kind": "user", "name": name, "admin": admin, "scopes": scopes}
        self.tokens[token] = name
        return token

    def learner(self, name: str) -> str:
        """A learner's server token: may reach the room service (the ``server`` role)."""
        return self._add(name, False, [f"access:servers!server={name}/",
                                       f"read:users:name!user={name}", ROOM_SCOPE])

    def outsider(self, name: str) -> str:
        """A hub user's token without the room's access scope."""
        return self._add(name, False, [f"read:users:name!user={name}"])

    def admin(self, name: str = "instructor") -> str:
        return self._add(name, True, ["admin:users", "access:services", "read:users"])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_room_service(hub: StubHub, db: Path, port: int | None = None,
                       log: Path | None = None, args: tuple[str, ...] = ()
                       ) -> tuple[subprocess.Popen, str]:
    """``python -m hub.roomservice`` against ``hub``; the process and its base URL, once it
    answers."""
    import urllib.error
    import urllib.request

    port = port or free_port()
    env = {**os.environ, "JUPYTERHUB_API_URL": hub.api_url,
           "JUPYTERHUB_API_TOKEN": hub.service_token, "JUPYTERHUB_SERVICE_NAME": "room",
           "JUPYTERHUB_SERVICE_PREFIX": "/services/room/",
           "JUPYTERHUB_CLIENT_ID": "service-room",
           "JUPYTERHUB_BASE_URL": "/",
           "JUPYTERHUB_HOST": "",
           "JUPYTERHUB_OAUTH_CALLBACK_URL": "/services/room/oauth_callback",
           "JUPYTERHUB_OAUTH_ACCESS_SCOPES": json.dumps([ROOM_SCOPE]),
           "PYTHONPATH": str(ROOT)}
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
    proc = subprocess.Popen([sys.executable, "-m", "hub.roomservice", f"--db={db}",
                             f"--port={port}", *args], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/services/room/"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the room service exited ({proc.returncode})"
                               + (f":\n{Path(log).read_text()[-3000:]}" if log else ""))
        try:
            urllib.request.urlopen(base + "static/room.css", timeout=2).close()
            return proc, base
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the room service did not answer in 30 s")
