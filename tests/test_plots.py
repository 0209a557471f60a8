"""The course's figures draw what xentlearn computes, and describe what they show."""

from __future__ import annotations

import re

import numpy as np
import pytest
from matplotlib.figure import Figure

import xentlearn as xl
from xentlearn import calibration, datasets, plots
from xentlearn.distributions import fit_gaussian_kl, gaussian_mixture
from xentlearn.models import LogisticRegression, SoftmaxRegression

#: Three token sequences padded with -100 (chapter 05).
TOKEN_LABELS = np.array([[3, 1, 4, 1, 5], [2, 0, 5, -100, -100], [4, 4, -100, -100, -100]])
#: Ten coin flips, seven of them 1 (chapter 07).
Y = np.array([1, 1, 1, 0, 1, 1, 0, 1, 0, 1])


def _token_logits() -> np.ndarray:
    return np.random.default_rng(7).normal(size=(3, 5, 6))


def _bimodal_kl_fit():
    grid = np.linspace(-6, 6, 121)
    p = gaussian_mixture(grid, [-2, 2], [0.6, 0.6])
    return grid, p, fit_gaussian_kl(p, grid, np.linspace(-3, 3, 13), np.linspace(0.4, 3.2, 15))


@pytest.fixture
def logits() -> np.ndarray:
    return _token_logits()


@pytest.fixture(scope="module")
def digits():
    return datasets.load_digits_split()


@pytest.fixture(scope="module")
def fitted(digits):
    s = digits
    return SoftmaxRegression(epochs=40).fit(s.X_train, s.y_train, s.X_val, s.y_val)


@pytest.fixture(scope="module")
def runs(digits):
    s = digits
    fit = {"verbose": False, "epochs": 12}
    return {
        "plain": SoftmaxRegression(**fit).fit(s.X_train, s.y_train, s.X_val, s.y_val),
        "L2": SoftmaxRegression(l2=0.1, **fit).fit(s.X_train, s.y_train, s.X_val, s.y_val),
        "no validation": SoftmaxRegression(label_smoothing=0.1, **fit).fit(s.X_train, s.y_train),
    }


# --- chapters 01-04: entropy, codes, cross-entropy, binary cross-entropy, softmax -------------


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
    assert any("average code length n̄ = 1.750 bits" in s for s in labels)
    assert "Huffman code length nₖ (bits)" in labels
    assert "H ≤ n̄ < H + 1" in fig.axes[0].get_title()
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


def _strips(fig) -> tuple[list, list, list[int]]:
    """A code_space figure's code-word blocks, probability blocks and symbols, left to right."""
    from matplotlib.colors import to_rgba

    ax = fig.axes[0]
    code = [r for r in ax.patches if r.get_gid() == "code word"]
    prob = [r for r in ax.patches if r.get_gid() == "probability"]
    colours = [to_rgba(f"C{k}") for k in range(10)]
    return code, prob, [colours.index(tuple(r.get_facecolor())) for r in code]


@pytest.mark.parametrize("p", [[0.35, 0.25, 0.2, 0.12, 0.08], [0.5, 0.25, 0.125, 0.125],
                               [0.1, 0.1, 0.1, 0.1, 0.1, 0.5], [0.6, 0.4], [1.0]])
def test_code_space_gives_each_code_word_a_block_of_two_to_the_minus_its_length(p):
    code, prob, symbols = _strips(plots.code_space(p))
    lengths = xl.information.huffman_code_lengths(p)
    assert sorted(symbols) == list(range(len(p)))
    widths = [r.get_width() for r in code]
    np.testing.assert_allclose(widths, [2.0 ** -lengths[k] for k in symbols])
    np.testing.assert_allclose([r.get_x() for r in code], np.cumsum([0] + widths[:-1]))
    assert sum(widths) == pytest.approx(1.0)  # Huffman's code uses all of code space
    # the probability strip: the same symbols in the same order, each as wide as its p
    np.testing.assert_allclose([r.get_width() for r in prob], [p[k] for k in symbols])
    np.testing.assert_allclose([r.get_x() for r in prob],
                               np.cumsum([0] + [p[k] for k in symbols][:-1]), atol=1e-12)
    assert [r.get_facecolor() for r in prob] == [r.get_facecolor() for r in code]


def test_code_space_of_the_five_letters_shows_their_code_words_shares_and_probabilities():
    fig = plots.code_space([0.35, 0.25, 0.2, 0.12, 0.08], "ABCDE")
    texts = [t.get_text() for t in fig.axes[0].texts]
    for word in ["C\n00", "E\n010", "D\n011", "B\n10", "A\n11"]:  # huffman_tree's code words
        assert word in texts
    for share in ["C\n1/4", "E\n1/8", "D\n1/8", "B\n1/4", "A\n1/4"]:
        assert share in texts
    for prob in ["C\n0.20", "E\n0.08", "D\n0.12", "B\n0.25", "A\n0.35"]:
        assert prob in texts
    # every string of 1 to 3 bits that is not a code word is drawn and named
    strings = {t for t in texts if set(t) <= {"0", "1"}}
    assert strings == {"0", "1", "01", "000", "001", "100", "101", "110", "111"}
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()][:3] == [
        "1 bit", "2 bits", "3 bits"]
    assert "Average length 2.200 bits, entropy 2.153 bits" in fig.description


