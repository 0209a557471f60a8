"""What the checker does with a learner's code: a time limit that holds, every exception kept in,
the learner's floating-point settings apart from the checker's, a memory check that holds.

Adversarial answers run in a subprocess with a hard limit (``timeout=``): if the checker
failed to stop them, the test fails instead of hanging, and whatever escapes the check (a
SystemExit, say) ends only that process. One test drives a real Jupyter kernel, where the
stop button sends SIGINT.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from xentlearn.exercises import chapter, checker, runner, view

ROOT = Path(__file__).resolve().parents[1]
HARD_LIMIT = 60  # seconds a subprocess may take before the test fails
LIMIT = 0.5  # the checker's time limit in the subprocesses
#: After a check: no trace function, the alarm handler and timer as before, SIGINT as before.
CLEAN = {"trace": True, "alarm": True, "timer": True, "sigint": True, "tracing": False}

PRELUDE = f"""
import json, signal, sys, time, tracemalloc
import numpy as np
from xentlearn.exercises import chapter, checker
checker.TIME_LIMIT = {LIMIT}
# Python keeps SIGINT ignored when its launcher ignored it (a job started in the background
# of a shell without job control); a kernel, like the learner's, handles it.
signal.signal(signal.SIGINT, signal.default_int_handler)

def report(result, seconds, **extra):
    print("RESULT " + json.dumps({{"status": result.status, "message": result.message,
                                   "seconds": seconds, **extra}}), flush=True)

def timed(q, answer):
    start = time.monotonic()
    result = q.check(answer)
    return result, time.monotonic() - start

def state():
    return {{"trace": sys.gettrace() is None,
             "alarm": signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None),
             "timer": signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0),
             "sigint": signal.getsignal(signal.SIGINT) is signal.default_int_handler,
             "tracing": tracemalloc.is_tracing()}}
"""


def _learner(code: str, *, timeout: float = HARD_LIMIT) -> tuple[list[dict],
                                                               subprocess.CompletedProcess]:
    """Run ``code`` after PRELUDE in a fresh Python; the results it reported, and the process."""
    proc = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
                          capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                          env={**os.environ, "XENTLEARN_RESULTS_LOG": ""})
    results = [json.loads(line[len("RESULT "):]) for line in proc.stdout.splitlines()
               if line.startswith("RESULT ")]
    return results, proc


# --- the time-out cannot be dodged --------------------------------------------------------------


def test_the_time_out_is_not_an_exception():
    assert issubclass(runner.CheckTimeout, BaseException)
    assert not issubclass(runner.CheckTimeout, Exception)


DODGES = {
    "3 s per case inside except Exception": """
        def answer(p):
            try:
                time.sleep(3)
            except Exception:
                pass
            return -np.sum(p[p > 0] * np.log2(p[p > 0]))
    """,
    "while True with except Exception": """
        def answer(p):
            while True:
                try:
                    sum(range(100))
                except Exception:
                    pass
    """,
    "while True with a bare except": """
        def answer(p):
            while True:
                try:
                    sum(range(100))
                except:
                    pass
    """,
    "except BaseException around a slow helper": """
        def slow():
            s = 0
            for i in range(10**5):
                s += i
            return s
        def answer(p):
            while True:
                try:
                    slow()
                except BaseException:
                    continue
    """,
    "two nested handlers in one loop": """
        def answer(p):
            while True:
                try:
                    try:
                        while True:
                            pass
                    except BaseException:
                        pass
                except BaseException:
                    pass
    """,
    "handlers that keep the exception alive": """
        kept = []
        def answer(p):
            while True:
                try:
                    sum(range(100))
                except BaseException as exc:
                    kept.append(exc)
    """,
    "contextlib.suppress(BaseException) in a loop": """
        import contextlib
        def answer(p):
            while True:
                with contextlib.suppress(BaseException):
                    time.sleep(0.01)
    """,
    "a loop in finally": """
        def answer(p):
            try:
                return 1.0
            finally:
                while True:
                    try:
                        pass
                    except BaseException:
                        pass
    """,
    "swallows the time-out, then returns the right value": """
        def answer(p):
            for _ in range(3):
                try:
                    time.sleep(0.4)
                except BaseException:
                    pass
            return -np.sum(p[p > 0] * np.log2(p[p > 0]))
    """,
    "a returned object whose __array__ never ends": """
        class Endless:
            def __array__(self, dtype=None, copy=None):
                while True:
                    try:
                        pass
                    except BaseException:
                        pass
        def answer(p):
            return Endless()
    """,
}


@pytest.mark.parametrize("dodge", sorted(DODGES))
def test_a_learner_cannot_dodge_the_time_limit(dodge):
    code = textwrap.dedent(DODGES[dodge]) + """
