"""Chapters as RISE slideshows, presented from inside JupyterLab under Chromium.

For chapters 01, 04 and 07 (a copy of the course, as for the other browser tests): open
the chapter, Run All so that its explorers are live, start RISE's slideshow with the
command behind the notebook toolbar's slideshow button (``RISE:preview``), and step through
it with the space bar as a presenter does. Checked: the slides are the ones the cells'
``slideshow`` metadata makes (``scripts/slides.py``), in order, and RISE numbers them so;
every slide that holds a figure shows it, loaded; on an explorer's slide the slider moves
with the mouse and with the keyboard (Ctrl+ArrowRight: a plain arrow key turns the slide),
the explorer's readout changes and the slideshow stays on that slide; and the slideshow
asks nothing of any machine but 127.0.0.1. The window is a projector's, 1280 x 720; the
report lists the slides taller than the slideshow there (RISE scrolls them; the outputs are
the ones Run All makes). The static decks are checked to fit: tests/site/test_decks.py.

``make test-browser`` runs this; ``make test`` does not.
"""

from __future__ import annotations

import json
import sys
import time
from urllib.parse import urlsplit

import pytest
from labtools import REPORT, ROOT
from test_course_in_browser import notebook_page, run_all

CHAPTERS = ["01_shannon_entropy.ipynb", "04_categorical_cross_entropy.ipynb",
            "07_training_with_cross_entropy.ipynb"]
SLIDESHOW = "RISE:preview"  # the jupyterlab-rise command of the notebook toolbar's button
VIEWPORT = {"width": 1280, "height": 720}  # a room's projector


def expected_slides(path):
    """The slides RISE makes from the stored metadata (scripts/slides.py's reading of it)."""
    sys.path.insert(0, str(ROOT))
    from scripts.slides import slides

    return slides(json.loads(path.read_text()))


START = """async (command) => {
  const app = window.jupyterapp;
  if (!app.commands.hasCommand(command)) return {started: false,
      commands: app.commands.listCommands().filter((c) => /rise/i.test(c))};
  const notebook = app.shell.currentWidget;
  notebook.content.activeCellIndex = 0;  // the slideshow starts at the active cell's slide
  await app.commands.execute('application:set-mode', {mode: 'single-document'});
  app.shell.activateById(notebook.id);
  await app.commands.execute(command);
  return {started: true};
}"""

# In the slideshow's own page (the preview's iframe): what is on the current slide.
CURRENT = """() => {
  const ready = document.body.classList.contains('rise-enabled');
  const present = [...document.querySelectorAll('.reveal .slides section.present')]
                    .find((s) => s.id);
  const all = [...document.querySelectorAll('.reveal .slides section[id^="slide-"]')];
  if (!ready || !present) return {ready: false, ids: all.map((s) => s.id)};
  const visible = (e) => { const r = e.getBoundingClientRect();
                           return r.width > 0 && r.height > 0; };
  const imgs = [...present.querySelectorAll('.jp-OutputArea-output img')];
  return {
    ready: true, id: present.id, ids: all.map((s) => s.id),
    figures: imgs.filter((im) => !im.classList.contains('widget-image')).map((im) => ({
      loaded: im.complete && im.naturalWidth > 0, visible: visible(im)})),
    sliders: present.querySelectorAll('.noUi-handle').length,
    number: (document.querySelector('.slide-number') || {}).textContent || '',
    height: Math.ceil(present.scrollHeight),
    screen: Math.floor(document.querySelector('.reveal').getBoundingClientRect().height),
  };
}"""

# The explorer on the current slide: slider readouts, readout text, picture.
EXPLORER = """() => {
  const present = [...document.querySelectorAll('.reveal .slides section.present')]
                    .find((s) => s.id);
  const cell = document.querySelector('[data-xl-test="explorer"]')
               || [...present.querySelectorAll('.jp-Cell')]
                    .find((c) => c.querySelector('.noUi-handle'));
  if (!cell) return null;
  cell.setAttribute('data-xl-test', 'explorer');
  const img = cell.querySelector('img.widget-image');
  return {
    sliders: [...cell.querySelectorAll('.widget-slider')].map((s) => ({
      label: s.querySelector('.widget-label').textContent.trim(),
      value: s.querySelector('.widget-readout').textContent.trim()})),
    readout: [...cell.querySelectorAll('.widget-html, .widget-label-basic')]
               .map((e) => e.textContent.trim()).join(' | '),
    image: img ? img.src.slice(-200) : null,
  };
}"""


