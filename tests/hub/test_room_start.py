"""A room that starts at once: 25 learners of a hub of their own press start together and
every one gets JupyterLab, with no error page; ``make hub-prestart``'s step starts them all a
few at a time; idle kernels are culled. Figures go to the end-of-run summary."""

from __future__ import annotations

import os
import pwd
import re
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import running_room
from hubtools import (
    REPORT,
    ROOT,
    Learner,
    hub_command,
    login,
    new_kernel,
    processes_of,
    rss_mb,
)

#: Learners pressing start together: the issue's room (on a 2-core machine).
CLASS_SIZE = 25
NAMES = tuple(f"xlr-{i:02d}" for i in range(1, CLASS_SIZE + 1))
PREFIX = "xentlearn-hub-test-room-"
#: Short enough for the culling test to see a kernel go (the room's default is 1200 s).
KERNEL_IDLE = 10


@pytest.fixture(scope="module")
def big_room(tmp_path_factory):
    with running_room(tmp_path_factory, prefix=PREFIX, names=NAMES, preflight=True,
                      settings={"HUB_MEM_LIMIT": "600M", "HUB_IDLE_TIMEOUT": "3600",
                                "HUB_KERNEL_IDLE_TIMEOUT": str(KERNEL_IDLE)}) as room:
        yield room


def _press_start(learner: Learner, barrier: threading.Barrier, timeout: float = 300) -> dict:
    """What a learner's browser does after logging in: open /hub/spawn (once more after the
    time a 'Try again' page gives), follow the progress, then open their JupyterLab. Every
    HTTP status seen, the retries, and the seconds until JupyterLab answered."""
    s, statuses, retries = learner.session, [], 0
    barrier.wait()
    t0 = time.monotonic()
    while True:
        r = s.get(f"{learner.base}/hub/spawn", timeout=timeout)
        statuses += [h.status_code for h in r.history] + [r.status_code]
        if r.status_code != 429:
            break
        assert "Try again in" in r.text, r.text[:500]
        retries += 1
        time.sleep(float(r.headers.get("Retry-After", 10)))
    if f"/hub/spawn-pending/{learner.name}" in r.url:
        progress = s.get(f"{learner.base}/hub/api/users/{learner.name}/server/progress",
                         headers=learner.headers, timeout=timeout)
        statuses.append(progress.status_code)
    while time.monotonic() - t0 < timeout:
        lab = s.get(f"{learner.base}/user/{learner.name}/lab", timeout=timeout)
        statuses += [h.status_code for h in lab.history] + [lab.status_code]
        if lab.status_code == 200 and f"/user/{learner.name}/lab" in lab.url:
            break
        time.sleep(1)
    return {"statuses": statuses, "retries": retries, "seconds": time.monotonic() - t0,
            "lab": lab.status_code}


@pytest.fixture(scope="module")
def started(big_room):
    """Every learner logged in; then all press start at the same moment."""
    def sign_in(name):
        session, token = login(big_room.base, name, big_room.passwords[name])
        user = pwd.getpwnam(name)
        return Learner(name, big_room.base, session, token, user.pw_uid, Path(user.pw_dir))

    with ThreadPoolExecutor(CLASS_SIZE) as pool:
        learners = list(pool.map(sign_in, NAMES))
    barrier = threading.Barrier(CLASS_SIZE)
    with ThreadPoolExecutor(CLASS_SIZE) as pool:
        results = list(pool.map(lambda lr: _press_start(lr, barrier), learners))
    big_room.learners.update({lr.name: lr for lr in learners})
    return dict(zip(NAMES, results, strict=True))


