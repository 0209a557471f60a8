"""The room's live view on the real hub: three learners check answers in their kernels and
the instructor sees them at /services/room/ in Chromium, within 2 s, with the named mistake;
learners can neither read the class nor post as someone else; forged mistakes are refused;
the results outlive a restart of the service; projector mode shows no name.

The checks here are of chapter 03 and run in a kernel of their own with no results log, so
the class report's tests over chapters 01 and 02 are not affected.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time

import pytest
import requests
from hubtools import (
    NAMES,
    REPORT,
    ROOT,
    Learner,
    execute,
    new_kernel,
    processes_of,
    start_server,
    stop_server,
)

SCREENSHOTS = ROOT / "screenshots" / "hub"
CHAPTER = 3

#: Each learner's checks of chapter 03 (code run in their kernel, in order).
CHECKS = {
    "xlt-ana": ["ex.q1.check(-math.log(0.8))", "exec(ex.q2.solution_code)", "ex.q2.check(bce)"],
    "xlt-bo": ["ex.q1.check(0.8)"] * 3 + ["exec(ex.q2.solution_code)", "ex.q2.check(bce)"],
    "xlt-cy": ["ex.q1.check(math.log(0.8))"],
}
SETUP = ("import math, os\nimport numpy as np\nimport xentlearn as xl\n"
         "os.environ.pop('XENTLEARN_RESULTS_LOG', None)\n"
         "from xentlearn.exercises import chapter, room\nex = chapter(3)\n")
FLUSH = "print(room.flush(10), json.dumps(room.status()))"


def _sent(learner: Learner, kernel: str) -> dict:
    run = execute(learner, kernel, "import json\n" + FLUSH)
    assert run["error"] is None, run
    flushed, status = run["out"].split(" ", 1)
    assert flushed == "True", run
    return json.loads(status)


def _ensure_running(learner: Learner) -> None:
    """The learner's server answering: an earlier module may have stopped it, or killed its
    processes before the hub noticed (the report's attacks end that way)."""
    server = learner.hub_api("GET", f"users/{learner.name}").json()["servers"].get("")
    if server and server["ready"] and learner.server_api("GET", "status").status_code == 200:
        return
    if server:
        stop_server(learner)
    start_server(learner)


@pytest.fixture(scope="module")
def live(room, learners):
    """Every learner's checks made in a fresh kernel of theirs; each kernel's token too."""
    kernels, tokens = {}, {}
    for name, lines in CHECKS.items():
        learner = learners[name]
        _ensure_running(learner)
        kernel = kernels[name] = new_kernel(learner)
        run = execute(learner, kernel, SETUP + "\n".join(lines) + "\n")
        assert run["error"] is None, run
        status = _sent(learner, kernel)
        checks = sum(".check(" in line for line in lines)
        assert status == {"on": True, "sent": checks, "failed": 0, "dropped": 0,
                          "last_error": ""}, (name, status)
        run = execute(learner, kernel, "print(os.environ['JUPYTERHUB_API_TOKEN'])")
        tokens[name] = run["out"].strip()
    return kernels, tokens


def _admin_session(room) -> requests.Session:
    """The instructor logged in to the hub and through the room service's OAuth."""
    from hubtools import login

    session, _ = login(room.base, "instructor", room.passwords["instructor"])
    r = session.get(f"{room.base}/services/room/", timeout=30)
    assert r.status_code == 200 and r.url.endswith("/services/room/"), (r.status_code, r.url)
    return session


def _records(session: requests.Session, base: str) -> dict:
    r = session.get(f"{base}/services/room/api/results", timeout=30)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return {(rec["learner"], rec["question"]): rec for rec in r.json()}


def test_the_instructor_gets_every_learners_checks_as_records(room, live):
    records = _records(_admin_session(room), room.base)
    mine = {k: v for k, v in records.items() if k[1].startswith("03.")}
    summary = {k: (v["status"], v["attempts"], v["mistake"]) for k, v in mine.items()}
    assert summary == {
        ("xlt-ana", "03.q1"): ("correct", 1, ""),
        ("xlt-ana", "03.q2"): ("correct", 1, ""),
        ("xlt-bo", "03.q1"): ("incorrect", 3, "probability_for_loss"),
        ("xlt-bo", "03.q2"): ("correct", 1, ""),
        ("xlt-cy", "03.q1"): ("incorrect", 1, "sign_flipped"),
    }, summary
    for rec in mine.values():
        assert rec["chapter"] == CHAPTER and rec["first"] <= rec["last"], rec
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", rec["last"]), rec


def test_the_class_report_reads_the_live_results_running_nothing(room, live):
    import csv
    import io

    t0 = time.monotonic()
    result = room.run("report", "--live", "--csv")
    seconds = time.monotonic() - t0
    rows = {(r["learner"], int(r["chapter"])): (int(r["correct"]), int(r["attempted"]),
                                                int(r["total"]), r["status"])
            for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows[("xlt-ana", CHAPTER)] == (2, 2, 5, "ok"), rows
    assert rows[("xlt-bo", CHAPTER)] == (1, 2, 5, "ok"), rows
    assert rows[("xlt-cy", CHAPTER)] == (0, 1, 5, "ok"), rows
    assert {name for name, _ in rows} >= set(NAMES)
    others = {k: v for k, v in rows.items() if k[0] not in NAMES}  # added by other modules
    assert all(v[3] == "absent" for v in others.values()), others
    REPORT.append(f"hub-report --live, 3 learners: {seconds:.1f} s")
    table = room.run("report", "--live").stdout
    assert all(name in table for name in NAMES), table


def test_a_learner_can_neither_read_the_class_nor_post_as_another(room, learners, live):
    _, tokens = live
    base = f"{room.base}/services/room/"
    bo = {"Authorization": f"token {tokens['xlt-bo']}"}
    for path in ("api/results", "api/results.csv", "api/state?chapter=3", ""):
        r = requests.get(base + path, headers=bo, timeout=30, allow_redirects=False)
        assert r.status_code == 403, (path, r.status_code, r.text[:200])
    # the learner's own hub token from logging in (not the server's) has no room scope
    r = requests.get(base + "api/results", headers=learners["xlt-bo"].headers, timeout=30,
                     allow_redirects=False)
    assert r.status_code in (302, 403), r.status_code
    admin = _admin_session(room)
    before = _records(admin, room.base)
    forged = {"question": "03.q1", "status": "correct", "mistake": "", "learner": "xlt-cy"}
    r = requests.post(base + "api/results", headers=bo, json=forged, timeout=30)
    assert r.status_code == 400 and "learner" in r.json()["message"], r.text
    after = _records(admin, room.base)
    assert after[("xlt-cy", "03.q1")] == before[("xlt-cy", "03.q1")]
    assert after == before


@pytest.mark.parametrize("body, field", [
    ({"question": "03.q9", "status": "incorrect"}, "question"),
    ({"question": "03.q1", "status": "incorrect", "mistake": "no_such_slip"}, "mistake"),
    ({"question": "03.q1", "status": "incorrect",
      "mistake": "<img src=x onerror=\"document.title='pwned'\">"}, "mistake"),
    ({"question": "<script>document.title='pwned'</script>", "status": "incorrect"},
     "question"),
    ({"question": "03.q1", "status": "<b>correct</b>"}, "status"),
])
def test_unknown_or_script_bearing_results_get_400(room, live, body, field):
    _, tokens = live
    r = requests.post(f"{room.base}/services/room/api/results", json=body, timeout=30,
                      headers={"Authorization": f"token {tokens['xlt-cy']}"})
    assert r.status_code == 400, (r.status_code, r.text)
    assert r.json()["message"].startswith(field), r.text


def _open_view(browser, room, query: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url)
            if not req.url.startswith(room.base) else None)
    page.goto(f"{room.base}/hub/login")
    page.fill("#username_input", "instructor")
    page.fill("#password_input", room.passwords["instructor"])
    page.click("#login_submit")
    page.wait_for_load_state("networkidle")
    page.goto(f"{room.base}/services/room/?{query}")
    page.wait_for_function("() => Number(document.body.dataset.version) >= 0")
    return context, page, errors, outside


def _cell(page, learner: str, question: str) -> str:
    return page.locator(f"#grid tbody tr:has(th:text-is('{learner}')) "
                        f"td[data-question='{question}']").inner_text()


def test_the_live_view_shows_the_room_and_follows_a_check_within_2_s(room, learners, live,
                                                                    browser):
    from axe_playwright_python.sync_playwright import Axe

    kernels, _ = live
    context, page, errors, outside = _open_view(browser, room, f"chapter={CHAPTER}")
    try:
        assert _cell(page, "xlt-ana", "03.q1") == "✓"
        assert _cell(page, "xlt-bo", "03.q1").split() == ["✗", "3", "probability_for_loss"]
        assert _cell(page, "xlt-cy", "03.q1").split() == ["✗", "1", "sign_flipped"]
        assert _cell(page, "xlt-cy", "03.q2") == "·"
        cards = page.locator("#questions li").all_inner_texts()
        q1 = next(c for c in cards if c.startswith("03.q1"))
        assert "1 of 3 done" in q1 and "probability_for_loss" in q1 and "sign_flipped" in q1, q1
        assert "1 made it, 1 still on it" in q1, q1  # bo and cy, neither right yet
        stuck = page.locator("#stuck").inner_text()
        assert "xlt-bo" in stuck and "03.q1" in stuck and "xlt-cy" not in stuck, stuck
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "room-live.png"), full_page=True)

        # cy gets it right: the view shows it without a reload
        cy = learners["xlt-cy"]
        run = execute(cy, kernels["xlt-cy"], "ex.q1.check(-math.log(0.8))")
        assert "✓" in run["out"], run
        t0 = time.monotonic()
        page.wait_for_function(
            "() => document.querySelector(\"#grid td[data-question='03.q1']\") && "
            "[...document.querySelectorAll('#grid tbody tr')].some(tr => "
            "tr.querySelector('th').textContent === 'xlt-cy' && "
            "tr.querySelector(\"td[data-question='03.q1']\").textContent === '✓')",
            timeout=10_000)
        seconds = time.monotonic() - t0
        REPORT.append(f"live view: a check in xlt-cy's kernel shown in the instructor's "
                      f"Chromium {seconds:.2f} s after the cell finished")
        assert seconds < 2.0, seconds

        violations = Axe().run(page, options={"resultTypes": ["violations"],
                                              "preload": False}).response["violations"]
        serious = [(v["id"], v["impact"], v["nodes"][0]["target"]) for v in violations
                   if v["impact"] in ("serious", "critical")]
        REPORT.append(f"axe on the live view: {len(serious)} serious or critical, "
                      f"{len(violations) - len(serious)} minor or moderate")
        assert not serious, serious
        assert page.title() != "pwned" and not errors, errors
        assert not outside, outside  # nothing loaded from anywhere but the hub
    finally:
        context.close()


