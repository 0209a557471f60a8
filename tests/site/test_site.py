"""The course website as a reader meets it: built offline from the stored notebooks, opened in
Chromium from 127.0.0.1, with figures, typeset math, search, an API reference, claim links
that land, and no serious accessibility violation."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import REPORT, ROOT

import xentlearn

CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
AXE_PAGES = ["index.html", "notebooks/04_categorical_cross_entropy.html", "api.html"]


def _image_outputs(path: Path) -> int:
    cells = json.loads(path.read_text())["cells"]
    return sum("image/png" in out.get("data", {})
               for c in cells if c["cell_type"] == "code" for out in c["outputs"])


def test_the_site_has_every_page(site):
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    expected = {"index.html", "api.html", "glossary.html", "claims.html", "search.html",
                "exercises.html", "solutions.html"}
    expected |= {f"notebooks/{p.stem}.html" for p in CHAPTERS}
    expected |= {f"instructor/{p.stem}.html" for p in CHAPTERS}
    expected |= {"instructor/index.html", "instructor/plans.html", "instructor/room.html"}
    for nb in (ROOT / "exercises").glob("*.ipynb"):
        expected |= {f"exercises/{nb.stem}.html", f"exercises/solutions/{nb.stem}.html"}
    assert expected <= pages, sorted(expected - pages)
    assert (site / "searchindex.js").exists()


def test_no_page_loads_anything_from_another_machine(site):
    """Scripts, styles, images and fonts come from the site; the only absolute links are
    plain links for people to follow (launch buttons, licences)."""
    loads = re.compile(
        r'<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"')
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        found = [u for u in loads.findall(text)
                 if not re.search(r'<link\b[^>]*rel="(?:canonical|license)"', text)]
        assert not found, f"{page.relative_to(site)} loads {found[:3]}"
    mathjax = site / "_static" / "mathjax" / "tex-chtml.js"
    assert mathjax.stat().st_size > 100_000
    assert 'src="../_static/mathjax/tex-chtml.js' in (
        site / "notebooks" / "04_categorical_cross_entropy.html").read_text()


def test_each_chapter_page_launches_that_chapter_on_binder_and_colab(site):
    for nb in CHAPTERS:
        text = (site / "notebooks" / f"{nb.stem}.html").read_text(encoding="utf-8")
        links = re.findall(r'href="(https://(?:mybinder\.org|colab\.research\.google\.com)[^"]*)"',
                           text)
        assert any("mybinder.org" in u and u.endswith(f"notebooks/{nb.name}") for u in links)
        assert any("colab" in u and u.endswith(f"/notebooks/{nb.name}") for u in links)


@pytest.mark.parametrize("nb", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page_shows_its_figures_with_alt_text_and_typeset_math(visit, nb):
    page = visit.open(f"notebooks/{nb.stem}.html")
    page.wait_for_load_state("networkidle")
    images = page.eval_on_selector_all(
        ".cell_output img",
        "els => els.map(e => ({w: e.naturalWidth, h: e.naturalHeight, done: e.complete,"
        " alt: e.getAttribute('alt') || ''}))")
    assert len(images) == _image_outputs(nb)
    for img in images:
        assert img["done"] and img["w"] > 0 and img["h"] > 0, img
        assert len(img["alt"]) > 20 and not img["alt"].startswith("<Figure"), img["alt"]
    has_math = bool(re.search(r"\$[^$]+\$", nb.read_text()))
    if has_math:
        page.wait_for_selector("mjx-container", state="attached", timeout=20_000)
    body = page.inner_text("article")
    assert "$$" not in body and "\\frac" not in body, "untypeset math on the page"


def test_search_finds_the_language_model_chapter_for_perplexity(visit):
    page = visit.open("search.html?q=perplexity")
    page.wait_for_selector("#search-results li a", timeout=20_000)
    hrefs = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.href)")
    assert any("07_training_with_cross_entropy" in h for h in hrefs), hrefs


def test_the_api_page_has_an_anchor_for_every_public_name(visit):
    page = visit.open("api.html")
    ids = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
    missing = []
    for name in xentlearn.__all__:
        obj = getattr(xentlearn, name)
        module = getattr(obj, "__module__", None)
        candidates = {f"xentlearn.{name}", f"module-{getattr(obj, '__name__', '')}"}
        if module:
            candidates.add(f"{module}.{name}")
        if not candidates & ids:
            missing.append(name)
    assert not missing, missing
    assert page.locator(".sig mjx-container, dd mjx-container").count() > 10, \
        "formulas in the docstrings are not typeset"


def test_every_link_on_the_claims_page_lands_on_an_existing_anchor(visit):
    page = visit.open("claims.html")
    hrefs = page.eval_on_selector_all("article table a[href]", "els => els.map(e => e.href)")
    rows = page.locator("article table tbody tr").count()
    assert rows == 29
    assert len(hrefs) >= rows
    ids: dict[str, set[str]] = {}
    for href in hrefs:
        target = urlparse(href)
        assert target.fragment, href
        if target.path not in ids:
            response = page.request.get(href.split("#")[0])
            assert response.ok, href
            ids[target.path] = set(re.findall(r'\bid="([^"]+)"', response.text()))
        assert target.fragment in ids[target.path], href


@pytest.mark.parametrize("path", AXE_PAGES)
def test_no_serious_accessibility_violations(visit, path, screenshots):
    from axe_playwright_python.sync_playwright import Axe

    page = visit.open(path)
    page.wait_for_load_state("networkidle")
    if path != "api.html":
        page.screenshot(path=str(screenshots / (Path(path).stem + ".png")), full_page=False)
    # no CSSOM preload: axe re-fetches @import-ed style sheets relative to the page, not to the
    # sheet, and asks for files that do not exist (it only feeds the orientation-lock rule)
    options = {"resultTypes": ["violations"], "preload": False}
    violations = Axe().run(page, options=options).response["violations"]
    serious = [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"])
               for v in violations if v["impact"] in ("serious", "critical")]
    REPORT.append(f"axe on {path}: {len(serious)} serious or critical, "
                  f"{len(violations) - len(serious)} minor or moderate "
                  f"({', '.join(sorted({v['id'] for v in violations})) or 'none'})")
    assert not serious, serious


def test_chapter_and_exercise_pages_link_to_each_other(site):
    for nb in CHAPTERS[1:]:
        chapter = (site / "notebooks" / f"{nb.stem}.html").read_text(encoding="utf-8")
        assert f'href="../exercises/{nb.stem}.html"' in chapter, nb.stem
        for page, up in ((site / "exercises" / f"{nb.stem}.html", "../"),
                         (site / "exercises" / "solutions" / f"{nb.stem}.html", "../../")):
            assert f'href="{up}notebooks/{nb.stem}.html"' in page.read_text(encoding="utf-8")
