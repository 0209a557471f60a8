"""The command line, ``python -m xentlearn progress ...``: its arguments and its refusals
(the argparse types of ``xentlearn._argtypes``, which the doctor shares)."""

from __future__ import annotations

import re
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


@pytest.mark.parametrize("value", ["86400.5", "1e6", "1e10", "1e308"])
def test_time_limit_refuses_more_than_a_day(value, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["progress", "exercises", "--time-limit", value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert (f"argument --time-limit: expected at most 86400 seconds (24 hours), got {value!r}"
            in err)
    assert "Traceback" not in err


def test_time_limit_takes_fractions_and_a_whole_day(tmp_path, capsys):
    from xentlearn._argtypes import seconds

    day = seconds(86400)
    assert day("2.5") == 2.5 and day("0.1") == 0.1 and day("120") == 120.0
    assert day("86400") == 86400.0
    # parsed and accepted: the command goes on to look for the notebooks
    assert main(["progress", str(tmp_path / "nothing"), "--time-limit", "86400"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_the_doctor_and_the_report_share_one_seconds_type(capsys):
    """The same words for the same mistake, each with its own maximum."""
    messages = {}
    for argv in (["doctor", "--timeout", "-1"], ["progress", "exercises", "--time-limit", "-1"]):
        with pytest.raises(SystemExit):
            main(argv)
        messages[argv[0]] = re.search(r"argument --[a-z-]+: (.*)", capsys.readouterr().err)[1]
    assert messages["doctor"] == messages["progress"] == (
        "expected a positive, finite number of seconds, got '-1'")
    import xentlearn.__main__ as cli

    assert "def _seconds" not in Path(cli.__file__).read_text(encoding="utf-8")


def test_time_limit_refusal_from_the_shell_has_no_traceback():
    result = _progress("exercises", "--time-limit", "-1")
    assert result.returncode == 2
    assert "--time-limit: expected a positive, finite number of seconds, got '-1'" in result.stderr
    assert "Traceback" not in result.stderr
    result = _progress("exercises", "--time-limit", "1e10")
    assert result.returncode == 2
    assert "--time-limit: expected at most 86400 seconds (24 hours), got '1e10'" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("value, why", [("0", "expected at least 1, got '0'"),
                                        ("-2", "expected at least 1, got '-2'"),
                                        ("two", "expected a whole number, got 'two'"),
                                        ("1.5", "expected a whole number, got '1.5'")])
def test_jobs_must_be_a_positive_whole_number(value, why, capsys):
    with pytest.raises(SystemExit):
        main(["progress", "exercises", "--jobs", value])
    assert f"argument --jobs: {why}" in capsys.readouterr().err


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
