"""The room's hub with three learners (see conftest.py): each learner's server runs as their
own system user in their own home, learners cannot reach each other or the hub's secrets, a
memory limit holds, a learner works in Chromium, the course is updated without losing their
answers, and the class report over their homes says what they did."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import time
from pathlib import Path

import pytest
from hubtools import (
    MEM_LIMIT,
    NAMES,
    REPORT,
    ROOT,
    Learner,
    execute,
    new_kernel,
    processes_of,
    rss_mb,
    start_server,
    stop_server,
    test_course,
)

SCREENSHOTS = ROOT / "screenshots" / "hub"
EXERCISE = "course/exercises/01_shannon_entropy.ipynb"
RIGHT_Q1 = "answer = float(xl.entropy([26 / 30, 4 / 30], base=2))"
#: What each learner answers in exercises 01 (question -> answer line), and what the class
#: report must then count for them in chapter 01: (correct, attempted).
ANSWERS = {
    "xlt-ana": ({"q1": RIGHT_Q1, "q2": "answer = 3.0"}, (2, 2)),
    "xlt-bo": ({"q1": "answer = 1.0", "q2": "answer = 3.0"}, (1, 2)),
    "xlt-cy": ({"q2": "answer = 8.0"}, (0, 1)),
}


def test_each_learner_writes_into_their_own_home_as_themselves(learners):
    for name, learner in learners.items():
        run = execute(learner, learner.kernels[0], "import os, pathlib\n"
                      "pathlib.Path('hello.txt').write_text('from ' + os.environ['USER'])\n"
                      "print(os.getuid(), os.getcwd())")
        assert run["error"] is None, run
        uid, cwd = run["out"].split()
        assert int(uid) == learner.uid and Path(cwd) == learner.home, run
        written = learner.home / "hello.txt"
        assert written.read_text() == f"from {name}"
        assert written.stat().st_uid == learner.uid
        assert learner.home.stat().st_mode & 0o777 == 0o700
        assert (learner.home / "course" / "notebooks" / "01_shannon_entropy.ipynb").exists()
        assert not (learner.home / "course" / "exercises" / "solutions").exists()


def test_a_learners_kernel_cannot_read_another_home_or_the_hubs_secrets(room, learners):
    ana, bo = learners["xlt-ana"], learners["xlt-bo"]
    state = room.hub_dir / "state"
    targets = [bo.home, bo.home / "hello.txt", bo.home / EXERCISE,
               state / "jupyterhub_cookie_secret", state / "passwords.json",
               state / "slips.txt", state / "jupyterhub.sqlite"]
    for target in targets[3:]:
        assert target.exists(), f"{target} should exist for this test to mean something"
    code = ("import json, os\nseen = {}\n"
            f"for t in {[str(t) for t in targets]!r}:\n"
            "    try:\n"
            "        seen[t] = os.listdir(t) if os.path.isdir(t) else open(t, 'rb').read(9).hex()\n"
            "    except PermissionError:\n"
            "        seen[t] = 'PermissionError'\n"
            "print(json.dumps(seen))")
    run = execute(ana, ana.kernels[0], code)
    assert run["error"] is None, run
    seen = json.loads(run["out"])
    assert seen == {str(t): "PermissionError" for t in targets}, seen


def test_the_idle_culler_runs_as_the_hubs_service(room):
    culler = [p for p, cmd in processes_of(0) if "hub/culler.py" in cmd
              and Path(f"/proc/{p}/stat").read_text().split(")")[1].split()[1]
              == str(room.proc.pid)]
    assert len(culler) == 1, processes_of(0)
    assert f"--timeout={room.env['HUB_IDLE_TIMEOUT']}" in \
        Path(f"/proc/{culler[0]}/cmdline").read_text().replace("\0", " ")
    log = room.log.read_text()
    assert re.search(r"200 GET /hub/api/users\S* \(idle-culler@127\.0\.0\.1\)", log), \
        log[-2000:]


def _listening_tcp_ports(uid: int) -> dict[int, str]:
    """Port -> command line of each TCP socket the user's processes listen on."""
    inodes = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[7]) == uid:  # LISTEN
                inodes[fields[9]] = int(fields[1].rsplit(":", 1)[1], 16)
    ports = {}
    for pid, cmd in processes_of(uid):
        try:
            links = [os.readlink(f) for f in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        for link in links:
            inode = link[len("socket:["):-1] if link.startswith("socket:[") else None
            if inode in inodes:
                ports[inodes[inode]] = cmd
    return ports


def test_kernels_talk_over_private_unix_sockets_not_tcp_ports(learners):
    """A kernel's channels on 127.0.0.1 ports would let any user of the machine subscribe to
    its output; Unix sockets in the learner's own runtime folder (0700) do not. The one TCP
    port a kernel still opens is ipykernel's pipe for its subprocesses' output: it only
    receives, and drops every message without the kernel's random key."""
    for learner in learners.values():
        run = execute(learner, learner.kernels[0], "from ipykernel.connect import "
                      "get_connection_info\ninfo = get_connection_info(unpack=True)\n"
                      "print(info['transport'], info['ip'])")
        transport, ip = run["out"].split()
        runtime = Path(ip).parent
        assert transport == "ipc" and runtime == Path(f"/run/user/{learner.uid}/jupyter"), run
        for folder in (runtime, runtime.parent):
            assert folder.stat().st_uid == learner.uid, folder
            assert folder.stat().st_mode & 0o777 == 0o700, folder
        listening = _listening_tcp_ports(learner.uid)
        kernels = [p for p, cmd in processes_of(learner.uid) if "ipykernel_launcher" in cmd]
        by_kernels = [port for port, cmd in listening.items() if "ipykernel_launcher" in cmd]
        assert len(by_kernels) <= len(kernels), listening  # at most the pipe, not 5 channels
        assert all("ipykernel_launcher" in cmd or "jupyterhub-singleuser" in cmd
                   for cmd in listening.values()), listening


def test_a_learner_gets_403_on_another_learners_urls(room, learners):
    ana, bo = learners["xlt-ana"], learners["xlt-bo"]
    for path in ("contents", "contents/hello.txt", "kernels", f"kernels/{bo.kernels[0]}"):
        r = ana.server_api("GET", path, user=bo.name)  # ana's token on bo's server
        assert r.status_code == 403, (path, r.status_code, r.text[:200])
    assert ana.server_api("GET", "contents").status_code == 200  # her own works
    # ana's browser session (cookies, no token) on bo's lab and files
    for url in (f"/user/{bo.name}/lab", f"/user/{bo.name}/files/hello.txt",
                f"/user/{bo.name}/api/contents"):
        r = ana.session.get(room.base + url, timeout=30)
        assert r.status_code == 403, (url, r.status_code, r.url)
        assert "from xlt-bo" not in r.text
    # The hub's API does not even say whether bo exists, nor lets ana stop bo's server.
    for method, path in (("GET", f"users/{bo.name}"), ("DELETE", f"users/{bo.name}/server")):
        r = ana.hub_api(method, path)
        assert r.status_code == 404, (method, path, r.status_code)
    assert bo.hub_api("GET", f"users/{bo.name}").json()["servers"][""]["ready"]


def test_each_learner_has_a_memory_limit_that_holds(room, learners):
    from hub.settings import parse_size

    limit = parse_size(MEM_LIMIT)
    for name, learner in learners.items():
        procs = processes_of(learner.uid)
        server = [p for p, cmd in procs if "jupyterhub-singleuser" in cmd]
        kernels = [p for p, cmd in procs if "ipykernel_launcher" in cmd]
        assert len(server) == 1 and kernels, procs
        cgroup = next(line.split(":")[2] for line in
                      Path(f"/proc/{server[0]}/cgroup").read_text().splitlines()
                      if line.split(":")[1] in ("memory", ""))
        assert cgroup.endswith(f"xentlearn-hub/{name}"), cgroup
        REPORT.append(f"RSS {name}: server {rss_mb(server[0]):.0f} MB, kernel "
                      f"{sum(rss_mb(k) for k in kernels):.0f} MB "
                      f"({len(kernels)} kernel{'s' if len(kernels) > 1 else ''})")
    hub = rss_mb(room.proc.pid)
    proxy = sum(rss_mb(p) for p, cmd in processes_of(0)
                if "roomproxy.py" in cmd and room.env["HUB_PROXY_API_PORT"] in cmd)
    REPORT.append(f"RSS hub {hub:.0f} MB, proxy {proxy:.0f} MB")
    cy = learners["xlt-cy"]
    kernel = new_kernel(cy)
    # More than the limit in one array: the kernel is stopped, not the server or the machine.
    run = execute(cy, kernel, f"import numpy as np\nx = np.ones({limit // 8})\n"
                  "print('filled', x.sum())", timeout=60)
    assert "filled" not in run["out"], "the array fitted: no limit"
    assert run["error"] in ("kernel restarting", "kernel dead", "MemoryError: "), run
    assert cy.server_api("GET", "status").status_code == 200  # the server lives on
    run = execute(cy, cy.kernels[0], "print(6 * 7)")  # and so does the learner's other kernel
    assert run == {"out": "42\n", "error": None}, run


def _save_answers(learner: Learner, answers: dict[str, str]) -> None:
    """Put the answers in the exercise notebook and save it, as JupyterLab does."""
    r = learner.server_api("GET", f"contents/{EXERCISE}")
    assert r.status_code == 200, r.status_code
    model = r.json()
    for cell in model["content"]["cells"]:
        for question, line in answers.items():
            if f"ex.{question}.check(" in cell["source"]:
                cell["source"] = cell["source"].replace("answer = ...", line)
    r = learner.server_api("PUT", f"contents/{EXERCISE}",
                           json={"type": "notebook", "format": "json",
                                 "content": model["content"]})
    assert r.status_code == 200, (r.status_code, r.text[:300])


@pytest.fixture(scope="module")
def answered(learners):
    """Each learner runs their answers' checks in their kernel and saves the notebook."""
    for name, (answers, (correct, attempted)) in ANSWERS.items():
        learner = learners[name]
        code = "import xentlearn as xl\nfrom xentlearn.exercises import chapter\nex = chapter(1)\n"
        code += "".join(f"{line}\nex.{q}.check(answer)\n" for q, line in answers.items())
        run = execute(learner, learner.kernels[0], code)
        assert run["error"] is None, run
        assert run["out"].count("✓") == correct and run["out"].count("✗") == attempted - correct
        _save_answers(learner, answers)
    return ANSWERS


def test_the_class_report_over_the_homes_says_what_each_learner_did(room, answered):
    t0 = time.monotonic()
    result = room.run("report", "--csv", "--jobs", "2", check=False)
    REPORT.append(f"class report, 3 learners x 2 chapters, --jobs 2: "
                  f"{time.monotonic() - t0:.1f} s")
    assert result.returncode == 0, result.stderr[-3000:]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    got = {(r["learner"], int(r["chapter"])): (int(r["correct"]), int(r["attempted"]),
                                               r["status"]) for r in rows}
    for name, (_, (correct, attempted)) in answered.items():
        assert got[(name, 1)] == (correct, attempted, "ok"), (name, got)
        assert got[(name, 2)] == (0, 0, "ok"), (name, got)
    assert {learner for learner, _ in got} == set(NAMES)
    table = room.run("report").stdout
    assert all(name in table for name in NAMES), table


def test_a_course_update_reaches_a_learner_and_keeps_their_answer(room, learners, answered,
                                                                  tmp_path):
    bo = learners["xlt-bo"]
    course = test_course(tmp_path / "course")
    chapter = course / "notebooks" / "02_cross_entropy.ipynb"
    nb = json.loads(chapter.read_text())
    first = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    first["source"] = [*first["source"], "\n\nUpdated for the room: a typo fixed."]
    chapter.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    (course / "notebooks" / "extra_question.md").write_text("A new question for the room.\n")
    # The notebook bo answered in changes upstream too, in its title cell, far from the answer.
    exercise = course / "exercises" / "01_shannon_entropy.ipynb"
    text = exercise.read_text()
    assert text.count("Practice for the chapter") == 1
    exercise.write_text(text.replace("Practice for the chapter",
                                     "Practice, updated, for the chapter"))
    published = room.run("course", "publish", "--source", str(course), "-m",
                         "A typo fixed, a new question")
    assert "new commit" in published.stdout, published.stdout
    run = execute(bo, bo.kernels[0], "open('course/my-notes.txt', 'w').write('mine')")
    assert run["error"] is None, run
    stop_server(bo)
    seconds = start_server(bo)  # the hub pulls the update before the server starts
    REPORT.append(f"restart {bo.name} with the course update merged: {seconds:.1f} s")
    home = bo.home / "course"
    assert "a typo fixed" in (home / "notebooks" / "02_cross_entropy.ipynb").read_text()
    assert (home / "notebooks" / "extra_question.md").exists()
    mine = json.loads((home / "exercises" / "01_shannon_entropy.ipynb").read_text())
    sources = ["".join(c["source"]) for c in mine["cells"]]
    assert any("answer = 1.0" in s and "ex.q1.check" in s for s in sources), sources
    assert "Practice, updated, for the chapter" in sources[0]  # merged into bo's own file
    assert (home / "my-notes.txt").read_text() == "mine"  # a file of bo's own, untouched
    for path in [home, *home.rglob("*")]:
        assert path.stat().st_uid == bo.uid, path


def test_a_learner_logs_in_in_chromium_runs_chapter_01_and_moves_a_slider(room, learners,
                                                                          browser):
    cy = learners["xlt-cy"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        t0 = time.monotonic()
        page.goto(f"{room.base}/hub/login")
        page.fill("#username_input", cy.name)
        page.fill("#password_input", room.passwords[cy.name])
        page.click("#login_submit")
        page.wait_for_url(re.compile(rf"/user/{cy.name}/lab"), timeout=90_000)
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
        REPORT.append(f"{cy.name}: login to JupyterLab shown in Chromium: "
                      f"{time.monotonic() - t0:.1f} s")
        page.goto(f"{room.base}/user/{cy.name}/lab/workspaces/hubtest/tree/course/notebooks/"
                  "01_shannon_entropy.ipynb?reset")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
        run = page.evaluate(RUN_ALL)
        assert run["path"] == "course/notebooks/01_shannon_entropy.ipynb", run
        assert run["status"] == "idle" and run["ran"] == run["code"] > 0, run
        assert not run["errors"], run["errors"]
        explorer = page.locator(".jp-CodeCell", has_text="coin_explorer(").filter(
            has=page.locator(".noUi-handle")).first
        explorer.scroll_into_view_if_needed()  # JupyterLab draws only the cells in view
        shown = explorer.locator(".xl-entropy").first
        deadline = time.monotonic() + 20
        while not shown.inner_text().strip() and time.monotonic() < deadline:
            time.sleep(0.2)  # the explorer's readout drawn
        before = shown.inner_text()
        explorer.locator(".noUi-handle").first.focus()
        for _ in range(10):
            page.keyboard.press("ArrowRight")
        deadline = time.monotonic() + 20
        while shown.inner_text() == before and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(0.5)  # the last of the ten steps drawn
        after = shown.inner_text()
        label = explorer.locator(".widget-readout").first.inner_text()
        import xentlearn as xl
        p = float(label)
        assert after == f"{float(xl.entropy([p, 1 - p], base=2)):.3f}", (label, after)
        assert (before, p) == ("1.000", pytest.approx(0.6)), (before, label)
        page.screenshot(path=str(SCREENSHOTS / "xlt-cy-chapter-01.png"))
        procs = processes_of(cy.uid)
        server = sum(rss_mb(p) for p, cmd in procs if "jupyterhub-singleuser" in cmd)
        kernels = [rss_mb(p) for p, cmd in procs if "ipykernel_launcher" in cmd]
        REPORT.append(f"RSS {cy.name} with chapter 01 run in the browser: server {server:.0f} "
                      f"MB, kernels {' + '.join(f'{k:.0f}' for k in kernels)} MB, in all "
                      f"{server + sum(kernels):.0f} MB")
        # The project's lab settings reach the learners: no news prompt.
        assert page.get_by_text("official Jupyter news").count() == 0
        REPORT.append(f"{cy.name}: chapter 01 Run All {run['seconds']:.1f} s, slider "
                      f"P(heads) 0.50 -> {p:.2f}, entropy {before} -> {after} bits")
        assert not errors, errors
    finally:
        context.close()


RUN_ALL = """() => Promise.race([new Promise((_, reject) => setTimeout(
  () => reject(new Error('Run All did not finish in 240 s')), 240000)), (async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const app = window.jupyterapp;
  await app.started; await app.restored;
  let w = null;
  for (let i = 0; i < 600 && !w; i++) {
    const c = app.shell.currentWidget;
    if (c && c.context && c.sessionContext && c.context.path.endsWith('01_shannon_entropy.ipynb'))
      w = c;
    else await sleep(100);
  }
  await w.context.ready; await w.sessionContext.ready;
  for (let i = 0; i < 600; i++) {
    const k = w.sessionContext.session && w.sessionContext.session.kernel;
    if (k && k.status === 'idle') break;
    await sleep(100);
  }
  const t0 = performance.now();
  await app.commands.execute('notebook:run-all-cells');
  const kernel = w.sessionContext.session.kernel;
  for (let i = 0; i < 1200 && kernel.status !== 'idle'; i++) await sleep(100);
  const cells = w.content.model.cells;
  let code = 0, ran = 0; const errors = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    code++; if (c.executionCount) ran++;
    for (let j = 0; j < c.outputs.length; j++) {
      const o = c.outputs.get(j).toJSON();
      if (o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))
        errors.push(i + ': ' + (o.ename || '') + ' ' + (o.evalue || o.text || ''));
    }
  }
  return {path: w.context.path, status: kernel.status, code, ran, errors,
          seconds: (performance.now() - t0) / 1000};
})()])"""
