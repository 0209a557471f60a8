"""The room's class report (hub.report) against a learner who attacks it.

xlt-ana's exercise notebook, run by the report, tries what a learner's code could do to a
report that ran everyone as one user: read a classmate's notebook and leak it to /tmp,
forge and wipe other learners' results, kill their kernels, and leak the hub's slips or
/etc/shadow through notebooks that are symbolic links. Each attempt must fail for her and
change nothing of xlt-bo's result, which is compared with a report run before the attack.
xlt-bo checks one answer in his kernel without saving it: it is counted and named. A
learner added to the class list who never started a server is listed as absent.
"""

from __future__ import annotations

import csv
import io
import json
import stat
import time
from pathlib import Path

import nbformat
import pytest
from hubtools import REPORT, execute, new_kernel

from xentlearn.exercises.record import HOME_LOG

EXERCISES = "course/exercises"
CH01, CH02 = "01_shannon_entropy.ipynb", "02_cross_entropy.ipynb"
SETUP = "import xentlearn as xl\nfrom xentlearn.exercises import chapter\nex = chapter(1)"
RIGHT_Q1 = "ex.q1.check(float(xl.entropy([26 / 30, 4 / 30], base=2)))"
RIGHT_Q2 = "ex.q2.check(3.0)"
#: Where xlt-ana's attack writes what it managed (as her, readable by the test).
OUTCOME = Path("/tmp/xlt-attack-outcome.json")
STOLEN = Path("/tmp/xlt-stolen")
ABSENT = "xlt-dee"


def _put_notebook(learner, path: str, *cells: str) -> None:
    """Save a notebook into the learner's home through their own server: theirs, as JupyterLab
    saves it."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Exercises")]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    r = learner.server_api("PUT", f"contents/{path}",
                           json={"type": "notebook", "format": "json",
                                 "content": json.loads(nbformat.writes(nb))})
    assert r.status_code in (200, 201), (r.status_code, r.text[:300])


def _attack(room, bo) -> str:
    """xlt-ana's cell: every attack of the issue, each outcome noted, the kills last."""
    base_paths = {
        "read bo's copy": "BASE/xlt-bo/work/xlt-bo/" + CH01,
        "read bo's notebook": str(bo.home / EXERCISES / CH01),
        "read the slips": str(room.hub_dir / "state" / "slips.txt"),
        "read /etc/shadow": "/etc/shadow",
        "read the refused link 02": CH02,
    }
    forge = {
        "forge bo's results log": str(bo.home / HOME_LOG),
        "forge bo's report folder": "BASE/xlt-bo/home/forged.jsonl",
    }
    return f"""
import json, os, signal, subprocess
from pathlib import Path
base = Path.cwd().parents[2]  # BASE/NAME/work/NAME
outcome = {{"cwd": str(Path.cwd()), "uid": os.getuid(), "groups": os.getgroups()}}
try:
    outcome["list the report's folder"] = os.listdir(base)
except OSError as e:
    outcome["list the report's folder"] = type(e).__name__
for what, path in {base_paths!r}.items():
    path = path.replace("BASE", str(base))
    try:
        data = open(path, "rb").read()
        open("{STOLEN}-" + what.replace(" ", "-").replace("/", "-"), "wb").write(data)
        outcome[what] = "read"
    except OSError as e:
        outcome[what] = type(e).__name__
line = json.dumps({{"question": "01.q1", "chapter": 1, "status": "incorrect", "cell": 1}})
for what, path in {forge!r}.items():
    path = path.replace("BASE", str(base))
    try:
        with open(path, "a") as f:
            f.write((line + "\\n") * 50)
        outcome[what] = "written"
    except OSError as e:
        outcome[what] = type(e).__name__
outcome["pkill -u nobody"] = subprocess.run(["pkill", "-u", "nobody"]).returncode
killed, refused = [], []
victims = []
for proc in Path("/proc").iterdir():
    try:
        if proc.name.isdigit() and int(proc.name) != os.getpid() and \\
                b"python" in (proc / "cmdline").read_bytes():
            victims.append(int(proc.name))
    except OSError:
        pass
uids = {{}}
for pid in victims:
    try:
        uids[pid] = os.stat(f"/proc/{{pid}}").st_uid
    except OSError:
        pass
outcome["python processes of others"] = sum(u != os.getuid() for u in uids.values())
for pid in victims:
    if uids.get(pid) == os.getuid():
        continue
    try:
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)
    except OSError as e:
        refused.append(type(e).__name__)
outcome["kill others' python processes"] = {{"killed": killed, "refused": sorted(set(refused))}}
Path("{OUTCOME}").write_text(json.dumps(outcome))
for pid in victims:  # and her own: the report of her notebooks with them
    if uids.get(pid) == os.getuid():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
"""