result, seconds = timed(chapter(1).q3, answer)
report(result, seconds, state=state())
x = 0
for i in range(10**6):  # plain code runs normally after the check
    x += 1
print("AFTER", x, flush=True)
"""
    [result], proc = _learner(code)
    assert result["status"] == "timeout", result
    assert "still running after 0.5 s" in result["message"]
    assert result["seconds"] < LIMIT + 1.0, result["seconds"]
    assert result["state"] == CLEAN
    assert "AFTER 1000000" in proc.stdout and proc.returncode == 0, proc.stderr
    assert "Exception ignored" not in proc.stderr, proc.stderr


def test_a_check_inside_a_learner_function_keeps_the_outer_limit():
    code = """
def answer(p):
    chapter(1).q2.check(3.0)  # a check of its own, with its own limit
    while True:
        try:
            pass
        except BaseException:
            pass
result, seconds = timed(chapter(1).q3, answer)
report(result, seconds, state=state())
"""
    [result], proc = _learner(code)
    assert result["status"] == "timeout" and result["seconds"] < LIMIT + 1.0, result
    assert "01.q2 correct" in proc.stdout
    assert result["state"] == CLEAN


# --- whatever the learner raises is an error ---------------------------------------------------

RAISED = {"SystemExit": ("raise SystemExit(3)", "SystemExit: 3"),
          "GeneratorExit": ("raise GeneratorExit", "GeneratorExit"),
          "own BaseException subclass": ("raise Mine('boom')", "Mine: boom"),
          "KeyboardInterrupt raised by the code": ("raise KeyboardInterrupt", "KeyboardInterrupt"),
          "StopIteration": ("raise StopIteration", "StopIteration"),
          "sys.exit": ("sys.exit('bye')", "SystemExit: bye")}


@pytest.mark.parametrize("what", sorted(RAISED))
def test_whatever_the_learner_raises_is_an_error_result(what):
    statement, shown = RAISED[what]
    code = f"""
class Mine(BaseException):
    pass
def answer(p):
    {statement}
class Number(float):
    def __float__(self):
        {statement}
for q, a in ((chapter(1).q3, answer), (chapter(1).q1, Number())):
    result, seconds = timed(q, a)
    report(result, seconds, state=state())
print("STILL HERE", flush=True)
"""
    results, proc = _learner(code)
    assert "STILL HERE" in proc.stdout, proc.stderr
    assert [r["status"] for r in results] == ["error", "error"], results
    assert f"raised {shown} (input p = " in results[0]["message"]
    assert results[1]["message"] == f"your answer could not be read as a number: {shown}"
    assert all(r["state"] == CLEAN for r in results)


def test_check_never_raises_on_odd_answers():
    code = """
class Weird:
    def __eq__(self, other):
        raise SystemExit
    def __len__(self):
        raise GeneratorExit
    def __repr__(self):
        raise SystemExit
    __hash__ = None
for q in chapter(1).questions + chapter(8).questions:
    for a in (Weird(), [Weird()], lambda *args: Weird()):
        result, seconds = timed(q, a)
        report(result, seconds)
print("STILL HERE", flush=True)
"""
    results, proc = _learner(code)
    assert "STILL HERE" in proc.stdout, proc.stderr
    assert len(results) == 3 * 10
    assert {r["status"] for r in results} <= {"incorrect", "error"}


# --- only the person pressing stop interrupts a check -------------------------------------------


@pytest.mark.parametrize("swallows", [False, True], ids=["plain loop", "loop swallowing it"])
def test_pressing_stop_interrupts_the_check(swallows):
    body = ("while True:\n        try:\n            pass\n        except BaseException:\n"
            "            pass") if swallows else "while True:\n        pass"
    code = PRELUDE + f"""
checker.TIME_LIMIT = 30
def answer(p):
    {body}
print("READY", flush=True)
try:
    chapter(1).q3.check(answer)