def test_25_learners_pressing_start_together_all_get_jupyterlab_without_an_error(
        big_room, started):
    errors = {n: r["statuses"] for n, r in started.items()
              if any(code >= 500 for code in r["statuses"])}
    assert not errors, errors
    assert all(r["lab"] == 200 for r in started.values()), started
    seconds = sorted(r["seconds"] for r in started.values())
    retried = sum(r["retries"] > 0 for r in started.values())
    limit = big_room.env.get("HUB_SPAWN_LIMIT") or 4 * (os.cpu_count() or 1)
    REPORT.append(f"{CLASS_SIZE} learners pressing start at once ({os.cpu_count()} cores, "
                  f"{limit} spawns at a time): all in JupyterLab after {seconds[-1]:.1f} s "
                  f"(first {seconds[0]:.1f} s, median {seconds[len(seconds) // 2]:.1f} s); "
                  f"{retried} saw 'Try again' first; no 5xx")
    servers = [rss_mb(p) for lr in big_room.learners.values()
               for p, cmd in processes_of(lr.uid) if "jupyterhub-singleuser" in cmd]
    assert len(servers) == CLASS_SIZE
    hub, proxy = rss_mb(big_room.proc.pid), sum(
        rss_mb(p) for p, cmd in processes_of(0)
        if "roomproxy.py" in cmd and big_room.env["HUB_PROXY_API_PORT"] in cmd)
    mean = sum(servers) / len(servers)
    REPORT.append(f"RSS of {CLASS_SIZE} idle learner servers: mean {mean:.0f} MB, max "
                  f"{max(servers):.0f} MB; hub {hub:.0f} MB, proxy {proxy:.0f} MB")


def test_the_throttle_and_the_proxy_are_set_for_a_room(big_room, started):
    log = big_room.log.read_text()
    proxy = [cmd for _, cmd in processes_of(0) if "roomproxy.py" in cmd
             and big_room.env["HUB_PROXY_API_PORT"] in cmd]
    assert len(proxy) == 1, processes_of(0)
    assert "Timeout in request queue" not in log
    from tornado.httpclient import AsyncHTTPClient

    from hub import roomproxy
    roomproxy.configure()
    try:
        client = AsyncHTTPClient(force_instance=True)
        assert client.max_clients >= 100 and client.defaults["connect_timeout"] >= 60
        assert client.defaults["request_timeout"] > 120  # longer than a server's start
        client.close()
    finally:
        AsyncHTTPClient.configure(None)  # tornado's defaults again for this process


def test_kernels_idle_past_the_timeout_are_culled_even_with_a_tab_open(big_room, started):
    learner = big_room.learners[NAMES[0]]
    server = [cmd for _, cmd in processes_of(learner.uid) if "jupyterhub-singleuser" in cmd]
    assert f"--MappingKernelManager.cull_idle_timeout={KERNEL_IDLE}" in server[0], server
    assert "--MappingKernelManager.cull_connected=True" in server[0], server
    kernel = new_kernel(learner)
    import websocket
    url = learner.base.replace("http://", "ws://") + \
        f"/user/{learner.name}/api/kernels/{kernel}/channels"
    tab = websocket.create_connection(url, header=[f"Authorization: token {learner.token}"],
                                      timeout=10, http_no_proxy=["127.0.0.1"])  # an open tab
    try:
        deadline = time.monotonic() + 4 * KERNEL_IDLE + 30
        while time.monotonic() < deadline:
            ids = [k["id"] for k in learner.server_api("GET", "kernels").json()]
            if kernel not in ids:
                break
            time.sleep(1)
        else:
            pytest.fail(f"the kernel was still running {4 * KERNEL_IDLE + 30} s later")
    finally:
        tab.close()
    REPORT.append(f"an idle kernel with its tab open culled after "
                  f"{KERNEL_IDLE} s idle (HUB_KERNEL_IDLE_TIMEOUT) within the check interval")


def test_prestart_starts_every_learners_server_a_few_at_a_time(big_room, started):
    from hubtools import stop_server
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(stop_server, big_room.learners.values()))
    t0 = time.monotonic()
    done = subprocess.run(hub_command("prestart"), cwd=ROOT,
                          env=big_room.env, capture_output=True, text=True, timeout=600)
    seconds = time.monotonic() - t0
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{CLASS_SIZE} of {CLASS_SIZE} learners' servers ready" in done.stdout, done.stdout
    for learner in big_room.learners.values():
        user = learner.hub_api("GET", f"users/{learner.name}").json()
        assert user["servers"][""]["ready"], user
    at_once = re.search(r"\((\d+) at a time\)", done.stdout).group(1)
    REPORT.append(f"make hub-prestart for {CLASS_SIZE} learners ({at_once} at a time): all "
                  f"ready after {seconds:.1f} s")
    again = subprocess.run(hub_command("prestart"), cwd=ROOT,
                           env=big_room.env, capture_output=True, text=True, timeout=120)
    quick = re.findall(r"^xlr-\d+: ready after 0\.\d s$", again.stdout, re.M)
    assert again.returncode == 0 and len(quick) == CLASS_SIZE, again.stdout  # none restarted