def test_code_space_of_the_wrong_code_costs_the_cross_entropy():
    p = np.array([0.5, 0.25, 0.125, 0.125])
    fig = plots.code_space(p, "ABCD", code_for=p[::-1])
    code, prob, symbols = _strips(fig)
    assert symbols == [3, 2, 0, 1]  # D 0, C 10, A 110, B 111: the code made for q
    assert [r.get_width() for r in code] == [0.5, 0.25, 0.125, 0.125]
    assert [r.get_width() for r in prob] == [0.125, 0.125, 0.5, 0.25]
    assert "built for q, used on symbols from p" in fig.axes[0].get_title()
    assert "Average length under p 2.625 bits, H(p, q) = 2.625 bits" in fig.description
    with pytest.raises(xl.InvalidInputError, match="shape"):
        plots.code_space([0.5, 0.5], code_for=[0.2, 0.3, 0.5])


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
    assert ax.get_legend_handles_labels()[1] == ["true label y = 1: -ln p",
                                                 "true label y = 0: -ln(1 - p)"]


def test_bce_curves_in_bits():
    fig = plots.bce_curves(base=2)
    x1, y1 = fig.axes[0].lines[0].get_data()
    np.testing.assert_allclose(y1, -np.log2(x1))
    assert fig.axes[0].get_legend_handles_labels()[1][0] == "true label y = 1: -log₂ p"


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


def test_softmax_temperature_grid_wraps_to_fit_a_700_px_page():
    temps = [0.1, 0.5, 1, 3, 10]
    fig = plots.softmax_temperature_grid([3.0, 1.1, 0.0, 0.6], temps, true_class=0)
    assert len(fig.axes) == 5  # 2 rows of 3, the sixth place left empty
    assert len({round(ax.get_position().y0, 3) for ax in fig.axes}) == 2
    assert "5 bar charts in 2 rows of up to 3" in fig.description
    assert [ax.get_legend() is not None for ax in fig.axes] == [True] + [False] * 4
    assert [ax.get_ylabel() for ax in fig.axes] == ["probability", "", "", "probability", ""]
    # shown 700 px wide, each panel's plotting area is still about 158 px tall (in one row:
    # 108), and the whole figure at most 580 px at 1x, so it fits a 720 px slide with its code
    fig.canvas.draw()
    scale = 700 / fig.bbox.width
    assert min(ax.get_window_extent().height * scale for ax in fig.axes) > 150
    assert fig.bbox.height <= 580
    one_row = plots.softmax_temperature_grid([3.0, 1.1, 0.0, 0.6], temps, true_class=0, ncols=5)
    assert len({round(ax.get_position().y0, 3) for ax in one_row.axes}) == 1
    assert "5 bar charts side by side" in one_row.description


# --- chapters 05-06: KL fits, padded tokens, cross-entropy against KL -------------------------


@pytest.fixture(scope="module")
def kl_fit():
    return _bimodal_kl_fit()


def test_kl_fit_figure_draws_target_and_both_fits(kl_fit):
    grid, p, fit = kl_fit
    fig = plots.kl_fit_figure(grid, p, fit)
    lines = fig.axes[0].lines
    assert len(lines) == 3
    np.testing.assert_allclose(lines[0].get_data()[1], p)
    assert [line.get_label() for line in lines[1:]] == [
        "best q for forward KL(p || q): covers both modes",
        "best q for reverse KL(q || p): seeks one mode"]
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
    assert (f"KL(q || p): lowest {float(fit.reverse.min()):.3f} nats\n"
            f"at mean {fit.reverse_best[0]:.2f}, std {fit.reverse_best[1]:.2f}") in titles


def test_kl_surfaces_reads_in_nats_on_one_scale_with_labelled_contours():
    """Bands of KL in nats (0.3, 1, 3, ...) shared by both panels, contour lines labelled
    with their value, infinite cells white and said so, each minimum starred."""
    grid = np.linspace(-6, 6, 241)  # chapter 06: a width of 0.2 underflows far from its mean
    p = gaussian_mixture(grid, [-2, 2], [0.6, 0.6])
    fit = fit_gaussian_kl(p, grid, np.linspace(-6, 6, 31), np.linspace(0.2, 4.0, 20))
    fig = plots.kl_surfaces(fit)
    left, right = fig.axes[:2]
    meshes = [ax.collections[0] for ax in (left, right)]
    assert meshes[0].norm is meshes[1].norm  # one colour scale for both panels
    edges = list(meshes[0].norm.boundaries)
    assert edges == [0.3, 1, 3, 10, 30, 100, 300]
    assert fig.axes[2].get_ylabel() == "KL in nats (one scale for both panels)"
    assert [t.get_text() for t in fig.axes[2].get_yticklabels()] == [f"{e:g}" for e in edges]
    for ax, surf, best in ((left, fit.forward, fit.forward_best),
                           (right, fit.reverse, fit.reverse_best)):
        shown = ax.collections[0].get_array()
        np.testing.assert_array_equal(np.ma.getmaskarray(shown).ravel(),
                                      np.isinf(surf).ravel())
        np.testing.assert_allclose(shown.compressed(), surf[np.isfinite(surf)].ravel())
        labels = {float(t.get_text()) for t in ax.texts}
        finite = surf[np.isfinite(surf)]
        assert labels and labels <= {e for e in edges if finite.min() < e < finite.max()}
        (star,) = ax.lines
        assert (star.get_xdata()[0], star.get_ydata()[0]) == (best[1], best[0])
    assert np.isinf(fit.forward).any() and not np.isinf(fit.reverse).any()
    assert meshes[0].cmap.get_bad().tolist() == [1.0, 1.0, 1.0, 1.0]  # infinite: white
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["lowest KL", "contour line: KL in nats",
                      "white: KL infinite (q is 0 where p is not)"]
    text = fig.description
    assert "bands between 0.3, 1, 3, 10, 30, 100 and 300 nats" in text
    assert f"infinite in {int(np.isinf(fit.forward).sum())} of {fit.forward.size} cells" in text
    assert f"up to {float(fit.reverse.max()):.1f}" in text
    # nothing infinite: no white in the legend or the description
    _, _, finite_fit = _bimodal_kl_fit()
    quiet = plots.kl_surfaces(finite_fit)
    assert "white" not in quiet.description
    assert len(quiet.legends[0].get_texts()) == 2