except KeyboardInterrupt:
    print("INTERRUPTED", state(), flush=True)
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert proc.stdout.readline().strip() == "READY"
        time.sleep(0.5)
        start = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=HARD_LIMIT)
    finally:
        proc.kill()
    assert time.monotonic() - start < 5
    assert "INTERRUPTED" in out, err
    assert "'trace': True, 'alarm': True, 'timer': True, 'sigint': True" in out


def test_in_a_kernel_the_stop_button_interrupts_and_the_limit_holds():
    """A real ipykernel: its SIGINT handling, what the course runs in."""
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3",
                              extra_arguments=["--IPKernelApp.log_level=ERROR"])

    def run(code, interrupt_after=None):
        msg_id = kc.execute(code)
        start, out, sent = time.monotonic(), [], False
        while time.monotonic() - start < HARD_LIMIT:
            if interrupt_after is not None and not sent and \
                    time.monotonic() - start > interrupt_after:
                km.interrupt_kernel()
                sent = True
            try:
                msg = kc.get_iopub_msg(timeout=0.1)
            except queue.Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "stream":
                out.append(content["text"].strip())
            elif kind in ("display_data", "execute_result"):
                out.append(content["data"]["text/plain"])
            elif kind == "error":
                out.append(content["ename"])
            elif kind == "status" and content["execution_state"] == "idle":
                return time.monotonic() - start, out
        raise AssertionError(f"the kernel did not finish: {out}")

    try:
        run("from xentlearn.exercises import chapter, checker\nchecker.TIME_LIMIT = 1.0\n"
            "q = chapter(1).q3\ndef swallow(p):\n    while True:\n        try:\n"
            "            sum(range(100))\n        except:\n            pass")
        seconds, out = run("r = q.check(swallow)")
        assert seconds < 3 and out[0].startswith("✗ 01.q3 timeout"), out
        seconds, out = run("checker.TIME_LIMIT = 60\nr = q.check(swallow)\nprint('not reached')",
                           interrupt_after=1.0)
        assert out == ["KeyboardInterrupt"] and seconds < 10, (seconds, out)
        seconds, out = run("def own(p):\n    raise KeyboardInterrupt\nr = q.check(own)")
        assert out[0].startswith("✗ 01.q3 error") and "raised KeyboardInterrupt" in out[0], out
        seconds, out = run("print(q.check(q._reference).status)")
        assert out[-1] == "correct", out
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_without_sigalrm_checks_run_unlimited_and_say_so_once(monkeypatch, capsys):
    monkeypatch.delattr(runner.signal, "SIGALRM")
    monkeypatch.setattr(view, "_NOTED_NO_LIMIT", False)
    q = chapter(1).q3
    assert q.check(q._reference).passed
    assert q.check(q._reference).passed
    out = capsys.readouterr().out
    assert out.count("without a time limit") == 1


def test_outside_the_main_thread_checks_run_unlimited():
    import threading

    results = []
    worker = threading.Thread(target=lambda: results.append(
        runner.run(lambda: 42, seconds=0.1)))
    worker.start()
    worker.join(30)
    assert results[0].status == "returned" and results[0].value == 42
    assert not results[0].limited


# --- floating-point settings --------------------------------------------------------------------

RAISE_BEFORE = ["03.q3", "04.q2", "04.q4", "05.q2", "08.q2"]  # references that raised


def _question(qid):
    return chapter(int(qid[:2])).questions[int(qid.split("q")[1]) - 1]


@pytest.mark.parametrize("qid", RAISE_BEFORE)
def test_the_learners_seterr_does_not_break_the_reference(qid, monkeypatch):
    monkeypatch.setattr(checker, "TIME_LIMIT", 5.0)
    q = _question(qid)

    def careful(*args):  # a correct answer that keeps to the learner's own settings
        with np.errstate(all="ignore"):
            return q._reference(*args)

    with np.errstate(all="raise"):
        result = q.check(careful)
        assert np.geterr() == {"divide": "raise", "over": "raise", "under": "raise",
                               "invalid": "raise"}
    assert result.passed, result.message


def test_every_reference_and_comparison_holds_under_seterr_raise(monkeypatch):
    monkeypatch.setattr(checker, "TIME_LIMIT", 5.0)
    with np.errstate(all="raise"):
        for q in (q for n in range(1, 9) for q in chapter(n).questions):
            if q.kind == "function":
                ref = q._reference

                def careful(*args, ref=ref):
                    with np.errstate(all="ignore"):
                        return ref(*args)

                assert q.evaluate(careful).passed, q.id
                assert not q.evaluate(lambda *a, ref=ref: np.full(np.shape(ref(*a)), np.inf)).passed
            else:
                assert q.evaluate(q._expected).passed, q.id


