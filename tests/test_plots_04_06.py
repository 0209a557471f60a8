"""The figures appended for chapters 04-06 draw what xentlearn computes."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import xentlearn as xl
from xentlearn import plots

LABELS = np.array([[3, 1, 4, 1, 5], [2, 0, 5, -100, -100], [4, 4, -100, -100, -100]])


@pytest.fixture
def logits() -> np.ndarray:
    return np.random.default_rng(7).normal(size=(3, 5, 6))


def test_padded_token_losses_shows_the_per_token_losses_and_masks_padding(logits):
    fig = plots.padded_token_losses(LABELS, logits, from_logits=True)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # the grid and its colorbar
    shown = ax.images[0].get_array()
    expected = xl.sparse_categorical_cross_entropy(LABELS, logits, from_logits=True,
                                                   ignore_index=-100, reduction="none")
    pad = LABELS == -100
    np.testing.assert_array_equal(np.ma.getmaskarray(shown), pad)
    np.testing.assert_allclose(shown.data[~pad], expected[~pad])
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("pad") == int(pad.sum())
    assert [s for s in texts if s != "pad"] == [f"{v:.2f}" for v in expected[~pad]]
    mean = float(xl.sparse_categorical_cross_entropy(LABELS, logits, from_logits=True,
                                                     ignore_index=-100))
    assert mean == pytest.approx(expected[~pad].mean())
    assert ax.get_title() == (f"Per-token loss: mean over the {int((~pad).sum())} real "
                              f"tokens = {mean:.3f} nats")
    assert "nats" in fig.axes[1].get_ylabel()


def test_padded_token_losses_in_bits_with_probabilities(logits):
    q = xl.softmax(logits)
    fig = plots.padded_token_losses(LABELS, q, base=2)
    shown = fig.axes[0].images[0].get_array()
    pad = LABELS == -100
    bits = -np.log2(np.take_along_axis(q, np.where(pad, 0, LABELS)[..., None], -1)[..., 0])
    np.testing.assert_allclose(shown.data[~pad], bits[~pad])
    assert fig.axes[0].get_title().endswith("bits")


def test_padded_token_losses_needs_a_batch_of_sequences(logits):
    with pytest.raises(ValueError, match="2-D"):
        plots.padded_token_losses(LABELS[0], logits[0], from_logits=True)


def test_cross_entropy_kl_gap_curves_differ_by_the_entropy():
    p = np.array([0.5, 0.3, 0.2])
    t = np.linspace(0, 3, 61)
    qs = xl.softmax(np.outer(t, np.log(p)))
    fig = plots.cross_entropy_kl_gap(p, qs, t, param_label="t")
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    x, h = ax.lines[0].get_data()
    _, kl = ax.lines[1].get_data()
    np.testing.assert_allclose(x, t)
    np.testing.assert_allclose(h, xl.cross_entropy(p, qs))
    np.testing.assert_allclose(kl, xl.kl_divergence(p, qs), atol=1e-15)
    np.testing.assert_allclose(h - kl, float(xl.entropy(p)))
    (hx,), _ = ax.lines[2].get_data()
    (kx,), _ = ax.lines[3].get_data()
    assert hx == pytest.approx(1.0) and kx == pytest.approx(1.0)
    labels = ax.get_legend_handles_labels()[1]
    assert "min of H(p, q) at t = 1.00" in labels and "min of KL at t = 1.00" in labels
    assert any(f"gap = H(p) = {float(xl.entropy(p)):.3f} nats" in s.get_text()
               for s in ax.texts)
    assert ax.get_ylabel() == "nats"


def test_cross_entropy_kl_gap_in_bits():
    p = np.array([0.7, 0.3])
    t = np.linspace(0.1, 0.9, 9)
    qs = np.stack([t, 1 - t], -1)
    fig = plots.cross_entropy_kl_gap(p, qs, t, base=2)
    _, h = fig.axes[0].lines[0].get_data()
    np.testing.assert_allclose(h, xl.cross_entropy(p, qs, base=2))
    assert fig.axes[0].get_ylabel() == "bits"
