"""Gradients of the losses with respect to the logits, against finite differences."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sp
from helpers import (
    assert_matches_finite_differences,
    central_difference,
    fp_errors_raise,
    random_distribution,
    random_one_hot,
    seeds,
    shapes,
)
from hypothesis import given
from hypothesis import strategies as st

import xentlearn as xl

REDUCTIONS = ["mean", "sum", "none"]


def _total(loss_fn, *args, **kw):
    """The scalar whose gradient the grad function returns: with "none", the sum of the
    per-sample losses (each depends only on its own logits)."""
    return lambda x: float(np.sum(loss_fn(*args[:1], x, *args[1:], **kw)))


# --- the famous closed forms -------------------------------------------------------------------


def test_binary_gradient_is_sigmoid_minus_y(rng):
    x = rng.normal(scale=3.0, size=(4, 3))
    y = rng.integers(0, 2, size=(4, 3)).astype(float)
    g = xl.binary_cross_entropy_grad(y, x, reduction="sum")
    np.testing.assert_allclose(g, sp.expit(x) - y, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(xl.binary_cross_entropy_grad(y, x), (sp.expit(x) - y) / 12,
                               rtol=1e-14, atol=1e-17)


def test_categorical_gradient_is_softmax_minus_y(rng):
    labels, y = random_one_hot(rng, (5, 4))
    z = rng.normal(scale=3.0, size=(5, 4))
    expected = sp.softmax(z, axis=-1) - y
    np.testing.assert_allclose(xl.categorical_cross_entropy_grad(y, z, reduction="sum"),
                               expected, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(xl.sparse_categorical_cross_entropy_grad(labels, z,
                                                                        reduction="none"),
                               expected, rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(xl.sparse_categorical_cross_entropy_grad(labels, z),
                               expected / 5, rtol=1e-13, atol=1e-17)


def test_gradients_stay_finite_at_extreme_logits():
    x = np.array([-1e300, -1000.0, 1000.0, 1e300])
    g = xl.binary_cross_entropy_grad([1.0, 0.0, 1.0, 0.0], x, reduction="none")
    np.testing.assert_array_equal(g, [-1.0, 0.0, 0.0, 1.0])
    z = np.array([[1e300, -1e300, 0.0]])
    g = xl.sparse_categorical_cross_entropy_grad([1], z, reduction="none")
    np.testing.assert_array_equal(g, [[1.0, -1.0, 0.0]])
    g = xl.categorical_cross_entropy_grad([[0, 1, 0]], z, reduction="none")
    np.testing.assert_array_equal(g, [[1.0, -1.0, 0.0]])


# --- against finite differences of the losses -----------------------------------------------------


@st.composite
def binary_grad_cases(draw):
    rng = np.random.default_rng(draw(seeds))
    shape = draw(shapes(max_lead_dims=1, min_k=1, max_k=4))
    x = rng.normal(scale=2.0, size=shape)
    y = rng.integers(0, 2, size=shape).astype(float)
    if draw(st.booleans()):
        y = rng.uniform(size=shape)
    kw = {
        "label_smoothing": draw(st.sampled_from([0.0, 0.1, 1.0])),
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "base": draw(st.sampled_from([None, 2])),
    }
    if draw(st.booleans()):
        kw["sample_weight"] = rng.uniform(0, 2, size=shape[:1])
    pw = draw(st.sampled_from(["none", "scalar", "last"]))
    if pw == "scalar":
        kw["pos_weight"] = float(rng.uniform(0, 4))
    elif pw == "last":
        kw["pos_weight"] = rng.uniform(0, 4, size=shape[-1:])
    return y, x, kw


@given(binary_grad_cases())
def test_binary_grad_matches_finite_differences(case):
    y, x, kw = case
    grad = xl.binary_cross_entropy_grad(y, x, **kw)
    assert grad.shape == x.shape

    def loss(v):
        return float(np.sum(xl.binary_cross_entropy(y, v, from_logits=True, **kw)))

    assert_matches_finite_differences(grad, central_difference(loss, x))


@st.composite
def categorical_grad_cases(draw, *, sparse: bool):
    rng = np.random.default_rng(draw(seeds))
    shape = draw(shapes(max_lead_dims=2, min_k=2, max_k=5))
    z = rng.normal(scale=2.0, size=shape)
    labels, y = random_one_hot(rng, shape)
    if not sparse and draw(st.booleans()):
        y = random_distribution(rng, shape, concentration=0.5)
    kw = {
        "label_smoothing": draw(st.sampled_from([0.0, 0.1, 1.0])),
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "base": draw(st.sampled_from([None, 2])),
    }
    if draw(st.booleans()):
        kw["class_weight"] = rng.uniform(0.1, 3.0, size=shape[-1])
    if len(shape) > 1 and draw(st.booleans()):
        kw["sample_weight"] = rng.uniform(0, 2, size=shape[:1])
    if sparse and len(shape) > 1 and draw(st.booleans()):
        kw["ignore_index"] = -100
        labels = labels.copy()
        labels.flat[1:][rng.uniform(size=labels.size - 1) < 0.4] = -100
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    kw["axis"] = axis
    return (labels if sparse else np.moveaxis(y, -1, axis)), np.moveaxis(z, -1, axis), kw


@given(categorical_grad_cases(sparse=False))
def test_categorical_grad_matches_finite_differences(case):
    y, z, kw = case
    grad = xl.categorical_cross_entropy_grad(y, z, **kw)
    assert grad.shape == z.shape

    def loss(v):
        return float(np.sum(xl.categorical_cross_entropy(y, v, from_logits=True, **kw)))

    assert_matches_finite_differences(grad, central_difference(loss, z))


@given(categorical_grad_cases(sparse=True))
def test_sparse_grad_matches_finite_differences(case):
    labels, z, kw = case
    grad = xl.sparse_categorical_cross_entropy_grad(labels, z, **kw)
    assert grad.shape == z.shape

    def loss(v):
        return float(np.sum(xl.sparse_categorical_cross_entropy(labels, v, from_logits=True,
                                                                **kw)))

    assert_matches_finite_differences(grad, central_difference(loss, z))


@given(categorical_grad_cases(sparse=True))
def test_sparse_grad_equals_categorical_grad_on_one_hot(case):
    labels, z, kw = case
    kw.pop("ignore_index", None)
    labels = np.clip(labels, 0, None)
    axis = kw["axis"]
    one_hot = np.moveaxis(np.eye(z.shape[axis])[labels], -1, axis)
    np.testing.assert_allclose(xl.sparse_categorical_cross_entropy_grad(labels, z, **kw),
                               xl.categorical_cross_entropy_grad(one_hot, z, **kw),
                               rtol=1e-12, atol=1e-16)


def test_ignored_rows_have_zero_gradient(rng):
    z = rng.normal(size=(5, 3))
    labels = np.array([0, -1, 2, -1, 1])
    g = xl.sparse_categorical_cross_entropy_grad(labels, z, ignore_index=-1)
    np.testing.assert_array_equal(g[[1, 3]], 0.0)
    keep = labels != -1
    expected = (sp.softmax(z[keep], axis=-1) - np.eye(3)[labels[keep]]) / keep.sum()
    np.testing.assert_allclose(g[keep], expected, rtol=1e-13, atol=1e-17)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_base_two_divides_gradients_by_ln2(rng, reduction):
    z = rng.normal(size=(4, 3))
    labels, y = random_one_hot(rng, (4, 3))
    for fn, target in [(xl.categorical_cross_entropy_grad, y),
                       (xl.sparse_categorical_cross_entropy_grad, labels),
                       (xl.binary_cross_entropy_grad, y)]:
        np.testing.assert_allclose(fn(target, z, base=2, reduction=reduction),
                                   fn(target, z, reduction=reduction) / math.log(2),
                                   rtol=1e-15)


def test_gradient_with_100000_classes():
    rng = np.random.default_rng(11)
    z = rng.normal(size=(2, 100_000))
    labels = np.array([5, 99_999])
    g = xl.sparse_categorical_cross_entropy_grad(labels, z, reduction="sum")
    expected = sp.softmax(z, axis=-1)
    expected[np.arange(2), labels] -= 1
    np.testing.assert_allclose(g, expected, rtol=1e-12, atol=1e-20)


# --- dtypes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_float32_gradients(rng, reduction):
    z = rng.normal(size=(6, 4))
    z32 = z.astype(np.float32)
    labels, y = random_one_hot(rng, (6, 4))
    cases = [
        (xl.binary_cross_entropy_grad, y, {"pos_weight": 2.0, "sample_weight": np.ones(6)}),
        (xl.categorical_cross_entropy_grad, y, {"class_weight": np.arange(1.0, 5.0),
                                                "label_smoothing": 0.1}),
        (xl.sparse_categorical_cross_entropy_grad, labels, {"class_weight": np.arange(1.0, 5.0),
                                                            "ignore_index": 3}),
        (xl.sparse_categorical_cross_entropy_grad, labels.astype(np.int32), {"base": 2}),
    ]
    for fn, target, kw in cases:
        g32 = fn(target, z32, reduction=reduction, **kw)
        assert g32.dtype == np.float32, fn.__name__
        g64 = fn(target, z, reduction=reduction, **kw)
        assert g64.dtype == np.float64, fn.__name__
        np.testing.assert_allclose(g32, g64, rtol=1e-5, atol=1e-6, err_msg=fn.__name__)


# --- focal losses ---------------------------------------------------------------------------------


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 3.5])
@pytest.mark.parametrize("alpha", [None, 0.25])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_focal_gradient_matches_finite_differences(gamma, alpha, reduction):
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.normal(scale=3, size=8), [-30.0, 30.0, 0.0]])
    for t in (rng.integers(0, 2, x.size).astype(float), rng.uniform(size=x.size)):
        g = xl.binary_focal_cross_entropy_grad(t, x, gamma=gamma, alpha=alpha,
                                               reduction=reduction)
        f = _total(xl.binary_focal_cross_entropy, t, gamma=gamma, alpha=alpha,
                   from_logits=True, reduction=reduction)
        assert_matches_finite_differences(g, central_difference(f, x))


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 3.5])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_categorical_focal_gradient_matches_finite_differences(gamma, reduction):
    rng = np.random.default_rng(5)
    z = rng.normal(scale=3, size=(6, 4))
    z[0] = [40.0, 0.0, -1.0, 2.0]  # q ~ 1 on class 0
    labels = rng.integers(0, 4, 6)
    labels[0] = 0
    onehot = np.eye(4)[labels]
    soft = onehot * 0.8 + 0.05
    for t, a in ((onehot, None), (soft, np.array([1.0, 0.5, 2.0, 0.25])), (onehot, 0.5)):
        g = xl.categorical_focal_cross_entropy_grad(t, z, gamma=gamma, alpha=a,
                                                    reduction=reduction)
        f = _total(xl.categorical_focal_cross_entropy, t, gamma=gamma, alpha=a,
                   from_logits=True, reduction=reduction)
        assert_matches_finite_differences(g, central_difference(f, z))


def test_focal_gradients_with_gamma_zero_are_the_cross_entropy_gradients(rng):
    z = rng.normal(size=(5, 3))
    y = rng.integers(0, 3, 5)
    np.testing.assert_allclose(
        xl.categorical_focal_cross_entropy_grad(np.eye(3)[y], z, gamma=0.0),
        xl.sparse_categorical_cross_entropy_grad(y, z), atol=1e-15)
    x, t = z[:, 0], (y > 0).astype(float)
    np.testing.assert_allclose(xl.binary_focal_cross_entropy_grad(t, x, gamma=0.0),
                               xl.binary_cross_entropy_grad(t, x), atol=1e-16)


def test_focal_gradient_is_finite_where_probabilities_underflow():
    z = np.array([[800.0, 0.0, -800.0]])
    g = xl.categorical_focal_cross_entropy_grad(np.array([[0.0, 1.0, 0.0]]), z, gamma=2.0)
    assert np.isfinite(g).all()
    np.testing.assert_allclose(g, [[1.0, -1.0, 0.0]], atol=1e-12)
    gb = xl.binary_focal_cross_entropy_grad([1.0, 0.0], [-800.0, 800.0], gamma=2.0)
    np.testing.assert_allclose(gb, [-0.5, 0.5])


# --- robustness ----------------------------------------------------------------------------------


def _hard_grad_calls():
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, -745.0, 0.0]])
    labels = np.array([0, 1])
    one_hot = np.eye(3)[labels]
    x = np.array([-1000.0, 1000.0, 40.0, -745.0])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    yield "binary", lambda: xl.binary_cross_entropy_grad(y, x, pos_weight=2.0)
    yield "categorical", lambda: xl.categorical_cross_entropy_grad(one_hot, z,
                                                                   label_smoothing=0.1)
    yield "sparse", lambda: xl.sparse_categorical_cross_entropy_grad(labels, z, base=2,
                                                                     class_weight=[1, 2, 3])
    yield "binary focal", lambda: xl.binary_focal_cross_entropy_grad(y, x, alpha=0.25)
    yield "categorical focal", lambda: xl.categorical_focal_cross_entropy_grad(one_hot, z)


@pytest.mark.parametrize("how", ["errstate", "seterr"])
@pytest.mark.parametrize(("name", "fn"), list(_hard_grad_calls()))
def test_gradients_under_errstate_raise(name, fn, how):
    expected = fn()
    assert np.all(np.isfinite(expected)), name
    with fp_errors_raise(how):
        got = fn()
    np.testing.assert_array_equal(got, expected)
