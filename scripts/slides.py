"""Slide metadata for the chapters, so an instructor can present any of them with RISE.

Usage: python scripts/slides.py [--check] [NOTEBOOK.ipynb ...]   (default: notebooks/*.ipynb)

Sets ``cell.metadata.slideshow.slide_type`` on every cell, and the notebook's ``rise``
settings, by the rules below; only metadata changes, never a cell's text or outputs, so the
chapters read as before and nbval is unaffected. Run it again after a chapter changes;
``--check`` changes nothing and exits 1 if a notebook is not as the rules make it
(tests/test_course.py checks the same). Either way it prints, per chapter, what the slides
still lack that only a change to the chapter's text can give (``problems``).

A slide is made for a room: a 1280 x 720 screen, at most ``BUDGET`` lines. The slide keeps
the headings, short sentences, formulas, code, outputs and figures; the chapter's longer
prose goes to the speaker notes (RISE's speaker view, key ``T``; the static decks of
``scripts/build_decks.py``, key ``S``). The rules, in order:

1. The title cell starts the first slide; a list right after it (what the chapter teaches)
   stays on that slide while it fits.
2. The Colab install cell and the setup cell (``%matplotlib inline`` and the imports) are
   skipped: run them (Run All) before presenting.
3. A markdown cell with a ``## `` heading line starts a slide; one with only a ``### `` heading
   starts a subslide (a slide below the section's first), unless the section's slide holds
   nothing but its short heading so far: then the ``### `` heading joins it, so that no slide
   shows a heading alone.
4. An explorer (a cell calling ``widgets.*_explorer``) starts a subslide of its own: live, it
   fills a screen. Its static figure (the ``plots.`` cell right after it) starts the next
   subslide, for the deck and for whoever cannot run the explorer.
5. Any other markdown cell is prose for the speaker notes unless it is short: at most
   ``KEEP_LINES`` lines, or ``FORMULA_LINES`` lines around a display formula (``$$``). A
   table (a markdown cell of ``|`` rows) is not prose: it is shown, as code is.
6. Everything else (code, tables, and the short markdown of rule 5) goes on the current slide
   while the slide stays within ``BUDGET`` lines. Short markdown that no longer fits goes to
   the notes; a code cell or table that no longer fits starts a subslide, together with the
   short markdown right before it that introduces it (a place where the chapter wants a
   ``### `` heading: ``problems`` names it).
7. ``OVERRIDES`` changes single cells of a chapter, found by the start of their text.

Heights are estimated in lines of text on the slide: a line of ``LINE_CHARS`` characters, a
heading 2 more, a display formula 1 more; a figure by its pixel height at ``LINE_PX`` a line
(a 1280-pixel-wide slide scales wider ones down) and 2 for its margins, an explorer
``EXPLORER_LINES``.

``slides(nb)`` lists the slides the rules make, in the order RISE shows them, for the tests;
``problems(nb)`` what they cannot mend: a slide over ``BUDGET`` (one cell too tall), a slide
that starts in the middle of a section, fewer notes than one for every two slides, a display
formula left in the notes (a slide shows the chapter's formulas).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import math
import re
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")
BUDGET = 20          # lines of text a slide holds: 1280 x 720, text 22 px, code 19 px
LINE_CHARS = 100     # characters of a line of text on a 1280-pixel-wide slide
LINE_PX = 36         # a line's height in pixels: 720 / BUDGET
SLIDE_PX = 1240      # a figure wider than this is scaled down to it
FIGURE_LINES = 12    # a figure whose size cannot be read
EXPLORER_LINES = 18  # a live explorer in RISE: sliders, readout and picture, 620 px
KEEP_LINES = 3       # markdown without a heading this short stays on the slide...
FORMULA_LINES = 6    # ... or this short, if it holds a display formula
NOTES_PER_SLIDE = 0.5  # at least one cell of notes for every two slides

#: The notebook-level RISE settings: a theme that loads no web fonts from another machine,
#: tall slides scroll instead of being cut off, and the slide number as "current/total".
RISE = {"theme": "white", "scroll": True, "slideNumber": "c/t", "transition": "none"}

#: Per chapter (file name prefix): the start of a cell's text -> its slide type.
OVERRIDES: dict[str, dict[str, str]] = {}

EXPLORER = re.compile(r"\bwidgets\.\w+_explorer\(")
HEADING = re.compile(r"^(#{1,3}) \S", re.M)
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def heading_level(cell) -> int | None:
    """The highest heading level (1, 2, 3) among the lines of a markdown cell, if any."""
    if cell["cell_type"] != "markdown":
        return None
    levels = [len(m.group(1)) for m in HEADING.finditer(source(cell))]
    return min(levels) if levels else None


def starts_with_heading(cell) -> bool:
    """Whether a markdown cell's first line is a heading: a slide it starts says where it is."""
    return cell["cell_type"] == "markdown" and bool(HEADING.match(source(cell).lstrip()))


