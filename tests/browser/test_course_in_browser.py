"""The course in a real browser: every notebook runs in JupyterLab under Chromium.

For each notebook in ``notebooks/`` (a copy, since JupyterLab autosaves): open it,
Run All, wait for the kernel to go idle, then check the notebook model (every
code cell ran, no error output, no stderr stream) and the page (every figure
output is there again, every ``<img>`` loaded and visible, every widget
rendered). The binary cross-entropy and softmax explorers get a slider moved
with the keyboard, and the loss they display is compared with xentlearn's for
the new slider value. An exercise notebook gets a wrong, then a right answer.

``make test-browser`` runs this; ``make test`` does not.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
from labtools import REPORT, ROOT

import xentlearn as xl

NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
EXERCISE = "exercises/01_shannon_entropy.ipynb"
IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

# --- JupyterLab, driven through window.jupyterapp (--expose-app-in-browser) -----------------

OPEN_NOTEBOOK = """async (path) => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const app = window.jupyterapp;
  await app.started;
  await app.restored;
  let w = null;
  for (let i = 0; i < 600 && !w; i++) {
    const c = app.shell.currentWidget;
    if (c && c.context && c.context.path === path && c.content && c.sessionContext) w = c;
    else await sleep(100);
  }
  if (!w) throw new Error('notebook ' + path + ' did not open');
  await w.context.ready;
  await w.sessionContext.ready;
  for (let i = 0; i < 600; i++) {
    const k = w.sessionContext.session && w.sessionContext.session.kernel;
    if (k && k.status === 'idle') return k.id;
    await sleep(100);
  }
  throw new Error('the kernel of ' + path + ' never became idle');
}"""

WAIT_IDLE = """
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const kernel = w.sessionContext.session.kernel;
  for (let i = 0; i < 1200 && kernel.status !== 'idle'; i++) await sleep(100);
"""

RUN_ALL = """async () => {
  const app = window.jupyterapp;
  const w = app.shell.currentWidget;
  await app.commands.execute('notebook:clear-all-cell-outputs');
  const t0 = performance.now();
  const ok = await app.commands.execute('notebook:run-all-cells');
  // WAIT_IDLE
  return {ok: ok !== false, seconds: (performance.now() - t0) / 1000, status: kernel.status};
}""".replace("  // WAIT_IDLE\n", WAIT_IDLE)

RUN_CELL = """async ([index, source]) => {
  const app = window.jupyterapp;
  const w = app.shell.currentWidget;
  w.content.model.cells.get(index).sharedModel.setSource(source);
  w.content.activeCellIndex = index;
  const ok = await app.commands.execute('notebook:run-cell');
  // WAIT_IDLE
  return {ok: ok !== false, status: kernel.status};
}""".replace("  // WAIT_IDLE\n", WAIT_IDLE)

READ_CELLS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const text = (t) => (Array.isArray(t) ? t.join('') : String(t || ''));
  const result = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    const cell = {index: i, type: c.type, source: c.sharedModel.getSource(), outputs: [],
                  executionCount: c.type === 'code' ? c.executionCount : null};
    if (c.type === 'code') {
      for (let j = 0; j < c.outputs.length; j++) {
        const o = c.outputs.get(j).toJSON();
        const data = o.data || {};
        cell.outputs.push({type: o.output_type, name: o.name || null, mimes: Object.keys(data),
                           text: text(o.text).slice(0, 1000),
                           error: o.ename ? o.ename + ': ' + o.evalue : null,
                           html: text(data['text/html']).slice(0, 2000)});
      }
    }
    result.push(cell);
  }
  return result;
}"""

