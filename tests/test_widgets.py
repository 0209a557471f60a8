"""The explorers: sliders drive the readout and the picture, with xentlearn's numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("ipywidgets")

import xentlearn as xl  # noqa: E402
from xentlearn import widgets  # noqa: E402
from xentlearn.distributions import discretized_gaussian, gaussian_mixture  # noqa: E402


def _read(html: str, css: str) -> list[float]:
    return [float(x) for x in re.findall(rf'class="{css}">([-0-9.]+)<', html)]


def _png(explorer) -> bytes:
    value = explorer.image.value
    assert value[:8] == b"\x89PNG\r\n\x1a\n"
    return value


def test_bce_explorer_follows_its_slider():
    ex = widgets.bce_explorer(p=0.9)
    assert _read(ex.readout.value, "xl-loss-y1") == [0.105]
    assert _read(ex.readout.value, "xl-loss-y0") == [2.303]
    before = _png(ex)
    ex.controls["p"].value = 0.2
    assert _read(ex.readout.value, "xl-loss-y1") == [round(-np.log(0.2), 3)]
    assert _read(ex.readout.value, "xl-loss-y0") == [round(-np.log(0.8), 3)]
    assert _png(ex) != before


def test_coin_explorer_reports_entropy_in_bits():
    ex = widgets.coin_explorer(p=0.5)
    assert _read(ex.readout.value, "xl-entropy") == [1.0]
    ex.controls["p"].value = 0.1
    expected = round(float(xl.entropy([0.1, 0.9], base=2)), 3)
    assert _read(ex.readout.value, "xl-entropy") == [expected]
    assert "bits" in ex.readout.value


def test_softmax_explorer_logits_and_temperature():
    ex = widgets.softmax_explorer([2.0, 1.0, 0.1], labels=["a", "b", "c"], true_class=0)
    np.testing.assert_allclose(_read(ex.readout.value, "xl-prob"),
                               np.round(xl.softmax([2.0, 1.0, 0.1]), 3))
    expected = -float(xl.log_softmax([2.0, 1.0, 0.1])[0])
    assert _read(ex.readout.value, "xl-loss") == [round(expected, 3)]
    ex.controls["z1"].value = 3.0
    expected = -float(xl.log_softmax([2.0, 3.0, 0.1])[0])
    assert _read(ex.readout.value, "xl-loss") == [round(expected, 3)]
    ex.controls["T"].value = 10.0
    expected = -float(xl.log_softmax([2.0, 3.0, 0.1], temperature=10.0)[0])
    assert _read(ex.readout.value, "xl-loss")[0] == pytest.approx(expected, abs=6e-4)
    assert set(ex.controls) == {"z0", "z1", "z2", "T"}


def test_kl_explorer_reports_both_directions():
    grid = np.linspace(-6, 6, 121)
    p = gaussian_mixture(grid, [-2, 2], [0.6, 0.6])
    ex = widgets.kl_explorer(grid, p, mean=0.0, std=2.0)
    ex.controls["mean"].value = -2.0
    ex.controls["std"].value = 0.6
    q = discretized_gaussian(grid, -2.0, 0.6)
    assert _read(ex.readout.value, "xl-kl-forward") == [round(float(xl.kl_divergence(p, q)), 3)]
    assert _read(ex.readout.value, "xl-kl-reverse") == [round(float(xl.kl_divergence(q, p)), 3)]


def test_explorer_displays_as_a_widget():
    ex = widgets.bce_explorer()
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("Interactive explorer: a slider for the predicted")
    assert "nats" in bundle["text/plain"] and "static figure" in bundle["text/plain"]
