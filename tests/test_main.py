"""The command line, ``python -m xentlearn progress ...``: its arguments and its refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from xentlearn.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


def _progress(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xentlearn", "progress", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


@pytest.mark.parametrize("value, why", [
    ("0", "a positive, finite"), ("-1", "a positive, finite"), ("nan", "a positive, finite"),
    ("inf", "a positive, finite"), ("-inf", "a positive, finite"), ("1e999", "a positive, finite"),
    ("abc", "a number of seconds"), ("", "a number of seconds")])
def test_time_limit_refuses_anything_but_a_positive_finite_number(value, why, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["progress", "exercises", f"--time-limit={value}"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --time-limit: expected {why}" in err and repr(value) in err
    assert "Traceback" not in err


def test_time_limit_takes_fractions():
    assert main.__module__ == "xentlearn.__main__"
    from xentlearn.__main__ import _seconds

    assert _seconds("2.5") == 2.5 and _seconds("0.1") == 0.1 and _seconds("120") == 120.0


def test_time_limit_refusal_from_the_shell_has_no_traceback():
    result = _progress("exercises", "--time-limit", "-1")
    assert result.returncode == 2
    assert "--time-limit: expected a positive, finite number of seconds, got '-1'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5"])
def test_jobs_must_be_a_positive_whole_number(value, capsys):
    with pytest.raises(SystemExit):
        main(["progress", "exercises", "--jobs", value])
    assert "argument --jobs" in capsys.readouterr().err


def test_help_carries_the_security_note(capsys):
    with pytest.raises(SystemExit):
        main(["progress", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "executes the learners' code with the rights of whoever runs it" in out
    assert "on copies" in out and "unprivileged user" in out and "container" in out


def test_missing_paths_and_folders_without_notebooks_fail_clearly(tmp_path, capsys):
    assert main(["progress", str(tmp_path / "nothing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["progress", str(tmp_path)]) == 2
    assert "no exercise notebooks" in capsys.readouterr().err
    other = tmp_path / "notes.ipynb"
    other.write_text("{}")
    assert main(["progress", str(other)]) == 2
    assert "not named as an exercise notebook" in capsys.readouterr().err
