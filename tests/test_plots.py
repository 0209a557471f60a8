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
    assert f"best mean {fit.reverse_best[0]:.2f}" in " ".join(titles)


# --- every figure describes itself --------------------------------------------------------

_TOKEN_LABELS = np.array([[3, 1, 4, 1, 5], [2, 0, 5, -100, -100], [4, 4, -100, -100, -100]])
_HISTORY = {"train_loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.7, 0.8],
            "train_acc": [0.5, 0.7, 0.9], "val_acc": [0.4, 0.6, 0.55]}
_Y = np.array([1, 1, 1, 0, 1, 1, 0, 1, 0, 1])


def _small_kl_fit():
    grid = np.linspace(-6, 6, 121)
    p = gaussian_mixture(grid, [-2, 2], [0.6, 0.6])
    return grid, p, fit_gaussian_kl(p, grid, np.linspace(-3, 3, 13), np.linspace(0.4, 3.2, 15))


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
    grid, p, fit = _small_kl_fit()
    return (plots.kl_fit_figure(grid, p, fit),
            [f"mean {fit.reverse_best[0]:.2f}, std {fit.reverse_best[1]:.2f}",
             "peaks at x = -2.00 and 2.00"])


def _kl_surfaces():
    _, _, fit = _small_kl_fit()
    return (plots.kl_surfaces(fit),
            [f"lowest ({float(fit.forward.min()):.3f} nats) at mean {fit.forward_best[0]:.2f}"])


def _padded():
    logits = np.random.default_rng(7).normal(size=(3, 5, 6))
    mean = float(xl.sparse_categorical_cross_entropy(_TOKEN_LABELS, logits, from_logits=True,
                                                     ignore_index=-100))
    return (plots.padded_token_losses(_TOKEN_LABELS, logits, from_logits=True),
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
    return (plots.likelihood_and_loss(_Y, np.linspace(0.01, 0.99, 99)),
            ["7 are 1", "highest (0.00222) at theta = 0.70", "lowest (0.611)"])


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
    "code_lengths": _code_lengths, "huffman_tree": _huffman, "cross_entropy_family": _family,
    "bce_curves": _bce, "softmax_bars": _softmax_bars,
    "softmax_temperature_grid": _temperature_grid, "kl_fit_figure": _kl_fit,
    "kl_surfaces": _kl_surfaces, "padded_token_losses": _padded, "cross_entropy_kl_gap": _gap,
    "reliability_diagram": _reliability, "training_curves": _training_curves,
    "confusion_matrix_figure": _confusion, "misclassified_images": _misclassified,
    "likelihood_and_loss": _likelihood, "sigmoid_loss_gradients": _gradients,
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