def test_padded_token_losses_shows_the_per_token_losses_and_masks_padding(logits):
    fig = plots.padded_token_losses(TOKEN_LABELS, logits, from_logits=True)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # the grid and its colorbar
    shown = ax.images[0].get_array()
    expected = xl.sparse_categorical_cross_entropy(TOKEN_LABELS, logits, from_logits=True,
                                                   ignore_index=-100, reduction="none")
    pad = TOKEN_LABELS == -100
    np.testing.assert_array_equal(np.ma.getmaskarray(shown), pad)
    np.testing.assert_allclose(shown.data[~pad], expected[~pad])
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("pad") == int(pad.sum())
    assert [s for s in texts if s != "pad"] == [f"{v:.2f}" for v in expected[~pad]]
    mean = float(xl.sparse_categorical_cross_entropy(TOKEN_LABELS, logits, from_logits=True,
                                                     ignore_index=-100))
    assert mean == pytest.approx(expected[~pad].mean())
    assert ax.get_title() == (f"Per-token loss: mean over the {int((~pad).sum())} real "
                              f"tokens = {mean:.3f} nats")
    assert "nats" in fig.axes[1].get_ylabel()


def test_padded_token_losses_in_bits_with_probabilities(logits):
    q = xl.softmax(logits)
    fig = plots.padded_token_losses(TOKEN_LABELS, q, base=2)
    shown = fig.axes[0].images[0].get_array()
    pad = TOKEN_LABELS == -100
    bits = -np.log2(np.take_along_axis(q, np.where(pad, 0, TOKEN_LABELS)[..., None], -1)[..., 0])
    np.testing.assert_allclose(shown.data[~pad], bits[~pad])
    assert fig.axes[0].get_title().endswith("bits")


def test_padded_token_losses_needs_a_batch_of_sequences(logits):
    with pytest.raises(ValueError, match="2-D"):
        plots.padded_token_losses(TOKEN_LABELS[0], logits[0], from_logits=True)


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


# --- chapter 07: likelihood, gradients, activations -------------------------------------------


def test_likelihood_and_loss_draws_the_product_and_the_mean_cross_entropy():
    thetas = np.linspace(0.01, 0.99, 99)
    fig = plots.likelihood_and_loss(Y, thetas)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    left, right = fig.axes
    like_line, loss_line = left.lines[0], right.lines[0]
    np.testing.assert_allclose(like_line.get_xdata(), thetas)
    np.testing.assert_allclose(like_line.get_ydata(), thetas**7 * (1 - thetas) ** 3)
    expected = [float(xl.binary_cross_entropy(Y, np.full(Y.size, t))) for t in thetas]
    np.testing.assert_allclose(loss_line.get_ydata(), expected)
    # the loss is -log L / N
    np.testing.assert_allclose(loss_line.get_ydata(), -np.log(like_line.get_ydata()) / Y.size)
    # both optima are marked at the fraction of 1s
    assert left.lines[1].get_xdata()[0] == pytest.approx(0.7)
    assert right.lines[1].get_xdata()[0] == pytest.approx(0.7)
    assert left.get_legend_handles_labels()[1] == ["maximum at theta = 0.70"]
    assert right.get_legend_handles_labels()[1] == ["minimum at theta = 0.70"]
    assert right.get_ylabel() == "mean cross-entropy (nats)"
    assert left.get_title() == "Likelihood of the 10 labels"
    # L is the loss throughout the course; the likelihood is Lik
    assert left.get_ylabel() == "likelihood Lik(theta)"
    assert right.get_title() == "Mean cross-entropy L = -log(Lik) / N"


@pytest.mark.parametrize("k", [None, 3])
def test_slope_chain_multiplies_the_slopes_of_each_step(k):
    """W_jk -> z_k -> q_c -> loss: the slopes on the arrows multiply to a_j (q_k - y_k), the
    gradient of the loss by W_jk, which nudging W_jk also measures."""
    rng = np.random.default_rng(2)
    x, label = rng.normal(size=6), 1
    params = {"W": rng.normal(size=(6, 4)), "b": rng.normal(size=4)}
    fig = plots.slope_chain(x, label, params, j=2, k=k, h=1e-3)
    z = x @ params["W"] + params["b"]
    q = xl.softmax(z)
    col = label if k is None else k
    grad = xl.sparse_categorical_cross_entropy_grad([label], z[None])[0, col] * x[2]
    slopes = [x[2], q[1] * (1 - q[1]) if k is None else -q[1] * q[3], -1 / q[1]]
    assert np.prod(slopes) == pytest.approx(grad, rel=1e-12)
    texts = [t.get_text() for t in fig.axes[0].texts]
    for s in slopes:
        assert any(t.endswith(f"= {s:.3f}") and t.startswith("slope") for t in texts)
    loss = float(xl.sparse_categorical_cross_entropy([label], z[None], from_logits=True))
    assert f"= {loss:.3f} nats" in " ".join(texts)
    assert f"= {grad:.3f}, the slope of the loss by" in fig.description
    assert f"by nudging W_jk by 0.001: {grad:.3f})" in fig.description
    middle = "q_c(1 - q_c)" if k is None else "-q_c q_k"
    assert f"slopes a_j, {middle} and -1/q_c" in fig.description


