"""The instructor guide in instructor/: generated parts current, session plans that add up,
live code that runs, discussion answers whose numbers xentlearn computes, a progress
section that names the command's real options, and a page for the day whose commands exist
and whose survey answers xentlearn computes."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import xentlearn as xl
from xentlearn.distributions import fit_gaussian_kl, gaussian_mixture
from xentlearn.exercises import all_questions, chapter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts import build_instructor as bi  # noqa: E402

GUIDE = ROOT / "instructor"
PAGES = sorted(GUIDE.glob("[0-9][0-9]_*.md"))
DAY = GUIDE / "day.md"
DAY_SECTIONS = ["Helpers", "Sticky notes and the live view", "The shared notes document",
                "The survey, before and after", "The code of conduct",
                "The checklist for the morning", "When a laptop fails"]
PLAN_LENGTHS = {"taster": 90, "half-day": 210, "full-day": 390}
SECTIONS = ["Learning objectives", "What the learner must know first", "Timings",
            "What to live-code", "Misconceptions the exercises diagnose",
            "Discussion questions", "Where learners get stuck"]
# `expression` → number: the number an answer states, and the call that computes it
CHECKED = re.compile(r"`([^`]+)`\s*→\s*(-?(?:\d+(?:\.\d+)?|inf))")
BARE = re.compile(r"(?<![\w.])-?\d+\.\d{3,}")


def _section(text: str, title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"no section '## {title}'"
    return m.group(1)


def _plans_text() -> str:
    return (GUIDE / "plans.md").read_text(encoding="utf-8")


# --- the pages ------------------------------------------------------------------------------

def test_there_is_a_page_for_every_chapter_and_an_index_and_plans():
    chapters = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert [p.stem for p in PAGES] == [nb.stem for nb in chapters]
    assert (GUIDE / "index.md").exists() and (GUIDE / "plans.md").exists()
    assert DAY.exists() and (GUIDE / "room.md").exists()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_chapter_page_has_every_section_in_order(page):
    text = page.read_text(encoding="utf-8")
    assert text.startswith(f"# {page.stem[:2]} · ")
    positions = [text.find(f"\n## {title}\n") for title in SECTIONS]
    assert -1 not in positions, [t for t, p in zip(SECTIONS, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    stuck = _section(text, "Where learners get stuck")
    assert stuck.count("\n- ") >= 4, "say concretely where learners get stuck"


def _question_numbers(what: str) -> list[int]:
    m = re.fullmatch(r"questions (\d+) to (\d+)", what)
    if m:
        return list(range(int(m.group(1)), int(m.group(2)) + 1))
    m = re.fullmatch(r"questions? ((?:\d+, )*\d+)(?: and (\d+))?", what)
    assert m, f"say which questions: {what!r}"
    return [int(n) for n in m.group(1).split(", ")] + ([int(m.group(2))] if m.group(2) else [])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_timings_name_questions_that_exist(page):
    rows = bi.timing_rows(page)
    number = int(page.stem[:2])
    if number == 0:
        assert "exercises" not in rows
        return
    n = len(chapter(number).questions)
    assert _question_numbers(rows["exercises"][1]) == list(range(1, n + 1))
    short = _question_numbers(rows["exercises, short"][1])
    assert short == sorted(set(short)) and set(short) < set(range(1, n + 1))
    assert rows["teaching, short"][0] < rows["teaching"][0]
    assert rows["exercises, short"][0] < rows["exercises"][0]


def test_generated_parts_are_current():
    stale = [p.relative_to(ROOT).as_posix() for p in bi.stale()]
    assert not stale, f"run `make instructor`: stale generated parts in {stale}"


def test_every_question_and_declared_mistake_is_on_its_chapter_page():
    for q in all_questions():
        page = GUIDE / f"{chapter(q.chapter).name}.md"
        block = _section(page.read_text(encoding="utf-8"), "Misconceptions the exercises diagnose")
        assert f"### {q.id} · " in block
        assert bi.escape(q.prompt) in block
        for mistake in q.mistakes:
            assert bi.escape(mistake.why) in block, (q.id, mistake.why)


def test_a_changed_mistake_makes_its_page_stale(monkeypatch):
    """The misconceptions come from the questions' definitions, not from a copy."""
    page = GUIDE / "03_binary_cross_entropy.md"
    mistake = chapter(3).q1.mistakes[0]
    monkeypatch.setattr(mistake, "why", "a feedback nobody wrote into the page")
    assert "a feedback nobody wrote into the page" in bi.misconceptions_block(3)
    assert page in bi.stale()


