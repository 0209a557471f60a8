"""Write the generated parts of the instructor guide in ``instructor/`` (``make instructor``).

Usage: python scripts/build_instructor.py [--check]

The guide's pages are written by hand, except for blocks between markers such as::

    <!-- generated: misconceptions (scripts/build_instructor.py; do not edit by hand) -->
    ...
    <!-- end generated: misconceptions -->

which this script rewrites from the course itself:

- ``objectives`` (each chapter page): the chapter's "What you will learn" and "What you need
  to know first", from ``notebooks/NN_name.ipynb``;
- ``misconceptions`` (each chapter page): every question of ``xentlearn/exercises/chNN.py``
  with its prompt and the typical mistakes it declares, each with the feedback its check
  gives;
- ``chapters`` (``instructor/index.md``): a table of the chapter pages with their timings
  (from each page's "Timings" table) and their number of questions.

It also reads the session plans in ``instructor/plans.md``: each plan is a table after a
line ``<!-- plan: NAME MINUTES -->``, with the columns ``start | min | kind | what |
notebook``, and the script reports a plan whose start times do not follow each other, whose
minutes do not add up to its length, that names a notebook that does not exist, whose minutes
for a chapter are neither the full nor the short timing of its page, that sets a chapter's
exercises before teaching it, or that runs more than two hours without a break.

``--check`` writes nothing and exits with status 1, naming the pages whose generated parts
are stale and the problems of the plans; ``tests/test_instructor.py`` fails in the same cases.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "instructor"
NOTEBOOKS = ROOT / "notebooks"

BEGIN = "<!-- generated: {name} (scripts/build_instructor.py; do not edit by hand) -->"
END = "<!-- end generated: {name} -->"
TIMING_PARTS = ("teaching", "teaching, short", "exercises", "exercises, short")
_TIMING_ROW = re.compile(r"^\| (teaching|teaching, short|exercises|exercises, short) \| (\d+) "
                         r"\| (.+) \|$", re.M)
_SPECIAL = re.compile(r"([\\*_\[\]<>$|#])")


class GuideError(RuntimeError):
    """The guide's sources are inconsistent; the message says what to fix."""


def chapter_pages() -> list[Path]:
    """The chapter pages, ``instructor/00_welcome.md`` ..., one per chapter notebook."""
    pages = [GUIDE / f"{nb.stem}.md" for nb in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))]
    missing = [p.name for p in pages if not p.exists()]
    if missing:
        raise GuideError(f"chapter pages missing in instructor/: {missing}")
    return pages


def escape(text: str) -> str:
    """Plain text as Markdown: code spans (between backticks) kept, other markup escaped."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: escape everything
        return _SPECIAL.sub(r"\\\1", text).replace("`", "\\`")
    return "`".join(p if i % 2 else _SPECIAL.sub(r"\\\1", p) for i, p in enumerate(parts))


def _markdown_text(nb_path: Path) -> str:
    cells = json.loads(nb_path.read_text(encoding="utf-8"))["cells"]
    return "\n\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                       for c in cells if c["cell_type"] == "markdown")


def _bullets_after(text: str, label: str, where: str) -> list[str]:
    """The bullet list that follows the bold ``label`` in ``text``, one string per item."""
    start = text.find(f"**{label}**")
    if start < 0:
        raise GuideError(f"{where} has no **{label}** list")
    items: list[str] = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif items and line.startswith("  ") and line.strip():
            items[-1] += " " + line.strip()
        elif items:
            break
    if not items:
        raise GuideError(f"{where}: the **{label}** list is empty")
    return items


def objectives_block(nb_path: Path) -> str:
    """The chapter's own learning objectives and prerequisites, as Markdown."""
    text = _markdown_text(nb_path)
    where = f"notebooks/{nb_path.name}"
    learn = _bullets_after(text, "What you will learn", where)
    first = _bullets_after(text, "What you need to know first", where)
    lines = ["## Learning objectives", "",
             f"The chapter's own list (\"What you will learn\" in `{where}`). By the end of "
             "the chapter, learners know:", ""]
    lines += [f"- {item}" for item in learn]
    lines += ["", "## What the learner must know first", "",
              "The chapter's \"What you need to know first\":", ""]
    lines += [f"- {item}" for item in first]
    return "\n".join(lines)