@pytest.mark.parametrize("y", [1, 0])
def test_sigmoid_loss_gradients_draws_the_losses_and_gradient_sizes(y):
    fig = plots.sigmoid_loss_gradients(y=y, lo=-6, hi=6, num=121)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    left, right = fig.axes
    x = np.linspace(-6, 6, 121)
    labels = np.full(x.size, float(y))
    p = xl.sigmoid(x)
    np.testing.assert_allclose(left.lines[0].get_xdata(), x)
    np.testing.assert_allclose(
        left.lines[0].get_ydata(),
        xl.binary_cross_entropy(labels, x, from_logits=True, reduction="none"))
    np.testing.assert_allclose(left.lines[1].get_ydata(), (p - y) ** 2)
    np.testing.assert_allclose(
        right.lines[0].get_ydata(),
        np.abs(xl.binary_cross_entropy_grad(labels, x, reduction="none")))
    np.testing.assert_allclose(right.lines[1].get_ydata(), np.abs(2 * (p - y) * p * (1 - p)))
    # the squared error's gradient, estimated by central differences of (p - y)^2
    h = 1e-6
    fd = ((xl.sigmoid(x + h) - y) ** 2 - (xl.sigmoid(x - h) - y) ** 2) / (2 * h)
    np.testing.assert_allclose(right.lines[1].get_ydata(), np.abs(fd), atol=1e-8)
    # badly wrong: cross-entropy pushes with nearly 1, squared error with nearly 0
    wrong_end = 0 if y == 1 else -1
    assert right.lines[0].get_ydata()[wrong_end] > 0.99
    assert right.lines[1].get_ydata()[wrong_end] < 0.01
    assert right.get_title() == "How hard the loss pushes the logit"
    # the right panel draws sizes: the gradient itself is p - y, near -1 for y = 1
    assert right.get_ylabel() == "size of the slope |∂ℓ/∂z|"
    signed = xl.binary_cross_entropy_grad(labels, x, reduction="none")
    assert signed[wrong_end] == pytest.approx(-1.0 if y == 1 else 1.0, abs=0.01)
    assert left.get_title() == f"Loss of one sample with y = {y}"
    assert left.get_xlabel() == right.get_xlabel() == "logit z (p = sigmoid(z))"
    assert any("wrong side" in label for label in right.get_legend_handles_labels()[1])


def test_sigmoid_loss_gradients_rejects_other_labels():
    with pytest.raises(ValueError, match="0 or 1"):
        plots.sigmoid_loss_gradients(y=2)


def test_activation_functions_draws_relu_tanh_and_the_sigmoid():
    fig = plots.activation_functions(lo=-3, hi=3, num=61)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    relu, tanh, sig = ax.lines[:3]
    u = np.linspace(-3, 3, 61)
    np.testing.assert_allclose(relu.get_xdata(), u)
    np.testing.assert_allclose(relu.get_ydata(), np.where(u > 0, u, 0.0))
    np.testing.assert_allclose(tanh.get_ydata(), np.tanh(u))
    np.testing.assert_allclose(sig.get_ydata(), xl.sigmoid(u))
    # tanh is the sigmoid stretched to (-1, 1): 2 sigmoid(2u) - 1
    np.testing.assert_allclose(tanh.get_ydata(), 2 * xl.sigmoid(2 * u) - 1, atol=1e-12)
    assert relu.get_ydata().min() == 0 and tanh.get_ydata().min() > -1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "ReLU: max(u, 0)", "tanh(u): from -1 to 1", "sigmoid(u), for comparison"]


# --- training figures: calibration, curves, confusion, misclassified images -------------------


def test_reliability_diagram_before_and_after(digits, fitted):
    s = digits
    z = fitted.decision_function(s.X_test)
    before, after = xl.softmax(z), xl.softmax(z, temperature=1.7)
    fig = plots.reliability_diagram(before, s.y_test, after, temperature=1.7)
    assert isinstance(fig, Figure) and len(fig.axes) == 2  # two panels, no colour scale
    for ax, p in zip(fig.axes, (before, after), strict=True):
        ece = calibration.expected_calibration_error(p, s.y_test)
        assert f"ECE = {ece:.4f}" in ax.get_title()
        curve = calibration.reliability_curve(p, s.y_test)
        heights = sorted(r.get_height() for r in ax.patches[:int((curve.counts > 0).sum())])
        np.testing.assert_allclose(heights, sorted(curve.accuracy[curve.counts > 0]))
    assert fig.axes[0].get_title().startswith("before temperature scaling\n")
    assert fig.axes[1].get_title().startswith("after temperature scaling (T = 1.70)\n")
    single = plots.reliability_diagram(before[:, 0] * 0 + 0.7, (s.y_test == 0).astype(int))
    assert len(single.axes) == 1


