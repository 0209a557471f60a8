"""The website's sources (scripts/build_site.py): claim rows made from the notebooks' tags,
alt text from the figures' descriptions. The built site is tested in tests/site/."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
yaml = pytest.importorskip("yaml")

from scripts import build_site  # noqa: E402


def _all_claims() -> dict[str, list[tuple[str, str]]]:
    return {f"C{n:02d}": [("notebooks/x.ipynb", f"claim-c{n:02d}-1", "Surprise")]
            for n in range(1, 30)}


def test_claims_yml_states_every_claim_once_with_a_known_verdict():
    rows = yaml.safe_load((ROOT / "docs" / "claims.yml").read_text())
    assert [r["id"] for r in rows] == [f"C{n:02d}" for n in range(1, 30)]
    for row in rows:
        assert row["verdict"] in build_site.VERDICTS, row["id"]
        assert row["claim"].strip() and row["precisely"].strip(), row["id"]
        if row["verdict"] != "holds":
            assert len(row["precisely"]) > 40, f"{row['id']}: say the condition or correction"


def test_claims_page_has_one_row_per_claim_linking_each_tagged_cell():
    claims = _all_claims()
    claims["C04"].append(("notebooks/02_cross_entropy.ipynb", "claim-c04-2", "The `q` <family>"))
    claims["C05"].append(("notebooks/x.ipynb", "claim-c05-2", "Surprise"))
    page = build_site.claims_page(claims)
    rows = [line for line in page.splitlines() if line.startswith("| C")]
    assert len(rows) == 29
    c04 = next(r for r in rows if r.startswith("| C04 |"))
    assert "x · Surprise <claim-c04-1>" in c04 and "02 · The q family <claim-c04-2>" in c04
    c05 = next(r for r in rows if r.startswith("| C05 |"))
    assert "x · Surprise (1) <claim-c05-1>" in c05 and "x · Surprise (2) <claim-c05-2>" in c05
    assert "**loose or wrong as stated**" in next(r for r in rows if r.startswith("| C16 |"))


def test_a_claim_whose_cell_was_deleted_stops_the_build():
    claims = _all_claims()
    del claims["C17"]
    with pytest.raises(build_site.SiteError, match="C17"):
        build_site.claims_page(claims)


def test_a_tag_for_a_claim_nobody_stated_stops_the_build():
    claims = _all_claims()
    claims["C30"] = [("notebooks/x.ipynb", "claim-c30-1", "Surprise")]
    with pytest.raises(build_site.SiteError, match="C30"):
        build_site.claims_page(claims)


def _notebook(tmp_path: Path, text_plain: str, tags: list[str]) -> Path:
    cell = {"cell_type": "code", "execution_count": 1, "metadata": {"tags": tags},
            "source": "plots.coin_entropy_curve()",
            "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                         "data": {"image/png": "iVBORw0KGgo=", "text/plain": text_plain}}]}
    path = tmp_path / "src.ipynb"
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 4}))
    return path


def test_a_figure_description_becomes_its_alt_text_and_a_claim_cell_gets_an_anchor(
        tmp_path, monkeypatch):
    monkeypatch.setattr(build_site, "SRC", tmp_path)
    src = _notebook(tmp_path, "Line chart of a coin's entropy in bits.", ["claim:C01"])
    dest = tmp_path / "notebooks" / "01.ipynb"
    claims: dict = {}
    build_site.prepare_notebook(src, dest, claims)
    cells = json.loads(dest.read_text())["cells"]
    assert cells[0]["source"] == "(claim-c01-1)=\n"
    alt = cells[1]["metadata"]["mystnb"]["image"]["alt"]
    assert alt == "Line chart of a coin's entropy in bits."
    assert claims == {"C01": [("notebooks/01.ipynb", "claim-c01-1", "")]}


@pytest.mark.parametrize("text", ["<Figure size 600x360 with 1 Axes>",
                                  "<DescribedFigure size 600x360 with 2 Axes>", ""])
def test_a_figure_without_a_description_stops_the_build(tmp_path, monkeypatch, text):
    monkeypatch.setattr(build_site, "SRC", tmp_path)
    monkeypatch.setattr(build_site, "ROOT", tmp_path)
    src = _notebook(tmp_path, text, [])
    with pytest.raises(build_site.SiteError, match="without a description"):
        build_site.prepare_notebook(src, tmp_path / "out" / "x.ipynb", {})


def _titled_notebook(tmp_path: Path, title: str) -> Path:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": [title, "\n", "\n", "Practice."]},
             {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
              "source": "import xentlearn"}]
    path = tmp_path / "src.ipynb"
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 4}))
    return path


@pytest.mark.parametrize("title", ["# Exercises 07 · Training with cross-entropy",
                                   "# Solutions 07 · Training with cross-entropy"])
def test_a_solution_page_is_titled_solutions_and_its_exercise_page_is_not(
        tmp_path, monkeypatch, title):
    monkeypatch.setattr(build_site, "SRC", tmp_path)
    src = _titled_notebook(tmp_path, title)
    build_site.prepare_notebook(src, tmp_path / "exercises" / "solutions" / "07.ipynb", {})
    build_site.prepare_notebook(src, tmp_path / "exercises" / "07.ipynb", {})
    solution = json.loads((tmp_path / "exercises" / "solutions" / "07.ipynb").read_text())
    exercise = json.loads((tmp_path / "exercises" / "07.ipynb").read_text())
    assert solution["cells"][0]["source"] == ("# Solutions 07 · Training with cross-entropy"
                                              "\n\nPractice.")
    assert exercise["cells"][0]["source"] == [title, "\n", "\n", "Practice."]


def test_a_solution_notebook_without_its_title_stops_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(build_site, "SRC", tmp_path)
    src = _titled_notebook(tmp_path, "Some text first")
    with pytest.raises(build_site.SiteError, match="title"):
        build_site.prepare_notebook(src, tmp_path / "exercises" / "solutions" / "07.ipynb", {})


def test_the_course_zip_holds_the_notebooks_as_laid_out_in_the_repository(tmp_path, monkeypatch):
    import zipfile

    root = tmp_path / "repo"
    files = {"notebooks/00_welcome.ipynb": b"{}", "exercises/01_x.ipynb": b"{ }",
             "exercises/solutions/01_x.ipynb": b"{  }", "notebooks/data/table.csv": b"a,b\n"}
    left_out = ["notebooks/.ipynb_checkpoints/00_welcome-checkpoint.ipynb",
                "exercises/__pycache__/x.pyc", "notebooks/.hidden", "xentlearn/losses.py"]
    for rel in [*files, *left_out]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(files.get(rel, b"left out"))
    monkeypatch.setattr(build_site, "ROOT", root)
    first = build_site.write_course_zip(tmp_path / "a" / "course.zip")
    second = build_site.write_course_zip(tmp_path / "b" / "course.zip")
    with zipfile.ZipFile(first) as zf:
        unpacked = {name: zf.read(name) for name in zf.namelist()}
    assert unpacked == {f"xentlearn-course/{rel}": data for rel, data in files.items()}
    assert first.read_bytes() == second.read_bytes(), "the same notebooks make the same zip"