def test_the_learners_function_runs_under_the_learners_settings():
    seen = []
    q = chapter(1).q3

    def noting(p):
        seen.append(np.geterr()["divide"])
        return -np.sum(p * np.log2(p))  # log2(0): divide by zero

    with np.errstate(divide="raise"):
        result = q.check(noting)
    assert set(seen) == {"raise"}
    assert result.status == "error" and "FloatingPointError" in result.message
    with np.errstate(divide="warn", invalid="ignore"):
        with pytest.warns(RuntimeWarning, match="divide by zero"):
            q.check(noting)
    assert set(seen[-1:]) == {"warn"}


# --- the memory check (05.q1) ---------------------------------------------------------------------

MEMORY = {
    "indexing": ("return -np.mean(np.log(probs[np.arange(len(labels)), labels]))", "correct"),
    "a copy first": ("probs = probs.copy()\n    "
                     "return -np.mean(np.log(probs[np.arange(len(labels)), labels]))", "correct"),
    "the log of everything, then indexing": (
        "return -np.mean(np.log(probs)[np.arange(len(labels)), labels])", "correct"),
    "one-hot with np.eye": ("y = np.eye(probs.shape[1])[labels]\n    "
                            "return -np.mean(np.log(np.sum(y * probs, axis=1)))", "one-hot"),
    "one-hot with zeros": ("y = np.zeros(probs.shape)\n    y[np.arange(len(labels)), labels] = 1\n"
                           "    return -np.mean(np.log(np.sum(y * probs, axis=1)))", "one-hot"),
    "one-hot, then tracemalloc.stop()": (
        "y = np.eye(probs.shape[1])[labels]\n    tracemalloc.stop()\n"
        "    return -np.mean(np.log(np.sum(y * probs, axis=1)))", "tracemalloc"),
    "one-hot, then tracing restarted": (
        "y = np.eye(probs.shape[1])[labels]\n    tracemalloc.stop()\n    tracemalloc.start()\n"
        "    return -np.mean(np.log(np.sum(y * probs, axis=1)))", "tracemalloc"),
}


@pytest.mark.parametrize("already_tracing", [False, True], ids=["not tracing", "learner traces"])
def test_the_memory_check_accepts_copies_and_cannot_be_switched_off(already_tracing):
    answers = "\n".join(f"def answer_{i}(labels, probs):\n    {body}\n"
                        for i, (body, _) in enumerate(MEMORY.values()))
    code = answers + f"""
checker.TIME_LIMIT = 20
q = chapter(5).q1
for i in range({len(MEMORY)}):
    if {already_tracing}:
        if not tracemalloc.is_tracing():
            tracemalloc.start()
        junk = bytearray(50_000_000)  # the learner's own peak, before the check
        del junk
    result, seconds = timed(q, globals()[f"answer_{{i}}"])
    report(result, seconds, tracing=tracemalloc.is_tracing())
"""
    results, proc = _learner(code, timeout=HARD_LIMIT * 2)
    assert len(results) == len(MEMORY), proc.stderr
    for (what, (_, expect)), result in zip(MEMORY.items(), results, strict=True):
        if expect == "correct":
            assert result["status"] == "correct", (what, result["message"])
        else:
            assert result["status"] == "incorrect", (what, result)
            assert expect in result["message"], (what, result["message"])
    if already_tracing:  # the learner's tracing goes on (except where their code stopped it)
        assert results[0]["tracing"] and results[1]["tracing"] and results[2]["tracing"]
    else:
        assert not results[0]["tracing"]


def test_memory_outcome_reports_a_lost_measurement():
    import tracemalloc

    def stops():
        tracemalloc.stop()
        return 1

    out = runner.run(stops, seconds=5.0, measure_memory=True)
    assert out.memory_lost and out.peak_bytes is None and not tracemalloc.is_tracing()
    out = runner.run(lambda: bytearray(10**6), seconds=5.0, measure_memory=True)
    assert not out.memory_lost and 10**6 <= out.peak_bytes < 2 * 10**6
