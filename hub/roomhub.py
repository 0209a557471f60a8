"""The hub's authenticator and spawner for a room (configured by hub.config).

RoomAuthenticator checks a learner's own password against the hashes in
``state/passwords.json`` (written by accounts.py). RoomSpawner starts each learner's
JupyterLab as the learner's system user, first copying or updating their course with
nbgitpuller, and puts the server and its kernels in a memory cgroup of their own with
``HUB_MEM_LIMIT`` (cgroup v2's memory.max, or v1's memory.limit_in_bytes): past it the
kernel using the most memory is stopped by the OOM killer, not the machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
from pathlib import Path

from jupyterhub.auth import Authenticator
from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Instance, Integer, Unicode

from .accounts import check_password
from .course import git_env, pull_command
from .memory import memory_cgroup, remove_cgroup, set_memory_limit
from .settings import Settings


def runtime_dir(uid: int) -> Path:
    """The learner's Jupyter runtime folder: connection files and the kernels' Unix sockets.

    In /run/user/UID (the usual per-user runtime folder, 0700) rather than in the home: a
    socket's path must be shorter than 108 bytes, and a home under $HUB_DIR can be long.
    """
    return Path("/run/user") / str(uid) / "jupyter"


class RoomAuthenticator(Authenticator):
    """Per-learner passwords from the class list's accounts; nobody shares one."""

    passwords_file = Unicode(help="JSON file of name -> {hash, role}").tag(config=True)

    async def authenticate(self, handler, data):
        name, password = data.get("username", ""), data.get("password", "")
        record = _read_json(self.passwords_file).get(name)
        if record and check_password(password, record["hash"]):
            return {"name": name, "admin": record.get("role") == "admin"}
        return None

    def check_allowed(self, username, authentication=None):
        return username in _read_json(self.passwords_file)


def _read_json(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        return {}


class RoomSpawner(LocalProcessSpawner):
    """LocalProcessSpawner with the course pulled first and a memory cgroup per learner."""

    mem_limit_bytes = Integer(0, help="bytes for the learner's server and kernels; 0: none"
                              ).tag(config=True)
    course_home_folder = Unicode("course").tag(config=True)
    settings = Instance(Settings,
                        help="the room's HUB_* settings, read once by hub.config: the course "
                        "repository and the hub's git settings").tag(config=True)

    cgroup: Path | None = None

    def make_preexec_fn(self, name):
        drop_privileges = super().make_preexec_fn(name)
        cgroup = self.cgroup

        def preexec():
            if cgroup is not None:  # still root here: join the learner's cgroup, then drop
                (cgroup / "cgroup.procs").write_text(str(os.getpid()))
            drop_privileges()

        return preexec

    async def start(self):
        settings = self.settings
        try:
            user = pwd.getpwnam(self.user.name)
        except KeyError:
            raise RuntimeError(f"{self.user.name} has no system user, so no server: learners "
                               "get theirs from the class list (hub/accounts.py); the "
                               "instructor works from the admin page, /hub/admin") from None
        await self.pull_course(settings, Path(user.pw_dir))
        runtime = runtime_dir(user.pw_uid)
        runtime.mkdir(parents=True, exist_ok=True)
        for folder in (runtime.parent, runtime):
            os.chown(folder, user.pw_uid, user.pw_gid)
            folder.chmod(0o700)
        self.cgroup = None
        if self.mem_limit_bytes:
            self.cgroup = memory_cgroup(self.user.name)
            if self.cgroup is None:
                self.log.warning("no writable memory cgroup here: %s runs without a memory "
                                 "limit", self.user.name)
            else:
                set_memory_limit(self.cgroup, self.mem_limit_bytes)
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        remove_cgroup(self.user.name)

    async def pull_course(self, settings: Settings, home: Path) -> None:
        """Copy the course into the learner's home, or merge the instructor's update."""
        if not (settings.course_repo / "HEAD").exists():
            self.log.warning("no course repository at %s (make hub publishes it)",
                             settings.course_repo)
            return
        env = {"HOME": str(home), "PATH": "/usr/bin:/bin", **git_env(settings)}
        command = ["runuser", "-u", self.user.name, "--", "env", *(f"{k}={v}" for k, v in
                                                                   env.items()),
                   *pull_command(settings, home)]
        proc = await asyncio.create_subprocess_exec(
            *command, cwd=str(home), stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        out, _ = await proc.communicate()
        if proc.returncode:
            self.log.error("course pull for %s failed (%s):\n%s", self.user.name,
                           proc.returncode, out.decode(errors="replace")[-2000:])
        else:
            self.log.info("course pulled for %s", self.user.name)

    def get_env(self):
        env = super().get_env()
        env["JUPYTER_RUNTIME_DIR"] = str(runtime_dir(pwd.getpwnam(self.user.name).pw_uid))
        env.update(git_env(self.settings))
        env["PATH"] = f"{Path(self.cmd[0]).parent}:/usr/bin:/bin"
        return env