def _report(room, *options: str) -> dict:
    t0 = time.monotonic()
    result = room.run("report", "--csv", "--jobs", "2", *options, check=False)
    seconds = time.monotonic() - t0
    assert result.returncode == 0, result.stderr[-3000:]
    rows = {(r["learner"], int(r["chapter"])): r
            for r in csv.DictReader(io.StringIO(result.stdout))}
    return {"rows": rows, "notes": result.stderr, "seconds": seconds}


@pytest.fixture(scope="module")
def baseline(room, learners):
    """bo's notebook saved with q1 right; q2 right only checked in his kernel; a report."""
    ana, bo = learners["xlt-ana"], learners["xlt-bo"]
    for learner in (ana, bo):
        log = learner.home / HOME_LOG
        log.unlink(missing_ok=True)  # this module's checks only
        new_kernel(learner)
    _put_notebook(bo, f"{EXERCISES}/{CH01}", SETUP, RIGHT_Q1)
    run = execute(bo, bo.kernels[-1], f"{SETUP}\n{RIGHT_Q1}\n{RIGHT_Q2}\n"
                  "import os\nprint('\\nLOG=' + os.environ['XENTLEARN_RESULTS_LOG'])")
    assert run["error"] is None and run["out"].count("✓") == 2, run
    assert run["out"].splitlines()[-1] == f"LOG={bo.home / HOME_LOG}", run
    _put_notebook(ana, f"{EXERCISES}/{CH01}", SETUP, RIGHT_Q1)
    report = _report(room)
    REPORT.append(f"class report, the 3-learner test class, --jobs 2: "
                  f"{report['seconds']:.1f} s")
    return report


def test_a_learners_checks_go_to_a_private_log_in_their_home(learners, baseline):
    bo = learners["xlt-bo"]
    log = bo.home / HOME_LOG
    assert stat.S_IMODE(log.stat().st_mode) == 0o600, oct(log.stat().st_mode)
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    assert log.stat().st_uid == log.parent.stat().st_uid == bo.uid
    statuses = [json.loads(line)["status"] for line in log.read_text().splitlines()]
    assert statuses == ["correct", "correct"]


def test_checks_never_saved_are_counted_and_named(baseline):
    bo = baseline["rows"][("xlt-bo", 1)]
    assert (bo["correct"], bo["attempted"], bo["status"], bo["unsaved"]) == \
        ("2", "2", "ok", "01.q2"), bo
    ana = baseline["rows"][("xlt-ana", 1)]  # saved and checked alike: nothing unsaved
    assert (ana["correct"], ana["attempted"], ana["unsaved"]) == ("1", "1", ""), ana


@pytest.fixture(scope="module")
def attacked(room, learners, baseline):
    """ana's notebook attacks; her 02 is a link to the slips, 03 to /etc/shadow, 04 is a FIFO,
    05 a folder. bo's log before and the report after."""
    ana, bo = learners["xlt-ana"], learners["xlt-bo"]
    OUTCOME.unlink(missing_ok=True)
    for stolen in STOLEN.parent.glob(STOLEN.name + "*"):
        stolen.unlink()
    slips = room.hub_dir / "state" / "slips.txt"
    code = (f"import os\nos.chdir({str(ana.home / EXERCISES)!r})\n"
            f"os.remove({CH02!r})\nos.symlink({str(slips)!r}, {CH02!r})\n"
            "os.symlink('/etc/shadow', '03_binary_cross_entropy.ipynb')\n"
            "os.mkfifo('04_categorical_cross_entropy.ipynb')\n"
            "os.mkdir('05_sparse_categorical_cross_entropy.ipynb')\n")
    run = execute(ana, ana.kernels[-1], code)
    assert run["error"] is None, run
    _put_notebook(ana, f"{EXERCISES}/{CH01}", SETUP, RIGHT_Q1, _attack(room, bo))
    log_before = (bo.home / HOME_LOG).read_bytes()
    report = _report(room, "--time-limit", "60")
    report["bo's log before"] = log_before
    assert OUTCOME.exists(), "the attack did not run: the test would prove nothing"
    report["outcome"] = json.loads(OUTCOME.read_text())
    return report