def test_objectives_are_read_from_the_notebook_even_when_split_over_cells(tmp_path):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": source} for source in (
        ["# 09 · Something\n", "\n", "**What you will learn**\n", "\n",
         "- the first idea;\n", "- a second idea that runs\n", "  over two lines.\n"],
        "**What you need to know first**\n\n- chapter 08.\n\nMore text.\n")]
    nb = tmp_path / "09_something.ipynb"
    nb.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    block = bi.objectives_block(nb)
    assert "- the first idea;\n- a second idea that runs over two lines." in block
    assert block.endswith("- chapter 08.")
    nb.write_text(json.dumps({"cells": cells[1:], "metadata": {}, "nbformat": 4,
                              "nbformat_minor": 5}))
    with pytest.raises(bi.GuideError, match="What you will learn"):
        bi.objectives_block(nb)


def test_a_page_without_its_markers_is_refused():
    with pytest.raises(bi.GuideError, match="misconceptions"):
        bi.fill("# 01 · A page\n\nno markers\n", "misconceptions", "body", "instructor/x.md")


def test_feedback_text_is_escaped_but_code_is_kept():
    assert bi.escape("y * log(p) and [c] $x$ `p[p > 0]`") == \
        r"y \* log(p) and \[c\] \$x\$ `p[p > 0]`"


# --- the session plans ----------------------------------------------------------------------

def test_the_three_plans_have_their_lengths_and_no_problems():
    plans = bi.read_plans(_plans_text())
    assert {p.name: p.length for p in plans} == PLAN_LENGTHS
    for plan in plans:
        assert bi.plan_problems(plan) == [], plan.name
        assert sum(b.minutes for b in plan.blocks) == plan.length
        for before, after in zip(plan.blocks, plan.blocks[1:], strict=False):
            assert after.start == before.start + before.minutes
        kinds = {b.kind for b in plan.blocks}
        assert {"teach", "exercises", "break"} <= kinds, plan.name


def test_every_notebook_a_plan_names_exists():
    for plan in bi.read_plans(_plans_text()):
        for b in plan.blocks:
            if b.kind in ("teach", "exercises"):
                assert (GUIDE / b.notebook).resolve().is_file(), (plan.name, b.notebook)
                folder = "notebooks" if b.kind == "teach" else "exercises"
                assert (GUIDE / b.notebook).resolve().parent == ROOT / folder


def test_the_plans_show_their_end_time():
    text = _plans_text()
    for plan in bi.read_plans(text):
        end = plan.blocks[0].start + plan.length
        assert f"Ends at {end // 60:02d}:{end % 60:02d}." in text, plan.name


def test_the_plans_open_the_room_for_the_survey_before_and_end_with_the_survey_after():
    text = _plans_text()
    said = " ".join(text.split())
    assert "The room opens 15 minutes before a plan's first row" in said
    assert "[Running the day](day.md)" in said
    for plan in bi.read_plans(text):
        opens = plan.blocks[0].start - 15
        section = next(part for part in text.split("\n## ") if f"<!-- plan: {plan.name} " in part)
        said = " ".join(section.partition("<!-- plan:")[0].split())
        assert f"The room opens at {opens // 60:02d}:{opens % 60:02d}." in said, plan.name
        assert plan.blocks[0].what.startswith("00 · Welcome"), plan.name
        assert "the code of conduct" in plan.blocks[0].what, plan.name
        assert plan.blocks[-1].kind == "wrap-up", plan.name
        assert plan.blocks[-1].what.startswith("the survey after"), plan.name


