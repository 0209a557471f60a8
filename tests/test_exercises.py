"""The exercise questions pass right answers and fail wrong ones, with feedback that fits them.

What the checker does with the learner's code (time limits, exceptions, floating-point
settings, memory), with adversarial answers run in subprocesses: test_exercises_checker.py.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from catalogue import CATALOGUE

import xentlearn as xl
from xentlearn import exercises
from xentlearn.exercises import CHAPTERS, all_questions, chapter, checker, record, view

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


def _solution(q):
    namespace = {"np": np, "xl": xl}
    exec(q.solution_code, namespace)
    return namespace[q.name if q.kind == "function" else "answer"]


# --- structure ----------------------------------------------------------------------------------


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
    assert all(callable(q.check) and callable(q.evaluate) for q in QUESTIONS)


def test_one_module_per_chapter_and_no_chapters_module():
    assert importlib.util.find_spec("xentlearn.exercises.chapters") is None
    for n in CHAPTERS:
        module = importlib.import_module(f"xentlearn.exercises.ch{n:02d}")
        assert [q.id for q in module.QUESTIONS] == [q.id for q in chapter(n).questions]


def test_the_registry_names_each_chapter_and_every_question_knows_its_chapter():
    assert all(isinstance(n, int) and isinstance(stem, str) and isinstance(title, str)
               for n, (stem, title) in CHAPTERS.items())
    for n, (stem, title) in CHAPTERS.items():
        ex = chapter(n)
        assert (ex.number, ex.name, ex.title) == (n, stem, title)
        assert stem.startswith(f"{n:02d}_")
        assert all(q.chapter == n and q.evaluate(...).chapter == n for q in ex.questions)
    with pytest.raises(ValueError, match="chapter must be one of"):
        chapter(9)


def test_chapter_docstring_gives_the_range_of_chapters():
    assert f"(1 to {max(CHAPTERS)})" in chapter.__doc__
    assert f"1 to {max(CHAPTERS)}, as in the notebook names" in chapter.__doc__


def test_questions_are_declared_by_keyword_only():
    with pytest.raises(TypeError):
        exercises.ValueQuestion("09.q1", "prompt", ["hint"], "answer = 1", expected=1.0)
    with pytest.raises(ValueError, match="looks like"):
        exercises.ValueQuestion(id="9.1", prompt="p", hints=["h"], solution_code="answer = 1",
                                expected=1.0)
    with pytest.raises(ValueError, match="exactly one"):
        exercises.Mistake("slip", "why", value=1.0, when=lambda got, expected, args: True)
    with pytest.raises(ValueError, match="short identifier"):
        exercises.Mistake("a slip", "why", value=1.0)


@pytest.mark.parametrize("path", ["checker.py", "runner.py", "view.py"])
def test_the_general_checker_diagnoses_no_subject(path):
    """Subject-specific feedback (signs, units, overflow, 0 log 0, sums) lives in the questions."""
    source = (ROOT / "xentlearn" / "exercises" / path).read_text()
    code = re.sub(r'"""[\s\S]*?"""', "", source)  # docstrings and comments may speak of
    code = re.sub(r"#[^\n]*", "", code)  # the design; the feedback is in the code
    for subject in ("cross-entropy", "minus sign", "log base", "bits", "nats", "log-sum-exp",
                    "0 * log(0)", "overflow", "one-hot", "mean"):
        assert subject not in code, f"{path} mentions {subject!r}"


def test_every_question_declares_its_own_mistakes():
    assert all(q.mistakes for q in QUESTIONS)
    for q in QUESTIONS:
        for mistake in q.mistakes:
            assert isinstance(mistake, exercises.Mistake) and mistake.why


# --- the reference stays private -------------------------------------------------------------


@pytest.mark.parametrize("q", QUESTIONS, ids=ids)
def test_reference_and_hidden_cases_are_not_public_attributes(q):
    public = {name: value for name, value in vars(q).items() if not name.startswith("_")}
    assert not {"expected", "reference", "hidden", "cases", "seed"} & set(dir(q))
    for name, value in public.items():
        assert not inspect.isfunction(value), f"{q.id}.{name} is a function"
        if q.kind == "value" and isinstance(value, float) and name not in ("rtol", "atol",
                                                                            "close"):
            assert value != q._expected, f"{q.id}.{name} holds the answer"
    if q.kind == "function":
        assert public["example"].label == "worked example"


def test_solution_still_shows_a_correct_answer(capsys):
    chapter(1).q1.solution()
    out = capsys.readouterr().out
    assert "01.q1 solution" in out and "xl.entropy([26 / 30, 4 / 30], base=2)" in out


# --- function questions -------------------------------------------------------------------------


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_reference_passes(q):
    result = _check(q, q._reference)
    assert result.passed, result.message
    n = len(q._cases())
    assert result.message.startswith(f"{n} of {n} cases passed")
    assert n >= 4
    assert (result.cases_passed, result.cases_run) == (n, n)


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_solution_code_passes(q):
    assert _check(q, _solution(q)).passed


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_template_is_not_attempted(q):
    namespace = {"np": np}
    exec(q.template, namespace)
    result = _check(q, namespace[q.name])
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
    result = _check(q, lambda *args: 2 * np.asarray(q._reference(*args)))
    assert not result.passed


UNITS = [q for q in FUNCTIONS if any("log base" in m.why for m in q.mistakes)]


def test_every_question_in_nats_or_bits_declares_a_unit_mistake():
    for q in FUNCTIONS:
        if re.search(r"\b(nats|bits)\b", q.prompt):
            assert any("log base" in m.why or "in bits" in m.why for m in q.mistakes), q.id
    assert len(UNITS) >= 12


@pytest.mark.parametrize("q", UNITS, ids=ids)
@pytest.mark.parametrize("factor", [math.log(2), 1 / math.log(2)])
def test_other_unit_fails_and_says_so(q, factor):
    result = _check(q, lambda *args: np.asarray(q._reference(*args)) * factor)
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
    answer = q.example_output()
    result = _check(q, lambda *args: answer)
    assert not result.passed
    assert result.message.startswith("1 of ")
    assert f"of {len(q._cases())} cases passed" in result.message


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_function_that_changes_its_input_is_told(q):
    def mutating(*args):
        out = q._reference(*args)
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
        return -np.mean(np.log(np.sum(y * probs, axis=1)))

    with np.errstate(divide="ignore"):  # the cases give the true class probability 0
        result = _check(q, one_hot)
    assert not result.passed and "one-hot" in result.message


# --- hidden cases cover what each prompt allows ---------------------------------------------------


def _restricted(q, allowed):
    """Right where ``allowed(*args)``, wrong elsewhere: an answer right for some inputs only."""

    def answer(*args):
        out = np.asarray(q._reference(*args), dtype=float)
        return out if allowed(*args) else out * 1.5 + 1.0

    return answer


def _first(*args):
    return args[0]


RESTRICTED = {
    "short inputs only": (lambda *a: _first(*a).size <= 50,
                          ["01.q3", "01.q4", "02.q2", "06.q2", "06.q3", "03.q2", "02.q4"]),
    "float64 only": (lambda *a: all(x.dtype != np.float32 for x in a if isinstance(x, np.ndarray)),
                     ["01.q3", "01.q4", "02.q2", "06.q2", "06.q3", "03.q2", "04.q2", "02.q4",
                      "05.q1"]),
    "1-D only": (lambda *a: _first(*a).ndim == 1, ["03.q2", "03.q3", "04.q2"]),
    "2-D only": (lambda *a: _first(*a).ndim == 2, ["04.q2"]),
    "float inputs only": (lambda *a: all(x.dtype.kind == "f" for x in a
                                         if isinstance(x, np.ndarray)), ["03.q2", "04.q2"]),
    "int64 labels only": (lambda *a: all(x.dtype != np.int32 for x in a
                                         if isinstance(x, np.ndarray)), ["05.q1", "08.q1"]),
}


@pytest.mark.parametrize("qid", sorted({q for _, qs in RESTRICTED.values() for q in qs}))
def test_answers_right_only_for_some_allowed_inputs_fail(qid):
    q = chapter(int(qid[:2])).questions[int(qid.split("q")[1]) - 1]
    for what, (allowed, qids) in RESTRICTED.items():
        if qid in qids:
            result = _check(q, _restricted(q, allowed))
            assert not result.passed, f"{qid}: an answer right for {what} passed"
            assert result.cases_passed >= 1  # the restriction, not the wrapper, is what fails


def test_balanced_weights_without_minlength_fails_on_an_empty_last_class():
    q = chapter(8).q1

    def without_minlength(y, n_classes):
        counts = np.bincount(y).astype(float)
        w = np.zeros(len(counts))
        seen = counts > 0
        w[seen] = len(y) / (n_classes * counts[seen])
        return w

    result = _check(q, without_minlength)
    assert result.status == "incorrect" and "minlength=n_classes" in result.message
    assert "last" in result.message  # the case that shows it


# --- value questions ----------------------------------------------------------------------------


@pytest.mark.parametrize("q", VALUES, ids=ids)
def test_value_reference_passes_and_solution_agrees(q):
    assert _check(q, q._expected).passed
    assert _check(q, _solution(q)).passed
    assert _check(q, np.float32(q._expected)).passed


@pytest.mark.parametrize("q", VALUES, ids=ids)
@pytest.mark.parametrize("shift", [1.01, 0.99])
def test_nearby_wrong_value_fails(q, shift):
    wrong = q._expected * shift if q._expected else 0.01
    result = _check(q, wrong)
    assert result.status == "incorrect" and not result.passed


@pytest.mark.parametrize("q", VALUES, ids=ids)
def test_known_mistakes_get_their_explanation(q):
    for mistake in q.mistakes:
        result = _check(q, mistake.value)
        assert not result.passed and mistake.why in result.message


@pytest.mark.parametrize("answer", [..., None])
def test_placeholders_are_not_attempted(answer):
    for q in (chapter(1).q1, chapter(1).q3):
        result = _check(q, answer)
        assert result.status == "not attempted" and not result.passed


@pytest.mark.parametrize("answer", ["0.567", True, [0.5, 0.5], float("nan"), object(),
                                    [[0.5], [0.5]], {"answer": 0.5665}])
def test_odd_value_answers_fail_without_raising(answer):
    assert not _check(chapter(1).q1, answer).passed


@pytest.mark.parametrize("answer", [[0.56651], (0.56651,), np.array([0.56651]),
                                    np.array([[0.56651]]), np.float32(0.56651)])
def test_a_one_element_list_counts_like_a_one_element_array(answer):
    result = _check(chapter(1).q1, answer)
    assert result.passed, result.message


def test_a_number_in_quotes_is_refused_with_a_clear_message():
    result = _check(chapter(1).q1, "0.5665")
    assert result.status == "incorrect"
    assert result.message == ("expected a number, got str '0.5665': give the number itself, "
                              "without quotes")


def test_value_given_to_a_function_question():
    result = _check(chapter(1).q3, 1.5)
    assert not result.passed and "expected a function" in result.message


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_a_function_returning_text_is_refused_clearly(q):
    result = _check(q, lambda *args: "1.5")
    assert result.status == "incorrect"
    assert "expected a number or an array of numbers, got str '1.5'" in result.message
    assert "not text" in result.message


# --- feedback -------------------------------------------------------------------------------------


def test_feedback_is_the_same_on_every_run_and_printed_outside_jupyter(capsys):
    q = chapter(2).q2
    first = q.check(lambda p, q_: 1.0).message
    second = q.check(lambda p, q_: 1.0).message
    assert first == second
    out = capsys.readouterr().out
    assert out.count("✗ 02.q2 incorrect:") == 2
    assert "all tests passed" not in out.lower()


@pytest.mark.parametrize("q", QUESTIONS, ids=ids)
def test_hints_climb_a_ladder_and_never_give_the_answer(q):
    """Hint 1 the idea, hint 2 the method or a line with a blank; solution() alone answers."""
    assert len(q.hints) >= 2
    lines = [line.strip() for line in q.solution_code.splitlines() if line.strip()]
    final = lines[-1].removeprefix("return ").removeprefix("answer = ")
    for k, hint in enumerate(q.hints, start=1):
        assert len(final) < 8 or final not in hint, (q.id, k, final)
        assert not all(line in hint for line in lines), (q.id, k)
    if q.kind == "function":
        assert "___" in q.hints[1] or "`" not in q.hints[1], q.id  # code only with a blank


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
    assert record.RESULTS["04.q5"].status == "correct"
    assert record.RESULTS["04.q5"].chapter == 4


def test_evaluating_shows_and_records_nothing_checking_does_both(monkeypatch, capsys):
    recorded, shown = [], []
    monkeypatch.setattr(record, "record", recorded.append)
    monkeypatch.setattr(view, "show_result", shown.append)
    q = chapter(1).q2
    result = q.evaluate(2.0)
    assert (recorded, shown, capsys.readouterr().out) == ([], [], "")
    checked = q.check(2.0)
    assert recorded == [checked] == shown and checked == result
    assert (checked.question, checked.chapter, checked.status) == ("01.q2", 1, "incorrect")


def test_html_feedback_in_a_notebook(monkeypatch):
    shown = []
    monkeypatch.setattr(view, "_in_notebook", lambda: True)
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, raw: shown.append(obj))
    chapter(1).q2.check(2.0)
    html = shown[0]["text/html"]
    assert 'class="xl-feedback xl-incorrect"' in html and "01.q2 incorrect" in html
    assert shown[0]["text/plain"].startswith("✗ 01.q2 incorrect")
    for status in checker.STATUSES:
        css = "xl-" + status.replace(" ", "-")
        assert f'class="xl-feedback {css}"' in view.render_html(status, "t", "b")


def _flipped(q):
    return lambda *args: -np.asarray(q._reference(*args), dtype=float)


SIGN_WORDS = {"01.q3": "entropy is H = -sum p log2 p", "01.q4": "surprise is -log2 p",
              "02.q2": "cross-entropy carries a minus sign", "06.q2": "D_KL(p || q)",
              "08.q4": "abs()"}


@pytest.mark.parametrize("qid", sorted(SIGN_WORDS))
def test_a_flipped_sign_is_explained_in_the_questions_own_terms(qid):
    q = next(q for q in QUESTIONS if q.id == qid)
    result = _check(q, _flipped(q))
    assert not result.passed and SIGN_WORDS[qid] in result.message


CROSS_ENTROPY = {"02.q2", "02.q4", "03.q2", "03.q3"}  # -sum p log q is what they ask for


@pytest.mark.parametrize("q", FUNCTIONS, ids=ids)
def test_cross_entropy_minus_sign_only_on_cross_entropy_questions(q):
    message = _check(q, _flipped(q)).message
    assert ("cross-entropy carries a minus sign" in message) == (q.id in CROSS_ENTROPY), q.id


def test_ece_without_abs_is_told_to_take_abs():
    q = chapter(8).q4

    def signed(probs, labels, n_bins):
        conf, correct = probs.max(axis=1), probs.argmax(axis=1) == labels
        bins = np.clip(np.ceil(conf * n_bins) - 1, 0, n_bins - 1)
        total = 0.0
        for b in range(n_bins):
            m = bins == b
            if m.any():
                total += m.mean() * (correct[m].mean() - conf[m].mean())
        return total

    result = _check(q, signed)
    assert not result.passed and "abs()" in result.message
    assert "cross-entropy" not in result.message


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
    assert "where p is 0 the term is 0" in result.message


def test_naive_logit_loss_is_diagnosed_before_an_earlier_precision_miss():
    q = chapter(3).q3

    def naive(y, x):
        p = 1 / (1 + np.exp(-x))
        return -(y * np.log(p) + (1 - y) * np.log(1 - p))

    with np.errstate(all="ignore"):
        result = _check(q, naive)
    assert result.status == "incorrect" and result.mistake == "overflow"
    # the diagnosis comes first, with the overflow test that shows it; the precision miss
    # of an earlier case (logits of size ~30) is only mentioned after it
    diagnosis = result.message.index("sigmoid(z) rounds to exactly 0 or 1")
    shown = result.message.index("(hidden, logits +-1000 (overflow test))")
    earlier = result.message.index("(Case 4, hidden, 10 logits of size ~30, fails too.)")
    assert diagnosis < shown < earlier
    assert "softplus" in result.message and "Largest difference" not in result.message


def test_a_close_value_is_told_to_be_more_precise():
    q = chapter(8).q3
    result = _check(q, round(q._expected, 1))
    assert not result.passed and "close" in result.message and "0.001" in result.message


def test_a_wrong_idea_is_not_called_close():
    q = chapter(3).q4
    result = _check(q, 0.91)
    assert not result.passed and "close" not in result.message
    assert "10 classes" in result.message
    assert "close" not in _check(q, 0.94).message


@pytest.mark.parametrize("q", VALUES, ids=ids)
def test_close_only_within_the_questions_own_distance(q):
    inside = q._expected * (1 + q.close / 2) if q._expected else 0.001
    outside = q._expected * (1 + max(q.close, 0.002) * 2)
    if q.close > 2 * q.rtol:
        assert "is close" in _check(q, inside).message
    assert "is close" not in _check(q, outside).message


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


class _Opaque:
    pass


ADDRESSED = {
    "returns an object": lambda *args: _Opaque(),
    "raises with an object in its message": lambda *args: (_ for _ in ()).throw(
        ValueError(f"bad {_Opaque()!r} and {object()!r}")),
    "returns a list of objects": lambda *args: [object(), object()],
}


@pytest.mark.parametrize("what", sorted(ADDRESSED))
def test_no_object_addresses_in_feedback(what):
    for q in FUNCTIONS[:4]:
        message = _check(q, ADDRESSED[what]).message
        assert not re.search(r"0x[0-9a-fA-F]{4,}", message), message
        assert " at 0x" not in message
    for answer in (_Opaque(), [object()], lambda: 1):
        message = _check(chapter(1).q1, answer).message
        assert not re.search(r"0x[0-9a-fA-F]{4,}", message), message
    assert "0x" not in _check(chapter(1).q3, _Opaque()).message


# --- notebooks ------------------------------------------------------------------------------------


def test_exercise_notebooks_exist_for_every_chapter_and_match_the_questions():
    for n, (name, _) in CHAPTERS.items():
        for folder in ("exercises", "exercises/solutions"):
            nb = json.loads((ROOT / folder / f"{name}.ipynb").read_text())
            code = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
            assert f"chapter({n})" in code
            for q in chapter(n).questions:
                assert f"ex.{q.id.split('.')[1]}.check(" in code


HONEST = ("checks run in your own kernel", "a determined learner can defeat them",
          "they measure your practice, they are not an exam")


@pytest.mark.parametrize("folder", ["exercises", "exercises/solutions"])
def test_exercise_notebooks_say_what_the_checks_are(folder):
    for path in sorted((ROOT / folder).glob("*.ipynb")):
        first = "".join(json.loads(path.read_text())["cells"][0]["source"])
        text = " ".join(first.split()).lower()
        for phrase in HONEST:
            assert phrase in text, (path.name, phrase)


def test_readme_says_what_the_checks_are():
    text = " ".join((ROOT / "README.md").read_text().split()).lower()
    assert "checks run in the learner's own kernel" in text
    assert "a determined learner can defeat them" in text
    assert "a measure of practice, not an exam" in text
    assert "chapters.py" not in text


def _catalogued(qid: str, what: str):
    """A learner's wrong answer from tests/catalogue.py, by what it gets wrong."""
    return next(w.answer for w in CATALOGUE[qid] if w.what == what)


