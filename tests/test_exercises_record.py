"""The results log: every check appends one line, which the class report reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from types import SimpleNamespace

from xentlearn.exercises import chapter
from xentlearn.exercises.record import LOG_ENV_VAR, RESULTS, read_log, record


def _result(question="01.q2", status="correct", **extra):
    return SimpleNamespace(question=question, status=status, message="m", **extra)


def test_record_appends_one_json_line_per_check(tmp_path, monkeypatch):
    log = tmp_path / "results.jsonl"
    monkeypatch.setenv(LOG_ENV_VAR, str(log))
    record(_result(chapter=1))
    record(_result("03.q1", "incorrect"))  # no chapter attribute: taken from the id
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert lines == [{"question": "01.q2", "chapter": 1, "status": "correct", "cell": None},
                     {"question": "03.q1", "chapter": 3, "status": "incorrect", "cell": None}]
    assert RESULTS["03.q1"].status == "incorrect"
    assert read_log(log) == lines


def test_record_never_raises_when_the_log_cannot_be_written(tmp_path, monkeypatch):
    for bad in (tmp_path / "missing" / "folder" / "log.jsonl", tmp_path):  # no folder; a folder
        monkeypatch.setenv(LOG_ENV_VAR, str(bad))
        record(_result("01.q4", "timeout", chapter=1))
        assert RESULTS["01.q4"].status == "timeout"
    monkeypatch.delenv(LOG_ENV_VAR)
    record(_result("01.q4", "error", chapter=1))  # no log at all
    assert RESULTS["01.q4"].status == "error"
    record(object())  # not even a result: nothing happens


def test_the_checker_records_through_record(tmp_path, monkeypatch):
    log = tmp_path / "results.jsonl"
    monkeypatch.setenv(LOG_ENV_VAR, str(log))
    chapter(1).q2.check(3.0)
    assert read_log(log)[-1] == {"question": "01.q2", "chapter": 1, "status": "correct",
                                 "cell": None}


def test_read_log_skips_what_is_not_a_result(tmp_path):
    log = tmp_path / "results.jsonl"
    good = {"question": "02.q1", "chapter": 2, "status": "correct", "cell": 3}
    log.write_text("\n".join([
        json.dumps(good), "not json", "[1, 2]",
        json.dumps({**good, "status": "excellent"}),
        json.dumps({**good, "chapter": "2"}),
        json.dumps({**good, "question": "q1"}),
        json.dumps({**good, "cell": "x"}),
        '{"question": "02.q2", "chap']))
    assert read_log(log) == [good, {**good, "cell": None}]
    assert read_log(tmp_path / "absent.jsonl") == []


def test_the_log_is_written_at_once_so_it_survives_the_process(tmp_path):
    log = tmp_path / "results.jsonl"
    code = ("from xentlearn.exercises import chapter\nimport os\n"
            "chapter(1).q2.check(3.0)\nchapter(1).q1.check(0.1)\nos._exit(1)\n")
    env = {**os.environ, LOG_ENV_VAR: str(log)}
    subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=60)
    assert [(e["question"], e["status"]) for e in read_log(log)] == [
        ("01.q2", "correct"), ("01.q1", "incorrect")]