def _problems_after(old: str, new: str, plan: str = "taster") -> list[str]:
    text = _plans_text()
    assert old in text
    plans = {p.name: p for p in bi.read_plans(text.replace(old, new, 1))}
    return bi.plan_problems(plans[plan])


@pytest.mark.parametrize("old, new, problem", [
    ("| 14:10 | 20 |", "| 14:15 | 20 |", "but the row before ends at 14:10"),
    ("| 14:45 | 5 | break |", "| 14:45 | 10 | break |", "add up to 95, not 90"),
    ("../notebooks/02_cross_entropy.ipynb", "../notebooks/02_cross_entropy_x.ipynb",
     "does not exist"),
    ("| 15:15 | 10 | exercises | 03, short", "| 15:15 | 10 | exercises | 03",
     "gives exercises 25 minutes"),
    ("../exercises/01_shannon_entropy.ipynb", "../exercises/02_cross_entropy.ipynb",
     "must start with the chapter number 02"),
    ("| 14:45 | 5 | break |", "| 14:45 | 5 | pause |", "is not one of"),
    ("03, short: questions 1 and 5", "03, short: questions 2 and 3", "sets other questions"),
    ("[02_cross_entropy](../notebooks/02_cross_entropy.ipynb)", "—", "links to ../notebooks/"),
    ("| 15:25 | 5 | wrap-up | the survey after; what to read next is in the notes document | — |",
     "| 15:25 | 5 | wrap-up | the survey after | [00](../notebooks/00_welcome.ipynb) |",
     "a wrap-up names no notebook"),
])
def test_the_plan_checker_finds_what_is_wrong(old, new, problem):
    problems = _problems_after(old, new)
    assert any(problem in p for p in problems), problems


def test_a_morning_without_its_break_is_found():
    problems = _problems_after("| 10:50 | 20 | break |", "| 10:50 | 20 | wrap-up |", "half-day")
    assert problems == ["plan half-day, 10:50 'coffee': ends 130 minutes after the last break "
                        "(at most 120)"]


def test_exercises_before_their_teaching_are_found():
    plan = bi.Plan("backwards", 35, [
        bi.Block(600, 15, "exercises", "01, short: questions 1, 2 and 4",
                 "../exercises/01_shannon_entropy.ipynb"),
        bi.Block(615, 20, "teach", "01 · Shannon entropy, short",
                 "../notebooks/01_shannon_entropy.ipynb")])
    problems = bi.plan_problems(plan)
    assert problems == ["plan backwards, 10:00 '01, short: questions 1, 2 and 4': the exercises "
                        "of 01_shannon_entropy come before its teaching"]


def test_a_plan_table_in_another_format_is_refused():
    text = _plans_text().replace(bi.PLAN_HEADER, "| start | minutes | kind | what | notebook |")
    with pytest.raises(bi.GuideError, match="must start with"):
        bi.read_plans(text)