def _kind(question) -> str:
    if question.kind == "value":
        return "compute a value"
    return f"implement `{question.name}({', '.join(question.arg_names)})`"


def misconceptions_block(number: int) -> str:
    """Each question of chapter ``number``, its prompt and its declared mistakes with feedback."""
    lines = ["## Misconceptions the exercises diagnose", ""]
    if number == 0:
        lines += ["Chapter 00 has no exercise set; the first diagnosed misconceptions are in "
                  "chapter 01's."]
        return "\n".join(lines)
    from xentlearn.exercises import chapter

    ex = chapter(number)
    n_mistakes = sum(len(q.mistakes) for q in ex.questions)
    lines += [f"Generated from the questions' own definitions in "
              f"`xentlearn/exercises/ch{number:02d}.py`: {len(ex.questions)} questions and the "
              f"{n_mistakes} typical mistakes they declare. When an answer matches one of "
              "these mistakes, the check names it with the feedback quoted here, and the "
              "result records the mistake's name (in code type here); a wrong "
              "answer that matches none gets the general feedback (the failing case, the "
              "expected and the given value, a pointer to the hint).", ""]
    for q in ex.questions:
        lines += [f"### {q.id} · {_kind(q)}", "", f"> {escape(q.prompt)}", ""]
        if not q.mistakes:
            lines += ["This question declares no typical mistake.", ""]
            continue
        for mistake in q.mistakes:
            if mistake.value is not None:
                lines.append(f"- `{mistake.name}` · the answer {mistake.value:.4g}: "
                             f"{escape(mistake.why)}")
            else:
                lines.append(f"- `{mistake.name}` · {escape(mistake.why)}")
        lines.append("")
    return "\n".join(lines).rstrip()


def timing_rows(page: Path) -> dict[str, tuple[int, str]]:
    """The rows of a chapter page's "Timings" table: part -> (minutes, what)."""
    found = {part: (int(minutes), what.strip()) for part, minutes, what in
             _TIMING_ROW.findall(page.read_text(encoding="utf-8"))}
    if "teaching" not in found or "teaching, short" not in found:
        raise GuideError(f"instructor/{page.name}: the Timings table needs the rows "
                         "'teaching' and 'teaching, short'")
    return found


def page_timings(page: Path) -> dict[str, int]:
    """The minutes of each part in a chapter page's "Timings" table."""
    return {part: minutes for part, (minutes, _) in timing_rows(page).items()}


def chapters_block() -> str:
    """The index's table of chapter pages, timings and questions, with totals."""
    from xentlearn.exercises import CHAPTERS, chapter

    lines = ["| chapter | teaching (min) | short (min) | exercises (min) | short (min) "
             "| questions |",
             "|---|---|---|---|---|---|"]
    totals = dict.fromkeys(TIMING_PARTS, 0)
    n_questions = 0
    for page in chapter_pages():
        number = int(page.name[:2])
        title = CHAPTERS[number][1] if number in CHAPTERS else "Welcome"
        t = page_timings(page)
        for part in TIMING_PARTS:
            totals[part] += t.get(part, 0)
        questions = len(chapter(number).questions) if number in CHAPTERS else 0
        n_questions += questions
        cells = [str(t[p]) if p in t else "—" for p in TIMING_PARTS]
        lines.append(f"| [{page.stem[:2]} · {title}]({page.name}) | {' | '.join(cells)} "
                     f"| {questions or '—'} |")
    lines.append(f"| **all chapters** | **{totals['teaching']}** | **{totals['teaching, short']}** "
                 f"| **{totals['exercises']}** | **{totals['exercises, short']}** "
                 f"| **{n_questions}** |")
    full = totals["teaching"] + totals["exercises"]
    lines += ["", f"At the full timings the course is {full} minutes of teaching and exercises "
              f"({full / 60:.1f} hours) before breaks."]
    return "\n".join(lines)