def slideshow_frame(page, timeout: float = 90):
    """The slideshow's page (RISE renders the notebook in an iframe of its own) once RISE
    has built the slides."""
    deadline = time.monotonic() + timeout
    while True:
        handle = page.query_selector("iframe")
        frame = handle.content_frame() if handle else None
        if frame is not None:
            try:
                if frame.evaluate(CURRENT)["ready"]:
                    return frame
            except Exception:  # the iframe is still navigating
                pass
        if time.monotonic() > deadline:
            pytest.fail("the RISE slideshow did not start within "
                        f"{timeout:.0f} s (frames: {[f.url for f in page.frames]})")
        time.sleep(0.3)


def wait_for(frame, condition, timeout: float = 10):
    """``frame.evaluate(CURRENT)`` once ``condition`` holds for it, or the last one."""
    deadline = time.monotonic() + timeout
    while True:
        state = frame.evaluate(CURRENT)
        if condition(state) or time.monotonic() > deadline:
            return state
        time.sleep(0.2)


def try_explorer(page, frame, name: str) -> list[str]:
    """On the explorer's slide: drag the first slider with the mouse, then move it one step
    with the keyboard. Each time the slider's value and the explorer's readout must change
    and the slideshow stay on this slide. The key is Ctrl+ArrowRight: in the slideshow a
    plain arrow key goes to reveal.js and JupyterLab (next slide, next cell), not to the
    focused slider."""
    slide = frame.evaluate(CURRENT)["id"]
    before = frame.evaluate(EXPLORER)
    assert before is not None, f"{name}: no explorer with a slider on {slide}"
    assert before["readout"], f"{name}: the explorer on {slide} shows no readout"
    label = before["sliders"][0]["label"]
    handle = frame.locator('[data-xl-test="explorer"] .noUi-handle').first
    box = handle.bounding_box()
    assert box and box["width"] > 0, f"{name}: the slider on {slide} is not visible: {box}"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 12, y, steps=4)
    page.mouse.up()
    dragged = expect_change(frame, before, slide, f"{name}: dragging slider {label}")
    handle.focus()
    page.keyboard.press("Control+ArrowRight")
    keyed = expect_change(frame, dragged, slide, f"{name}: Ctrl+ArrowRight on slider {label}")
    values = [s["sliders"][0]["value"] for s in (before, dragged, keyed)]
    return [f"  explorer on {slide}: slider {label} {values[0]} -> {values[1]} (mouse) -> "
            f"{values[2]} (Ctrl+ArrowRight), the slideshow staying on the slide; readout "
            f"{before['readout'][:60]!r} -> {keyed['readout'][:60]!r}"
            + ("; picture redrawn" if keyed["image"] != before["image"] else "")]


def expect_change(frame, before: dict, slide: str, what: str, timeout: float = 20) -> dict:
    """The explorer once its first slider's value and its readout differ from ``before``;
    fails if they do not within ``timeout`` s or if the slide changed."""
    deadline = time.monotonic() + timeout
    while True:
        after = frame.evaluate(EXPLORER)
        moved = after["sliders"][0]["value"] != before["sliders"][0]["value"]
        changed = after["readout"] != before["readout"]
        if moved and changed or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    now = frame.evaluate(CURRENT)["id"]
    assert now == slide, f"{what} turned the slideshow from {slide} to {now}"
    assert moved, f"{what}: the value stayed {before['sliders'][0]['value']}"
    assert changed, (f"{what}: the value went {before['sliders'][0]['value']} -> "
                     f"{after['sliders'][0]['value']} but the readout stayed "
                     f"{before['readout'][:200]!r}")
    return after


