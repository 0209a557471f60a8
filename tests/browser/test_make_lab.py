"""``make lab NO_BROWSER=1``, as the README says: the URL it prints opens the welcome chapter,
JupyterLab serves the course, keeps its token authentication, and stops cleanly on Ctrl-C
(SIGINT to the process group)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time

import pytest
from labtools import REPORT, ROOT, group_alive, http, start_make_lab, stop_process_group

WELCOME = "notebooks/00_welcome.ipynb"
URL = re.compile(r"(http://(?:127\.0\.0\.1|localhost):\d+)(/lab\S*)\?token=([0-9a-zA-Z]+)")


def test_make_lab_serves_the_course_with_its_token_and_stops_on_ctrl_c(jupyter):
    if shutil.which("make") is None:
        pytest.skip("no make on this machine")
    if not (ROOT / WELCOME).exists():
        pytest.skip(f"no {WELCOME} yet")
    start = time.monotonic()
    proc, lines, match, reader = start_make_lab(URL)
    try:
        base, path, token = match.groups()
        assert path == f"/lab/tree/{WELCOME}", f"make lab printed {match.group(0)}"
        base = base.replace("localhost", "127.0.0.1")
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = http(f"{base}/api/contents/{WELCOME}?token={token}", timeout=10)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert status == 200, f"GET /api/contents/{WELCOME} with the token answered {status}"
        model = json.loads(body)
        assert model["type"] == "notebook" and model["path"] == WELCOME
        assert model["content"]["cells"], f"{WELCOME} is served empty"
        refused, _ = http(f"{base}/api/contents/{WELCOME}", timeout=10)
        assert refused in (401, 403), f"without the token JupyterLab answered {refused}"
        wrong, _ = http(f"{base}/api/contents/{WELCOME}?token=0{token[1:]}x", timeout=10)
        assert wrong in (401, 403), f"with a wrong token JupyterLab answered {wrong}"
        served = time.monotonic() - start
    finally:
        code = stop_process_group(proc, signal.SIGINT, 30)
        if code is None:  # make sure nothing is left running, then fail below
            stop_process_group(proc, signal.SIGKILL, 5)
        reader.join(5)
    assert code is not None, "make lab did not exit within 30 s of SIGINT:\n" + "".join(lines)
    deadline = time.monotonic() + 10
    while group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not group_alive(proc.pid), "processes of make lab survived SIGINT"
    output = "".join(lines)
    assert "Shutting down" in output or "Interrupted" in output, output[-2000:]
    root_flag = "--allow-root" in output.split("jupyter lab", 1)[-1].splitlines()[0]
    assert root_flag == (os.geteuid() == 0), "make lab passes --allow-root only as root"
    REPORT.append(f"make lab NO_BROWSER=1: printed {base}{path}, served {WELCOME} with the token "
                  f"({len(model['content']['cells'])} cells) after {served:.1f} s, refused it "
                  f"without ({refused}) and with a wrong token ({wrong}); exited {code} on SIGINT")
