"""The exercise checker passes right answers and fails wrong ones, with specific feedback."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from xentlearn.exercises import all_questions, chapter, checker
from xentlearn.exercises.chapters import CHAPTERS

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = list(all_questions())
FUNCTIONS = [q for q in QUESTIONS if q.kind == "function"]
VALUES = [q for q in QUESTIONS if q.kind == "value"]
ids = lambda q: q.id  # noqa: E731


@pytest.fixture(autouse=True)
def short_time_limit(monkeypatch):
    monkeypatch.setattr(checker, "TIME_LIMIT", 0.3)


def _check(q, answer):
    result = q.check(answer)
    assert result.status in checker.STATUSES
    return result


def test_every_chapter_has_four_to_six_questions_and_two_to_implement():
    assert sorted(CHAPTERS) == [1, 2, 3, 4, 5, 6, 7, 8]
    for n in CHAPTERS:
        qs = chapter(n).questions
        assert 4 <= len(qs) <= 6
        assert sum(q.kind == "function" for q in qs) >= 2
        assert [q.id for q in qs] == [f"{n:02d}.q{k}" for k in range(1, len(qs) + 1)]
        for q in qs:
            assert getattr(chapter(n), q.id.split(".")[1]) is q


def test_introspection_names():
    assert len({q.id for q in QUESTIONS}) == len(QUESTIONS)
    assert {q.kind for q in QUESTIONS} == {"value", "function"}
    assert all(callable(q.check) for q in QUESTIONS)


# --- function questions -------------------------------------------------------------------------


def _example_output(q):
    return q.reference(*q.example.args)


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_reference_passes(q):
    result = _check(q, q.reference)
    assert result.passed, result.message
    n = len(q.cases())
    assert result.message.startswith(f"{n} of {n} cases passed")
    assert n >= 4


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_solution_code_passes(q):
    namespace = {"np": np, "xl": __import__("xentlearn")}
    exec(q.solution_code, namespace)
    name = q.template.split("(")[0].removeprefix("def ")
    assert _check(q, namespace[name]).passed


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_template_is_not_attempted(q):
    namespace = {"np": np}
    exec(q.template, namespace)
    name = q.template.split("(")[0].removeprefix("def ")
    result = _check(q, namespace[name])
    assert result.status == "not attempted" and not result.passed


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_constant_function_fails(q):
    result = _check(q, lambda *args: 0.5)
    assert result.status == "incorrect" and not result.passed
    assert "Case " in result.message and "expected" in result.message


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_function_returning_none_fails(q):
    result = _check(q, lambda *args: None)
    assert not result.passed and "returned None" in result.message


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_off_by_a_factor_of_two_fails(q):
    result = _check(q, lambda *args: 2 * np.asarray(q.reference(*args)))
    assert not result.passed


@pytest.mark.parametrize("q", [q for q in FUNCTIONS if q.unit_factor], ids=ids)
@pytest.mark.parametrize("factor", [math.log(2), 1 / math.log(2)])
def test_other_unit_fails_and_says_so(q, factor):
    result = _check(q, lambda *args: np.asarray(q.reference(*args)) * factor)
    assert not result.passed
    assert "log base" in result.message


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_function_that_raises_reports_the_exception(q):
    def broken(*args):
        raise ZeroDivisionError("learner bug")

    result = _check(q, broken)
    assert result.status == "error" and not result.passed
    assert "ZeroDivisionError: learner bug" in result.message


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_function_that_never_returns_is_stopped(q):
    def forever(*args):
        while True:
            pass

    result = _check(q, forever)
    assert result.status == "timeout" and not result.passed
    assert "still running" in result.message


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_right_only_on_the_worked_example_fails(q):
    answer = _example_output(q)
    result = _check(q, lambda *args: answer)
    assert not result.passed
    assert result.message.startswith("1 of ")
    assert f"of {len(q.cases())} cases passed" in result.message


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_function_that_changes_its_input_is_told(q):
    def mutating(*args):
        out = q.reference(*args)
        for a in args:
            if isinstance(a, np.ndarray):
                a += 1 if a.dtype.kind in "iu" else 0.0001
                break
        return out

    result = _check(q, mutating)
    assert not result.passed and "in place" in result.message


def test_nan_from_zeros_gets_a_specific_hint():
    q = chapter(1).q3

    def naive(p):
        return -np.sum(p * np.log2(p))

    with np.errstate(all="ignore"):
        result = _check(q, naive)
    assert not result.passed and "0 * log(0)" in result.message


def test_one_hot_building_is_caught_by_memory(monkeypatch):
    monkeypatch.setattr(checker, "TIME_LIMIT", 10.0)  # tracing allocations is slow
    q = chapter(5).q1

    def one_hot(labels, probs):
        y = np.eye(probs.shape[1])[labels]
        return -np.mean(np.sum(y * np.log(probs), axis=1))

    result = _check(q, one_hot)
    assert not result.passed and "one-hot" in result.message




# --- value questions ----------------------------------------------------------------------------


@pytest.mark.parametrize("q", VALUES, ids=ids)
def test_value_reference_passes_and_solution_agrees(q):
    assert _check(q, q.expected).passed
    namespace = {"np": np, "xl": __import__("xentlearn")}
    exec(q.solution_code, namespace)
    assert _check(q, namespace["answer"]).passed
    assert _check(q, np.float32(q.expected)).passed


@pytest.mark.parametrize("q", VALUES, ids=ids)
@pytest.mark.parametrize("shift", [1.01, 0.99])
def test_nearby_wrong_value_fails(q, shift):
    wrong = q.expected * shift if q.expected else 0.01
    result = _check(q, wrong)
    assert result.status == "incorrect" and not result.passed


@pytest.mark.parametrize("q", VALUES, ids=ids)
def test_known_mistakes_get_their_explanation(q):
    for wrong, why in q.mistakes.items():
        result = _check(q, wrong)
        assert not result.passed and why in result.message


@pytest.mark.parametrize("answer", [..., None])
def test_placeholders_are_not_attempted(answer):
    for q in (chapter(1).q1, chapter(1).q3):
        result = _check(q, answer)
        assert result.status == "not attempted" and not result.passed


@pytest.mark.parametrize("answer", ["0.567", True, [0.5, 0.5], float("nan"), object()])
def test_odd_value_answers_fail_without_raising(answer):
    assert not _check(chapter(1).q1, answer).passed


def test_value_given_to_a_function_question():
    result = _check(chapter(1).q3, 1.5)
    assert not result.passed and "expected a function" in result.message


# --- feedback -------------------------------------------------------------------------------------


def test_feedback_is_the_same_on_every_run_and_printed_outside_jupyter(capsys):
    q = chapter(2).q2
    first = q.check(lambda p, q_: 1.0).message
    second = q.check(lambda p, q_: 1.0).message
    assert first == second
    out = capsys.readouterr().out
    assert out.count("✗ 02.q2 incorrect:") == 2
    assert "all tests passed" not in out.lower()


def test_hint_and_solution_show_text(capsys):
    q = chapter(1).q3
    q.hint()
    q.hint(2)
    q.hint(99)
    q.solution()
    out = capsys.readouterr().out
    assert "hint 1 of 2" in out and "hint 2 of 2" in out and "hint(2)" in out
    assert "def entropy_bits" in out


def test_results_are_recorded_for_the_progress_report():
    q = chapter(4).q5
    q.check(math.log(10))
    assert checker.RESULTS["04.q5"].status == "correct"


def test_html_feedback_in_a_notebook(monkeypatch):
    shown = []
    monkeypatch.setattr(checker, "_in_notebook", lambda: True)
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, raw: shown.append(obj))
    chapter(1).q2.check(2.0)
    html = shown[0]["text/html"]
    assert 'class="xl-feedback xl-incorrect"' in html and "01.q2 incorrect" in html
    assert shown[0]["text/plain"].startswith("✗ 01.q2 incorrect")


# --- notebooks (the progress report: tests/test_progress_report.py) ------------------------------


def test_exercise_notebooks_exist_for_every_chapter_and_match_the_questions():
    for n, (name, _, _) in CHAPTERS.items():
        for folder in ("exercises", "exercises/solutions"):
            nb = json.loads((ROOT / folder / f"{name}.ipynb").read_text())
            code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
            assert f"chapter({n})" in code
            for q in chapter(n).questions:
                assert f"ex.{q.id.split('.')[1]}.check(" in code


def test_overflow_gets_the_log_sum_exp_advice_not_the_zero_advice():
    q = chapter(4).q2

    def naive(z, t):
        e = np.exp(z / t)
        return e / e.sum(axis=-1, keepdims=True)

    with np.errstate(all="ignore"):
        result = _check(q, naive)
    assert not result.passed
    assert "log-sum-exp" in result.message and "0 * log(0)" not in result.message


def test_cross_entropy_without_the_zero_rule_fails():
    q = chapter(2).q2
    with np.errstate(all="ignore"):
        result = _check(q, lambda p, q_: -np.sum(p * np.log(q_)))
    assert not result.passed and "p = q = 0" in result.message


def test_naive_logit_loss_fails_on_a_hidden_case_with_the_largest_difference():
    q = chapter(3).q3

    def naive(y, x):
        p = 1 / (1 + np.exp(-x))
        return -(y * np.log(p) + (1 - y) * np.log(1 - p))

    with np.errstate(all="ignore"):
        result = _check(q, naive)
    assert result.status == "incorrect" and "hidden" in result.message
    assert "Largest difference" in result.message and "allowed: relative 1e-07" in result.message


def test_a_close_value_is_told_to_be_more_precise():
    q = chapter(8).q3
    result = _check(q, round(q.expected, 1))
    assert not result.passed and "close" in result.message and "0.001" in result.message


def test_function_mistakes_get_their_explanation():
    q = chapter(7).q2

    def cross_entropy_only(labels, probs):
        return -np.mean(np.log(probs[np.arange(len(labels)), labels]))

    result = _check(q, cross_entropy_only)
    assert not result.passed and "perplexity is e to its power" in result.message


def test_naive_softmax_fails_the_temperature_overflow_case():
    q = chapter(8).q2

    def naive(z, labels, t):
        e = np.exp(z / t)
        return -np.mean(np.log((e / e.sum(axis=1, keepdims=True))[np.arange(len(labels)),
                                                                     labels]))

    with np.errstate(all="ignore"):
        result = _check(q, naive)
    assert not result.passed and "log-sum-exp" in result.message


def test_without_sigalrm_checks_run_unlimited_and_say_so_once(monkeypatch, capsys):
    monkeypatch.delattr(checker.signal, "SIGALRM")
    monkeypatch.setattr(checker, "_WARNED_NO_LIMIT", False)
    q = chapter(1).q3
    assert q.check(q.reference).passed
    assert q.check(q.reference).passed
    out = capsys.readouterr().out
    assert out.count("without a time limit") == 1
