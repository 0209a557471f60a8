"""The models' output heads: the public losses' numbers on trusted arrays, and their gradients."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_matches_finite_differences, central_difference
from hypothesis import given
from hypothesis import strategies as st
from public_heads import make_public_head

from xentlearn._heads import BINARY_LOSSES, SOFTMAX_LOSSES, BinaryHead, make_head


@st.composite
def head_cases(draw, binary: bool):
    """A head with random options and a batch of logits and labels for it."""
    k = 2 if binary else draw(st.integers(2, 6))
    n = draw(st.integers(1, 12))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scale = draw(st.sampled_from([0.1, 3.0, 30.0]))
    z = rng.normal(scale=scale, size=(n,) if binary else (n, k))
    y = rng.integers(0, k, size=n)
    loss = draw(st.sampled_from(BINARY_LOSSES if binary else SOFTMAX_LOSSES))
    gamma = draw(st.sampled_from([0.0, 0.5, 2.0]))
    eps = draw(st.sampled_from([0.0, 0.1, 1.0]))
    cw = draw(st.sampled_from([None, "random"]))
    if cw is not None:
        cw = rng.uniform(0.1, 3.0, size=k)
    return make_head(binary, loss, gamma, eps, cw, k), z, y


def _public_twin(head):
    return make_public_head(isinstance(head, BinaryHead), head.kind, head.gamma, head.eps,
                            head.cw, head.k)


def _assert_same(head, z, y):
    loss, g = head.loss_and_grad(z, y)
    ref_loss, ref_g = _public_twin(head).loss_and_grad(z, y)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(g, ref_g, rtol=1e-12, atol=1e-17)
    assert g.shape == z.shape and g.dtype == np.float64


@given(head_cases(binary=True))
def test_binary_head_equals_the_public_functions(case):
    _assert_same(*case)


@given(head_cases(binary=False))
def test_softmax_head_equals_the_public_functions(case):
    _assert_same(*case)


@given(st.booleans(), st.data())
def test_loss_alone_and_gradient_alone_equal_the_pair(binary, data):
    head, z, y = data.draw(head_cases(binary))
    loss, g = head.loss_and_grad(z, y)
    only_loss, none = head.loss_and_grad(z, y, need_grad=False)
    nan, only_g = head.loss_and_grad(z, y, need_loss=False)
    assert only_loss == loss and none is None
    assert np.isnan(nan) and np.array_equal(only_g, g)


@given(st.booleans(), st.data())
def test_head_gradient_matches_finite_differences(binary, data):
    head, z, y = data.draw(head_cases(binary))
    z = np.clip(z, -8, 8)  # keep the loss smooth on the scale of the difference step
    g = head.loss_and_grad(z, y)[1]
    numeric = central_difference(lambda q: head.loss_and_grad(q, y, need_grad=False)[0], z)
    assert_matches_finite_differences(g, numeric)


def test_the_binary_cross_entropy_gradient_is_sigma_minus_y_over_n():
    z, y = np.array([2.0, -1.0, 0.0]), np.array([1, 0, 1])
    _, g = make_head(True, "cross_entropy", 2.0, 0.0, None, 2).loss_and_grad(z, y)
    np.testing.assert_allclose(g, (1 / (1 + np.exp(-z)) - y) / 3, rtol=1e-15)


def test_the_softmax_gradient_is_q_minus_one_hot_over_n():
    z, y = np.array([[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]]), np.array([0, 2])
    _, g = make_head(False, "cross_entropy", 2.0, 0.0, None, 3).loss_and_grad(z, y)
    q = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(g, (q - np.eye(3)[y]) / 2, rtol=1e-14, atol=1e-17)


@pytest.mark.parametrize("binary,loss", [(True, name) for name in BINARY_LOSSES]
                         + [(False, name) for name in SOFTMAX_LOSSES])
def test_a_batch_whose_samples_all_weigh_zero_has_no_loss_and_no_gradient(binary, loss):
    k = 2 if binary else 3
    z = np.ones(4) if binary else np.ones((4, k))
    y = np.zeros(4, dtype=np.int64)
    cw = np.array([0.0, 1.0] + [1.0] * (k - 2))
    value, g = make_head(binary, loss, 2.0, 0.1, cw, k).loss_and_grad(z, y)
    assert np.isnan(value) and np.array_equal(g, np.zeros_like(z))


@pytest.mark.parametrize("binary,loss", [(True, name) for name in BINARY_LOSSES]
                         + [(False, name) for name in SOFTMAX_LOSSES])
def test_extreme_logits_under_errstate_raise(binary, loss):
    """exp(-1000) underflows to 0 by design; the models call the heads with underflow
    ignored, and nothing else may warn."""
    z = np.array([1000.0, -1000.0]) if binary else np.array([[1000.0, -1000.0, 0.0]] * 2)
    y = np.array([0, 1])
    head = make_head(binary, loss, 2.0, 0.1, None, 2 if binary else 3)
    with np.errstate(all="raise", under="ignore"):
        value, g = head.loss_and_grad(z, y)
        ref_value, ref_g = _public_twin(head).loss_and_grad(z, y)
    assert np.isfinite(value) and np.isfinite(g).all()
    np.testing.assert_allclose(value, ref_value, rtol=1e-13)
    np.testing.assert_allclose(g, ref_g, rtol=1e-12, atol=1e-300)


def test_probabilities_and_predictions():
    b = make_head(True, "cross_entropy", 2.0, 0.0, None, 2)
    x = np.array([-2.0, 0.5])
    p = b.proba(x)
    np.testing.assert_allclose(p[:, 1], 1 / (1 + np.exp(-x)), rtol=1e-15)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    assert b.predict(x).tolist() == [0, 1]
    s = make_head(False, "cross_entropy", 2.0, 0.0, None, 3)
    z = np.array([[0.0, 3.0, 1.0], [5.0, 0.0, 0.0]])
    np.testing.assert_allclose(s.proba(z).sum(axis=1), 1.0, rtol=1e-15)
    assert s.predict(z).tolist() == [1, 0]