# --- what the pages say ---------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_live_code_runs(page, monkeypatch, capsys):
    """Every Python block of "What to live-code" runs, in order, in one namespace."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(ROOT)
    blocks = re.findall(r"^```python\n(.*?)^```", _section(page.read_text(encoding="utf-8"),
                                                            "What to live-code"), re.M | re.S)
    assert blocks, "show the calls to live-code"
    namespace: dict = {}
    try:
        for code in blocks:
            exec(compile(code, f"{page.name} live code", "exec"), namespace)  # noqa: S102
    finally:
        plt.close("all")
    capsys.readouterr()


def _evaluate(expression: str) -> float:
    namespace = {"np": np, "xl": xl, "math": math, "fit_gaussian_kl": fit_gaussian_kl,
                 "gaussian_mixture": gaussian_mixture}
    return float(eval(expression, namespace))  # noqa: S307 - the guide's own expressions


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_number_in_the_discussion_answers_is_computed(page):
    """Each `expression` → number is recomputed with xentlearn and numpy; any other number
    with three or more decimals in the answers must be one of those results or inputs."""
    text = _section(page.read_text(encoding="utf-8"), "Discussion questions")
    checked = CHECKED.findall(text)
    assert len(checked) >= 3, "compute the answers' numbers with xentlearn"
    assert text.count("\n**") >= 4, "at least four discussion questions"
    stated = set()
    for expression, number in checked:
        value = _evaluate(expression)
        if number == "inf":
            assert math.isinf(value), expression
        else:
            decimals = len(number.split(".")[1]) if "." in number else 0
            assert f"{value:.{decimals}f}" == number, f"{expression} is {value}, not {number}"
        stated.add(number)
        stated.update(re.findall(r"\d+\.\d+", expression))
    prose = re.sub(r"`[^`]*`", "", text)
    unchecked = [n for n in BARE.findall(prose) if n not in stated]
    assert not unchecked, f"numbers without the call that computes them: {unchecked}"


def _anchors(file: Path) -> set[str]:
    """The anchors of a page's headings, as GitHub and MyST make them (code blocks left out)."""
    text = re.sub(r"^```.*?^```", "", file.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-")
            for h in re.findall(r"^#+ (.+)$", text, re.M)}


def test_every_link_between_the_pages_resolves():
    pages = sorted(GUIDE.glob("*.md"))
    assert DAY in pages and GUIDE / "room.md" in pages
    for page in pages:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            assert file.is_file(), f"{page.name}: {target}"
            if anchor:
                assert anchor in _anchors(file), f"{page.name}: {target}"


def test_a_link_to_a_missing_section_is_found():
    assert "the-live-view" in _anchors(GUIDE / "room.md")
    assert "the-live-views" not in _anchors(GUIDE / "room.md")
    assert "collecting-a-classs-progress" in _anchors(GUIDE / "index.md")


def _options(*command: str) -> set[str]:
    result = subprocess.run([sys.executable, "-m", "xentlearn", *command, "--help"],
                            capture_output=True, text=True, check=True, cwd=ROOT)
    return set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", result.stdout)) - {"--help"}


def test_the_progress_section_names_exactly_the_commands_options_and_the_security_note():
    text = (GUIDE / "index.md").read_text(encoding="utf-8")
    section = _section(text, "Collecting a class's progress")
    assert "python -m xentlearn progress class/" in section
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", section))
    assert named == _options("progress")
    assert "executes the learners' code" in section
    assert "copies" in section and "unprivileged user" in section
    checks = _section(text, "What the exercise checks are, and are not")
    assert "own kernel" in checks and "not an exam" in checks


def test_the_preflight_check_is_described_with_its_real_options():
    section = _section((GUIDE / "index.md").read_text(encoding="utf-8"), "Before the session")
    assert ".venv/bin/python -m xentlearn doctor" in section
    assert set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", section)) == _options("doctor")


def test_readme_and_makefile_point_to_the_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "instructor/" in readme and "make instructor" in readme
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^instructor:", makefile, re.M)
    assert re.search(r"^#\s+make instructor\b", makefile, re.M)
    assert "scripts/build_instructor.py" in makefile


# --- the day ---------------------------------------------------------------------------------

def _day_text() -> str:
    return DAY.read_text(encoding="utf-8")


def test_the_day_page_has_its_sections_in_order_and_is_linked():
    text = _day_text()
    assert text.startswith("# Running the day\n")
    positions = [text.find(f"\n## {title}\n") for title in DAY_SECTIONS]
    assert -1 not in positions, [t for t, p in zip(DAY_SECTIONS, positions, strict=True) if p < 0]
    assert positions == sorted(positions)
    for page in ("index.md", "plans.md", "00_welcome.md"):
        assert "](day.md" in (GUIDE / page).read_text(encoding="utf-8"), page
    live = " ".join(_section(text, "Sticky notes and the live view").split())
    assert "](room.md#the-live-view)" in live and "projector mode" in live
    assert "red" in live and "green" in live and "stuck list" in live