def test_reliability_diagram_has_a_key_for_every_colour_and_writes_the_counts(digits, fitted):
    s = digits
    probs = xl.softmax(fitted.decision_function(s.X_test), temperature=0.5)  # over-confident
    fig = plots.reliability_diagram(probs, s.y_test)
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "accuracy: the bar's top (number: predictions)", "confidence above accuracy",
        "accuracy above confidence", "perfect calibration"]
    curve = calibration.reliability_curve(probs, s.y_test)
    full = curve.counts > 0
    acc, conf, counts = curve.accuracy[full], curve.confidence[full], curve.counts[full]
    bars, gaps = ax.patches[:full.sum()], ax.patches[full.sum():]
    # every bar has one colour and its count written at its foot; nothing is hatched
    assert len({bar.get_facecolor() for bar in bars}) == 1
    assert not any(patch.get_hatch() for patch in ax.patches)
    assert [t.get_text() for t in ax.texts] == [str(c) for c in counts]
    np.testing.assert_allclose([t.get_position()[0] for t in ax.texts],
                               [bar.get_x() + bar.get_width() / 2 for bar in bars])
    assert f"fullest (above {curve.edges[np.argmax(curve.counts)]:.2f}) " \
           f"{curve.counts.max()}" in repr(fig)
    # each gap spans accuracy to confidence, red where over-confident, purple where under
    legend = {t.get_text(): h for t, h in zip(ax.get_legend().get_texts(),
                                              ax.get_legend().legend_handles, strict=True)}
    over = legend["confidence above accuracy"].get_facecolor()
    under = legend["accuracy above confidence"].get_facecolor()
    spans = {"over": [], "under": []}
    for gap in gaps:
        kind = "over" if gap.get_facecolor() == over else "under"
        assert gap.get_facecolor() in (over, under)
        spans[kind].append((gap.get_y(), gap.get_y() + gap.get_height()))
    expected_over = sorted(zip(acc[conf > acc], conf[conf > acc], strict=True))
    expected_under = sorted(zip(conf[acc > conf], acc[acc > conf], strict=True))
    assert expected_over and expected_under  # both kinds occur in these bins
    np.testing.assert_allclose(sorted(spans["over"]), expected_over)
    np.testing.assert_allclose(sorted(spans["under"]), expected_under)


def test_training_curves_of_a_model_and_its_history(fitted):
    fig = plots.training_curves(fitted)
    assert isinstance(fig, Figure)
    loss_ax, acc_ax = fig.axes
    train, val = loss_ax.lines[:2]
    np.testing.assert_allclose(train.get_ydata(), fitted.history_["train_loss"])
    np.testing.assert_allclose(val.get_ydata(), fitted.history_["val_loss"])
    np.testing.assert_array_equal(train.get_xdata(), np.arange(1, 41))
    np.testing.assert_allclose(acc_ax.lines[1].get_ydata(), fitted.history_["val_acc"])
    assert len(plots.training_curves(fitted.history_, best_epoch=12).axes[0].lines) == 3


def test_training_curves_compare_runs(digits):
    s = digits
    y = (s.y_train == 3).astype(int)
    runs = {"cross-entropy": LogisticRegression(epochs=5).fit(s.X_train, y),
            "squared error": LogisticRegression(epochs=5, loss="squared_error").fit(s.X_train, y)}
    fig = plots.training_curves(runs, title="BCE vs squared error")
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert labels == ["cross-entropy: train", "squared error: train"]
    with pytest.raises(TypeError, match="history"):
        plots.training_curves([1, 2, 3])


def test_training_curves_mark_the_early_stopping_epoch(digits):
    s = digits
    model = SoftmaxRegression(epochs=60, early_stopping=True, patience=3,
                              learning_rate=0.5).fit(s.X_train, s.y_train, s.X_val, s.y_val)
    labels = plots.training_curves(model).axes[0].get_legend_handles_labels()[1]
    assert f"best epoch {model.best_epoch_}" in labels


def test_confusion_matrix_counts():
    y_true = [0, 0, 1, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0, 2]
    fig = plots.confusion_matrix_figure(y_true, y_pred, ["a", "b", "c"])
    ax = fig.axes[0]
    cells = np.array([int(t.get_text()) for t in ax.texts]).reshape(3, 3)
    np.testing.assert_array_equal(cells, [[1, 1, 0], [0, 2, 0], [1, 0, 2]])
    assert "71.4%" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    norm = plots.confusion_matrix_figure(y_true, y_pred, normalize=True)
    assert norm.axes[0].texts[0].get_text() == "0.50"
    with pytest.raises(ValueError, match="labels"):
        plots.confusion_matrix_figure([0, 1], [0])


def test_a_ten_class_confusion_matrix_fits_a_slide_and_its_counts_stay_inside_their_cells():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 10, 400)
    fig = plots.confusion_matrix_figure(y, np.where(rng.random(400) < 0.8, y, (y + 1) % 10))
    fig.canvas.draw()
    assert fig.bbox.height <= 500  # pixels at 1x: a slide's 720 less a heading and a code line
    ax = fig.axes[0]
    cell = ax.get_window_extent().height / 10
    tallest = max(t.get_window_extent().height for t in ax.texts)
    assert cell > 2 * tallest  # a count is at most half its cell's height


