"""Slides made for a room (scripts/slides.py): what the rules make of a chapter, and what each
chapter's stored slide metadata gives.

Per chapter, from the metadata as stored (run ``python scripts/slides.py`` after a chapter
changes): every slide holds at most ``BUDGET`` lines by the rules' estimate, there is a cell
of speaker notes for every two slides, and no slide starts inside a section. Where only a
change to the chapter's text can help, the message names the cell and the change
(``slides.problems``). ``SLIDES_NOTEBOOKS=DIR`` checks the notebooks of DIR instead (a copy).

The rules themselves are checked on small notebooks made here.
"""

from __future__ import annotations

import base64
import json
import os
import struct
import sys
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts import slides  # noqa: E402

FOLDER = Path(os.environ.get("SLIDES_NOTEBOOKS", ROOT / "notebooks"))
CHAPTERS = sorted(FOLDER.glob("*.ipynb"))

def _deck(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return nb, slides.slides(nb), slides.problems(nb)


def _messages(problems, kind: str) -> str:
    return "\n".join(p.message for p in problems if p.kind == kind)


# --- each chapter, as stored ----------------------------------------------------------------

@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_every_slide_holds_at_most_budget_lines(path):
    _, deck, problems = _deck(path)
    tallest = max(deck, key=lambda s: s.lines)
    assert tallest.lines <= slides.BUDGET, (
        f"{path.name}: {tallest.id} has {tallest.lines} lines, at most {slides.BUDGET} fit "
        f"a 1280 x 720 slide:\n{_messages(problems, 'too tall')}")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_a_cell_of_speaker_notes_for_every_two_slides(path):
    _, deck, problems = _deck(path)
    notes = sum(s.notes for s in deck)
    assert notes >= slides.NOTES_PER_SLIDE * len(deck), f"{path.name}: " + _messages(
        problems, "notes")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_no_slide_starts_inside_a_section(path):
    _, _, problems = _deck(path)
    inside = _messages(problems, "mid-section")
    assert not inside, f"{path.name}:\n{inside}"


# --- the rules, on small notebooks ----------------------------------------------------------

def _png(width: int, height: int) -> str:
    """The start of a PNG of that size, as a notebook stores it (base64): its header."""
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR"
    return base64.b64encode(head + struct.pack(">II", width, height) + b"\x08\x06\0\0\0").decode()


def _figure(source: str, width: int = 611, height: int = 371, **metadata):
    cell = new_code_cell(source)
    cell.outputs = [new_output("display_data", data={"image/png": _png(width, height),
                                                     "text/plain": "a figure"},
                               metadata=metadata)]
    return cell


def _printing(source: str, lines: int):
    cell = new_code_cell(source)
    cell.outputs = [new_output("stream", name="stdout", text="out\n" * lines)]
    return cell


def _types(*cells) -> list[str]:
    return slides.slide_types(new_notebook(cells=list(cells)))


def _apply(*cells):
    nb = new_notebook(cells=list(cells))
    slides.apply(nb)
    return nb


PROSE = "A sentence of explanation that goes on for a while, as prose does. " * 10


def test_prose_goes_to_the_notes_and_the_slide_keeps_headings_formulas_code_and_figures():
    kinds = _types(
        new_markdown_cell("# 09 · A chapter\n\nWhat you will learn."),
        new_code_cell("%matplotlib inline\nimport numpy as np"),
        new_markdown_cell("## A section\n\nIts lead."),
        new_markdown_cell(PROSE),
        new_code_cell("x = 1"),
        new_markdown_cell("The loss:\n\n$$H(p, q) = -\\sum_k p_k \\log q_k.$$"),
        new_markdown_cell("Here it is:"),
        _figure("plots.something(x)", height=160),
        new_markdown_cell("### A subsection\n\nMore."),
        new_markdown_cell(PROSE + "\n\n$$x = 1$$"),
    )
    assert kinds == ["slide", "skip", "slide", "notes", "-", "-", "-", "-", "subslide", "notes"]


def test_a_code_cell_that_does_not_fit_starts_a_subslide_with_the_sentence_before_it():
    nb = _apply(
        new_markdown_cell("## A section\n\nIts lead."),
        _printing("a = 1", 10),
        new_markdown_cell("Then:"),
        _printing("b = 2", 10),
        _printing("c = 3", 2),
    )
    assert [c.metadata.slideshow.slide_type for c in nb.cells] == [
        "slide", "-", "subslide", "-", "-"]
    deck = slides.slides(nb)
    assert [s.lines for s in deck] == [5 + 11, 1 + 11 + 3]
    assert all(s.lines <= slides.BUDGET for s in deck)
    # the chapter wants a heading there
    [problem] = slides.problems(nb)[:1]
    assert (problem.kind, problem.cell) == ("mid-section", 2)
    assert "### heading" in problem.message


def test_short_markdown_that_no_longer_fits_goes_to_the_notes():
    kinds = _types(new_markdown_cell("## A section"), _printing("a = 1", 16),
                   new_markdown_cell("A closing remark."))
    assert kinds == ["slide", "-", "notes"]


def test_an_explorer_and_its_static_figure_each_get_a_subslide():
    nb = _apply(
        new_markdown_cell("## Explore: p\n\nMove the slider."),
        new_code_cell("widgets.coin_explorer(0.5)"),
        _figure("plots.coin_entropy_curve(mark=0.5)"),
        new_markdown_cell("## Summary"),
    )
    deck = slides.slides(nb)
    assert [(s.id, s.cells, s.explorers, s.figures) for s in deck] == [
        ("slide-0-0", [0], 0, 0), ("slide-0-1", [1], 1, 0), ("slide-0-2", [2], 0, 1),
        ("slide-1-0", [3], 0, 0)]
    assert deck[1].lines == slides.EXPLORER_LINES <= slides.BUDGET
    assert not [p for p in slides.problems(nb) if p.kind == "mid-section"]


def test_a_figure_counts_its_own_height():
    def lines(cell):
        return slides.height(cell) - 1  # the line of code

    assert lines(_figure("f()", 611, 371)) == 13  # 371 px: 11 lines, and 2 of margins
    assert lines(_figure("f()", 2480, 742)) == 13  # scaled to the slide's 1240 px
    assert lines(_figure("f()", 611, 371, **{"image/png": {"width": 300}})) == 8
    svg = new_code_cell("f()")
    svg.outputs = [new_output("display_data", data={"image/svg+xml": "<svg/>"})]
    assert lines(svg) == slides.FIGURE_LINES


def test_problems_name_what_only_the_text_can_mend():
    nb = _apply(
        new_markdown_cell("# 09 · A chapter"),
        new_markdown_cell("## One\n\n" + "A line of the first section.\n" * 3),
        new_markdown_cell("The end of section one.\n\n## Two\n\nIts lead."),
        _printing("x = 1", 30),
    )
    found = {(p.kind, p.cell) for p in slides.problems(nb)}
    assert found == {("mid-section", 2), ("mid-section", 3), ("too tall", 3), ("notes", None)}
    messages = " ".join(p.message for p in slides.problems(nb))
    assert "split the cell before its heading" in messages
    assert "cell 3 alone is 31 lines" in messages


def test_a_chapter_made_for_the_room_has_no_problems():
    nb = _apply(
        new_markdown_cell("# 09 · A chapter"),
        new_markdown_cell(PROSE),
        new_markdown_cell("## One\n\nThe lead."),
        new_markdown_cell(PROSE),
        _printing("x = 1", 5),
        new_markdown_cell("### One, continued"),
        new_markdown_cell(PROSE),
        _figure("plots.f(x)"),
    )
    assert slides.problems(nb) == []
    deck = slides.slides(nb)
    assert [s.notes for s in deck] == [1, 1, 1]


def test_what_the_chapter_teaches_stays_on_the_title_slide_while_it_fits():
    objectives = new_markdown_cell("- one thing;\n- another thing;\n- a third thing.\n" * 2)
    kinds = _types(new_markdown_cell("# 09 · A chapter\n\n**What you will learn**"), objectives,
                   new_code_cell("%matplotlib inline\nimport numpy as np"))
    assert kinds == ["slide", "-", "skip"]
    long = new_markdown_cell("- an objective that goes on and on.\n" * 25)
    assert _types(new_markdown_cell("# 09 · A chapter"), long)[1] == "notes"
    assert _types(new_markdown_cell("# 09 · A chapter"), new_markdown_cell(PROSE))[1] == "notes"


def test_a_subsection_joins_a_section_slide_that_holds_only_its_heading():
    kinds = _types(new_markdown_cell("# 09 · A chapter"),
                   new_markdown_cell("## A section"), new_markdown_cell(PROSE),
                   new_markdown_cell("### Its first step"), new_code_cell("x = 1"),
                   new_markdown_cell("### Its second step"), new_code_cell("y = 2"))
    assert kinds == ["slide", "slide", "notes", "-", "-", "subslide", "-"]
    # a section slide that shows more than a short heading keeps its subslides
    kinds = _types(new_markdown_cell("## A section"), _printing("x = 1", 3),
                   new_markdown_cell("### A step"))
    assert kinds == ["slide", "-", "subslide"]


def test_a_table_is_shown_like_code_not_sent_to_the_notes():
    table = new_markdown_cell("| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 6)
    assert slides.is_table(table) and not slides.is_table(new_markdown_cell(PROSE))
    kinds = _types(new_markdown_cell("## A section"), table)
    assert kinds == ["slide", "-"]
    # one that no longer fits starts a subslide, as code does
    kinds = _types(new_markdown_cell("## A section"), _printing("x = 1", 12), table)
    assert kinds == ["slide", "-", "subslide"]


def test_a_display_formula_left_in_the_notes_is_a_problem():
    nb = _apply(new_markdown_cell("# 09 · A chapter"), new_markdown_cell("## A section"),
                new_markdown_cell(PROSE + "\n\n$$H(p) = -\\sum_k p_k \\log p_k$$"),
                new_markdown_cell("The loss:\n\n$$L = -\\log q_c$$"))
    formula = [p for p in slides.problems(nb) if p.kind == "formula"]
    assert [p.cell for p in formula] == [2]
    assert "a cell of its own" in formula[0].message


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_every_display_formula_is_on_a_slide(path):
    _, _, problems = _deck(path)
    left = _messages(problems, "formula")
    assert not left, f"{path.name}:\n{left}"