def _cce_no_keepdims(Y, Z):
    m = Z.max(axis=1)
    return -np.mean(np.sum(Y * (Z - m - np.log(np.exp(Z - m).sum(axis=1))), axis=1))


@pytest.mark.parametrize("qid, answer, numpy_says, advice, mistake", [
    ("04.q2", _catalogued("04.q2", "keepdims forgotten (breaks on 2-D)"),
     "could not be broadcast together", "keepdims=True", "keepdims_forgotten"),
    ("04.q2", _catalogued("04.q2", "axis=1, which 1-D logits do not have (raises)"),
     "is out of bounds for array of dimension 1", "axis=-1", "axis_1_on_1d"),
    ("03.q3", _catalogued("03.q3", "Python's max(t, 0) on an array (raises)"),
     "truth value of an array", "np.maximum(t, 0)", "python_max"),
    ("04.q4", _cce_no_keepdims, "could not be broadcast together", "keepdims=True", None),
], ids=["no keepdims", "axis=1 on 1-D", "Python's max", "no keepdims, undeclared"])
def test_numpys_common_errors_come_with_what_to_do(qid, answer, numpy_says, advice, mistake):
    """NumPy's own words for a common slip come with advice: the question's named mistake
    where it declares one (its feedback first), else the checker's general advice after
    NumPy's words."""
    q = next(q for q in exercises.all_questions() if q.id == qid)
    result = q.check(answer)
    assert result.status == "error"
    assert numpy_says in result.message
    assert (result.mistake or None) == mistake
    before, after = result.message.split(numpy_says)
    assert advice in (before if mistake else after)


def test_another_error_gets_no_numpy_advice():
    def broken(z, T):
        raise ValueError("something else")

    other = chapter(4).q2.check(broken)
    assert other.status == "error" and "something else" in other.message
    assert "keepdims" not in other.message and "np.maximum" not in other.message


@pytest.mark.parametrize("t, way", [(0.7, "lower T"), (2.0, "lower T"), (0.45, "lower T"),
                                    (0.3, "raise T")])
def test_a_temperature_found_by_search_is_told_which_way_to_move(t, way):
    """04.q3: a wrong T, near or far, hears the first probability it gives and the way to go."""
    result = chapter(4).q3.check(t)
    first = float(xl.softmax([2.0, 1.0, 0.1], temperature=t)[0])
    assert result.status == "incorrect"
    assert f"the first probability is {first:.6f}, not 0.9" in result.message
    assert way in result.message and "exact formula" not in result.message


def test_a_nudge_that_raises_is_left_out():
    q = checker.ValueQuestion(id="09.q1", prompt="p", hints=["h"], solution_code="answer = 1",
                              expected=1.0, nudge=lambda x: 1 / 0)
    message = q.check(5.0).message
    assert message.startswith("5 is not it") and "hint()" in message
