"""Write the exercise notebooks (learner and solved) from the question definitions.

Usage: python scripts/build_exercises.py   (then `make notebooks` executes them)

The questions live in ``xentlearn/exercises/ch01.py`` ... ``ch08.py``; this script
turns each chapter into ``exercises/NN_name.ipynb`` (placeholders to fill in) and
``exercises/solutions/NN_name.ipynb`` (the same, solved). Run it after
changing a question; learners' own copies are theirs to keep.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import numpy as np
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from xentlearn.exercises import CHAPTERS, chapter
from xentlearn.exercises.checker import _fmt

ROOT = Path(__file__).resolve().parents[1]

INTRO = """# Exercises {number:02d} · {title}

Practice for the chapter [notebooks/{name}.ipynb]({up}notebooks/{name}.ipynb). Each
question has a cell to fill in that ends with a check: run it and you get immediate feedback.

- Replace `...` (or `raise NotImplementedError`) with your answer and run the cell.
- `ex.q1.hint()` gives a hint, `ex.q1.hint(2)` a stronger one, `ex.q1.solution()` an answer.
- "Compute a value" answers must be right to 0.1 % (relative): give at least 4 significant
  figures, or better, compute the value in code.
- "Implement" questions are checked on the worked example **and** on hidden cases (other
  shapes, zeros, extreme values), against `xentlearn`'s own functions, to about 7 significant
  figures. Use NumPy (and xentlearn where a question says so); the arguments are NumPy
  arrays.

The checks run in your own kernel, so a determined learner can defeat them (by patching
NumPy or the checker, or by walking the stack to the reference answers): they measure your
practice, they are not an exam.

Run the next cell first."""

SETUP = ("import numpy as np\n\nimport xentlearn as xl\nfrom xentlearn.exercises import chapter\n\n"
         "ex = chapter({number})")


def _code(x) -> str:
    """An argument as the Python code that makes it, on one line."""
    if isinstance(x, np.ndarray):
        dtype = "" if x.dtype in (np.float64, np.int64) else f", dtype=np.{x.dtype}"
        return f"np.array({x.tolist()!r}{dtype})"
    return repr(x)


def build(number: int, solved: bool) -> nbformat.NotebookNode:
    ch = chapter(number)
    nb = new_notebook()
    up = "../../" if solved else "../"
    cells = [new_markdown_cell(INTRO.format(number=number, title=ch.title, name=ch.name, up=up)),
             new_code_cell(SETUP.format(number=number))]
    for q in ch.questions:
        key = q.key
        what = "compute a value" if q.kind == "value" else "implement"
        text = f"## Question {key[1:]} ({what})\n\n{q.prompt}"
        if q.kind == "function":
            call = ", ".join(_code(a) for a in q.example.args)
            text += (f"\n\nWorked example: `{q.name}({call})` "
                     f"returns `{_fmt(q.example_output())}`.")
        cells.append(new_markdown_cell(text))
        body = q.solution_code if solved else q.template
        target = "answer" if q.kind == "value" else q.name
        cells.append(new_code_cell(
            f"{body}\n\nex.{key}.check({target})\n# ex.{key}.hint()    ex.{key}.solution()"))
    cells.append(new_markdown_cell(
        "## Done?\n\nEvery check above shows ✓ when the chapter is mastered. Instructors can "
        "tabulate a class's notebooks with `python -m xentlearn progress exercises/`.\n\n"
        f"Back to the chapter: [notebooks/{ch.name}.ipynb]({up}notebooks/{ch.name}.ipynb)."))
    nb.cells = cells
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    return nb


def main() -> None:
    for number, (name, _) in CHAPTERS.items():
        for solved, folder in ((False, ROOT / "exercises"),
                               (True, ROOT / "exercises" / "solutions")):
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{name}.ipynb"
            nbformat.write(build(number, solved), path)
            print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