def test_misclassified_images_most_confident_first(digits, fitted):
    s = digits
    probs = fitted.predict_proba(s.X_test)
    pred = probs.argmax(axis=1)
    fig = plots.misclassified_images(s.images_test, s.y_test, pred, probs, k=6,
                                     class_names=s.class_names)
    shown = [ax for ax in fig.axes if ax.images]
    wrong = np.flatnonzero(pred != s.y_test)
    assert len(shown) == min(6, wrong.size)
    titles = [re.fullmatch(r"predicted (\d) with\np = ([\d.]+); true (\d)", ax.get_title())
              for ax in shown]
    assert all(titles), [ax.get_title() for ax in shown]
    conf = [float(t[2]) for t in titles]
    assert conf == sorted(conf, reverse=True)
    assert conf[0] == pytest.approx(probs[wrong, pred[wrong]].max(), abs=5e-4)
    i = wrong[np.argmax(probs[wrong, pred[wrong]])]
    np.testing.assert_array_equal(shown[0].images[0].get_array(), s.images_test[i])
    # p is the probability of the predicted (wrong) class, not of the true one
    assert titles[0][1] == str(pred[i]) and titles[0][3] == str(s.y_test[i]) != titles[0][1]
    assert "probability of the predicted, wrong class" in fig.get_suptitle()


def test_misclassified_images_flat_input_and_no_mistakes():
    images = np.arange(4 * 16, dtype=float).reshape(4, 16)
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    fig = plots.misclassified_images(images, [0, 1, 1, 0], [0, 1, 0, 1], probs)
    assert sum(1 for ax in fig.axes if ax.images) == 2
    none = plots.misclassified_images(images, [0, 1], [0, 1], probs[:2])
    assert none.axes[0].texts[0].get_text() == "no misclassified samples"
    with pytest.raises(ValueError, match="square"):
        plots.misclassified_images(np.zeros((2, 15)), [0, 1], [1, 0], probs[:2])


# --- chapter 08: runs side by side ------------------------------------------------------------


def test_training_curves_by_run_draws_each_history_in_its_own_colour(runs):
    fig = plots.training_curves_by_run(runs, title="three runs")
    assert isinstance(fig, Figure)
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_title() == "Loss" and acc_ax.get_title() == "Accuracy"
    assert loss_ax.get_ylabel() == "loss (nats)" and acc_ax.get_xlabel() == "epoch"
    assert fig.get_suptitle() == "three runs"
    for ax, key in ((loss_ax, "loss"), (acc_ax, "acc")):
        lines = {line.get_label(): line for line in ax.lines}
        assert len(ax.lines) == 5  # train + validation, train + validation, train only
        for i, (name, model) in enumerate(runs.items()):
            train = lines[f"{name}: train"]
            np.testing.assert_allclose(train.get_ydata(), model.history_[f"train_{key}"])
            np.testing.assert_array_equal(train.get_xdata(), np.arange(1, 13))
            assert train.get_color() == f"C{i}" and train.get_linestyle() == "-"
            if f"val_{key}" in model.history_:
                val = lines[f"{name}: validation"]
                np.testing.assert_allclose(val.get_ydata(), model.history_[f"val_{key}"])
                assert val.get_color() == f"C{i}" and val.get_linestyle() == "--"
        assert "no validation: validation" not in lines
        assert ax.get_legend() is None  # one legend for the figure instead


def test_training_curves_by_run_has_one_figure_legend_naming_runs_and_styles(runs):
    histories = {name: model.history_ for name, model in runs.items()}  # dicts work too
    fig = plots.training_curves_by_run(histories, best_epoch=7)
    (legend,) = fig.legends
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts == ["plain", "L2", "no validation", "training data", "validation data",
                     "best epoch 7"]
    for ax in fig.axes:
        marks = [line for line in ax.lines if line.get_linestyle() == ":"]
        assert len(marks) == 1 and list(marks[0].get_xdata()) == [7, 7]
    plain = plots.training_curves_by_run(histories)
    assert [t.get_text() for t in plain.legends[0].get_texts()][-1] == "validation data"
    assert not any(line.get_linestyle() == ":" for line in plain.axes[0].lines)


def test_training_curves_by_run_names_its_validation_data_and_marked_epoch(runs):
    fig = plots.training_curves_by_run(runs, best_epoch=7,
                                       best_epoch_label="early stopping keeps epoch 7",
                                       val_label="validation data (noisy labels)")
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[-2:] == ["validation data (noisy labels)", "early stopping keeps epoch 7"]
    for ax in fig.axes:
        (mark,) = [line for line in ax.lines if line.get_linestyle() == ":"]
        assert mark.get_label() == "early stopping keeps epoch 7"
    assert "validation data (noisy labels) dashed" in repr(fig)
    assert "early stopping keeps epoch 7 (dotted)" in repr(fig)


def test_training_curves_by_run_wants_a_mapping_of_runs(runs):
    with pytest.raises(TypeError, match="mapping of names"):
        plots.training_curves_by_run(runs["plain"].history_)
    with pytest.raises(TypeError, match="mapping of names"):
        plots.training_curves_by_run([runs["plain"]])


