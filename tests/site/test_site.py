"""The course website as a reader meets it: built offline from the stored notebooks, opened in
Chromium from 127.0.0.1, with figures, typeset math, search, an API reference, claim links
that land, downloads that work, copy buttons, and no serious accessibility violation."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest
from conftest import REPORT, ROOT, check_visit, new_visit
from packaging.utils import parse_wheel_filename
from packaging.version import Version

import xentlearn

CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))
SOLUTIONS = sorted((ROOT / "exercises" / "solutions").glob("*.ipynb"))
# every page made from a notebook, as its path without the suffix
NOTEBOOK_PAGES = ([f"notebooks/{p.stem}" for p in CHAPTERS]
                  + [f"exercises/{p.stem}" for p in EXERCISES]
                  + [f"exercises/solutions/{p.stem}" for p in SOLUTIONS])
AXE_PAGES = ["index.html", "notebooks/04_categorical_cross_entropy.html", "api.html"]
REPOSITORY = "https://github.com/xentlearn/xentlearn"
INSTALL_CELL = "google.colab"  # what the Colab install cell tests for, and no other cell
MIN_FIGURE_HEIGHT = 200  # px, at a 1280 px wide window
MAX_OVERFLOWING = 0.10  # share of code and output blocks that may scroll sideways
TEX = re.compile(r"\$|\\[()\[\]{}]|\\[a-zA-Z]{2,}")  # $, \( \) \[ \], \frac ...

# What a notebook page shows, measured in the browser once it has loaded.
MEASURE_PAGE = """repository => {
  const article = document.querySelector('article');
  const visible = [...article.querySelectorAll('pre')].filter(p => p.offsetParent !== null);
  const longest = p => p.textContent.split('\\n').reduce((a, b) => a.length >= b.length ? a : b);
  const box = e => e.getBoundingClientRect();
  const download = document.querySelector('a.btn-download-notebook-button');
  return {
    title: document.title,
    code: [...article.querySelectorAll('div.cell_input pre')].map(p => p.textContent),
    download: download ? download.href : null,
    repository: [...document.querySelectorAll('a[href]')].some(
      a => a.href.replace(/\\/$/, '') === repository),
    blocks: visible.length,
    overflowing: visible.filter(p => p.scrollWidth > p.clientWidth + 1)
      .map(p => longest(p).trim().slice(0, 60)),
    figures: [...article.querySelectorAll('.cell_output img')].map(i => ({
      height: box(i).height, width: box(i).width, naturalWidth: i.naturalWidth})),
  };
}"""


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
    expected |= {"instructor/index.html", "instructor/plans.html", "instructor/room.html",
                 "instructor/day.html"}
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


def test_the_site_carries_a_slide_deck_per_chapter_linked_from_the_instructor_guide(site):
    decks = site / "decks"
    index = (decks / "index.html").read_text(encoding="utf-8")
    for nb in CHAPTERS:
        deck = decks / f"{nb.stem}.html"
        assert deck.exists(), nb.stem
        assert f'href="{nb.stem}.html"' in index, nb.stem
        assert "reveal.js/dist/reveal.js" in deck.read_text(encoding="utf-8")
    assert (decks / "reveal.js" / "dist" / "reveal.js").exists()
    guide = (site / "instructor" / "index.html").read_text(encoding="utf-8")
    assert 'href="../decks/index.html"' in guide


def _course_files() -> dict[str, bytes]:
    """The files under notebooks/ and exercises/ of the repository, but hidden ones and
    caches, by their path in it."""
    files = {}
    for folder in ("notebooks", "exercises"):
        for path in (ROOT / folder).rglob("*"):
            rel = path.relative_to(ROOT)
            if path.is_file() and not any(p.startswith(".") or p == "__pycache__"
                                          for p in rel.parts):
                files[rel.as_posix()] = path.read_bytes()
    return files


@pytest.fixture(scope="module")
def notebook_pages(browser, server) -> dict[str, dict]:
    """Every chapter, exercise and solution page, opened once at 1280 x 900 and measured,
    with the notebook its download button links to (None if the link fails)."""
    record, context = new_visit(browser, server)
    pages = {}
    try:
        for path in NOTEBOOK_PAGES:
            page = record.open(f"{path}.html")
            page.wait_for_load_state("networkidle")
            page.wait_for_function("() => [...document.images].every(i => i.complete)")
            measured = page.evaluate(MEASURE_PAGE, REPOSITORY)
            response = page.request.get(measured["download"]) if measured["download"] else None
            measured["notebook"] = response.body() if response and response.ok else None
            pages[path] = measured
    finally:
        context.close()
    check_visit(record)
    return pages


def test_every_notebook_page_offers_its_notebook_for_download(notebook_pages):
    """The ".ipynb" of the download button is the repository's notebook, copied beside the
    page, and a valid notebook."""
    for path, page in notebook_pages.items():
        assert page["download"] and page["download"].endswith(f"/{path}.ipynb"), \
            (path, page["download"])
        assert page["notebook"] is not None, f"{path}: the notebook's download link fails"
        nb = nbformat.reads(page["notebook"].decode("utf-8"), as_version=4)
        nbformat.validate(nb)
        assert page["notebook"] == (ROOT / f"{path}.ipynb").read_bytes(), \
            f"{path}: the download is not the repository's notebook"


def test_the_download_button_saves_the_notebook(visit, tmp_path):
    page = visit.open("notebooks/02_cross_entropy.html")
    page.click(".dropdown-download-buttons > button")
    with page.expect_download() as info:
        page.click("a.btn-download-notebook-button")
    download = info.value
    assert download.suggested_filename == "02_cross_entropy.ipynb"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    nbformat.validate(nbformat.read(saved, as_version=4))


def test_the_home_page_offers_the_course_as_a_zip_and_the_package_as_a_wheel(visit):
    page = visit.open("index.html")
    hrefs = page.eval_on_selector_all("article a[href]", "els => els.map(e => e.href)")
    (zip_url,) = [h for h in hrefs if urlparse(h).path.endswith(".zip")]
    (wheel_url,) = [h for h in hrefs if urlparse(h).path.endswith(".whl")]

    response = page.request.get(zip_url)
    assert response.ok, zip_url
    with zipfile.ZipFile(io.BytesIO(response.body())) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/")]
        assert len({n.split("/", 1)[0] for n in names}) == 1, "the zip has one folder on top"
        unpacked = {n.split("/", 1)[1]: zf.read(n) for n in names}
    course = _course_files()
    assert sorted(unpacked) == sorted(course)
    assert [rel for rel in course if unpacked[rel] != course[rel]] == []
    assert any(rel.startswith("exercises/solutions/") for rel in unpacked)

    name = urlparse(wheel_url).path.rsplit("/", 1)[1]
    project, version, _, tags = parse_wheel_filename(name)
    assert project == "xentlearn" and version == Version(xentlearn.__version__), name
    assert {str(t) for t in tags} == {"py3-none-any"}, name
    response = page.request.get(wheel_url)
    assert response.ok, wheel_url
    with zipfile.ZipFile(io.BytesIO(response.body())) as whl:
        files = set(whl.namelist())
        assert "xentlearn/__init__.py" in files and "xentlearn/losses.py" in files
        metadata = whl.read(f"xentlearn-{version}.dist-info/METADATA").decode()
    assert "Name: xentlearn" in metadata and f"Version: {version}" in metadata
    REPORT.append(f"downloads: {len(unpacked)} notebooks in the zip, {name}")


def test_the_colab_install_cell_stays_in_the_notebook_but_not_on_the_page(notebook_pages):
    for path, page in notebook_pages.items():
        assert page["code"], f"{path}: no code cell on the page"
        assert INSTALL_CELL not in page["code"][0], \
            f"{path}: the page shows the Colab install cell first (tag it remove-cell)"
        assert not any(INSTALL_CELL in code for code in page["code"]), path
    for nb in CHAPTERS:
        assert INSTALL_CELL in notebook_pages[f"notebooks/{nb.stem}"]["notebook"].decode(), \
            f"{nb.name}: the downloaded notebook lost its Colab install cell"


def test_copy_buttons_copy_a_cells_code(visit):
    nb = CHAPTERS[1]
    page = visit.open(f"notebooks/{nb.stem}.html")
    page.wait_for_selector("div.cell_input button.copybtn", state="attached")
    inputs = page.locator("div.cell_input div.highlight")
    assert page.locator("div.cell_input button.copybtn").count() == inputs.count() > 0
    assert page.locator("div.cell_output button.copybtn").count() == 0, "outputs: no button"
    block = inputs.nth(1)
    block.scroll_into_view_if_needed()
    block.hover()
    button = block.locator("button.copybtn")
    assert button.get_attribute("aria-label"), "the copy button has no accessible name"
    button.click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    sources = ["".join(c["source"]).strip()
               for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code"]
    assert copied.strip() == block.locator("pre").text_content().strip()
    assert copied.strip() in sources, copied


def test_figures_are_shown_tall_enough_to_read(notebook_pages):
    figures = [(f["height"], path, f) for path, page in notebook_pages.items()
               for f in page["figures"]]
    assert figures
    height, where, _ = min(figures, key=lambda x: x[0])
    sharp = sum(f["naturalWidth"] >= 2 * f["width"] - 1 for _, _, f in figures)
    REPORT.append(f"figures: {len(figures)}, the smallest shown {height:.0f} px tall ({where}); "
                  f"{sharp} with 2 image pixels or more per CSS pixel (sharp on dense screens)")
    small = [(path, round(h)) for h, path, _ in figures if h < MIN_FIGURE_HEIGHT]
    assert not small, f"figures shown less than {MIN_FIGURE_HEIGHT} px tall: {small}"


def test_few_code_and_output_blocks_overflow_sideways(notebook_pages):
    blocks = sum(page["blocks"] for page in notebook_pages.values())
    overflowing = [(path, line) for path, page in notebook_pages.items()
                   for line in page["overflowing"]]
    share = len(overflowing) / blocks
    REPORT.append(f"code and output blocks scrolling sideways at 1280 px: {len(overflowing)} "
                  f"of {blocks} ({share:.1%})")
    assert share <= MAX_OVERFLOWING, overflowing[:10]


def test_every_notebook_page_links_the_repository(notebook_pages, site):
    assert [path for path, page in notebook_pages.items() if not page["repository"]] == []
    assert f'href="{REPOSITORY}"' in (site / "index.html").read_text(encoding="utf-8")


def _search_titles(site: Path) -> dict[str, str]:
    text = (site / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[len("Search.setIndex("):-1])
    return dict(zip(index["docnames"], index["titles"], strict=True))


def test_every_page_has_a_title_of_its_own_and_solutions_say_so(site, notebook_pages):
    titles = _search_titles(site)
    shared = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    assert not shared, f"pages that share a title: {sorted(shared)}"
    for nb in SOLUTIONS:
        exercise = titles[f"exercises/{nb.stem}"]
        solution = titles[f"exercises/solutions/{nb.stem}"]
        match = re.fullmatch(r"Exercises (\d\d) · (.+)", exercise)
        assert match, exercise
        assert solution == f"Solutions {match[1]} · {match[2]}", solution
        assert notebook_pages[f"exercises/solutions/{nb.stem}"]["title"].startswith(solution)


def _search(page, query: str) -> list[tuple[str, str]]:
    """The results of the site's search, best first: (address, snippet) each."""
    page.goto(f"{page.url.split('/search.html')[0]}/search.html?q={query}")
    page.wait_for_function("() => /Search finished|did not match/.test("
                           "document.querySelector('#search-results .search-summary')"
                           "?.textContent || '')", timeout=30_000)
    page.wait_for_load_state("networkidle")
    return page.eval_on_selector_all(
        "#search-results li",
        "els => els.map(e => [e.querySelector('a').href,"
        " (e.querySelector('p.context') || {}).textContent || ''])")


def test_search_ranks_exercises_before_their_solutions(visit):
    visit.open("search.html")
    results = [href for href, _ in _search(visit.page, "perplexity")]
    assert any(h.endswith("glossary.html#term-Perplexity") for h in results), \
        "the glossary's entry is missing from the search index (a stale Sphinx environment?)"
    kinds = ["solution" if "/exercises/solutions/" in h else "exercise" if "/exercises/" in h
             else "other" for h in results]
    assert "exercise" in kinds and "solution" in kinds, results
    last_exercise = max(i for i, k in enumerate(kinds) if k == "exercise")
    first_solution = kinds.index("solution")
    assert last_exercise < first_solution, results


@pytest.mark.parametrize("query", ["perplexity", "softmax", "surprise", "Gibbs"])
def test_search_snippets_show_math_as_text(visit, query):
    visit.open("search.html")
    results = _search(visit.page, query)
    snippets = [snippet for _, snippet in results if snippet]
    assert snippets, f"no snippet for {query!r}: {results}"
    raw = [s for s in snippets if TEX.search(s)]
    assert not raw, raw[:3]