# The cells with a widget output show a rendered widget (or its error); every image loaded.
WIDGETS_AND_IMAGES = """(widgetCells) => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  const widgets = widgetCells.map((i) => {
    const node = nb.widgets[i].node.querySelector('.jp-Cell-outputArea');
    const error = /Error displaying widget|Loading widget/.test(node.textContent);
    return {cell: i, rendered: !!node.querySelector('.jupyter-widgets'),
            error: error ? node.textContent.slice(0, 300) : null,
            sliders: node.querySelectorAll('.widget-slider').length,
            pictures: node.querySelectorAll('img.widget-image').length};
  });
  const visible = (e) => { const r = e.getBoundingClientRect();
                           return r.width > 0 && r.height > 0
                                  && getComputedStyle(e).visibility !== 'hidden'; };
  const imgs = [...nb.node.querySelectorAll('.jp-OutputArea-output img')];
  return {
    widgets,
    images: imgs.map((im) => ({loaded: im.complete && im.naturalWidth > 0, visible: visible(im),
                               widget: im.classList.contains('widget-image')})),
    stderr: nb.node.querySelectorAll(
      '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').length,
    done: widgets.every((w) => w.rendered || w.error)
          && imgs.every((im) => im.complete && im.naturalWidth > 0),
  };
}"""

MARK_CELL = """([index, tag]) => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  nb.widgets[index].node.setAttribute('data-xl-test', tag);
  nb.widgets[index].node.scrollIntoView();
}"""

# Sliders of an explorer: description, readout text; and the numbers in its readout.
READ_EXPLORER = """(cell) => {
  const unit = (s) => ((s.nextSibling && s.nextSibling.textContent) || '').trim()
                        .split(/[;,<\\s]/)[0];
  const html = cell.querySelector('.widget-html');
  const img = cell.querySelector('img.widget-image');
  return {
    sliders: [...cell.querySelectorAll('.widget-slider')].map((s) => ({
      label: s.querySelector('.widget-label').textContent.trim(),
      value: s.querySelector('.widget-readout').textContent.trim()})),
    text: html ? html.textContent : '',
    spans: Object.fromEntries(['xl-loss-y1', 'xl-loss-y0', 'xl-loss'].map((c) => {
      const s = cell.querySelector('.' + c);
      return [c, s ? {value: s.textContent.trim(), unit: unit(s)} : null]; })),
    probs: [...cell.querySelectorAll('.xl-prob')].map((s) => s.textContent.trim()),
    image: img ? img.src : null,
  };
}"""


NOTEBOOK_EXTRA_HEIGHT = """() => {
  const node = window.jupyterapp.shell.currentWidget.content.node;
  const outer = node.querySelector('.jp-WindowedPanel-outer') || node;
  const cells = node.querySelector('.jp-WindowedPanel-viewport') || outer;
  outer.scrollTop = 0;
  return cells.scrollHeight + 40 - outer.clientHeight;
}"""


def screenshot_notebook(page, path: Path) -> None:
    """The whole notebook in one picture: the window made as tall as the notebook needs."""
    size = page.viewport_size
    extra = page.evaluate(NOTEBOOK_EXTRA_HEIGHT)
    page.set_viewport_size({"width": size["width"],
                            "height": min(size["height"] + max(extra, 0), 16_000)})
    page.evaluate(NOTEBOOK_EXTRA_HEIGHT)  # back to the top after the resize
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


@contextlib.contextmanager
def notebook_page(lab, browser, path: str):
    """A fresh browser context with ``path`` open and its kernel idle; the kernel is shut
    down (DELETE /api/kernels/<id>) and the context closed afterwards."""
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(30_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    kernel = None
    try:
        workspace = "xl-" + re.sub(r"[^A-Za-z0-9]+", "-", Path(path).stem)
        page.goto(lab.page_url(workspace, path), wait_until="domcontentloaded")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell",
                               timeout=60_000)
        kernel = page.evaluate(OPEN_NOTEBOOK, path)
        yield page, problems
    finally:
        try:
            lab.shutdown_kernel(kernel)
        finally:
            context.close()


def run_all(page) -> dict:
    run = page.evaluate(RUN_ALL)
    assert run["status"] == "idle", f"kernel still {run['status']} after Run All"
    return run


def rendered(page, cells: list[dict], timeout: float = 20) -> dict:
    """Widgets and images on the page, once all have rendered (or after ``timeout`` s)."""
    widget_cells = [c["index"] for c in cells if any(WIDGET_MIME in o["mimes"]
                                                     for o in c["outputs"])]
    deadline = time.monotonic() + timeout
    while True:
        shown = page.evaluate(WIDGETS_AND_IMAGES, widget_cells)
        if shown["done"] or time.monotonic() > deadline:
            return shown
        time.sleep(0.2)