def test_training_curves_by_run_keeps_coinciding_curves_visible_and_says_so():
    epochs = np.arange(1, 41)
    base = {"train_loss": 2.0 / epochs, "val_loss": 2.0 / epochs + 0.5,
            "train_acc": 1 - 0.8 / epochs, "val_acc": 0.7 - 0.5 / epochs}
    same_acc = {**base, "train_loss": base["train_loss"] + 0.5, "val_loss": base["val_loss"] + 0.4,
                "train_acc": base["train_acc"] + 0.004 * (epochs % 2),
                "val_acc": base["val_acc"] - 0.002}
    apart = {key: value * 0.5 for key, value in base.items()}
    fig = plots.training_curves_by_run({"a": base, "b": same_acc, "c": apart})
    for ax in fig.axes:
        by_run = [[line for line in ax.lines if line.get_label().startswith(f"{name}:")]
                  for name in "abc"]
        widths = [lines[0].get_linewidth() for lines in by_run]
        assert widths == sorted(widths, reverse=True) and len(set(widths)) == 3
        markers = [lines[0].get_marker() for lines in by_run]
        assert len(set(markers)) == 3
        starts = [lines[0].get_markevery()[0] for lines in by_run]
        assert len(set(starts)) == 3  # markers of different runs at different epochs
        for lines in by_run:  # training and validation curve of a run: same style
            assert len({(line.get_marker(), line.get_linewidth()) for line in lines}) == 1
    handles = fig.legends[0].legend_handles
    assert [h.get_marker() for h in handles[:3]] == markers
    text = repr(fig)
    assert "a colour and marker per run" in text
    assert text.endswith(" Curves that coincide: a and b in training accuracy (at most 0.004 "
                         "apart) and validation accuracy (at most 0.002 apart).")
    assert "training loss (" not in text and "c in" not in text
    lone = repr(plots.training_curves_by_run({"a": base, "c": apart}))
    assert "coincide" not in lone


# --- every figure describes itself ------------------------------------------------------------

_HISTORY = {"train_loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.7, 0.8],
            "train_acc": [0.5, 0.7, 0.9], "val_acc": [0.4, 0.6, 0.55]}

def _coin():
    h = float(xl.entropy([0.3, 0.7], base=2))
    return plots.coin_entropy_curve(mark=0.3), ["1.000 bits", f"H = {h:.3f} bits"]


def _containers():
    fig = plots.container_entropies({"A": [26, 4], "B": [14, 16], "C": [0, 30]})
    return fig, ["A: H = 0.567", "B: H = 0.997", "bits"]


def _code_lengths():
    return (plots.code_lengths([0.5, 0.25, 0.125, 0.125], symbols="abcd"),
            ["H = 1.750 bits", "= 1.750 bits: H ≤", "d: 3.000 and 3"])


def _huffman():
    return (plots.huffman_tree([0.35, 0.25, 0.2, 0.12, 0.08], "ABCDE"),
            ["A (0.35): 11", "D (0.12): 011", "4 merges"])


def _code_space():
    p = np.array([0.5, 0.25, 0.125, 0.125])
    return (plots.code_space(p, "ABCD", code_for=p[::-1]),
            ["D 0: 1/2", "A 110: 1/8", "(together 1)", "A 0.500", "H(p, q) = 2.625 bits"])


def _family():
    p, t = np.array([0.7, 0.3]), np.linspace(0.05, 0.95, 19)
    fig = plots.cross_entropy_family(p, np.stack([t, 1 - t], -1), t, param_label="q1")
    return fig, [f"H(p) = {float(xl.entropy(p, base=2)):.3f} bits", "at q1 = 0.70"]


def _bce():
    return plots.bce_curves(mark=0.9), ["0.105 nats if y = 1", "2.303 nats if y = 0"]


def _softmax_bars():
    q = xl.softmax([2.0, 1.0, 0.1], temperature=2.0)
    return (plots.softmax_bars([2.0, 1.0, 0.1], temperature=2.0, true_class=1),
            ["T = 2", f"gets {q[1]:.3f}"])


def _temperature_grid():
    loss = -np.log(xl.softmax([2.0, 1.0, 0.1])[0])
    return (plots.softmax_temperature_grid([2.0, 1.0, 0.1], [0.5, 1, 4], true_class=0),
            [f"at T = 1 (loss {loss:.3f})", "nats"])


def _kl_fit():
    grid, p, fit = _bimodal_kl_fit()
    return (plots.kl_fit_figure(grid, p, fit),
            [f"mean {fit.reverse_best[0]:.2f}, std {fit.reverse_best[1]:.2f}",
             "peaks at x = -2.00 and 2.00"])


def _kl_surfaces():
    _, _, fit = _bimodal_kl_fit()
    return (plots.kl_surfaces(fit),
            [f"lowest ({float(fit.forward.min()):.3f} nats) at mean {fit.forward_best[0]:.2f}"])


def _padded():
    logits = _token_logits()
    mean = float(xl.sparse_categorical_cross_entropy(TOKEN_LABELS, logits, from_logits=True,
                                                     ignore_index=-100))
    return (plots.padded_token_losses(TOKEN_LABELS, logits, from_logits=True),
            [f"the 10 real tokens is {mean:.3f} nats", "5 padding cells"])


def _gap():
    p, t = np.array([0.5, 0.3, 0.2]), np.linspace(0, 3, 61)
    fig = plots.cross_entropy_kl_gap(p, xl.softmax(np.outer(t, np.log(p))), t, param_label="t")
    return fig, [f"H(p) = {float(xl.entropy(p)):.3f} nats", "lowest at t = 1.00"]


def _reliability():
    rng = np.random.default_rng(0)
    probs = xl.softmax(3 * rng.normal(size=(200, 4)))
    labels = rng.integers(0, 4, size=200)
    after = xl.softmax(3 * np.log(probs) / 2.5)
    ece = xl.expected_calibration_error(after, labels)
    return (plots.reliability_diagram(probs, labels, after, temperature=2.5),
            [f"(T = 2.50): ECE = {ece:.4f}", "200 predictions in 15 bins", "Two"])