def test_the_day_page_covers_helpers_notes_conduct_and_failing_laptops():
    text = _day_text()
    helpers = " ".join(_section(text, "Helpers").split())
    assert "one helper for every 8 learners" in helpers
    assert "keyboard" in helpers.split("What helpers do not do")[1]
    for role in ("the room", "the stuck list", "the notes", "the laptops"):
        assert f"| {role} |" in helpers, role
    notes = _section(text, "The shared notes document")
    assert "```text" in notes and "http://ADDRESS:8000/" in notes
    for what in ("What goes in", "Who writes"):
        assert what in notes
    conduct = _section(text, "The code of conduct")
    links = re.findall(r"\]\((https://[^)\s]+)\)", conduct)
    assert "https://www.contributor-covenant.org/version/2/1/code_of_conduct/" in links
    assert "How to report at the event" in conduct
    failing = _section(text, "When a laptop fails")
    for route in ("Colab", "Binder", "neighbour", "`binder/`"):
        assert route in failing, route
    colab = ROOT / "notebooks" / "01_shannon_entropy.ipynb"
    first = next(c for c in json.loads(colab.read_text(encoding="utf-8"))["cells"]
                 if c["cell_type"] == "code")
    assert '"google.colab" in sys.modules' in "".join(first["source"]), \
        "the page says each notebook's first code cell installs xentlearn on Colab only"
    assert (ROOT / "binder" / "postBuild").is_file()


def _code(text: str) -> list[str]:
    """The code of a page: each line of its code blocks and each inline code span."""
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S)
    rest = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    spans = re.findall(r"`([^`]+)`", rest)
    return [line for block in blocks for line in block.splitlines()] + \
        [" ".join(span.split()) for span in spans]


def _subcommands() -> set[str]:
    result = subprocess.run([sys.executable, "-m", "xentlearn", "--help"],
                            capture_output=True, text=True, check=True, cwd=ROOT)
    return set(re.search(r"\{([\w,]+)\}", result.stdout).group(1).split(","))


def test_every_command_the_day_page_names_exists():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w-]+):", makefile, re.M))
    subcommands = _subcommands()
    assert {"doctor", "lab", "course", "progress"} <= subcommands
    made, ran = set(), set()
    for line in _code(_day_text()):
        for target, settings in re.findall(r"(?:^|sudo )make ([a-z][\w-]*)((?: [A-Z_]+=\S+)*)",
                                           line):
            assert target in targets, f"make {target}: no such target in the Makefile"
            made.add(target)
            for name in re.findall(r"([A-Z_]+)=", settings):
                assert re.search(rf"\b{name}\b", makefile), f"make {target}: {name} unknown"
        for sub, args in re.findall(r"python -m xentlearn (\w+)((?: \S+)*)", line):
            assert sub in subcommands, f"python -m xentlearn {sub}: no such subcommand"
            options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", args))
            assert options <= _options(sub), (sub, options)
            ran.add(sub)
    assert {"hub", "hub-slips", "hub-prestart", "test-hub", "lab"} <= made
    assert {"doctor", "lab"} <= ran
    text = _day_text()
    assert ".venv/bin/python -m xentlearn doctor" in text  # the make lab route
    assert "`python -m xentlearn doctor`, then `python -m xentlearn lab`" in text  # pip's


def _survey() -> tuple[dict[int, str], dict[int, tuple[str, str]]]:
    """The survey's form (question number → its text) and answers (number → (letter, text))."""
    section = _section(_day_text(), "The survey, before and after")
    form = re.search(r"^### The form\n\n```text\n(.*?)^```", section, re.M | re.S).group(1)
    questions = {int(n): body for n, body in
                 re.findall(r"^(\d+)\. (.*?)(?=^\d+\. |^\S|\Z)", form, re.M | re.S)}
    answers = {int(n): (letter, " ".join(body.split())) for n, letter, body in
               re.findall(r"^- \*\*(\d+): ([a-d])\)\*\* (.*?)(?=^- |^\*\*|\Z)",
                          section, re.M | re.S)}
    return questions, answers