def stored_image_outputs(path: Path) -> int:
    nb = json.loads(path.read_text())
    return sum(any(m in o.get("data", {}) for m in IMAGE_MIMES)
               for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))


def check_outputs(name: str, cells: list[dict]) -> tuple[int, int, int]:
    """Every non-empty code cell ran; no error output and no stderr stream anywhere."""
    code = [c for c in cells if c["type"] == "code" and c["source"].strip()]
    not_run = [c["index"] for c in code if c["executionCount"] is None]
    errors = [f"cell {c['index']}: {o['error']}" for c in code for o in c["outputs"]
              if o["type"] == "error"]
    stderr = [f"cell {c['index']}: {o['text'][:300]!r}" for c in code for o in c["outputs"]
              if o["type"] == "stream" and o["name"] == "stderr"]
    problems = ([f"error output in {e}" for e in errors] + [f"stderr in {e}" for e in stderr]
                + ([f"code cells not run by Run All: {not_run}"] if not_run else []))
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)
    images = sum(any(m in o["mimes"] for m in IMAGE_MIMES) for c in code for o in c["outputs"])
    widgets = sum(WIDGET_MIME in o["mimes"] for c in code for o in c["outputs"])
    return len(code), images, widgets


def cell_index(cells: list[dict], needle: str) -> int | None:
    return next((c["index"] for c in cells if c["type"] == "code" and needle in c["source"]),
                None)


def base_of(unit: str) -> float | None:
    """The log base behind a unit label of :func:`xentlearn.plots.unit_label`."""
    if unit == "nats":
        return None
    if unit == "bits":
        return 2
    m = re.fullmatch(r"base-([\d.e+-]+)", unit)
    assert m, f"unknown unit {unit!r} in the explorer's readout"
    return float(m.group(1))


def close(shown: str, value: float) -> bool:
    """``shown`` (printed with 3 decimals) is ``value``."""
    return abs(float(shown) - value) <= 5e-4 + 1e-9


def bce_expected(state: dict) -> tuple[dict, list[str]]:
    """What xentlearn computes for the bce explorer's current slider value, and mismatches."""
    p = float(state["sliders"][0]["value"])
    y1, y0 = state["spans"]["xl-loss-y1"], state["spans"]["xl-loss-y0"]
    base = base_of(y1["unit"])
    want = {"p": p, "unit": y1["unit"],
            "y1": float(xl.binary_cross_entropy([1], [p], base=base)),
            "y0": float(xl.binary_cross_entropy([0], [p], base=base))}
    bad = []
    if not close(y1["value"], want["y1"]):
        bad.append(f"loss if y = 1 shows {y1['value']}, xentlearn gives {want['y1']:.6f}")
    if not close(y0["value"], want["y0"]):
        bad.append(f"loss if y = 0 shows {y0['value']}, xentlearn gives {want['y0']:.6f}")
    if f"p = {p:.2f}" not in state["text"]:
        bad.append(f"readout does not say p = {p:.2f}: {state['text']!r}")
    return want, bad


def softmax_expected(state: dict) -> tuple[dict, list[str]]:
    """What xentlearn computes for the softmax explorer's current sliders, and mismatches."""
    labels, z, t = [], [], None
    for s in state["sliders"]:
        m = re.fullmatch(r"z\[(.*)\]", s["label"])
        if m:
            labels.append(m.group(1))
            z.append(float(s["value"]))
        elif s["label"] == "T":
            t = float(s["value"])
    assert labels and t is not None, f"unexpected sliders: {state['sliders']}"
    m = re.search(r"loss for true class (.+?):", state["text"])
    assert m and m.group(1) in labels, f"no true class in the readout: {state['text']!r}"
    k = labels.index(m.group(1))
    loss = state["spans"]["xl-loss"]
    base = base_of(loss["unit"])
    z = np.array(z)
    want = {"z": z.tolist(), "T": t, "true": labels[k], "unit": loss["unit"],
            "q": xl.softmax(z, temperature=t).tolist(),
            "loss": float(xl.sparse_categorical_cross_entropy([k], (z / t)[None],
                                                             from_logits=True, base=base))}
    bad = []
    if not close(loss["value"], want["loss"]):
        bad.append(f"loss shows {loss['value']}, xentlearn gives {want['loss']:.6f}")
    if len(state["probs"]) != len(labels) or not all(
            close(s, q) for s, q in zip(state["probs"], want["q"], strict=False)):
        bad.append(f"probabilities show {state['probs']}, xentlearn gives "
                   f"{np.round(want['q'], 4).tolist()}")
    return want, bad