def test_ana_runs_as_herself_in_her_own_private_folder(learners, attacked):
    outcome = attacked["outcome"]
    ana = learners["xlt-ana"]
    assert outcome["uid"] == ana.uid and outcome["groups"] == [], outcome  # no other groups
    assert Path(outcome["cwd"]).name == "xlt-ana"
    assert outcome["list the report's folder"] == "PermissionError"


def test_reading_a_classmates_work_or_the_hubs_secrets_fails(attacked):
    outcome = attacked["outcome"]
    for what in ("read bo's copy", "read bo's notebook", "read the slips", "read /etc/shadow"):
        assert outcome[what] == "PermissionError", (what, outcome[what])
    assert outcome["read the refused link 02"] == "FileNotFoundError"  # never copied
    assert not list(STOLEN.parent.glob(STOLEN.name + "*"))


def test_forging_or_wiping_a_classmates_results_fails(learners, attacked):
    outcome = attacked["outcome"]
    assert outcome["forge bo's results log"] == "PermissionError"
    assert outcome["forge bo's report folder"] == "PermissionError"
    assert (learners["xlt-bo"].home / HOME_LOG).read_bytes() == attacked["bo's log before"]


def test_killing_a_classmates_kernels_fails(attacked):
    kills = attacked["outcome"]["kill others' python processes"]
    assert attacked["outcome"]["python processes of others"] > 0  # bo's were there to kill
    assert kills["killed"] == [] and "PermissionError" in kills["refused"], kills


def test_the_classmates_result_is_unchanged_by_the_attack(baseline, attacked):
    for chapter in (1, 2):
        assert attacked["rows"][("xlt-bo", chapter)] == baseline["rows"][("xlt-bo", chapter)]
    bo = attacked["rows"][("xlt-bo", 1)]
    assert (bo["correct"], bo["attempted"], bo["status"]) == ("2", "2", "ok")


def test_links_fifos_and_folders_named_like_notebooks_are_refused_and_named(room, attacked):
    rows, notes = attacked["rows"], attacked["notes"]
    expected = {2: "a symbolic link, not a notebook: refused",
                3: "a symbolic link, not a notebook: refused",
                4: "a FIFO, not a regular file", 5: "a folder, not a regular file"}
    for chapter, why in expected.items():
        row = rows[("xlt-ana", chapter)]
        assert row["status"] == "unreadable" and why in row["error"], row
        assert why in notes
    text = json.dumps(list(rows.values())) + notes
    assert "password" not in text and "root:" not in text
    # her own notebook's run was the one she stopped, and hers only
    assert rows[("xlt-ana", 1)]["status"] == "crashed", rows[("xlt-ana", 1)]
    assert "stopped" in rows[("xlt-ana", 1)]["error"]


def test_a_learner_on_the_class_list_with_no_work_is_absent(room, learners, attacked):
    class_list = room.hub_dir / "class-more.txt"
    class_list.write_text("\n".join([*learners, ABSENT]) + "\n")
    made = room.run("accounts", "create", str(class_list), check=False)
    assert made.returncode == 0, made.stderr
    report = _report(room)
    rows = report["rows"]
    chapters = sorted({n for _, n in rows})
    assert [rows[(ABSENT, n)]["status"] for n in chapters] == ["absent"] * len(chapters)
    assert rows[("xlt-bo", 1)]["status"] == "ok"
    table = room.run("report", "--jobs", "2").stdout
    assert f"absent (on the class list, no work found): {ABSENT}" in table, table


def test_the_reports_own_files_are_root_only_and_never_follow_a_link(tmp_path):
    """What a learner's report run prints, and every copy, goes to a new 0600 file in the
    report's 0711 folder: a classmate who guesses its name cannot read it, and a name that
    already exists (a link planted there) is never opened."""
    import os

    from hub.report import _new_private, _write_private

    old = os.umask(0o022)  # the usual umask, under which open(..., "xb") gives 0644
    try:
        with _new_private(tmp_path / ".ana.out") as out:
            out.write(b"[]")
        _write_private(tmp_path / "copy.ipynb", b"{}")
    finally:
        os.umask(old)
    for name in (".ana.out", "copy.ipynb"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    (tmp_path / "secret").write_text("slips")
    (tmp_path / ".bo.out").symlink_to(tmp_path / "secret")
    with pytest.raises(FileExistsError):
        _new_private(tmp_path / ".bo.out")
    with pytest.raises(FileExistsError):
        _write_private(tmp_path / "copy.ipynb", b"again")
    assert (tmp_path / "secret").read_text() == "slips"