# --- session plans ------------------------------------------------------------------------

PLANS = GUIDE / "plans.md"
PLAN_HEADER = "| start | min | kind | what | notebook |"
KINDS = ("teach", "exercises", "break", "wrap-up")
#: The longest stretch, in minutes, a plan may run without a break.
LONGEST_STRETCH = 120
_PLAN = re.compile(r"^<!-- plan: (\S+) (\d+) -->\n((?:\|.*\|\n?)+)", re.M)
_LINK = re.compile(r"^\[[^\]]+\]\(([^)\s]+)\)$")
_FOLDER = {"teach": "notebooks", "exercises": "exercises"}


@dataclass
class Block:
    """One row of a session plan."""

    start: int  # minutes after midnight
    minutes: int
    kind: str
    what: str
    notebook: str  # the link's target, relative to instructor/; "" for breaks and wrap-ups


@dataclass
class Plan:
    """A session plan: its name, its length in minutes and its rows."""

    name: str
    length: int
    blocks: list[Block]


def _clock(text: str) -> int:
    m = re.fullmatch(r"(\d\d):(\d\d)", text)
    if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise GuideError(f"a start time looks like 09:30, got {text!r}")
    return 60 * int(m.group(1)) + int(m.group(2))


def read_plans(text: str) -> list[Plan]:
    """The plans of ``plans.md``, each from the table after its ``<!-- plan: ... -->`` line."""
    plans = []
    for name, length, table in _PLAN.findall(text):
        rows = table.strip().splitlines()
        if rows[0].strip() != PLAN_HEADER or not re.fullmatch(r"\|(-+\|)+", rows[1].strip()):
            raise GuideError(f"plan {name}: the table must start with {PLAN_HEADER!r}")
        blocks = []
        for row in rows[2:]:
            cells = [c.strip() for c in row.strip().strip("|").split("|")]
            if len(cells) != 5:
                raise GuideError(f"plan {name}: a row needs 5 cells: {row}")
            start, minutes, kind, what, notebook = cells
            if not minutes.isdigit():
                raise GuideError(f"plan {name}: minutes must be a whole number: {row}")
            link = _LINK.fullmatch(notebook)
            blocks.append(Block(_clock(start), int(minutes), kind, what,
                                link.group(1) if link else ""))
        plans.append(Plan(name, int(length), blocks))
    return plans