EXPLORERS = {  # call in a notebook -> (readout class of the loss, expected values)
    "widgets.bce_explorer(": ("xl-loss-y1", bce_expected),
    "widgets.softmax_explorer(": ("xl-loss", softmax_expected),
}


def check_explorer(page, name: str, index: int, call: str) -> str:
    """Move the explorer's first slider one step right with the keyboard; the loss shown
    must change to what xentlearn computes for the slider's new value."""
    span, expected = EXPLORERS[call]
    page.evaluate(MARK_CELL, [index, "explorer"])
    cell = page.locator('[data-xl-test="explorer"]')
    cell.locator(f".{span}").wait_for(state="visible", timeout=20_000)
    before = cell.evaluate(READ_EXPLORER)
    _, bad = expected(before)
    assert not bad, f"{name}: explorer before moving a slider: " + "; ".join(bad)
    handle = cell.locator(".widget-slider").first.locator(".noUi-handle")
    handle.focus()
    page.keyboard.press("ArrowRight")
    deadline = time.monotonic() + 20
    while True:
        after = cell.evaluate(READ_EXPLORER)
        moved = after["sliders"][0]["value"] != before["sliders"][0]["value"]
        changed = after["spans"][span]["value"] != before["spans"][span]["value"]
        redrawn = after["image"] is not None and after["image"] != before["image"]
        want, bad = expected(after)
        if moved and changed and redrawn and not bad:
            break
        if time.monotonic() > deadline:
            bad += [] if changed else ["the loss did not change"]
            bad += [] if redrawn else ["the explorer's figure was not redrawn"]
            pytest.fail(f"{name}: after ArrowRight on slider {after['sliders'][0]['label']!r}: "
                        f"slider {before['sliders'][0]['value']} -> "
                        f"{after['sliders'][0]['value']}, {span} "
                        f"{before['spans'][span]['value']} -> {after['spans'][span]['value']}; "
                        + "; ".join(bad))
        time.sleep(0.2)
    slider = after["sliders"][0]
    line = (f"  {call[8:-1]}: slider {slider['label']} {before['sliders'][0]['value']} -> "
            f"{slider['value']}; {span} {before['spans'][span]['value']} -> "
            f"{after['spans'][span]['value']} {want['unit']} (xentlearn: ")
    if "y1" in want:
        return line + f"{want['y1']:.6f}; y0 shows {after['spans']['xl-loss-y0']['value']}, " \
                      f"xentlearn {want['y0']:.6f})"
    return line + (f"{want['loss']:.6f} for true class {want['true']}, z = {want['z']}, "
                   f"T = {want['T']:g}; probabilities {after['probs']})")


