"""The instructor guide in instructor/: generated parts current, session plans that add up,
live code that runs, discussion answers whose numbers xentlearn computes, and a progress
section that names the command's real options."""

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
    ("| 15:25 | 5 | wrap-up | the chapter map; what to read next on one's own | — |",
     "| 15:25 | 5 | wrap-up | the chapter map | [00](../notebooks/00_welcome.ipynb) |",
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


def test_every_link_between_the_pages_resolves():
    for page in [*PAGES, GUIDE / "index.md", GUIDE / "plans.md"]:
        for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            assert file.is_file(), f"{page.name}: {target}"
            if anchor:
                headings = re.findall(r"^#+ (.+)$", file.read_text(encoding="utf-8"), re.M)
                slugs = {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-")
                         for h in headings}
                assert anchor in slugs, f"{page.name}: {target}"


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
