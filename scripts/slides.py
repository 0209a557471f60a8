"""Slide metadata for the chapters, so an instructor can present any of them with RISE.

Usage: python scripts/slides.py [--check] [NOTEBOOK.ipynb ...]   (default: notebooks/*.ipynb)

Sets ``cell.metadata.slideshow.slide_type`` on every cell, and the notebook's ``rise``
settings, by the rules below; only metadata changes, never a cell's text or outputs, so the
chapters read as before and nbval is unaffected. Run it again after a chapter changes;
``--check`` changes nothing and exits 1 if a notebook is not as the rules make it
(tests/test_course.py checks the same).

The rules, in order:

1. The title cell starts the first slide.
2. The Colab install cell and the setup cell (``%matplotlib inline`` and the imports) are
   skipped: run them (Run All) before presenting.
3. A markdown cell with a ``## `` heading line starts a slide; one with only a ``### `` heading
   starts a subslide (a slide below the section's first).
4. An explorer (a cell calling ``widgets.*_explorer``) starts a subslide of its own, and its
   static figure (the ``plots.`` cell right after it) stays on that slide.
5. Any other markdown cell longer than ``NOTES_CHARS`` characters becomes speaker notes
   (RISE shows them in its speaker view, key ``T``).
6. Everything else stays on the current slide, until the slide would be taller than
   ``BUDGET`` estimated lines: then the next piece (a markdown cell with the code cells it
   introduces, or a code cell after code or after a slide that is already full) starts a new
   subslide. A figure counts as
   ``FIGURE_LINES`` lines, an explorer as ``EXPLORER_LINES``. A piece of at most ``SMALL``
   lines (a closing remark) stays where it is.
7. ``OVERRIDES`` changes single cells of a chapter, found by the start of their text.

``slides(nb)`` lists the slides the rules make, in the order RISE shows them, for the tests.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")
NOTES_CHARS = 650
BUDGET = 30
FIGURE_LINES = 16
EXPLORER_LINES = 18
LINE_CHARS = 90
SMALL = 6

#: The notebook-level RISE settings: a theme that loads no web fonts from another machine,
#: tall slides scroll instead of being cut off, and the slide number as "current/total".
RISE = {"theme": "white", "scroll": True, "slideNumber": "c/t", "transition": "none"}

#: Per chapter (file name prefix): the start of a cell's text -> its slide type.
OVERRIDES: dict[str, dict[str, str]] = {}

EXPLORER = re.compile(r"\bwidgets\.\w+_explorer\(")
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def source(cell) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def heading_level(cell) -> int | None:
    """The highest heading level (1, 2, 3) among the lines of a markdown cell, if any."""
    if cell["cell_type"] != "markdown":
        return None
    levels = [len(m.group(1)) for m in re.finditer(r"^(#{1,3}) \S", source(cell), re.M)]
    return min(levels) if levels else None


def is_explorer(cell) -> bool:
    return cell["cell_type"] == "code" and bool(EXPLORER.search(source(cell)))


def is_setup(cell) -> bool:
    text = source(cell)
    return cell["cell_type"] == "code" and ('"google.colab"' in text
                                            or text.startswith("%matplotlib inline"))


def has_figure(cell) -> bool:
    return cell["cell_type"] == "code" and any(
        any(m in out.get("data", {}) for m in IMAGE_MIMES) for out in cell.get("outputs", []))


def height(cell) -> int:
    """A rough height in lines of text: what the cell and its outputs take on a slide."""
    def lines(text: str) -> int:
        return sum(max(1, math.ceil(len(line) / LINE_CHARS)) for line in text.splitlines())

    text = source(cell)
    if cell["cell_type"] == "markdown":
        return lines(text) + text.count("$$") + 2 * len(re.findall(r"^#", text, re.M))
    if is_explorer(cell):
        return EXPLORER_LINES
    total = lines(text)
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if any(m in data for m in IMAGE_MIMES):
            total += FIGURE_LINES
        elif out.get("output_type") == "stream":
            total += lines(out["text"] if isinstance(out["text"], str) else "".join(out["text"]))
        elif "text/plain" in data:
            plain = data["text/plain"]
            total += min(lines(plain if isinstance(plain, str) else "".join(plain)), 20)
    return total


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
            if i + 1 < len(cells) and "plots." in source(cells[i + 1]):
                types[i + 1] = "-"
        elif types[i] is None and cell["cell_type"] == "markdown" and len(
                source(cell)) > NOTES_CHARS:
            types[i] = "notes"
    # Rule 6: fill the slides in pieces, a new subslide where a piece no longer fits.
    used = 0
    previous = None  # the type of the last cell shown on a slide
    for i, cell in enumerate(cells):
        kind = types[i]
        if kind in ("skip", "notes"):
            continue
        if kind in ("slide", "subslide"):
            used = height(cell)
        elif kind is None:
            starts_piece = (cell["cell_type"] == "markdown" or previous != "markdown"
                            or used >= BUDGET)
            piece = piece_height(cells, types, i) if starts_piece else 0
            if piece > SMALL and used > 0 and used + piece > BUDGET:
                types[i] = "subslide"
                used = height(cell)
            else:
                types[i] = "-"
                used += height(cell)
        else:
            used += height(cell)
        previous = cell["cell_type"]
    return [t or "-" for t in types]


def piece_height(cells, types, start: int) -> int:
    """The height of the piece that starts at ``start``: a markdown cell and the code cells
    after it, or a single code cell."""
    total = height(cells[start])
    if cells[start]["cell_type"] == "markdown":
        for j in range(start + 1, len(cells)):
            if cells[j]["cell_type"] != "code" or types[j] is not None:
                break
            total += height(cells[j])
    return total


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
    """One slide as RISE builds it: its place (h, v) and the cells shown on it."""

    h: int
    v: int
    cells: list[int] = field(default_factory=list)
    figures: int = 0
    explorers: int = 0
    notes: int = 0

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
    return result


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
              f"{sum(s.notes for s in shown)} cells of notes, "
              f"{sum(c['metadata']['slideshow']['slide_type'] == 'skip' for c in nb.cells)} "
              f"skipped{'' if not changed else ' (stale)' if args.check else ' (written)'}")
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
