"""The course's structure: ordered notebooks that import xentlearn and make every claim executable.

nbval checks what each notebook prints; this checks what a course must contain.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXPECTED_ORDER = ["welcome", "shannon_entropy", "cross_entropy", "binary_cross_entropy",
                  "categorical_cross_entropy", "sparse_categorical_cross_entropy",
                  "kl_divergence", "training_with_cross_entropy", "pitfalls"]
REQUIRED_CLAIMS = [f"C{n:02d}" for n in range(1, 30)]


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def _source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def test_notebooks_are_numbered_in_order_without_gaps():
    numbers = [int(p.name[:2]) for p in NOTEBOOKS]
    assert numbers == list(range(len(numbers))), [p.name for p in NOTEBOOKS]
    assert len(NOTEBOOKS) == len(EXPECTED_ORDER)
    for path, topic in zip(NOTEBOOKS, EXPECTED_ORDER, strict=True):
        assert re.fullmatch(rf"\d\d_{topic}\.ipynb", path.name), (path.name, topic)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_a_title_and_closes_with_a_summary_and_exercises(path):
    cells = _cells(path)
    first = _source(cells[0])
    assert cells[0]["cell_type"] == "markdown" and re.match(r"# \d\d", first), first[:80]
    assert "learn" in first.lower()
    tail = " ".join(_source(c) for c in cells[-3:] if c["cell_type"] == "markdown").lower()
    assert "summary" in tail
    if not path.name.startswith("00"):
        assert f"exercises/{path.name}" in tail


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_imports_xentlearn_and_defines_no_functions(path):
    code = [_source(c) for c in _cells(path) if c["cell_type"] == "code"]
    assert any(re.search(r"^import xentlearn|^from xentlearn", s, re.M) for s in code)
    for src in code:
        assert not re.search(r"^\s*(def|class)\s", src, re.M), src[:200]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_executed_and_without_errors(path):
    for cell in _cells(path):
        if cell["cell_type"] != "code" or not _source(cell).strip():
            continue
        assert cell["execution_count"] is not None, _source(cell)[:120]
        tags = cell.get("metadata", {}).get("tags", [])
        for out in cell["outputs"]:
            if out["output_type"] == "error":
                assert "raises-exception" in tags, _source(cell)[:120]
            if out["output_type"] == "stream" and out["name"] == "stderr":
                pytest.fail(f"{path.name}: stderr output (a warning?): {out['text'][:200]}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_only_widget_and_python_version_cells_skip_output_comparison(path):
    """Widget views change every run; text read from the standard library changes with the
    Python version. Every other output is compared."""
    ignored = 0
    for cell in _cells(path):
        tags = cell.get("metadata", {}).get("tags", [])
        src = _source(cell)
        if "nbval-ignore-output" in tags or "NBVAL_IGNORE_OUTPUT" in src:
            ignored += 1
            assert "widgets." in src or "python-version-dependent" in tags, (
                f"{path.name}: output ignored for a cell that should be compared: {src}")
        assert "nbval-skip" not in tags and "NBVAL_SKIP" not in src
    code = sum(c["cell_type"] == "code" for c in _cells(path))
    assert ignored <= max(1, code // 4), f"{path.name}: {ignored} of {code} outputs not compared"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_widget_has_a_static_figure_next_to_it(path):
    cells = [c for c in _cells(path) if c["cell_type"] == "code"]
    for i, cell in enumerate(cells):
        if "widgets." in _source(cell) and "explorer(" in _source(cell):
            neighbours = cells[max(i - 1, 0):i] + cells[i + 1:i + 2]
            assert any("plots." in _source(c) for c in neighbours), _source(cell)


def test_every_claim_is_shown_by_a_tagged_code_cell():
    shown: dict[str, list[str]] = {}
    for path in NOTEBOOKS:
        for cell in _cells(path):
            for tag in cell.get("metadata", {}).get("tags", []):
                if tag.startswith("claim:"):
                    assert cell["cell_type"] == "code", (path.name, tag)
                    assert cell["outputs"], f"{path.name} {tag}: the cell shows nothing"
                    shown.setdefault(tag[len("claim:"):], []).append(path.name)
    missing = [c for c in REQUIRED_CLAIMS if c not in shown]
    assert not missing, f"claims with no tagged cell: {missing}"


@pytest.mark.parametrize("chapter", [1, 3, 4, 6])
def test_chapters_with_explorers_have_them(chapter):
    path = NOTEBOOKS[chapter]
    assert any("explorer(" in _source(c) for c in _cells(path) if c["cell_type"] == "code")


EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "exercises" / "solutions").glob("*.ipynb"))
LINK = re.compile(r"\]\(([^)\s#]+\.ipynb)(?:#[^)]*)?\)")


@pytest.mark.parametrize("path", NOTEBOOKS + EXERCISES + SOLUTIONS,
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_notebook_link_opens_an_existing_notebook(path):
    for cell in _cells(path):
        if cell["cell_type"] == "markdown":
            for target in LINK.findall(_source(cell)):
                assert not target.startswith(("/", "http")), target
                assert (path.parent / target).resolve().is_file(), f"{path.name}: {target}"


@pytest.mark.parametrize("path", NOTEBOOKS[1:], ids=lambda p: p.name)
def test_chapter_links_to_its_exercises_and_the_exercises_link_back(path):
    tail = " ".join(_source(c) for c in _cells(path)[-3:] if c["cell_type"] == "markdown")
    assert f"](../exercises/{path.name})" in tail
    for exercise, up in ((ROOT / "exercises" / path.name, "../"),
                         (ROOT / "exercises" / "solutions" / path.name, "../../")):
        text = " ".join(_source(c) for c in _cells(exercise) if c["cell_type"] == "markdown")
        assert f"]({up}notebooks/{path.name})" in text, exercise


# --- Colab: every notebook opens with the same install cell (scripts/build_exercises.py) --------

ALL_NOTEBOOKS = NOTEBOOKS + EXERCISES + SOLUTIONS


def _build_exercises():
    sys.path.insert(0, str(ROOT))
    from scripts import build_exercises

    return build_exercises


def _first_code_cell(cells: list[dict]) -> dict:
    return next(c for c in cells if c["cell_type"] == "code")


def _run_install_cell(source: str, monkeypatch, on_colab: bool) -> list[tuple[str, str]]:
    """Run the cell as IPython would (its ``%pip`` made a call) with a stand-in shell that
    records the magics instead of running them; the magics it ran."""
    import types

    from IPython.core.inputtransformer2 import TransformerManager

    magics: list[tuple[str, str]] = []
    shell = types.SimpleNamespace(run_line_magic=lambda name, line: magics.append((name, line)))
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(TransformerManager().transform_cell(source), {"get_ipython": lambda: shell})
    return magics


def test_the_colab_install_url_is_set_once_where_the_site_sets_it():
    """The package comes from the repository the site's launch links open: the address is
    written once, in ``scripts/build_site.py``, and the install cell is built from it."""
    from scripts.build_site import REPOSITORY_URL

    build = _build_exercises()
    assert f'"xentlearn @ git+{REPOSITORY_URL}"' in build.COLAB_INSTALL
    assert "github.com" not in (ROOT / "scripts" / "build_exercises.py").read_text()
    for path in ALL_NOTEBOOKS:
        cells = _cells(path)
        first = _first_code_cell(cells)
        elsewhere = [c for c in cells if c is not first and "git+" in _source(c)]
        assert not elsewhere, f"{path.name}: another install cell"


def test_the_colab_install_cell_installs_xentlearn_on_colab_and_does_nothing_elsewhere(
        monkeypatch):
    from scripts.build_site import REPOSITORY_URL

    source = _build_exercises().COLAB_INSTALL
    assert _run_install_cell(source, monkeypatch, on_colab=False) == []
    assert _run_install_cell(source, monkeypatch, on_colab=True) == [
        ("pip", f'install --quiet "xentlearn @ git+{REPOSITORY_URL}"')]


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_notebook_installs_xentlearn_first_on_colab_and_only_the_runtime(path):
    """Colab has no environment file: the first code cell installs the package there, guarded
    so that it does nothing in JupyterLab, nbval, Binder or the hub. Colab has its own front
    end and ipywidgets: the package alone, no ``course`` extra (JupyterLab, RISE, a pinned
    ipywidgets). The website hides the cell (tag ``remove-cell``)."""
    build = _build_exercises()
    first = _first_code_cell(_cells(path))
    source = _source(first)
    assert source == build.COLAB_INSTALL, (
        f"{path.name}: the first code cell is not the Colab install cell; "
        "run python scripts/build_exercises.py (make exercises)")
    assert 'if "google.colab" in sys.modules:\n    %pip install' in source
    assert "[course]" not in source and "jupyterlab" not in source.lower()
    assert "remove-cell" in first.get("metadata", {}).get("tags", []), path.name
    assert first["outputs"] == [], "the Colab cell must print nothing outside Colab"


@pytest.mark.parametrize("solved", [False, True], ids=["exercises", "solutions"])
def test_the_generator_writes_the_colab_install_cell_first(solved):
    build = _build_exercises()
    for number in build.CHAPTERS:
        cells = build.build(number, solved).cells
        first = _first_code_cell(cells)
        assert first.source == build.COLAB_INSTALL
        assert first.metadata["tags"] == ["remove-cell"]
        code = [c for c in cells if c.cell_type == "code"]
        assert f"ex = chapter({number})" in code[1].source


def test_an_older_colab_cell_is_replaced_in_place_and_a_missing_one_added():
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    build = _build_exercises()
    old = new_code_cell('import sys\n\nif "google.colab" in sys.modules:\n'
                        '    %pip install --quiet "xentlearn[course] @ git+https://x/y"',
                        metadata={"slideshow": {"slide_type": "skip"}})
    nb = new_notebook(cells=[new_markdown_cell("# 01"), old, new_code_cell("import numpy")])
    assert build.put_colab_install_first(nb)
    assert [c.source for c in nb.cells[1:]] == [build.COLAB_INSTALL, "import numpy"]
    assert nb.cells[1].metadata == {"slideshow": {"slide_type": "skip"},
                                    "tags": ["remove-cell"]}
    assert not build.put_colab_install_first(nb)

    bare = new_notebook(cells=[new_markdown_cell("# 01"), new_code_cell("import numpy")])
    assert build.put_colab_install_first(bare)
    assert [c.source for c in bare.cells] == ["# 01", build.COLAB_INSTALL, "import numpy"]
    nbformat.validate(bare)


# --- slides: every chapter can be presented with RISE (scripts/slides.py sets the metadata) --

SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}


def _slides_module():
    sys.path.insert(0, str(ROOT))
    from scripts import slides

    return slides


def _slide_type(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_cell_has_a_slide_type_and_the_chapter_starts_with_a_slide(path):
    cells = _cells(path)
    missing = [i for i, c in enumerate(cells) if _slide_type(c) not in SLIDE_TYPES]
    assert not missing, f"{path.name}: cells without a valid slide_type: {missing}"
    assert _slide_type(cells[0]) == "slide"
    for i, cell in enumerate(cells):
        text = _source(cell)
        if cell["cell_type"] == "markdown" and re.search(r"^## \S", text, re.M):
            assert _slide_type(cell) == "slide", f"{path.name} cell {i}: {text[:60]!r}"
        if cell["cell_type"] == "code" and ('"google.colab"' in text
                                            or text.startswith("%matplotlib inline")):
            assert _slide_type(cell) == "skip", f"{path.name} cell {i}: {text[:60]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_explorer_has_a_slide_of_its_own_and_its_figure_the_next(path):
    """Live, an explorer fills a 1280 x 720 screen; its static figure follows on the next
    subslide (scripts/slides.py, rule 4)."""
    slides = _slides_module()
    cells = _cells(path)
    deck = slides.slides({"cells": cells})
    for i, cell in enumerate(cells):
        if cell["cell_type"] == "code" and slides.EXPLORER.search(_source(cell)):
            assert _slide_type(cell) in ("slide", "subslide"), (path.name, i, _slide_type(cell))
            k = next(k for k, s in enumerate(deck) if i in s.cells)
            assert deck[k].cells == [i] and deck[k].explorers == 1, (path.name, deck[k])
            figure = deck[k + 1]
            assert figure.v == deck[k].v + 1 and figure.cells[0] == i + 1, (path.name, figure)
            assert figure.figures >= 1, (path.name, figure)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_chapter_has_a_sensible_number_of_slides(path):
    deck = _slides_module().slides({"cells": _cells(path)})
    assert 8 <= len(deck) <= 60, f"{path.name}: {len(deck)} slides"
    assert all(s.cells for s in deck), f"{path.name}: an empty slide"
    assert len({s.id for s in deck}) == len(deck)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_slide_metadata_is_what_scripts_slides_makes(path):
    """After a chapter changes, run ``python scripts/slides.py`` (it changes metadata only)."""
    slides = _slides_module()
    nb = json.loads(path.read_text())
    assert not slides.apply(nb, path.name[:2]), (
        f"{path.name}: slide metadata out of date; run python scripts/slides.py")
    assert nb["metadata"]["rise"] == slides.RISE


def test_slides_are_counted_as_rise_builds_them():
    """Cells before the first shown one join the first slide; skip and notes start nothing."""
    slides = _slides_module()
    kinds = ["skip", "notes", "slide", "-", "subslide", "fragment", "notes", "slide", "skip",
             "subslide", "-"]
    nb = {"cells": [{"cell_type": "markdown", "source": k, "metadata":
                     {"slideshow": {"slide_type": k}}} for k in kinds]}
    deck = slides.slides(nb)
    assert [s.id for s in deck] == ["slide-0-0", "slide-0-1", "slide-1-0", "slide-1-1"]
    assert [s.cells for s in deck] == [[2, 3], [4, 5], [7], [9, 10]]
    assert [s.notes for s in deck] == [1, 1, 0, 0]


def test_executing_a_notebook_keeps_its_slide_metadata():
    """scripts/execute_notebooks.py drops volatile metadata only, not the slides'."""
    import nbformat

    sys.path.insert(0, str(ROOT))
    from scripts.execute_notebooks import normalise

    nb = nbformat.read(NOTEBOOKS[1], as_version=4)
    before = [c.metadata.get("slideshow") for c in nb.cells]
    for cell in nb.cells:
        cell.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00Z"}
    normalise(nb)
    assert [c.metadata.get("slideshow") for c in nb.cells] == before
    assert all("execution" not in c.metadata for c in nb.cells)
    assert nb.metadata["rise"] == _slides_module().RISE


def test_text_around_an_emptied_progress_bar_is_stored_as_one_chunk():
    """A progress bar that empties itself at the end of a fit leaves a display_data with no
    data between two stdout chunks (on a slow machine only); the stored cell has one stdout
    output either way, so nbval compares the same outputs on every machine."""
    import nbformat

    sys.path.insert(0, str(ROOT))
    from scripts.execute_notebooks import normalise

    def cell(outputs):
        c = nbformat.v4.new_code_cell("fit()")
        c.outputs = outputs
        return c

    text = lambda s: nbformat.v4.new_output("stream", name="stdout", text=s)  # noqa: E731
    slow = cell([text("epoch 1\n"), nbformat.v4.new_output("display_data", data={}),
                 text("done\n")])
    fast = cell([text("epoch 1\n"), text("done\n")])
    nb = nbformat.v4.new_notebook(cells=[slow, fast])
    normalise(nb)
    for c in nb.cells:
        assert [(o.output_type, o.get("text")) for o in c.outputs] == [
            ("stream", "epoch 1\ndone\n")]