def test_the_explorers_are_in_the_course():
    """The slider checks below run where these calls are: they must exist in notebooks/."""
    sources = {n: (ROOT / "notebooks" / n).read_text() for n in NOTEBOOKS}
    for call in EXPLORERS:
        assert any(call in s for s in sources.values()), f"no notebook calls {call}...)"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_the_browser(name, browser, lab, screenshots):
    path = f"notebooks/{name}"
    if not (lab.root / path).exists():
        pytest.skip(f"{path} appeared after the copy of the course was made")
    stored = stored_image_outputs(lab.root / path)
    with notebook_page(lab, browser, path) as (page, problems):
        run = run_all(page)
        cells = page.evaluate(READ_CELLS)
        n_code, n_images, n_widgets = check_outputs(name, cells)
        shown = rendered(page, cells)
        screenshot_notebook(page, screenshots / f"{Path(name).stem}.png")
        imgs, widgets = shown["images"], shown["widgets"]
        broken = [im for im in imgs if not (im["loaded"] and im["visible"])]
        assert not broken, f"{name}: images not loaded or not visible: {broken}"
        assert shown["stderr"] == 0, f"{name}: {shown['stderr']} stderr outputs on the page"
        bad_widgets = [w for w in widgets if not w["rendered"] or w["error"]]
        assert not bad_widgets, f"{name}: widgets not rendered: {bad_widgets}"
        assert n_images >= stored, (f"{name}: {n_images} figure outputs after Run All, "
                                    f"the stored notebook has {stored}")
        figures = sum(not im["widget"] for im in imgs)
        assert figures >= n_images, (f"{name}: {n_images} figure outputs but only {figures} "
                                     "<img> elements on the page")
        blind = [w["cell"] for w in widgets if w["sliders"] and not w["pictures"]]
        assert not blind, f"{name}: explorers without a picture in cells {blind}"
        REPORT.append(f"{name}: {n_code} code cells run in {run['seconds']:.1f} s, "
                      f"{n_images} figure outputs (stored: {stored}), {len(imgs)} <img> loaded "
                      f"and visible ({len(imgs) - figures} in widgets), {n_widgets} widgets")
        for call in EXPLORERS:
            index = cell_index(cells, call)
            if index is not None:
                REPORT.append(check_explorer(page, name, index, call))
                page.screenshot(path=str(screenshots / f"{Path(name).stem}-slider.png"))
        if problems:
            REPORT.append(f"  browser reported: {problems[:3]}")


def test_exercise_feedback_turns_from_incorrect_to_correct(browser, lab, screenshots):
    from xentlearn.exercises import chapter

    if not (lab.root / EXERCISE).exists():
        pytest.skip(f"no {EXERCISE}")
    question = chapter(1).q1
    wrong = question.mistakes[0].value  # a typical wrong value, with its own feedback
    with notebook_page(lab, browser, EXERCISE) as (page, _):
        run_all(page)
        cells = page.evaluate(READ_CELLS)
        check_outputs(EXERCISE, cells)
        index = cell_index(cells, "ex.q1.check(")
        assert index is not None, f"{EXERCISE} has no cell calling ex.q1.check("
        template = cells[index]["source"]
        assert re.search(r"^answer = \.\.\.$", template, re.M), template
        page.evaluate(MARK_CELL, [index, "q1"])
        cell = page.locator('[data-xl-test="q1"]')
        expect_feedback(cell, cells[index], "not-attempted")
        seen = []
        for answer, status in ((f"answer = {wrong!r}", "incorrect"),
                               (question.solution_code, "correct")):
            source = re.sub(r"^answer = \.\.\.$", lambda _, a=answer: a, template, count=1,
                            flags=re.M)
            result = page.evaluate(RUN_CELL, [index, source])
            assert result["status"] == "idle"
            after = page.evaluate(READ_CELLS)[index]
            text = expect_feedback(cell, after, status)
            seen.append(f"{answer!r} -> .xl-{status} ({text[:70]}...)")
            page.screenshot(path=str(screenshots / f"exercise-01-q1-{status}.png"))
    REPORT.append(f"{EXERCISE} (copy), question 01.q1: " + "; ".join(seen))


def expect_feedback(cell, model_cell: dict, status: str) -> str:
    """The cell's output (model and page) is one feedback box of class ``xl-<status>``."""
    boxes = [o["html"] for o in model_cell["outputs"] if "xl-feedback" in o["html"]]
    assert len(boxes) == 1 and f"xl-{status}" in boxes[0], (status, model_cell["outputs"])
    box = cell.locator(".xl-feedback")
    box.first.wait_for(state="visible", timeout=10_000)
    assert box.count() == 1, f"{box.count()} feedback boxes in the cell"
    classes = box.get_attribute("class").split()
    assert f"xl-{status}" in classes, f"feedback box has classes {classes}, not xl-{status}"
    return box.inner_text()
