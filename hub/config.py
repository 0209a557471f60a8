"""JupyterHub's configuration for a room, from one ``Settings``.

``hub/jupyterhub_config.py``, the file ``make hub`` gives JupyterHub, calls ``configure(c)``:

    .venv/bin/jupyterhub -f hub/jupyterhub_config.py

as root, after ``hub.accounts`` made the learners' users and ``hub.course`` published the
course. The ``HUB_*`` variables (``hub.settings``, each with its help) are read here once,
into one ``Settings``; the hub's spawner gets that object (``RoomSpawner.settings``) and reads
no variable again. The hub listens on 127.0.0.1:8000 unless HUB_IP opens it (HUB_IP=0.0.0.0
for the room's network).
"""

from __future__ import annotations

import os
import pwd
import secrets
import sys
from pathlib import Path

from .roomhub import RoomAuthenticator, RoomSpawner
from .settings import Settings, closed_dirs, learner_paths, venv_bin

HERE = Path(__file__).resolve().parent


def prestart_token(settings: Settings) -> str:
    """The ``prestart`` service's API token, made once, kept in state/ (root only)."""
    path = settings.prestart_token
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()


#: The scope that lets a token reach the ``room`` service at all (it then checks who asks).
ROOM_ACCESS = "access:services!service=room"


def room_url(settings: Settings) -> str:
    """The ``room`` service's own address on this machine (learners' kernels post there)."""
    return f"http://127.0.0.1:{settings.room_port}/services/room/"


def configure(c, settings: Settings | None = None) -> Settings:
    """Fill JupyterHub's config ``c`` for the room; the settings used, read from the
    ``HUB_*`` variables when not given. Stops the hub, saying why, when not root or when
    learners' users cannot reach the project's environment."""
    settings = Settings.from_env() if settings is None else settings
    if os.geteuid() != 0:
        sys.exit("the room's hub starts learners' servers as their own users: run it as root")
    closed = closed_dirs(learner_paths())
    if closed:
        sys.exit("learners' servers cannot reach the project's environment: other users may "
                 "not pass through " + ", ".join(map(str, closed)) + ". Run `chmod o+x "
                 + " ".join(map(str, closed)) + "` (lets them pass, not list), or put the "
                 "project and its Python where every user can reach them.")
    settings.make_dirs()
    state = settings.state

    # Where it listens. Everything but the public port stays on this machine.
    c.JupyterHub.ip = settings.ip
    c.JupyterHub.port = settings.port
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.api_port
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    # PyPI's pure-Python proxy with room for a room: more requests at once, longer queue and
    # request timeouts (see roomproxy.py); kernels' websockets are not limited by it.
    c.ConfigurableHTTPProxy.command = [sys.executable, str(HERE / "roomproxy.py")]
    c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")

    # Secrets and the database in a folder only root can read.
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

    # Accounts: each learner's own password; the instructor is the admin.
    c.JupyterHub.authenticator_class = RoomAuthenticator
    c.RoomAuthenticator.passwords_file = str(settings.passwords)
    c.Authenticator.admin_users = {settings.admin}
    c.Authenticator.any_allow_config = True  # who may log in: RoomAuthenticator.check_allowed

    # Each learner's JupyterLab as their own system user, in their home, with the course.
    c.JupyterHub.spawner_class = RoomSpawner
    c.Spawner.cmd = [str(venv_bin() / "jupyterhub-singleuser")]
    # Kernels talk to the server over Unix sockets in the learner's runtime folder (inside their
    # private home), not over TCP ports on 127.0.0.1 that every user of the machine can reach.
    # Kernels idle for HUB_KERNEL_IDLE_TIMEOUT seconds are stopped, also with their notebook open
    # (cull_connected): a learner's memory is then the notebooks of that last while, not of
    # the whole day. Answers checked are already in the results log; the notebook is on disk.
    culling = [f"--MappingKernelManager.cull_idle_timeout={settings.kernel_idle_timeout}",
               f"--MappingKernelManager.cull_interval={min(60, settings.kernel_idle_timeout)}",
               "--MappingKernelManager.cull_connected=True"] if settings.kernel_idle_timeout else []
    c.Spawner.args = ["--KernelManager.transport=ipc", *culling, *settings.server_args]
    c.Spawner.notebook_dir = "~"
    # Every check a learner makes is appended at once to a private log in their home
    # (~/.xentlearn/results.jsonl, 0600), saved notebook or not: the class report counts it.
    # Each check is also posted, with the learner's own hub token, to the room's live view
    # (the ``room`` service below; xentlearn.exercises.room), straight to its port here.
    c.Spawner.environment = {
        "XENTLEARN_RESULTS_LOG": lambda spawner: str(
            Path(pwd.getpwnam(spawner.user.name).pw_dir) / ".xentlearn" / "results.jsonl"),
        "XENTLEARN_ROOM_URL": f"{room_url(settings)}api/results"}
    c.Spawner.default_url = "/lab/tree/course/notebooks/00_welcome.ipynb"
    c.Spawner.http_timeout = 120  # a room starting together on a small machine
    # A room pressing start together: at most HUB_SPAWN_LIMIT servers start at once; the others
    # get the hub's page "Too many users trying to log in right now. Try again in 10 seconds."
    c.JupyterHub.concurrent_spawn_limit = settings.spawn_limit
    c.JupyterHub.spawn_throttle_retry_range = (5, 10)
    c.RoomSpawner.mem_limit_bytes = settings.mem_limit
    c.RoomSpawner.settings = settings  # the spawner reads nothing from the environment
    c.JupyterHub.cleanup_servers = True

    # Idle servers are stopped (their notebooks are saved on disk; the learner restarts from
    # the hub's home page).
    c.JupyterHub.services = [{
        "name": "idle-culler",
        "command": [sys.executable, str(HERE / "culler.py"),
                    f"--timeout={settings.idle_timeout}"],
    }, {
        # The instructor's live view of the room (hub.roomservice): checks posted by the
        # learners' kernels, kept in state/room.sqlite, shown to the admin at /services/room/.
        "name": "room",
        "url": f"http://127.0.0.1:{settings.room_port}",
        "command": [sys.executable, "-m", "hub.roomservice", f"--db={settings.room_db}",
                    f"--port={settings.room_port}",
                    f"--cookie-secret-file={settings.state / 'room-cookie-secret'}"],
        "cwd": str(HERE.parent),
        "oauth_no_confirm": True,
        "display": True,
    }, {
        # hub.prestart (make hub-prestart) starts the learners' servers with this token.
        "name": "prestart",
        "api_token": prestart_token(settings),
    }]
    c.JupyterHub.load_roles = [{
        # A learner's server token (in their kernels too) may reach the room service, which
        # lets it post that learner's own checks and nothing else (hub.roomservice). A server
        # token gets the scopes of the server role that its user holds too: both roles carry
        # the room's access scope. Learners' reads are refused by the service (admin only).
        "name": "user",
        "scopes": ["self", ROOM_ACCESS],
    }, {
        "name": "server",
        "scopes": ["users:activity!user", "access:servers!server", ROOM_ACCESS],
    }, {
        "name": "room-role",
        "scopes": ["list:users", "read:users:name"],
        "services": ["room"],
    }, {
        "name": "idle-culler-role",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }, {
        "name": "prestart-role",
        "scopes": ["list:users", "read:users", "read:servers", "servers"],
        "services": ["prestart"],
    }]
    return settings