def is_explorer(cell) -> bool:
    return cell["cell_type"] == "code" and bool(EXPLORER.search(source(cell)))


def is_explorer_figure(cells, i: int) -> bool:
    """Whether cell ``i`` is the static figure of the explorer right before it."""
    return (0 < i and is_explorer(cells[i - 1]) and cells[i]["cell_type"] == "code"
            and "plots." in source(cells[i]))


def is_setup(cell) -> bool:
    text = source(cell)
    return cell["cell_type"] == "code" and ('"google.colab"' in text
                                            or text.startswith("%matplotlib inline"))


def has_figure(cell) -> bool:
    return cell["cell_type"] == "code" and any(
        any(m in out.get("data", {}) for m in IMAGE_MIMES) for out in cell.get("outputs", []))


def _text(value) -> str:
    return value if isinstance(value, str) else "".join(value)


def lines(text: str) -> int:
    """Lines of text on the slide: each source line, wrapped at ``LINE_CHARS``."""
    return sum(max(1, math.ceil(len(line) / LINE_CHARS)) for line in text.splitlines())


def png_size(data) -> tuple[int, int] | None:
    """(width, height) of a base64 PNG, from its header."""
    head = re.sub(r"\s", "", _text(data))[:32]
    try:
        raw = base64.b64decode(head)
    except (binascii.Error, ValueError):
        return None
    if len(raw) < 24 or raw[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", raw[16:24])


def figure_lines(out) -> int:
    """A figure's height in lines: its pixel height (as shown: the width the output's metadata
    asks, at most ``SLIDE_PX``) at ``LINE_PX`` a line, and two of the output's margins."""
    size = png_size(out["data"]["image/png"]) if "image/png" in out.get("data", {}) else None
    if size is None or not all(size):
        return FIGURE_LINES
    width, height = size
    asked = out.get("metadata", {}).get("image/png", {})
    if isinstance(asked, dict) and asked.get("width"):
        width, height = float(asked["width"]), height * float(asked["width"]) / width
    return math.ceil(height * min(1.0, SLIDE_PX / width) / LINE_PX) + 2


def height(cell) -> int:
    """A cell's height on a slide, in lines of text, outputs included."""
    text = source(cell)
    if cell["cell_type"] == "markdown":
        return lines(text) + text.count("$$") + 2 * len(re.findall(r"^#", text, re.M))
    if is_explorer(cell):
        return EXPLORER_LINES
    total = lines(text)
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if any(m in data for m in IMAGE_MIMES):
            total += figure_lines(out)
        elif out.get("output_type") == "stream":
            total += lines(_text(out["text"]))
        elif out.get("output_type") == "error":
            total += lines("\n".join(out.get("traceback", [])))
        elif "text/plain" in data:
            total += min(lines(_text(data["text/plain"])), BUDGET)
    return total


def is_table(cell) -> bool:
    """A markdown cell that is a table: at least three of its lines are ``|`` rows, and
    they are most of its lines."""
    if cell["cell_type"] != "markdown":
        return False
    rows = [line for line in source(cell).splitlines() if line.strip()]
    table = sum(line.lstrip().startswith("|") for line in rows)
    return table >= 3 and 2 * table >= len(rows)


def is_list(cell) -> bool:
    """A markdown cell of lists: each line an item (``- ``, ``* ``, ``1. ``), the indented
    rest of one, or a list's bold label (``**What you need to know first**``)."""
    rows = [line for line in source(cell).splitlines() if line.strip()]
    return (cell["cell_type"] == "markdown" and bool(rows)
            and all(re.match(r"(?:[-*] |\d+\. |\s|\*\*[^*]+\*\*$)", line) for line in rows))


def is_shown(cell) -> bool:
    """Code and tables: what goes on a slide however long (rule 6), never into the notes."""
    return cell["cell_type"] == "code" or is_table(cell)


def keeps_on_slide(cell) -> bool:
    """Rule 5: a markdown cell without a heading short enough for the slide."""
    text = source(cell)
    return height(cell) <= (FORMULA_LINES if "$$" in text else KEEP_LINES)


def slide_types(nb, chapter: str = "") -> list[str]:
    """The slide type of every cell of a chapter, by the rules of this module."""
    cells = nb["cells"]
    types: list[str | None] = [None] * len(cells)
    overrides = OVERRIDES.get(chapter, {})
    for i, cell in enumerate(cells):
        override = next((t for start, t in overrides.items()
                         if source(cell).startswith(start)), None)
        level = heading_level(cell)
        if override is not None:
            types[i] = override
        elif types[i] is not None:
            continue
        elif i == 0:
            types[i] = "slide"
        elif is_setup(cell):
            types[i] = "skip"
        elif level is not None and level <= 2:
            types[i] = "slide"
        elif level == 3:
            types[i] = "subslide"
        elif is_explorer(cell):
            types[i] = "subslide"
            if i + 1 < len(cells) and is_explorer_figure(cells, i + 1):
                types[i + 1] = "subslide"
        elif cell["cell_type"] == "markdown" and not keeps_on_slide(cell) and not is_table(cell):
            types[i] = "notes"
    # Rule 1: what the chapter teaches stays on the title slide while it fits.
    if (len(cells) > 1 and types[1] == "notes" and is_list(cells[1])
            and height(cells[0]) + height(cells[1]) <= BUDGET):
        types[1] = "-"
    # Rule 3: a ### heading joins its section's slide while that holds only a short heading.
    shown = None  # the last cell shown on a slide so far
    for i, cell in enumerate(cells):
        if types[i] in ("skip", "notes"):
            continue
        if (types[i] == "subslide" and heading_level(cell) == 3 and shown is not None
                and types[shown] == "slide" and heading_level(cells[shown])
                and height(cells[shown]) <= 2 * KEEP_LINES
                and height(cells[shown]) + height(cell) <= BUDGET):
            types[i] = "-"
        shown = i
    # Rule 6: fill each slide while it fits.
    used = 0
    for i, cell in enumerate(cells):
        kind = types[i]
        if kind in ("skip", "notes"):
            continue
        if kind in ("slide", "subslide"):
            used = height(cell)
        elif kind is not None:
            used += height(cell)
        elif used + height(cell) <= BUDGET:
            types[i] = "-"
            used += height(cell)
        elif not is_shown(cell):
            types[i] = "notes"
        else:
            start = i
            if (i > 0 and types[i - 1] == "-" and cells[i - 1]["cell_type"] == "markdown"
                    and heading_level(cells[i - 1]) is None):
                start = i - 1  # the sentence that introduces the code goes with it
            types[start] = "subslide"
            types[i] = "-" if start < i else "subslide"
            used = sum(height(cells[j]) for j in range(start, i + 1) if types[j] != "notes")
    return [t or "-" for t in types]


def apply(nb, chapter: str = "") -> bool:
    """Set the slide metadata on ``nb``; whether anything changed."""
    changed = False
    for cell, kind in zip(nb["cells"], slide_types(nb, chapter), strict=True):
        if cell["metadata"].get("slideshow") != {"slide_type": kind}:
            cell["metadata"]["slideshow"] = {"slide_type": kind}
            changed = True
    if nb["metadata"].get("rise") != RISE:
        nb["metadata"]["rise"] = dict(RISE)
        changed = True
    return changed


@dataclass
class Slide:
    """One slide as RISE builds it: its place (h, v), the cells shown on it and their
    estimated height in lines."""

    h: int
    v: int
    cells: list[int] = field(default_factory=list)
    figures: int = 0
    explorers: int = 0
    notes: int = 0
    lines: int = 0

    @property
    def id(self) -> str:
        return f"slide-{self.h}-{self.v}"


def slides(nb) -> list[Slide]:
    """The slides of a notebook from its stored metadata, as RISE builds them: cells before
    the first shown cell join the first slide; ``slide`` starts a new horizontal slide,
    ``subslide`` a new one below it; ``skip`` cells are hidden, ``notes`` go to the speaker
    view of the slide they are on."""
    result = [Slide(0, 0)]
    started = False
    for i, cell in enumerate(nb["cells"]):
        kind = cell["metadata"].get("slideshow", {}).get("slide_type", "-")
        if kind in ("skip", "notes"):
            result[-1].notes += kind == "notes"
            continue
        if started and kind == "slide":
            result.append(Slide(result[-1].h + 1, 0))
        elif started and kind == "subslide":
            result.append(Slide(result[-1].h, result[-1].v + 1))
        started = True
        result[-1].cells.append(i)
        result[-1].figures += has_figure(cell)
        result[-1].explorers += is_explorer(cell)
        result[-1].lines += height(cell)
    return result


@dataclass
class Problem:
    """What a chapter's slides lack that only a change to its text can give."""

    kind: str  # "too tall", "mid-section", "notes" or "formula"
    cell: int | None
    message: str


def starts_a_section(cells, i: int) -> bool:
    """Whether a slide starting at cell ``i`` starts where the chapter does, a section or an
    explorer: its first line is a heading, or it is an explorer or the explorer's figure."""
    return i == 0 or starts_with_heading(cells[i]) or is_explorer(cells[i]) or (
        is_explorer_figure(cells, i))


def problems(nb) -> list[Problem]:
    """What the slides of ``nb`` (its stored metadata) lack: a slide taller than ``BUDGET``,
    a slide that starts in the middle of a section, fewer cells of notes than
    ``NOTES_PER_SLIDE`` a slide. Each says which cell to change, and how."""
    cells = nb["cells"]
    found = []
    deck = slides(nb)
    for s in deck:
        if not s.cells:
            continue
        first = s.cells[0]
        start = " ".join(source(cells[first]).split())[:50]
        if s.lines > BUDGET:
            tallest = max(s.cells, key=lambda j: height(cells[j]))
            what = (f"cell {tallest} alone is {height(cells[tallest])} lines: split or shorten it"
                    if height(cells[tallest]) > BUDGET else
                    f"its {len(s.cells)} cells do not fit together")
            found.append(Problem("too tall", tallest, f"{s.id} has {s.lines} lines (at most "
                                 f"{BUDGET}): {what}"))
        if not starts_a_section(cells, first):
            how = ("split the cell before its heading" if heading_level(cells[first])
                   else "give the section a ### heading here, or shorten it")
            found.append(Problem("mid-section", first, f"{s.id} starts inside a section, at "
                                 f"cell {first} ({start!r}): {how}"))
    for i, cell in enumerate(cells):
        kind = cell["metadata"].get("slideshow", {}).get("slide_type")
        if kind == "notes" and "$$" in source(cell):
            found.append(Problem("formula", i, f"cell {i} holds a display formula but goes to "
                                 "the notes: give the formula, with the words that lead to it, "
                                 f"a cell of its own (at most {FORMULA_LINES} lines)"))
    notes = sum(s.notes for s in deck)
    if notes < NOTES_PER_SLIDE * len(deck):
        found.append(Problem("notes", None, f"{notes} cells of notes for {len(deck)} slides "
                             f"(at least {math.ceil(NOTES_PER_SLIDE * len(deck))}): move the "
                             "prose of heading cells into cells of its own"))
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook's metadata is not up to date")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
    stale = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        changed = apply(nb, path.name[:2])
        shown = slides(nb)
        print(f"{path.name}: {len(shown)} slides ({max(s.h for s in shown) + 1} across), "
              f"at most {max(s.lines for s in shown)} lines, "
              f"{sum(s.notes for s in shown)} cells of notes, "
              f"{sum(c['metadata']['slideshow']['slide_type'] == 'skip' for c in nb.cells)} "
              f"skipped{'' if not changed else ' (stale)' if args.check else ' (written)'}")
        for problem in problems(nb):
            print(f"  to change in the text: {problem.message}")
        if changed:
            stale.append(path)
            if not args.check:
                nbformat.write(nb, path)
    if args.check and stale:
        print("slide metadata out of date: run python scripts/slides.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
