"""Where the room's hub keeps things, read from the environment (the Makefile passes them on).

| variable | default | what |
|---|---|---|
| ``HUB_DIR`` | ``/srv/xentlearn-hub`` | ``state/`` (root only), ``homes/``, ``course.git`` |
| ``HUB_IP`` | ``127.0.0.1`` | where the hub listens; ``0.0.0.0`` opens it to the room's network |
| ``HUB_PORT`` | ``8000`` | the port learners open |
| ``HUB_API_PORT`` | ``8081`` | the hub's own API on 127.0.0.1 (learners' servers talk to it) |
| ``HUB_PROXY_API_PORT`` | ``8001`` | the proxy's API on 127.0.0.1 |
| ``HUB_ADMIN`` | ``instructor`` | the instructor's hub account, the admin |
| ``HUB_MEM_LIMIT`` | ``1G`` | memory for each learner (server and kernels together); ``0``: none |
| ``HUB_IDLE_TIMEOUT`` | ``3600`` | seconds without activity before a learner's server is stopped |
| ``HUB_SERVER_ARGS`` | (none) | extra arguments for every learner's JupyterLab server |
| ``HUB_PUBLIC_URL`` | ``http://HUB_IP:HUB_PORT/`` | the address on the slips; needed with
  ``HUB_IP=0.0.0.0`` |
| ``HUB_KERNEL_IDLE_TIMEOUT`` | ``1200`` | seconds a kernel may sit idle (open tab or not)
  before it is stopped; ``0``: never |
| ``HUB_SPAWN_LIMIT`` | ``4`` per core | servers starting at once; others retry in 10-20 s |
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The comment on every system user the hub creates; only such users are ever removed.
MARKER = "xentlearn learner"


def parse_size(text: str) -> int:
    """Bytes in ``'1G'``, ``'512M'``, ``'800K'`` or a plain number; ``'0'`` means no limit.

    >>> parse_size("1G"), parse_size("512M"), parse_size("0")
    (1073741824, 536870912, 0)
    """
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", text, re.I)
    if m is None:
        raise ValueError(f"HUB_MEM_LIMIT={text!r}: give a size such as 1G, 800M or 0 for none")
    power = " KMGT".index(m.group(2).upper() or " ")
    return int(float(m.group(1)) * 1024 ** power)


def _whole(env, name: str, default: int) -> int:
    """A whole number of at least 0 from ``env[name]``, or ``default`` when unset."""
    text = (env.get(name) or "").strip()
    if not text:
        return default
    if not text.isdigit():
        raise ValueError(f"{name}={text!r}: give a whole number (0 or more)")
    return int(text)


def _public_url(env) -> str | None:
    """``HUB_PUBLIC_URL`` checked: ``http://`` or ``https://`` and a host, ending in ``/``."""
    text = (env.get("HUB_PUBLIC_URL") or "").strip()
    if not text:
        return None
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", text):
        raise ValueError(f"HUB_PUBLIC_URL={text!r}: give the address learners type, such as "
                         "http://192.168.1.20:8000/ or https://room.example.org/")
    return text if text.endswith("/") else text + "/"


@dataclass(frozen=True)
class Settings:
    hub_dir: Path
    ip: str
    port: int
    api_port: int
    proxy_api_port: int
    admin: str
    mem_limit: int
    idle_timeout: int
    server_args: tuple[str, ...]
    public_url: str | None = None
    kernel_idle_timeout: int = 1200
    spawn_limit: int = 8

    @classmethod
    def from_env(cls, env: dict | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            hub_dir=Path(env.get("HUB_DIR") or "/srv/xentlearn-hub").resolve(),
            ip=env.get("HUB_IP") or "127.0.0.1",
            port=int(env.get("HUB_PORT") or 8000),
            api_port=int(env.get("HUB_API_PORT") or 8081),
            proxy_api_port=int(env.get("HUB_PROXY_API_PORT") or 8001),
            admin=env.get("HUB_ADMIN") or "instructor",
            mem_limit=parse_size(env.get("HUB_MEM_LIMIT") or "1G"),
            idle_timeout=int(env.get("HUB_IDLE_TIMEOUT") or 3600),
            server_args=tuple(shlex.split(env.get("HUB_SERVER_ARGS") or "")),
            public_url=_public_url(env),
            kernel_idle_timeout=_whole(env, "HUB_KERNEL_IDLE_TIMEOUT", 1200),
            spawn_limit=_whole(env, "HUB_SPAWN_LIMIT", 4 * (os.cpu_count() or 1)),
        )

    @property
    def slip_url(self) -> str | None:
        """The address on the slips: ``HUB_PUBLIC_URL``, else the hub's own address unless it
        listens on every interface (``0.0.0.0``), where only the instructor knows which one
        learners reach; None then."""
        if self.public_url:
            return self.public_url
        if self.ip in ("0.0.0.0", "::", ""):
            return None
        host = f"[{self.ip}]" if ":" in self.ip else self.ip
        return f"http://{host}:{self.port}/"

    @property
    def state(self) -> Path:
        """Root only (0700): the hub's database, cookie secret, password hashes and slips."""
        return self.hub_dir / "state"

    @property
    def homes(self) -> Path:
        return self.hub_dir / "homes"

    @property
    def course_repo(self) -> Path:
        """The course as learners get it (notebooks/ and exercises/), a git repository."""
        return self.hub_dir / "course.git"

    @property
    def passwords(self) -> Path:
        return self.state / "passwords.json"

    @property
    def slips(self) -> Path:
        return self.state / "slips.txt"

    @property
    def slip_passwords(self) -> Path:
        """Name -> password as given out (root only, 0600): slips are re-printed from it, with
        the current address, without changing anyone's password."""
        return self.state / "slips.json"

    def make_dirs(self) -> None:
        """The hub's folders with their modes: readable ones for learners, state for root."""
        for path, mode in ((self.hub_dir, 0o755), (self.homes, 0o755), (self.state, 0o700)):
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(mode)


def venv_bin() -> Path:
    """The project's environment: the one running this (``.venv/bin``)."""
    return Path(sys.prefix) / "bin"


def learner_paths() -> list[Path]:
    """What a learner's server must reach: the environment, its Python, the package's source."""
    python = Path(sys.executable)
    return [venv_bin(), python.resolve(), Path(sys.base_prefix).resolve(), REPO / "xentlearn"]


def closed_dirs(paths: list[Path]) -> list[Path]:
    """Folders on the way to ``paths`` that other users cannot pass through (no o+x)."""
    closed: list[Path] = []
    for path in paths:
        for folder in [*reversed(path.parents), path]:
            if folder.is_dir() and not folder.stat().st_mode & stat.S_IXOTH \
                    and folder not in closed:
                closed.append(folder)
    return closed