def off_machine(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in ("data", "blob", "about") and parts.hostname != "127.0.0.1"


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_as_a_slideshow(name, browser, lab, screenshots):
    path = f"notebooks/{name}"
    if not (lab.root / path).exists():
        pytest.skip(f"{path} is not in the copy of the course")
    expected = expected_slides(lab.root / path)
    ids = [s.id for s in expected]
    with notebook_page(lab, browser, path) as (page, problems):
        requests: list[str] = []
        page.context.on("request", lambda r: requests.append(r.url))
        page.set_viewport_size(VIEWPORT)
        run_all(page)
        started = page.evaluate(START, SLIDESHOW)
        assert started["started"], (f"no command {SLIDESHOW} in JupyterLab (is jupyterlab-rise "
                                    f"installed?); RISE commands: {started['commands']}")
        frame = slideshow_frame(page)
        first = wait_for(frame, lambda s: s.get("id") == ids[0])
        assert first["ids"] == ids, (f"{name}: RISE made {len(first['ids'])} slides "
                                     f"{first['ids']}, the metadata {len(ids)} {ids}")
        assert first["id"] == ids[0], f"{name}: the slideshow starts on {first['id']}"
        frame.evaluate("() => document.querySelector('.jp-Notebook').focus()")
        seen, figures, explorer_lines, tall, screen = [], 0, [], [], VIEWPORT["height"]
        for slide in expected:
            state = wait_for(frame, lambda s, want=slide.id: s.get("id") == want)
            assert state["id"] == slide.id, (f"{name}: after {seen[-1:]} the space bar showed "
                                              f"{state['id']}, not {slide.id}")
            seen.append(state["id"])
            if slide.figures:
                state = wait_for(frame, lambda s: s["figures"] and all(
                    f["loaded"] for f in s["figures"]))
                shown = [f for f in state["figures"] if f["loaded"] and f["visible"]]
                assert len(shown) >= slide.figures, (
                    f"{name}: {slide.id} should show {slide.figures} figure(s), shows "
                    f"{state['figures']}")
                figures += len(shown)
            if slide.explorers:
                assert state["sliders"] > 0, f"{name}: no slider on the explorer's {slide.id}"
                explorer_lines += try_explorer(page, frame, name)
                page.screenshot(path=str(screenshots / f"slides-{name[:2]}-explorer.png"))
                frame.evaluate("() => document.querySelector('.jp-Notebook').focus()")
            if slide is expected[1]:
                page.screenshot(path=str(screenshots / f"slides-{name[:2]}-second.png"))
            now = frame.evaluate(CURRENT)
            screen = now.get("screen", screen)
            if now.get("height", 0) > screen:
                tall.append(f"{slide.id} {now['height']} px")
            page.keyboard.press("Space")
        last = wait_for(frame, lambda s: s["id"] != ids[-1], timeout=1.5)
        assert last["id"] == ids[-1], f"{name}: the space bar went past the last slide"
        assert seen == ids
        number = "".join(last["number"].split())
        assert number == f"{len(ids)}/{len(ids)}", (
            f"{name}: RISE's slide number on the last slide reads {number!r}")
        away = sorted({u for u in requests if off_machine(u)})
        assert not away, f"{name}: the slideshow made requests off 127.0.0.1: {away}"
    wanted = sum(s.figures for s in expected)
    assert figures >= wanted
    REPORT.append(f"slides {name}: {len(ids)} slides ({expected[-1].h + 1} across), stepped "
                  f"through with the space bar; {figures} figures loaded on "
                  f"{sum(bool(s.figures) for s in expected)} slides; "
                  f"{sum(s.notes for s in expected)} cells of speaker notes; "
                  f"{len(requests)} requests, all to 127.0.0.1")
    REPORT.extend(explorer_lines)
    size = f"{VIEWPORT['width']} x {VIEWPORT['height']}"
    REPORT.append(f"  at {size}, the slideshow {screen} px high: " + (
        f"{len(tall)} slides taller (RISE scrolls them): {', '.join(tall)}" if tall
        else "every slide fits"))
    if problems:
        REPORT.append(f"  browser reported: {problems[:3]}")
