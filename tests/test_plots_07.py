"""The figures appended for chapter 07 draw what xentlearn computes."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import xentlearn as xl
from xentlearn import plots

Y = np.array([1, 1, 1, 0, 1, 1, 0, 1, 0, 1])


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
    assert right.get_ylabel() == "size of the gradient |d loss / d logit|"
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