def _training_curves():
    return (plots.training_curves(_HISTORY),
            ["from 1.000 to 0.250", "(lowest 0.700 at epoch 2)", "loss (nats)"])


def _confusion():
    fig = plots.confusion_matrix_figure([0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 2],
                                        ["a", "b", "c"])
    return fig, ["accuracy 71.4%", "true a predicted as b: 1", "true c predicted as a: 1"]


def _misclassified():
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    fig = plots.misclassified_images(np.arange(64.0).reshape(4, 16), [0, 1, 1, 0], [0, 1, 0, 1],
                                     probs)
    return fig, ["1 for a true 0 (p = 0.700); 0 for a true 1 (p = 0.600)", "4x4"]


def _likelihood():
    return (plots.likelihood_and_loss(Y, np.linspace(0.01, 0.99, 99)),
            ["7 are 1", "highest (0.00222) at theta = 0.70", "lowest (0.611)"])


def _slope_chain():
    params = {"W": np.zeros((3, 10)), "b": np.zeros(10)}
    return (plots.slope_chain([0.5, 2.0, -1.0], 4, params, j=1),
            ["true class 4", "2.000 x 0.090 x (-10.000) = -1.800", "loss -ln q_c 2.303 nats"])


def _gradients():
    bce = -np.log(xl.sigmoid(-6.0))
    return (plots.sigmoid_loss_gradients(y=1, lo=-6, hi=6, num=121),
            [f"grows to {bce:.3f} nats at z = -6", "z < 0"])


def _activations():
    return (plots.activation_functions(lo=-3, hi=3, num=61),
            [f"from {-np.tanh(3):.3f} to {np.tanh(3):.3f}", "u from -3 to 3"])


def _by_run():
    runs = {"one": _HISTORY, "two": {"train_loss": [2.0, 1.5, 1.25], "train_acc": [0.2, 0.3, 0.4]}}
    return (plots.training_curves_by_run(runs, best_epoch=2),
            ["best epoch 2",
             "one: validation loss 0.800 (lowest 0.700 at epoch 2) and accuracy 0.550",
             "two: training loss 1.250, accuracy 0.400"])


#: How to draw each figure function with small arguments, and what its description must say.
FIGURES = {
    "coin_entropy_curve": _coin, "container_entropies": _containers,
    "code_lengths": _code_lengths, "huffman_tree": _huffman, "code_space": _code_space,
    "cross_entropy_family": _family,
    "bce_curves": _bce, "softmax_bars": _softmax_bars,
    "softmax_temperature_grid": _temperature_grid, "kl_fit_figure": _kl_fit,
    "kl_surfaces": _kl_surfaces, "padded_token_losses": _padded, "cross_entropy_kl_gap": _gap,
    "reliability_diagram": _reliability, "training_curves": _training_curves,
    "confusion_matrix_figure": _confusion, "misclassified_images": _misclassified,
    "likelihood_and_loss": _likelihood, "slope_chain": _slope_chain,
    "sigmoid_loss_gradients": _gradients,
    "activation_functions": _activations, "training_curves_by_run": _by_run,
}
NOT_FIGURES = {"unit_label", "DescribedFigure"}


@pytest.mark.parametrize("name", [n for n in plots.__all__ if n not in NOT_FIGURES])
def test_every_figure_carries_a_description_of_what_it_shows(name):
    assert name in FIGURES, f"plots.{name} has no case here: add one to FIGURES"
    fig, expected = FIGURES[name]()
    assert isinstance(fig, plots.DescribedFigure)
    text = repr(fig)
    assert text == fig.description
    assert text != Figure.__repr__(fig) and not text.startswith("<")
    assert 60 <= len(text) <= 450, (len(text), text)
    assert "\n" not in text and text == " ".join(text.split())
    for part in expected:
        assert part in text, (part, text)
    assert repr(FIGURES[name]()[0]) == text  # the same on every run


def test_a_described_figure_without_a_description_shows_matplotlibs_text():
    fig = plots.DescribedFigure(figsize=(6, 3.6))
    fig.subplots()
    assert repr(fig) == Figure.__repr__(fig) == "<DescribedFigure size 600x360 with 1 Axes>"
    fig.description = "Empty axes."
    assert repr(fig) == "Empty axes."


def test_descriptions_of_edge_cases():
    single = repr(plots.huffman_tree([1.0], ["A"]))
    assert "single symbol, A" in single and "no bits" in single
    none = repr(plots.misclassified_images(np.zeros((2, 4)), [0, 1], [0, 1], np.eye(2)))
    assert "no misclassified samples" in none and "2 samples" in none
    norm = repr(plots.confusion_matrix_figure([0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 2],
                                              normalize=True))
    assert "true 0 predicted as 1: 0.50" in norm and "fraction of its true class" in norm
    bits = repr(plots.coin_entropy_curve(base=None, mark=0.5))
    assert "0.693 nats at P(heads) = 0.5" in bits


def test_a_notebook_shows_the_description_as_the_figures_text():
    pytest.importorskip("IPython")
    from IPython.core.formatters import DisplayFormatter
    from IPython.core.pylabtools import print_figure

    formatter = DisplayFormatter()
    formatter.formatters["image/png"].for_type(Figure, lambda f: print_figure(f, "png"))
    fig = plots.bce_curves(mark=0.9)
    data, _ = formatter.format(fig)
    assert set(data) == {"image/png", "text/plain"}
    assert data["text/plain"] == fig.description