def _options_of(question: str) -> dict[str, str]:
    return {letter: text.strip() for letter, text in
            re.findall(r"\b([a-d])\) (.+?)(?=\s{2,}[a-d]\) |\n|$)", question)}


def test_the_survey_has_its_questions_before_and_after():
    questions, answers = _survey()
    assert sorted(questions) == list(range(1, 9))
    section = _section(_day_text(), "The survey, before and after")
    form = section.split("### The form")[1].split("### The answers")[0]
    before, _, after = form.partition("After the session only:")
    assert len(re.findall(r"^\d+\. ", before, re.M)) == 6, "six questions before"
    assert re.findall(r"^(\d+)\. ", after, re.M) == ["7", "8"]
    assert "clearest" in questions[7] and "least clear" in questions[8]
    for n in (5, 6):
        assert "1  2  3  4  5" in questions[n], f"question {n} is a scale from 1 to 5"
    for n in (1, 2, 3, 4):
        assert set(_options_of(questions[n])) == set("abcd"), (n, _options_of(questions[n]))
    assert sorted(answers) == [1, 2, 3, 4]


def test_the_survey_answers_are_computed_with_xentlearn():
    """Each answer's numbers are recomputed; the option it gives holds the first of them;
    every number of the form with three decimals is one the answers compute."""
    questions, answers = _survey()
    computed: dict[str, float] = {}
    for n, (letter, text) in answers.items():
        checked = CHECKED.findall(text)
        assert checked, f"answer {n}: give the call that computes it"
        values = []
        for expression, number in checked:
            value = _evaluate(expression)
            decimals = len(number.split(".")[1]) if "." in number else 0
            assert f"{value:.{decimals}f}" == number, f"{expression} is {value}, not {number}"
            values.append(value)
            computed[number] = value
        options = _options_of(questions[n])
        numbers = {k: re.match(r"-?\d+(?:\.\d+)?", v) for k, v in options.items()}
        if all(numbers.values()):
            given = {k: float(m.group()) for k, m in numbers.items()}
            right = [k for k, v in given.items() if math.isclose(v, values[0], abs_tol=5e-4)]
            assert right == [letter], f"question {n}: {values[0]:.3f} is option {right}"
        prose = re.sub(r"`[^`]*`", "", text)
        unchecked = [x for x in BARE.findall(prose) if x not in computed]
        assert not unchecked, f"answer {n}: numbers without their call: {unchecked}"
    # question 4: the option is words; the answer's numbers must say which
    assert _options_of(questions[4])[answers[4][0]] == "larger than H(p)"
    assert xl.cross_entropy([0.5, 0.5], [0.8, 0.2]) > xl.entropy([0.5, 0.5])
    assert xl.cross_entropy([0.5, 0.5], [0.8, 0.2], base=2) > xl.entropy([0.5, 0.5], base=2)
    form = "".join(questions[n] for n in (1, 2, 3, 4))
    for number in BARE.findall(form):
        assert number in computed, f"the form's {number} is not computed in the answers"


def test_a_fair_coin_is_one_bit_and_0_8_on_the_truth_costs_0_223_nats():
    """The two numbers a reader checks first: a fair coin is 1 bit; 0.8 on the truth costs
    0.223 nats."""
    _, answers = _survey()
    assert "`xl.entropy([0.5, 0.5], base=2)` → 1.000" in answers[1][1]
    assert "`xl.binary_cross_entropy([1], [0.8])` → 0.223" in answers[2][1]
    assert f"{xl.binary_cross_entropy([1], [0.8]):.3f}" == "0.223"
    assert xl.entropy([0.5, 0.5], base=2) == pytest.approx(1.0)


def test_the_checklist_names_the_room_s_steps():
    checklist = _section(_day_text(), "The checklist for the morning")
    for step in ("sudo make hub-slips", "python -m xentlearn doctor", "sudo make test-hub",
                 "On the board", "projector=1", "sudo make hub-prestart",
                 "/hub/login?next=/services/room/"):
        assert step in checklist, step
