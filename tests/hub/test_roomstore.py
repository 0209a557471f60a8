"""The room's results (hub.roomstore): what a learner may post, what is kept, what is shown.

Pure tests: no hub, no root. ``validate`` accepts exactly a known question, status and that
question's mistake; a record keeps done as done and counts attempts and wrong answers;
the store survives a restart; ``room_state`` finds who is stuck or absent and, in projector
mode, names nobody; the CSV export cannot smuggle a formula into a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.roomstore import (
    CSV_COLUMNS,
    MAX_BODY,
    STATUSES,
    STUCK_ATTEMPTS,
    STUCK_IDLE,
    BadResult,
    Check,
    Record,
    Store,
    as_csv,
    course_questions,
    read_records,
    room_state,
    validate,
)
from xentlearn.exercises import all_questions, chapter

QUESTIONS = course_questions()
CH1 = [q.id for q in chapter(1).questions]
NOW = 1_800_000_000.0
WRONG = ("incorrect", "error", "timeout")
SCRIPTS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')


def body(**fields) -> bytes:
    return json.dumps(fields).encode()


def mistake_of_another_question(qid: str) -> str:
    mine = QUESTIONS[qid].mistakes
    return sorted(m for q in QUESTIONS.values() for m in q.mistakes if m not in mine)[0]


# --- validate ---------------------------------------------------------------------------------

def test_the_room_knows_every_question_of_the_course_and_its_mistakes():
    real = {q.id: (q.chapter, frozenset(q.mistake_names)) for q in all_questions()}
    assert {qid: (q.chapter, q.mistakes) for qid, q in QUESTIONS.items()} == real
    assert len(real) > 30 and sum(len(m) for _, m in real.values()) > 100


def test_every_question_and_each_of_its_mistakes_is_accepted():
    accepted = 0
    for qid, q in QUESTIONS.items():
        for status in STATUSES:
            assert validate(body(question=qid, status=status), QUESTIONS) == \
                Check(qid, q.chapter, status, "")
            assert validate(body(question=qid, status=status, mistake=""), QUESTIONS) == \
                Check(qid, q.chapter, status, "")
            accepted += 2
        for mistake in q.mistakes:
            for status in ("incorrect", "error", "timeout"):
                assert validate(body(question=qid, status=status, mistake=mistake),
                                QUESTIONS) == Check(qid, q.chapter, status, mistake)
                accepted += 1
    assert accepted > 300


def test_what_a_real_check_sends_is_accepted():
    result = chapter(1).q2.evaluate(8)
    sent = body(question=result.question, status=result.status, mistake=result.mistake)
    assert validate(sent, QUESTIONS) == Check("01.q2", 1, "incorrect", "count_for_entropy")


def _refused(data, field: str | None = None) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    with pytest.raises(BadResult) as info:
        validate(raw, QUESTIONS)
    if field is not None:
        assert str(info.value).startswith(field), str(info.value)
    return str(info.value)


@pytest.mark.parametrize("qid", ["01.q99", "09.q1", "1.q2", "01.Q2", " 01.q2", "01.q2 ", "",
                                 "01.q2\u0000", "../01.q2", "01.q2<script>"])
def test_an_unknown_question_is_refused(qid):
    _refused({"question": qid, "status": "incorrect"}, "question")


def test_an_unknown_mistake_or_one_of_another_question_is_refused():
    _refused({"question": "01.q2", "status": "incorrect", "mistake": "no_such_mistake"},
             "mistake")
    other = mistake_of_another_question("01.q2")
    assert other in {m for q in QUESTIONS.values() for m in q.mistakes}  # a real name
    _refused({"question": "01.q2", "status": "incorrect", "mistake": other}, "mistake")
    _refused({"question": "01.q2", "status": "incorrect", "mistake": "Count_For_Entropy"},
             "mistake")


@pytest.mark.parametrize("script", SCRIPTS)
@pytest.mark.parametrize("field", ["question", "status", "mistake"])
def test_a_script_in_any_field_is_refused(field, script):
    data = {"question": "01.q2", "status": "incorrect", "mistake": "count_for_entropy"}
    data[field] = script
    message = _refused(data, field)
    assert script not in message  # the refusal does not carry it either
    data[field] = {"question": "01.q2", "status": "incorrect",
                   "mistake": "count_for_entropy"}[field] + script
    _refused(data, field)


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_script_as_a_field_name_is_refused(script):
    _refused({"question": "01.q2", "status": "correct", script: "x"})


@pytest.mark.parametrize("extra", [{"learner": "bob"}, {"user": "bob"}, {"name": "bob"},
                                   {"chapter": 1}, {"at": 0}, {"answer": 3.0},
                                   {"message": "hi"}])
def test_a_field_beyond_question_status_and_mistake_is_refused(extra):
    message = _refused({"question": "01.q2", "status": "correct", **extra})
    assert "unknown field" in message


@pytest.mark.parametrize("data", [[], ["01.q2", "correct"], "01.q2", 1, 1.5, None, True,
                                  [{"question": "01.q2", "status": "correct"}]])
def test_json_that_is_not_an_object_is_refused(data):
    _refused(data)


@pytest.mark.parametrize("raw", [
    b"\xff\xfe{}",
    '{"question": "01.q2", "status": "incorrect", "mistake": "é"}'.encode("latin-1"),
    '{"question": "01.q2", "status": "correct"}'.encode("utf-16"),
    b'{"question": "01.q2", "status": "correct"',
    b"",
    b"\x00",
    b"question=01.q2&status=correct",
])
def test_a_body_that_is_not_utf8_json_is_refused(raw):
    _refused(raw)


def test_a_body_beyond_max_body_is_refused_and_one_at_it_accepted():
    real = body(question="01.q2", status="incorrect", mistake="count_for_entropy")
    at_limit = real + b" " * (MAX_BODY - len(real))
    assert len(at_limit) == MAX_BODY
    assert validate(at_limit, QUESTIONS).mistake == "count_for_entropy"
    assert "bytes" in _refused(at_limit + b" ")
    _refused(b" " * 10 * MAX_BODY)


@pytest.mark.parametrize("field, value", [
    ("question", 1), ("question", 1.2), ("question", None), ("question", ["01.q2"]),
    ("question", {"id": "01.q2"}), ("question", True),
    ("status", None), ("status", 1), ("status", ["correct"]), ("status", True),
    ("status", {"correct": 1}), ("status", "Correct"), ("status", "passed"),
    ("mistake", None), ("mistake", 0), ("mistake", []), ("mistake", {}), ("mistake", False),
    ("mistake", ["count_for_entropy"]),
])
def test_a_field_of_the_wrong_type_is_refused(field, value):
    data = {"question": "01.q2", "status": "incorrect", "mistake": "count_for_entropy"}
    data[field] = value
    _refused(data, field)


def test_a_missing_question_or_status_is_refused():
    _refused({"status": "correct"}, "question")
    _refused({"question": "01.q2"}, "status")
    _refused({}, "question")


@pytest.mark.parametrize("mistake", ["count_for_entropy", "wrong_log_base"])
def test_a_correct_answer_with_a_mistake_is_refused(mistake):
    _refused({"question": "01.q2", "status": "correct", "mistake": mistake}, "mistake")


@pytest.mark.parametrize("raw", [
    b"[" * 500 + b"]" * 500,  # valid JSON, not an object
    b"[" * 1000,
    b"[" * MAX_BODY,
    b'{"a":' * 204,
    b'{"question":' * 85,
], ids=["500-closed", "1000-open", "max-body-open", "204-objects", "85-question-objects"])
def test_deeply_nested_json_within_max_body_is_refused_not_crashing(raw):
    """A body of at most MAX_BODY bytes is a 400, however deep its nesting: anything but
    BadResult is a 500 from the service, with a traceback in its log for every post."""
    assert len(raw) <= MAX_BODY
    _refused(raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=20) | st.sampled_from(["01.q2", "correct", "count_for_entropy"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                  max_size=4),
    max_leaves=12)
posted = st.fixed_dictionaries({}, optional={
    "question": st.sampled_from(sorted(QUESTIONS)) | json_values,
    "status": st.sampled_from(STATUSES) | json_values,
    "mistake": st.sampled_from(sorted({m for q in QUESTIONS.values() for m in q.mistakes})
                               + [""]) | json_values,
    "learner": st.text(max_size=8)})


@given(posted)
def test_validate_accepts_only_what_it_can_stand_behind(data):
    raw = json.dumps(data).encode()
    try:
        check = validate(raw, QUESTIONS)
    except BadResult:
        return
    assert set(data) <= {"question", "status", "mistake"} and "learner" not in data
    question = QUESTIONS[check.question]
    assert check == Check(data["question"], question.chapter, data["status"],
                          data.get("mistake", ""))
    assert check.status in STATUSES
    assert check.mistake == "" or (check.mistake in question.mistakes
                                   and check.status != "correct")


@given(st.binary(max_size=MAX_BODY + 64))
def test_validate_raises_only_bad_result_on_any_bytes(raw):
    try:
        validate(raw, QUESTIONS)
    except BadResult:
        pass


# --- records ----------------------------------------------------------------------------------

def record_of(checks: list[tuple[str, str]], question: str = "01.q2", start: float = NOW,
              learner: str = "ann") -> Record:
    """A record made as the store makes one, from (status, mistake) checks a second apart."""
    q = QUESTIONS[question]
    record = None
    for i, (status, mistake) in enumerate(checks):
        check = Check(question, q.chapter, status, mistake)
        if record is None:
            record = Record(learner, question, q.chapter, status, first=start + i)
        record.add(check, start + i)
    return record


def test_done_stays_done_after_later_wrong_checks():
    r = record_of([("incorrect", "count_for_entropy"), ("correct", ""),
                   ("incorrect", "wrong_log_base"), ("error", ""), ("not attempted", "")])
    assert r.done and r.status == "correct" and r.mistake == ""
    assert r.attempts == 4
    assert r.wrong == 1
    assert r.mistakes == {"count_for_entropy": 1}
    assert (r.first, r.last) == (NOW, NOW + 4)
    assert r.public() == {"learner": "ann", "question": "01.q2", "chapter": 1,
                          "status": "correct", "mistake": "", "attempts": 4,
                          "first": "2027-01-15T08:00:00Z", "last": "2027-01-15T08:00:04Z"}


def test_not_attempted_is_seen_but_not_an_attempt():
    r = record_of([("not attempted", ""), ("not attempted", "")])
    assert (r.status, r.attempts, r.wrong) == ("not attempted", 0, 0)
    r.add(Check("01.q2", 1, "incorrect", "count_for_entropy"), NOW + 5)
    r.add(Check("01.q2", 1, "not attempted", ""), NOW + 6)
    assert (r.status, r.mistake, r.attempts, r.wrong) == ("incorrect", "count_for_entropy", 1, 1)
    assert (r.first, r.last) == (NOW, NOW + 6)


def test_wrong_answers_are_counted_until_the_first_correct_one():
    r = record_of([("incorrect", "count_for_entropy"), ("timeout", ""),
                   ("incorrect", "count_for_entropy"), ("correct", ""),
                   ("incorrect", "count_for_entropy"), ("incorrect", "wrong_log_base")])
    assert (r.wrong, r.attempts) == (3, 6)
    assert r.mistakes == {"count_for_entropy": 2}


checks_of_q2 = st.lists(st.one_of(
    st.tuples(st.sampled_from(STATUSES), st.just("")),
    st.tuples(st.sampled_from(WRONG), st.sampled_from(sorted(QUESTIONS["01.q2"].mistakes)))),
    min_size=1, max_size=25)


@given(checks_of_q2)
def test_a_record_counts_any_sequence_of_checks(checks):
    r = record_of(checks)
    attempted = [(s, m) for s, m in checks if s != "not attempted"]
    done_at = next((i for i, (s, _) in enumerate(attempted) if s == "correct"), None)
    before = attempted if done_at is None else attempted[:done_at]
    assert r.attempts == len(attempted)
    assert r.done == any(s == "correct" for s, _ in checks)
    assert r.wrong == len(before)
    expected_mistakes: dict[str, int] = {}
    for _, m in before:
        if m:
            expected_mistakes[m] = expected_mistakes.get(m, 0) + 1
    assert r.mistakes == expected_mistakes
    if r.done:
        assert (r.status, r.public()["mistake"]) == ("correct", "")
    elif attempted:
        assert (r.status, r.mistake) == attempted[-1]
    else:
        assert (r.status, r.attempts) == ("not attempted", 0)
    assert (r.first, r.last) == (NOW, NOW + len(checks) - 1)


# --- the store --------------------------------------------------------------------------------

def _fill(store: Store) -> None:
    checks = [
        ("ann", "01.q1", "incorrect", "sign_flipped"), ("ann", "01.q1", "correct", ""),
        ("bob", "01.q2", "not attempted", ""), ("bob", "01.q2", "incorrect",
                                                 "count_for_entropy"),
        ("ann", "01.q2", "error", ""), ("cy", "02.q2", "incorrect", "swapped_p_q"),
        ("ann", "01.q1", "incorrect", "wrong_log_base"), ("bob", "01.q2", "timeout", ""),
    ]
    for i, (learner, qid, status, mistake) in enumerate(checks):
        assert store.add(learner, Check(qid, QUESTIONS[qid].chapter, status, mistake),
                         NOW + i) == i + 1


def test_a_reopened_store_has_the_same_records(tmp_path):
    path = tmp_path / "room.sqlite"
    store = Store(path, QUESTIONS)
    _fill(store)
    before = store.all_records()
    assert read_records(path, QUESTIONS) == before  # read while the store is open
    store.close()
    again = Store(path, QUESTIONS)
    try:
        assert again.all_records() == before
        assert again.version == store.version == 8  # it only grows, across a restart too
        assert again.add("dee", Check("01.q3", 1, "correct", ""), NOW + 99) == 9
        assert len(again.all_records()) == len(before) + 1
    finally:
        again.close()
    assert read_records(path, QUESTIONS)[-1].learner == "dee"
    ann_q1 = next(r for r in before if (r.learner, r.question) == ("ann", "01.q1"))
    assert (ann_q1.status, ann_q1.attempts, ann_q1.wrong) == ("correct", 3, 1)


checks_of_anyone = st.lists(st.tuples(
    st.sampled_from(["ann", "bob", "=cmd"]), st.sampled_from(["01.q1", "01.q2", "02.q1"]),
    st.sampled_from(STATUSES), st.floats(0, 1e6)), max_size=30)


@given(checks_of_anyone)
def test_any_checks_survive_a_restart(checks):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "room.sqlite"
        store = Store(path, QUESTIONS)
        for learner, qid, status, at in checks:
            store.add(learner, Check(qid, QUESTIONS[qid].chapter, status, ""), NOW + at)
        before = store.all_records()
        store.close()
        again = Store(path, QUESTIONS)
        try:
            assert again.all_records() == before
            assert again.version == store.version == len(checks)
        finally:
            again.close()
        assert len(before) == len({(c[0], c[1]) for c in checks})


def test_checks_of_questions_the_course_no_longer_has_are_skipped_on_reopen(tmp_path):
    path = tmp_path / "room.sqlite"
    store = Store(path, QUESTIONS)
    store.add("ann", Check("01.q1", 1, "correct", ""), NOW)
    store.close()
    db = sqlite3.connect(path)
    with db:
        db.execute("INSERT INTO checks (learner, question, status, mistake, at) VALUES "
                   "('ann', '09.q9', 'correct', '', 1), ('ann', '01.q2', 'excellent', '', 2)")
    db.close()
    again = Store(path, QUESTIONS)
    try:
        assert [(r.learner, r.question) for r in again.all_records()] == [("ann", "01.q1")]
        assert again.version == 3  # skipped rows still count: the version never goes back
    finally:
        again.close()
    assert [r.question for r in read_records(path, QUESTIONS)] == ["01.q1"]


def test_the_database_is_created_private(tmp_path):
    path = tmp_path / "room.sqlite"
    old = os.umask(0)  # the file's own mode, not the umask, must keep it private
    try:
        store = Store(path, QUESTIONS)
        store.add("ann", Check("01.q1", 1, "correct", ""), NOW)
        modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
        store.close()
    finally:
        os.umask(old)
    assert modes["room.sqlite"] == 0o600
    assert all(mode == 0o600 for mode in modes.values()), modes  # -wal, -shm too


# --- room_state -------------------------------------------------------------------------------

def records(*checks) -> list[Record]:
    """Records from (learner, question, status, mistake, at) checks, as the store makes them."""
    made: dict[tuple[str, str], Record] = {}
    for learner, qid, status, mistake, at in checks:
        q = QUESTIONS[qid]
        r = made.setdefault((learner, qid), Record(learner, qid, q.chapter, status, first=at))
        r.add(Check(qid, q.chapter, status, mistake), at)
    return list(made.values())


def state(rs, learners=(), now=NOW, **kw) -> dict:
    return room_state(rs, learners, CH1, 1, now, **kw)


def test_a_learner_with_enough_wrong_attempts_and_no_success_is_stuck():
    wrong = [("ann", "01.q2", s, "", NOW - 50 + i)
             for i, s in enumerate(["incorrect", "error", "timeout"][:STUCK_ATTEMPTS])]
    s = state(records(*wrong))
    assert s["stuck"] == 1
    assert s["stuck_list"] == [{"learner": "ann", "question": "01.q2",
                                "why": f"{STUCK_ATTEMPTS} wrong attempts, none right yet"}]
    # one fewer wrong, however many unchanged templates: not stuck
    fewer = wrong[:-1] + [("ann", "01.q2", "not attempted", "", NOW - 10 + i)
                          for i in range(5)]
    assert state(records(*fewer))["stuck"] == 0
    # a success after them: not stuck
    assert state(records(*wrong, ("ann", "01.q2", "correct", "", NOW - 1)))["stuck"] == 0


def test_a_learner_idle_while_others_check_is_stuck():
    rs = records(("ann", "01.q1", "correct", "", NOW - STUCK_IDLE - 120),
                 ("ann", "01.q2", "incorrect", "", NOW - STUCK_IDLE - 60),
                 ("bob", "01.q1", "incorrect", "", NOW - 30))
    s = state(rs)
    assert s["stuck_list"] == [{"learner": "ann", "question": "01.q2",
                                "why": f"no check for {int(STUCK_IDLE + 60) // 60} min while "
                                       "others moved on (the first question not done)"}]
    assert s["stuck"] == 1
    # just within STUCK_IDLE, ann is not idle yet
    rs = records(("ann", "01.q2", "incorrect", "", NOW - STUCK_IDLE + 5),
                 ("bob", "01.q1", "incorrect", "", NOW - 30))
    assert state(rs)["stuck"] == 0


def test_nobody_is_idle_when_nobody_else_moved():
    rs = records(("ann", "01.q2", "incorrect", "", NOW - STUCK_IDLE - 60),
                 ("bob", "01.q1", "incorrect", "", NOW - STUCK_IDLE - 1))
    s = state(rs, learners=["ann", "bob", "cy"])
    assert (s["stuck"], s["stuck_list"]) == (0, [])
    # ... and someone done with the chapter is never stuck, however long idle
    done = records(*[("ann", q, "correct", "", NOW - 2 * STUCK_IDLE) for q in CH1],
                   ("bob", "01.q1", "incorrect", "", NOW - 10))
    assert state(done)["stuck"] == 0


def test_a_learner_who_moved_on_to_another_chapter_is_not_idle():
    rs = records(("ann", "01.q2", "incorrect", "", NOW - STUCK_IDLE - 60),
                 ("ann", "02.q1", "incorrect", "", NOW - 20),
                 ("bob", "01.q1", "incorrect", "", NOW - 30))
    assert state(rs)["stuck"] == 0


def test_absent_learners_are_those_with_no_check_at_all():
    rs = records(("ann", "01.q1", "correct", "", NOW - 5),
                 ("bob", "02.q1", "incorrect", "", NOW - 5),  # another chapter: present
                 ("cy", "01.q1", "not attempted", "", NOW - 5),  # seen: present
                 ("eve", "01.q1", "incorrect", "", NOW - 5))  # not on the hub's list: counted
    s = state(rs, learners=["ann", "bob", "cy", "dee", "fay"])
    assert s["absent_list"] == ["dee", "fay"]
    assert (s["learners"], s["started"], s["absent"]) == (6, 4, 2)
    assert [row["learner"] for row in s["grid"]] == ["ann", "bob", "cy", "dee", "eve", "fay"]
    dee = next(row for row in s["grid"] if row["learner"] == "dee")
    assert dee["cells"] == [None] * len(CH1)
    ann = next(row for row in s["grid"] if row["learner"] == "ann")
    assert ann["cells"][0] == {"status": "correct", "attempts": 1, "mistake": ""}
    q1 = s["questions"][0]
    assert (q1["id"], q1["done"], q1["tried"]) == ("01.q1", 1, 2)  # cy only saw it


def test_mistakes_are_counted_in_learners_commonest_first_and_at_most_three():
    q = "01.q3"
    m = sorted(QUESTIONS[q].mistakes)
    assert len(m) >= 4
    a, b, c, d = m[3], m[1], m[0], m[2]  # names not in count order
    checks = [("l1", a), ("l1", a), ("l1", a), ("l2", a), ("l3", a),  # a: 3 learners, 5 times
              ("l2", b), ("l4", b),  # b: 2 learners
              ("l3", c), ("l4", c),  # c: 2 learners, ties with b
              ("l4", d)]  # d: 1 learner
    rs = records(*[(who, q, "incorrect", mistake, NOW - 100 + i)
                   for i, (who, mistake) in enumerate(checks)],
                 ("l4", q, "correct", "", NOW - 1), ("l4", q, "incorrect", d, NOW))  # after done
    row = next(x for x in state(rs)["questions"] if x["id"] == q)
    got = [(x["name"], x["made"], x["still"]) for x in row["mistakes"]]
    # made: learners who ever made it; still: those not done whose latest check shows it
    assert got == [(a, 3, 1), *sorted([(b, 2, 1), (c, 2, 1)])]
    assert (row["done"], row["tried"]) == (1, 4)
    whys = {q: QUESTIONS[q].whys}
    told = next(x for x in room_state(rs, [], CH1, 1, NOW, whys=whys)["questions"]
                if x["id"] == q)["mistakes"]
    assert [x["why"] for x in told] == [QUESTIONS[q].whys[x["name"]] for x in told]
    assert all(x["why"] for x in told)


DISTINCT = ("Zorbalina Quexworth", "Mxyzptlk-Ozymandias", "Ulrikka-vanPeltweg",
            "Thaddeus_Oxblood", "Perpetua Gwynnefrith")


def test_projector_mode_names_nobody():
    stuck_a, stuck_b, idle, done, absent = DISTINCT
    rs = records(*[(stuck_a, "01.q2", "incorrect", "count_for_entropy", NOW - 100 + i)
                   for i in range(STUCK_ATTEMPTS)],
                 *[(stuck_b, "01.q3", "error", "", NOW - 90 + i) for i in range(STUCK_ATTEMPTS)],
                 (idle, "01.q1", "incorrect", "sign_flipped", NOW - STUCK_IDLE - 60),
                 *[(done, q, "correct", "", NOW - 10) for q in CH1])
    full = state(rs, learners=list(DISTINCT))
    text = json.dumps(full)
    assert all(name in text for name in DISTINCT)  # the instructor's view names them
    assert (full["stuck"], full["absent"]) == (3, 1)
    projected = state(rs, learners=list(DISTINCT), projector=True)
    text = json.dumps(projected)
    for name in DISTINCT:
        for part in {name, *name.replace("-", " ").replace("_", " ").split()}:
            assert part not in text, (part, text)
    assert not {"grid", "stuck_list", "absent_list"} & set(projected)
    for key in ("learners", "started", "stuck", "absent", "questions"):
        assert projected[key] == full[key]
    assert projected["projector"] is True


# --- CSV --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
                                  "\t=1"])
def test_a_formula_like_name_is_quoted_in_the_csv(name):
    rs = records((name, "01.q2", "incorrect", "count_for_entropy", NOW),
                 ("plain, \"quoted\"", "01.q1", "correct", "", NOW))
    text = as_csv(sorted(rs, key=lambda r: r.learner))
    assert text.splitlines()[0] == ",".join(CSV_COLUMNS)
    assert ",".join(CSV_COLUMNS) == "learner,question,chapter,status,mistake,attempts,first,last"
    rows = {row["question"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}
    assert rows["01.q2"]["learner"] == "'" + name
    assert rows["01.q1"]["learner"] == "plain, \"quoted\""  # a plain one is left as it is
    assert rows["01.q2"] == {"learner": "'" + name, "question": "01.q2", "chapter": "1",
                             "status": "incorrect", "mistake": "count_for_entropy",
                             "attempts": "1", "first": "2027-01-15T08:00:00Z",
                             "last": "2027-01-15T08:00:00Z"}


@pytest.mark.parametrize("name", ["a\r=1+1", "a\r\n=1+1", "a\n=1+1", "\r=1"])
def test_a_line_break_in_a_name_cannot_start_a_row_of_its_own(name):
    """Spreadsheets end a row at a bare CR as at LF: a field holding either must be quoted,
    or what follows it lands, unescaped, at the start of a row (here a formula)."""
    text = as_csv(records((name, "01.q2", "incorrect", "count_for_entropy", NOW)))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2, rows
    assert rows[1][0] in (name, "'" + name)
    assert rows[1][1:3] == ["01.q2", "1"]
