"""Write the exercise notebooks (learner and solved) from the question definitions.

Usage: python scripts/build_exercises.py   (`make exercises` runs it, then executes them)

The questions live in ``xentlearn/exercises/ch01.py`` ... ``ch08.py``; this script
turns each chapter into ``exercises/NN_name.ipynb`` (placeholders to fill in) and
``exercises/solutions/NN_name.ipynb`` (the same, solved). Run it after
changing a question; learners' own copies are theirs to keep.

Every notebook of the course, chapters included, opens with the same first code cell,
:data:`COLAB_INSTALL`, tagged ``remove-cell`` (the website hides it): on Google Colab it
installs ``xentlearn`` from the repository whose address ``scripts/build_site.py`` sets
(``REPOSITORY_URL``, which the site's launch links use too); anywhere else it does nothing.
This script writes it into the exercise notebooks and puts it, as it is here, at the top of
every chapter in ``notebooks/`` (changing nothing else there).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import numpy as np
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scripts.build_site import REPOSITORY_URL  # noqa: E402
from xentlearn.exercises import CHAPTERS, chapter  # noqa: E402
from xentlearn.exercises.checker import _fmt  # noqa: E402

#: The first code cell of every chapter, exercise and solution notebook. Colab has its own
#: front end and widgets (and NumPy, Matplotlib, scikit-learn), so it gets the package and
#: its runtime dependencies only: not the ``course`` extra (JupyterLab, RISE, a pinned
#: ipywidgets). Anywhere else (JupyterLab, nbval, Binder, the hub) the cell does nothing and
#: prints nothing.
COLAB_INSTALL = (
    "# On Google Colab only: install xentlearn (anywhere else this cell does nothing).\n"
    "import sys\n"
    "\n"
    'if "google.colab" in sys.modules:\n'
    f'    %pip install --quiet "xentlearn @ git+{REPOSITORY_URL}"'
)
#: The Colab cell's tag: the website leaves the cell out of the page (myst-nb), the notebook
#: keeps it.
COLAB_TAG = "remove-cell"

INTRO = """# Exercises {number:02d} · {title}

Practice for the chapter [notebooks/{name}.ipynb]({up}notebooks/{name}.ipynb). Each
question has a cell to fill in that ends with a check: run it and you get immediate feedback.

- Replace `...` (or `raise NotImplementedError`) with your answer and run the cell.
- `ex.q1.hint()` gives a hint, `ex.q1.hint(2)` a stronger one, `ex.q1.solution()` an answer.
- "Compute a value" answers must be right to 0.1 % (relative): give at least 4 significant
  figures, or better, compute the value in code.
- "Implement" questions are checked on the worked example **and** on hidden cases (other
  sizes, other shapes where the question allows them, zeros, extreme values), against
  `xentlearn`'s own functions, to about 7 significant figures. Use NumPy (and xentlearn where
  a question says so); the arguments are NumPy arrays.

The checks run in your own kernel (the Python process behind this notebook, on your own
computer or server), so a determined learner can defeat them, for example by changing the
checker's code: they measure your practice, they are not an exam.

Run the cells in order from the top: the first code cells load the questions
(`ex = chapter({number})`), after installing `xentlearn` where the notebook runs on Colab."""

SETUP = ("import numpy as np\n\nimport xentlearn as xl\nfrom xentlearn.exercises import chapter\n\n"
         "ex = chapter({number})")


def _code(x) -> str:
    """An argument as the Python code that makes it, on one line."""
    if isinstance(x, np.ndarray):
        dtype = "" if x.dtype in (np.float64, np.int64) else f", dtype=np.{x.dtype}"
        return f"np.array({x.tolist()!r}{dtype})"
    return repr(x)


def colab_install_cell() -> nbformat.NotebookNode:
    """A new Colab install cell: :data:`COLAB_INSTALL`, tagged :data:`COLAB_TAG`."""
    return new_code_cell(COLAB_INSTALL, metadata={"tags": [COLAB_TAG]})


def is_colab_install(cell) -> bool:
    """Whether a cell is a Colab install cell (of this or an earlier form)."""
    return cell["cell_type"] == "code" and '"google.colab"' in "".join(cell["source"])


def put_colab_install_first(nb: nbformat.NotebookNode) -> bool:
    """Make the notebook's first code cell the Colab install cell; whether anything changed.

    An older Colab cell in first place gets the current source and the tag and keeps its
    other metadata (a chapter's slide type); without one, a new cell goes before the first
    code cell.
    """
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    if not code or not is_colab_install(nb.cells[code[0]]):
        nb.cells.insert(code[0] if code else len(nb.cells), colab_install_cell())
        return True
    cell = nb.cells[code[0]]
    tags = cell.metadata.get("tags", [])
    if cell.source == COLAB_INSTALL and COLAB_TAG in tags:
        return False
    cell.source = COLAB_INSTALL
    if COLAB_TAG not in tags:
        cell.metadata["tags"] = [*tags, COLAB_TAG]
    return True


def build(number: int, solved: bool) -> nbformat.NotebookNode:
    ch = chapter(number)
    nb = new_notebook()
    up = "../../" if solved else "../"
    cells = [new_markdown_cell(INTRO.format(number=number, title=ch.title, name=ch.name, up=up)),
             colab_install_cell(),
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
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if put_colab_install_first(nb):
            nbformat.write(nb, path)
            print(f"{path.relative_to(ROOT)} (its Colab install cell)")


if __name__ == "__main__":
    main()