def test_projector_mode_shows_counts_and_mistakes_but_no_name(room, live, browser):
    context, page, errors, _ = _open_view(browser, room, f"chapter={CHAPTER}&projector=1")
    try:
        text = page.locator("body").inner_text()
        html = page.content()
        assert "probability_for_loss" in text and "2 of 3 done" in text, text
        assert re.search(r"1 learner stuck|\d+ learners? stuck", text), text
        for name in NAMES:
            assert name not in html, name
        page.screenshot(path=str(SCREENSHOTS / "room-projector.png"), full_page=True)
        assert not errors, errors
    finally:
        context.close()


def _room_service_pid(room) -> int | None:
    """The room service of this hub (root's process running hub.roomservice on its port)."""
    port = room.env["HUB_ROOM_PORT"]
    return next((pid for pid, cmd in processes_of(0)
                 if "hub.roomservice" in cmd and f"--port={port}" in cmd.split()), None)


def test_a_restart_of_the_service_keeps_the_results(room, live):
    admin = _admin_session(room)
    before = _records(admin, room.base)
    assert any(k[1].startswith("03.") for k in before)
    old = _room_service_pid(room)
    assert old is not None
    os.kill(old, signal.SIGKILL)  # the hub restarts a managed service that exits
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        new = _room_service_pid(room)
        if new not in (None, old):
            try:
                r = admin.get(f"{room.base}/services/room/api/results", timeout=10)
                if r.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
        time.sleep(0.3)
    else:
        pytest.fail("the room service was not back within 60 s")
    assert _records(admin, room.base) == before
