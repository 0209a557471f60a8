"""The chapters' static slide decks (``make decks``, scripts/build_decks.py) in Chromium.

Every chapter's deck is built into a temporary folder as ``make decks`` builds it, then opened
from the file system at 1280 x 720, a projector's screen. Checked: the deck has the slides
the chapter's metadata makes (scripts/slides.py; RISE shows the same), each slide's content
is at most 720 px high, the math is typeset, and the deck asks for nothing outside its own
folder (reveal.js and MathJax are copied in from npm's packages). Then ``?print-pdf``:
reveal.js lays out a page a slide, and Chromium prints the deck to a PDF of as many 16:9
pages. ``SLIDES_NOTEBOOKS=DIR`` builds the decks of DIR's notebooks instead (a copy).

``make test-site`` runs this.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from pathlib import Path

import pytest
from conftest import REPORT, ROOT

sys.path.insert(0, str(ROOT))
from scripts import build_decks, slides  # noqa: E402

FOLDER = Path(os.environ.get("SLIDES_NOTEBOOKS", ROOT / "notebooks"))
CHAPTERS = sorted(FOLDER.glob("*.ipynb"))
LOADS = re.compile(r'<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)="([^"#?]+)')

READY = """async () => {
  await MathJax.startup.promise;
  await Promise.all([...document.images].map((im) => im.decode().catch(() => null)));
  return Reveal.isReady();
}"""

# Each slide's content height, in the slide's own pixels (reveal.js scales the slide to the
# window): from the slide's top to the lowest bottom of what it shows (notes excepted).
MEASURE = """() => {
  const leaves = [...document.querySelectorAll('.reveal .slides section')]
    .filter((s) => !s.querySelector('section'));
  return leaves.map((s) => {
    const at = Reveal.getIndices(s);
    Reveal.slide(at.h, at.v);
    const top = s.getBoundingClientRect().top, scale = Reveal.getScale();
    const left = s.getBoundingClientRect().left;
    let bottom = 0, right = 0, cut = 0;
    for (const child of s.children) {
      if (child.tagName === 'ASIDE') continue;
      const r = child.getBoundingClientRect();
      if (r.height) bottom = Math.max(bottom, (r.bottom - top) / scale);
      // what shows, and what a box holds beyond its own width (scrolled out of sight)
      // (MathJax's own parts measure wide and clip by design: its output is judged whole)
      for (const el of [child, ...child.querySelectorAll('*:not(mjx-container *)')]) {
        const e = el.getBoundingClientRect();
        if (e.width && e.height) right = Math.max(right, (e.right - left) / scale);
        if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')
          cut = Math.max(cut, el.scrollWidth - el.clientWidth);
      }
    }
    return {id: `slide-${at.h}-${at.v}`, height: Math.ceil(bottom), width: Math.ceil(right),
            cut: cut,
            notes: s.querySelectorAll(':scope > aside.notes').length,
            math: s.querySelectorAll('mjx-container').length};
  });
}"""


@pytest.fixture(scope="module")
def decks(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("decks")
    start = time.perf_counter()
    built = build_decks.build(CHAPTERS, out)
    REPORT.append(f"decks: {len(built)} built in {time.perf_counter() - start:.1f} s "
                  f"(reveal.js {build_decks.REVEAL_VERSION}, MathJax "
                  f"{build_decks.MATHJAX_VERSION})")
    return out


def test_each_deck_loads_only_files_of_its_own_folder(decks):
    assert sorted(p.name for p in decks.glob("*.html")) == sorted(
        [f"{p.stem}.html" for p in CHAPTERS] + ["index.html"])
    for page in decks.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        for ref in LOADS.findall(text):
            if ref.startswith("data:"):
                continue
            assert not re.match(r"(?:[a-z]+:)?//", ref), (
                f"{page.name} loads {ref} from another machine")
            target = (decks / ref).resolve()
            assert target.is_relative_to(decks.resolve()) and target.is_file(), (
                f"{page.name} loads {ref}, which the deck's folder does not hold")
    index = (decks / "index.html").read_text(encoding="utf-8")
    for nb in CHAPTERS:
        assert f'href="{nb.stem}.html"' in index and f'href="{nb.stem}.html?print-pdf"' in index
    assert build_decks.MATHJAX_VERSION == _site_mathjax_version()


def _site_mathjax_version() -> str:
    """The MathJax of the site (scripts/build_site.py), read, not imported."""
    text = (ROOT / "scripts" / "build_site.py").read_text(encoding="utf-8")
    return re.search(r'^MATHJAX_VERSION = "([^"]+)"', text, re.M).group(1)


def _open(browser, url: str, folder: Path):
    """A page at 1280 x 720 that records every request outside ``folder`` (and refuses those
    off the machine), every failed request and every error."""
    context = browser.new_context(viewport={"width": build_decks.WIDTH,
                                            "height": build_decks.HEIGHT})
    inside = folder.resolve().as_uri() + "/"
    outside, errors = [], []
    context.route(re.compile(r"^(?:https?|wss?)://"), lambda route: route.abort())
    page = context.new_page()
    page.on("request", lambda r: None if r.url.startswith((inside, "data:", "blob:", "about:"))
            else outside.append(r.url))
    page.on("requestfailed", lambda r: errors.append(f"failed: {r.url}"))
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.wait_for_function("() => window.Reveal && window.MathJax && MathJax.startup"
                           " && MathJax.startup.promise", timeout=30_000)
    assert page.evaluate(READY)
    return context, page, outside, errors


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_every_slide_fits_a_1280_by_720_screen(path, decks, browser):
    nb = json.loads(path.read_text(encoding="utf-8"))
    expected = slides.slides(nb)
    deck = decks / f"{path.stem}.html"
    context, page, outside, errors = _open(browser, deck.as_uri(), decks)
    try:
        shown = page.evaluate(MEASURE)
    finally:
        context.close()
    assert [s["id"] for s in shown] == [s.id for s in expected], (
        f"{deck.name}: the deck's slides are not those of the metadata")
    assert [s["notes"] for s in shown] == [s.notes for s in expected]
    if any("$" in slides.source(c) for c in nb["cells"] if c["cell_type"] == "markdown"):
        assert sum(s["math"] for s in shown), f"{deck.name}: no math typeset"
    assert not outside, f"{deck.name} asked for files outside its folder: {outside[:5]}"
    assert not errors, f"{deck.name}: {errors[:5]}"
    tall = [(s, e) for s, e in zip(shown, expected, strict=True)
            if s["height"] > build_decks.HEIGHT]
    tallest = max(s["height"] for s in shown)
    REPORT.append(f"  {deck.name}: {len(shown)} slides, the tallest {tallest} px "
                  f"of {build_decks.HEIGHT}" + (f"; too tall: {len(tall)}" if tall else ""))
    assert not tall, f"{deck.name}: slides taller than {build_decks.HEIGHT} px: " + "; ".join(
        f"{s['id']} {s['height']} px (cells {e.cells}, {e.lines} lines by the estimate)"
        for s, e in tall)
    wide = [f"{s['id']} {s['width']} px wide, {s['cut']} px scrolled out of sight"
            for s in shown if s["width"] > build_decks.WIDTH or s["cut"] > 0]
    assert not wide, f"{deck.name}: slides wider than {build_decks.WIDTH} px: " + "; ".join(wide)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_print_pdf_lays_out_a_page_a_slide_and_chromium_prints_them(path, decks, browser):
    """reveal.js's print view from the file system: a page a slide (what does not fit a page
    is cut off there: the test above fails), and the PDF Chromium's Print makes of it, as
    many 16:9 pages."""
    slide_count = len(slides.slides(json.loads(path.read_text(encoding="utf-8"))))
    deck = decks / f"{path.stem}.html"
    context, page, outside, errors = _open(browser, deck.as_uri() + "?print-pdf", decks)
    try:
        pages = page.evaluate("() => document.querySelectorAll('.reveal .pdf-page').length")
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        context.close()
    assert pages == slide_count, f"{deck.name}?print-pdf: {pages} pages, {slide_count} slides"
    printed = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert printed == pages, f"{deck.name}: the PDF has {printed} pages, the print view {pages}"
    width, height = map(float, re.search(
        rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", pdf).groups())
    assert abs(width / height - 16 / 9) < 0.02, f"{deck.name}: PDF pages {width} x {height} pt"
    assert not outside and not errors, f"{deck.name}?print-pdf: {(outside + errors)[:5]}"
    REPORT.append(f"  {deck.name}?print-pdf: {pages} pages for {slide_count} slides, "
                  f"{width:.0f} x {height:.0f} pt, {len(pdf) // 1024} KiB")