def _at(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def plan_problems(plan: Plan, guide: Path = GUIDE) -> list[str]:
    """What is wrong with one plan (an empty list when nothing is)."""
    problems = []
    name = plan.name
    clock = plan.blocks[0].start if plan.blocks else 0
    taught: set[str] = set()
    stretch = 0
    timings: dict[str, dict[str, tuple[int, str]]] = {}
    for b in plan.blocks:
        row = f"plan {name}, {_at(b.start)} {b.what!r}"
        if b.start != clock:
            problems.append(f"{row}: starts at {_at(b.start)}, but the row before ends at "
                            f"{_at(clock)}")
        clock = b.start + b.minutes
        if b.minutes <= 0:
            problems.append(f"{row}: lasts {b.minutes} minutes")
        if b.kind not in KINDS:
            problems.append(f"{row}: kind {b.kind!r} is not one of {', '.join(KINDS)}")
            continue
        before, stretch = stretch, 0 if b.kind == "break" else stretch + b.minutes
        if stretch > LONGEST_STRETCH >= before:  # once per stretch, where it goes over
            problems.append(f"{row}: ends {stretch} minutes after the last break (at most "
                            f"{LONGEST_STRETCH})")
        if b.kind not in _FOLDER:
            if b.notebook:
                problems.append(f"{row}: a {b.kind} names no notebook")
            continue
        m = re.fullmatch(rf"\.\./{_FOLDER[b.kind]}/((\d\d)_\w+)\.ipynb", b.notebook)
        if m is None:
            problems.append(f"{row}: a {b.kind} row links to ../{_FOLDER[b.kind]}/NN_name.ipynb, "
                            f"not {b.notebook or 'nothing'}")
            continue
        stem, number = m.groups()
        if not (guide / b.notebook).exists():
            problems.append(f"{row}: {b.notebook} does not exist")
            continue
        if not b.what.startswith(number):
            problems.append(f"{row}: 'what' must start with the chapter number {number}")
        if b.kind == "exercises" and stem not in taught:
            problems.append(f"{row}: the exercises of {stem} come before its teaching")
        taught.add(stem)
        page = guide / f"{stem}.md"
        if stem not in timings:
            timings[stem] = timing_rows(page) if page.exists() else {}
        part = "teaching" if b.kind == "teach" else "exercises"
        if "short" in b.what.split(":")[0]:
            part += ", short"
        expected, what = timings[stem].get(part, (None, ""))
        if expected != b.minutes:
            problems.append(f"{row}: {b.minutes} minutes, but instructor/{stem}.md gives "
                            f"{part} {expected} minutes")
        elif b.kind == "exercises" and b.what.partition(": ")[2] != what:
            problems.append(f"{row}: sets other questions than instructor/{stem}.md's "
                            f"{part}: {what!r}")
    total = sum(b.minutes for b in plan.blocks)
    if total != plan.length:
        problems.append(f"plan {name}: the minutes add up to {total}, not {plan.length}")
    return problems


def fill(text: str, name: str, body: str, where: str) -> str:
    """``text`` with the block ``name`` between its markers replaced by ``body``."""
    begin, end = BEGIN.format(name=name), END.format(name=name)
    pattern = re.compile(re.escape(begin) + r"\n.*?" + re.escape(end), re.S)
    if len(pattern.findall(text)) != 1:
        raise GuideError(f"{where} needs exactly one pair of markers for '{name}':\n"
                         f"{begin}\n{end}")
    return pattern.sub(lambda _: f"{begin}\n\n{body}\n\n{end}", text)


def rendered() -> dict[Path, str]:
    """Every page with generated parts, as it should read."""
    out: dict[Path, str] = {}
    for page in chapter_pages():
        where = f"instructor/{page.name}"
        text = page.read_text(encoding="utf-8")
        text = fill(text, "objectives", objectives_block(NOTEBOOKS / f"{page.stem}.ipynb"), where)
        text = fill(text, "misconceptions", misconceptions_block(int(page.name[:2])), where)
        out[page] = text
    index = GUIDE / "index.md"
    out[index] = fill(index.read_text(encoding="utf-8"), "chapters", chapters_block(),
                      "instructor/index.md")
    return out


def stale() -> list[Path]:
    """The pages whose generated parts differ from what the course says now."""
    return [page for page, text in rendered().items()
            if page.read_text(encoding="utf-8") != text]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a generated part is stale")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    try:
        pages = rendered()
    except GuideError as err:
        print(f"make instructor: {err}", file=sys.stderr)
        return 1
    changed = [p for p, text in pages.items() if p.read_text(encoding="utf-8") != text]
    try:
        plans = read_plans(PLANS.read_text(encoding="utf-8"))
    except GuideError as err:
        print(f"make instructor: instructor/plans.md: {err}", file=sys.stderr)
        return 1
    problems = [p for plan in plans for p in plan_problems(plan)]
    for problem in problems:
        print(f"instructor/plans.md: {problem}", file=sys.stderr)
    if args.check:
        if changed:
            print("stale generated parts (run make instructor): "
                  + ", ".join(p.relative_to(ROOT).as_posix() for p in changed), file=sys.stderr)
        if changed or problems:
            return 1
        print(f"instructor guide: generated parts are current; {len(plans)} session plans "
              "check out")
        return 0
    for page in changed:
        page.write_text(pages[page], encoding="utf-8")
    print(f"instructor guide: {len(changed)} of {len(pages)} pages rewritten; "
          f"{len(plans)} session plans, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
