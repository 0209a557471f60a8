"""The room's settings: every ``HUB_*`` environment variable, read once into a ``Settings``.

The Makefile passes the variables on. Each is declared once below, in ``VARIABLES``: its
name, the ``Settings`` field it fills, its default, how it is read and what it is for; the
table here is made from those declarations. ``Settings.from_env()`` reads them all, once per
command: the instructor's tools build it in their ``main``, the hub in ``hub.config``, which
hands the same object to the hub's spawner (``RoomSpawner.settings``).

"""

from __future__ import annotations

import os
import re
import shlex
import stat
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class Variable:
    """One ``HUB_*`` setting, declared once.

    Attributes
    ----------
    name : str
        The environment (and make) variable, ``HUB_...``.
    field : str
        The ``Settings`` field it fills.
    default : str
        What an unset or empty variable means, as text for ``parse``.
    parse : callable
        ``parse(variable, text) -> value``; a ValueError names the variable and what to give.
    help : str
        What it is for (the table in this module's docstring).
    shown : str
        The default as the table shows it, when not ``default`` itself.
    """

    name: str
    field: str
    default: str
    parse: Callable[[Variable, str], Any]
    help: str
    shown: str = ""

    def read(self, env: Mapping[str, str]) -> Any:
        return self.parse(self, env.get(self.name) or self.default)

    def row(self) -> str:
        """This variable's line of the table."""
        return f"| ``{self.name}`` | {self.shown or f'``{self.default}``'} | {self.help} |"


def _text(var: Variable, text: str) -> str:
    return text


def _path(var: Variable, text: str) -> Path:
    return Path(text).resolve()


def _int(var: Variable, text: str) -> int:
    return int(text)


def _size(var: Variable, text: str) -> int:
    return parse_size(text)


def _args(var: Variable, text: str) -> tuple[str, ...]:
    return tuple(shlex.split(text))


def _whole(var: Variable, text: str) -> int:
    """A whole number of at least 0; blank means the default."""
    text = text.strip() or var.default
    if not text.isdigit():
        raise ValueError(f"{var.name}={text!r}: give a whole number (0 or more)")
    return int(text)


def _public_url(var: Variable, text: str) -> str | None:
    """``http://`` or ``https://`` and a host, ending in ``/``; None when blank."""
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", text):
        raise ValueError(f"HUB_PUBLIC_URL={text!r}: give the address learners type, such as "
                         "http://192.168.1.20:8000/ or https://room.example.org/")
    return text if text.endswith("/") else text + "/"


#: Every setting of the room, in the order of the table.
VARIABLES: tuple[Variable, ...] = (
    Variable("HUB_DIR", "hub_dir", "/srv/xentlearn-hub", _path,
             "``state/`` (root only), ``homes/``, ``course.git``"),
    Variable("HUB_IP", "ip", "127.0.0.1", _text,
             "where the hub listens; ``0.0.0.0`` opens it to the room's network"),
    Variable("HUB_PORT", "port", "8000", _int, "the port learners open"),
    Variable("HUB_API_PORT", "api_port", "8081", _int,
             "the hub's own API on 127.0.0.1 (learners' servers talk to it)"),
    Variable("HUB_PROXY_API_PORT", "proxy_api_port", "8001", _int,
             "the proxy's API on 127.0.0.1"),
    Variable("HUB_ADMIN", "admin", "instructor", _text,
             "the instructor's hub account, the admin"),
    Variable("HUB_MEM_LIMIT", "mem_limit", "1G", _size,
             "memory for each learner (server and kernels together); ``0``: none"),
    Variable("HUB_IDLE_TIMEOUT", "idle_timeout", "3600", _int,
             "seconds without activity before a learner's server is stopped"),
    Variable("HUB_SERVER_ARGS", "server_args", "", _args,
             "extra arguments for every learner's JupyterLab server", shown="(none)"),
    Variable("HUB_PUBLIC_URL", "public_url", "", _public_url,
             "the address on the slips; needed with ``HUB_IP=0.0.0.0``",
             shown="``http://HUB_IP:HUB_PORT/``"),
    Variable("HUB_KERNEL_IDLE_TIMEOUT", "kernel_idle_timeout", "1200", _whole,
             "seconds a kernel may sit idle (open tab or not) before it is stopped; "
             "``0``: never"),
    Variable("HUB_SPAWN_LIMIT", "spawn_limit", str(4 * (os.cpu_count() or 1)), _whole,
             "servers starting at once; others retry in 10-20 s", shown="``4`` per core"),
    Variable("HUB_ROOM_PORT", "room_port", "8002", _int,
             "the ``room`` service (the live view) on 127.0.0.1; learners' kernels post there"),
)

if __doc__:  # not under python -OO
    __doc__ += "\n".join(["| variable | default | what |", "|---|---|---|",
                          *(v.row() for v in VARIABLES)]) + "\n"


@dataclass(frozen=True)
class Settings:
    """The room's settings, one field per ``HUB_*`` variable (see ``VARIABLES``)."""

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
    room_port: int = 8002

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Every ``HUB_*`` variable of ``env`` (default: this process's environment), read
        once; a ValueError names a variable that cannot be read and what to give."""
        env = os.environ if env is None else env
        return cls(**{v.field: v.read(env) for v in VARIABLES})

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
    def prestart_token(self) -> Path:
        """The ``prestart`` service's API token (made by the hub's config, root only)."""
        return self.state / "prestart-token"

    @property
    def room_db(self) -> Path:
        """The ``room`` service's results (SQLite, root only): kept across restarts."""
        return self.state / "room.sqlite"

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
