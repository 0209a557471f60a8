"""The course's figures draw what xentlearn computes."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import xentlearn as xl
from xentlearn import plots
from xentlearn.distributions import fit_gaussian_kl, gaussian_mixture


def test_unit_label():
    assert plots.unit_label(None) == "nats"
    assert plots.unit_label(2) == "bits"
    assert plots.unit_label(10) == "base-10 units"


def test_coin_entropy_curve_peaks_at_one_bit_for_a_fair_coin():
    fig = plots.coin_entropy_curve(mark=0.3)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    x, y = ax.lines[0].get_data()
    assert y.max() == pytest.approx(1.0) and x[np.argmax(y)] == pytest.approx(0.5)
    np.testing.assert_allclose(y[1:-1], xl.entropy(np.stack([x, 1 - x], -1)[1:-1], base=2))
    mx, my = ax.lines[1].get_data()
    assert my[0] == pytest.approx(float(xl.entropy([0.3, 0.7], base=2)))
    assert "bits" in ax.get_ylabel()


def test_coin_entropy_curve_in_nats():
    fig = plots.coin_entropy_curve(base=None)
    assert fig.axes[0].lines[0].get_data()[1].max() == pytest.approx(np.log(2))
    assert "nats" in fig.axes[0].get_ylabel()


def test_container_entropies_annotates_the_published_values():
    fig = plots.container_entropies({"A": [26, 4], "B": [14, 16], "C": [0, 30]})
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["H = 0.567 bits", "H = 0.997 bits", "H = 0.000 bits"]
    assert len(fig.axes[0].patches) == 6


def test_code_lengths_shows_entropy_and_average_length():
    p = [0.5, 0.25, 0.125, 0.125]
    fig = plots.code_lengths(p, symbols="abcd")
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert any("entropy H = 1.750 bits" in s for s in labels)
    assert any("average code length L = 1.750 bits" in s for s in labels)
    assert "H ≤ L < H + 1" in fig.axes[0].get_title()
    heights = [r.get_height() for r in fig.axes[0].patches]
    np.testing.assert_allclose(heights[:4], [1, 2, 3, 3])
    np.testing.assert_allclose(heights[4:], [1, 2, 3, 3])


@pytest.mark.parametrize("p", [[0.35, 0.25, 0.2, 0.12, 0.08], [0.5, 0.25, 0.125, 0.125],
                               [0.1, 0.1, 0.1, 0.1, 0.1, 0.5], [0.6, 0.4], [1.0]])
def test_huffman_tree_spells_a_prefix_code_with_huffmans_lengths(p):
    fig = plots.huffman_tree(p)
    ax = fig.axes[0]
    words = [t.get_text() for t in ax.texts if t.get_gid() == "code word"]
    if len(p) == 1:
        assert words == ["(no bits)"]
        return
    assert [len(w) for w in words] == xl.information.huffman_code_lengths(p).tolist()
    assert all(set(w) <= {"0", "1"} for w in words)
    assert not any(a != b and b.startswith(a) for a in words for b in words)  # prefix-free
    assert len(ax.lines) == 2 * (len(p) - 1)  # two branches per merge
    bits = sorted(t.get_text() for t in ax.texts if t.get_gid() == "branch")
    assert bits == ["0"] * (len(p) - 1) + ["1"] * (len(p) - 1)


def test_huffman_tree_labels_leaves_and_merges_of_the_five_letters():
    fig = plots.huffman_tree([0.35, 0.25, 0.2, 0.12, 0.08], "ABCDE")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert [w for w, t in zip(texts, fig.axes[0].texts, strict=True)
            if t.get_gid() == "code word"] == ["11", "10", "00", "011", "010"]
    for leaf in ["A\n0.35", "B\n0.25", "C\n0.20", "D\n0.12", "E\n0.08"]:
        assert leaf in texts
    for merged in ["0.20", "0.40", "0.60", "1.00"]:
        assert merged in texts
    assert [t for t in texts if t.startswith("step")] == ["step 1", "step 2", "step 3", "step 4"]


def test_cross_entropy_family_touches_entropy_at_q_equal_p():
    p = np.array([0.7, 0.3])
    t = np.linspace(0.05, 0.95, 19)
    fig = plots.cross_entropy_family(p, np.stack([t, 1 - t], -1), t, param_label="q1")
    x, y = fig.axes[0].lines[0].get_data()
    np.testing.assert_allclose(y, xl.cross_entropy(p, np.stack([t, 1 - t], -1), base=2))
    assert x[np.argmin(y)] == pytest.approx(0.7)
    assert np.min(y) == pytest.approx(float(xl.entropy(p, base=2)))


def test_cross_entropy_family_names_the_parameter_in_the_legend_and_describes_it_on_the_axis():
    p = np.array([0.6, 0.3, 0.1])
    t = np.linspace(0, 1, 11)
    qs = (1 - t)[:, None] * p + t[:, None] * p[::-1]
    fig = plots.cross_entropy_family(p, qs, t, param_label="t", xlabel="t (0: q = p)")
    assert "minimum at t = 0.00" in fig.axes[0].get_legend_handles_labels()[1]
    assert fig.axes[0].get_xlabel() == "t (0: q = p)"


def test_bce_curves_match_the_loss_and_mark_both_labels():
    fig = plots.bce_curves(mark=0.9)
    ax = fig.axes[0]
    x1, y1 = ax.lines[0].get_data()
    x0, y0 = ax.lines[1].get_data()
    np.testing.assert_allclose(y1, -np.log(x1))
    np.testing.assert_allclose(y0, -np.log1p(-x0))
    assert [t.get_text() for t in ax.texts] == ["0.105", "2.303"]


def test_bce_curves_in_bits():
    fig = plots.bce_curves(base=2)
    x1, y1 = fig.axes[0].lines[0].get_data()
    np.testing.assert_allclose(y1, -np.log2(x1))


def test_softmax_bars_heights_are_the_softmax():
    fig = plots.softmax_bars([2.0, 1.0, 0.1], temperature=2.0, true_class=1)
    heights = [r.get_height() for r in fig.axes[0].patches]
    np.testing.assert_allclose(heights, xl.softmax([2.0, 1.0, 0.1], temperature=2.0))
    assert fig.axes[0].patches[1].get_facecolor() != fig.axes[0].patches[0].get_facecolor()


def test_softmax_temperature_grid_has_one_panel_per_temperature_with_its_loss():
    temps = [0.5, 1, 4]
    fig = plots.softmax_temperature_grid([2.0, 1.0, 0.1], temps, true_class=0)
    assert len(fig.axes) == 3
    for ax, t in zip(fig.axes, temps, strict=True):
        loss = -np.log(xl.softmax([2.0, 1.0, 0.1], temperature=t)[0])
        assert f"loss {loss:.3f} nats" in ax.get_title()


@pytest.fixture(scope="module")
def kl_fit():
    grid = np.linspace(-6, 6, 121)
    p = gaussian_mixture(grid, [-2, 2], [0.6, 0.6])
    return grid, p, fit_gaussian_kl(p, grid, np.linspace(-3, 3, 13), np.linspace(0.4, 3.2, 15))


def test_kl_fit_figure_draws_target_and_both_fits(kl_fit):
    grid, p, fit = kl_fit
    fig = plots.kl_fit_figure(grid, p, fit)
    lines = fig.axes[0].lines
    assert len(lines) == 3
    np.testing.assert_allclose(lines[0].get_data()[1], p)
    # forward KL covers both modes: its q is centred between them and wide
    assert abs(fit.forward_best[0]) < 0.5 and fit.forward_best[1] > 1.5
    # reverse KL seeks one mode
    assert abs(abs(fit.reverse_best[0]) - 2) < 0.3 and fit.reverse_best[1] < 1.0


def test_kl_surfaces_has_two_heatmaps_with_their_minima(kl_fit):
    _, _, fit = kl_fit
    fig = plots.kl_surfaces(fit)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert any(t.startswith("KL(p || q)") for t in titles)
    assert any(t.startswith("KL(q || p)") for t in titles)
    assert f"best mean {fit.reverse_best[0]:.2f}" in " ".join(titles)
