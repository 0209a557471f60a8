"""Every wrong answer of the catalogue (tests/catalogue.py) is refused, and named.

Each entry is refused (its status is not "correct"); an entry whose mistake is declared gets
feedback that names it (``result.mistake`` is that name and the message holds the mistake's
own words), an undeclared slip is named as no mistake (never the wrong cause); no message
prints a whole array. Run with ``-s`` for the table of counts per question.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from catalogue import CATALOGUE

from xentlearn.exercises import all_questions, checker, mistake_names

QUESTIONS = {q.id: q for q in all_questions()}
ENTRIES = [(qid, k) for qid, wrongs in CATALOGUE.items() for k in range(len(wrongs))]
#: Most numbers one message may hold: the inputs of a small case, expected and got.
MOST_NUMBERS = 40
_NUMBER = re.compile(r"(?<![\w.])-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|\binf\b|\bnan\b")


@pytest.fixture(autouse=True)
def short_time_limit(monkeypatch):
    monkeypatch.setattr(checker, "TIME_LIMIT", 2.0)


def _evaluate(qid: str, k: int):
    wrong = CATALOGUE[qid][k]
    with np.errstate(all="ignore"):
        return wrong, QUESTIONS[qid].evaluate(wrong.answer)


def test_the_catalogue_covers_every_question_with_enough_wrong_answers():
    assert set(CATALOGUE) == set(QUESTIONS)
    for qid, wrongs in CATALOGUE.items():
        q = QUESTIONS[qid]
        assert len(wrongs) >= (6 if q.kind == "function" else 3), qid
        for wrong in wrongs:
            assert wrong.mistake is None or wrong.mistake in q.mistake_names, (qid, wrong)


def test_every_declared_mistake_of_a_function_question_is_in_the_catalogue():
    for qid, q in QUESTIONS.items():
        named = {w.mistake for w in CATALOGUE[qid]}
        if q.kind == "function":
            assert set(q.mistake_names) <= named, (qid, set(q.mistake_names) - named)


@pytest.mark.parametrize("qid, k", ENTRIES,
                         ids=[f"{qid}-{CATALOGUE[qid][k].what}" for qid, k in ENTRIES])
def test_a_wrong_answer_is_refused_and_its_mistake_named(qid, k):
    wrong, result = _evaluate(qid, k)
    assert result.status != "correct", f"{qid}: {wrong.what} passed"
    assert result.mistake == (wrong.mistake or ""), (wrong.what, result.message)
    if wrong.mistake:
        why = next(m.why for m in QUESTIONS[qid].mistakes if m.name == wrong.mistake)
        assert why.rstrip(".") in result.message
    numbers = _NUMBER.findall(result.message)
    assert len(numbers) <= MOST_NUMBERS, (len(numbers), result.message)


def test_at_least_nine_in_ten_refused_answers_are_named_and_none_wrongly(capsys):
    rows, refused, named, wrongly = [], 0, 0, []
    for qid, wrongs in sorted(CATALOGUE.items()):
        q_refused = q_named = 0
        for k, wrong in enumerate(wrongs):
            _, result = _evaluate(qid, k)
            if result.status == "correct":
                continue
            q_refused += 1
            if result.mistake and result.mistake == wrong.mistake:
                q_named += 1
            elif result.mistake:
                wrongly.append((qid, wrong.what, result.mistake))
        rows.append((qid, len(wrongs), q_refused, q_named))
        refused += q_refused
        named += q_named
    size = sum(r[1] for r in rows)
    with capsys.disabled():
        print("\nquestion  catalogue  refused  named")
        for qid, n, r, m in rows:
            print(f"{qid:8}  {n:9}  {r:7}  {m:5}")
        print(f"{'all':8}  {size:9}  {refused:7}  {named:5}  ({named / refused:.0%} named)")
    assert refused == size
    assert not wrongly
    assert named >= 0.9 * refused


def test_mistake_names_are_listable_stable_identifiers():
    names = mistake_names()
    assert names == sorted(set(names))
    assert {"clipped", "global_max_shift", "swapped_p_q", "mean_for_sum", "sum_for_mean",
            "product_underflow", "last_on_ties", "padding_as_class_0"} <= set(names)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]+", name) for name in names)
    for q in QUESTIONS.values():
        assert set(q.mistake_names) <= set(names)
