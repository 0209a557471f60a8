"""The optimisers: each update against the same step computed by hand, one line per formula."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from xentlearn.optimisers import (
    OPTIMIZERS,
    SGD,
    Adam,
    Momentum,
    flat_parameters,
    make_optimizer,
)

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False)
vectors = hnp.arrays(np.float64, st.integers(1, 5), elements=finite)


def _run(opt, theta, grads, lrs):
    theta = theta.copy()
    for g, lr in zip(grads, lrs, strict=True):
        opt.step(theta, g, lr)
    return theta


def test_sgd_by_hand():
    theta = np.array([1.0, -2.0])
    SGD(2).step(theta, np.array([0.5, 4.0]), lr=0.1)
    np.testing.assert_allclose(theta, [1.0 - 0.05, -2.0 - 0.4], rtol=1e-15)


def test_momentum_by_hand():
    # v1 = -0.1 * 2 = -0.2; v2 = 0.5 * -0.2 - 0.1 * -1 = 0; v3 = 0 - 0.1 * 3 = -0.3
    theta = _run(Momentum(1, momentum=0.5), np.array([1.0]),
                 [np.array([2.0]), np.array([-1.0]), np.array([3.0])], [0.1] * 3)
    np.testing.assert_allclose(theta, [1.0 - 0.2 + 0.0 - 0.3], rtol=1e-15)


def test_adam_by_hand():
    b1, b2, eps, lr = 0.9, 0.999, 1e-8, 0.01
    g1, g2 = 2.0, -1.0
    m1, s1 = (1 - b1) * g1, (1 - b2) * g1**2
    theta1 = 0.5 - lr / (1 - b1) * m1 / (math.sqrt(s1 / (1 - b2)) + eps)
    m2, s2 = b1 * m1 + (1 - b1) * g2, b2 * s1 + (1 - b2) * g2**2
    theta2 = theta1 - lr / (1 - b1**2) * m2 / (math.sqrt(s2 / (1 - b2**2)) + eps)
    opt = Adam(1)
    theta = np.array([0.5])
    opt.step(theta, np.array([g1]), lr)
    np.testing.assert_allclose(theta, [theta1], rtol=1e-15)
    assert abs(theta1 - (0.5 - lr)) < 1e-9  # the first step is lr * g / |g|
    opt.step(theta, np.array([g2]), lr)
    np.testing.assert_allclose(theta, [theta2], rtol=1e-15)
    assert opt.t == 2


@given(vectors, st.data())
def test_every_optimiser_follows_its_formula(theta0, data):
    n = theta0.size
    steps = data.draw(st.integers(1, 6))
    grads = [data.draw(hnp.arrays(np.float64, n, elements=finite)) for _ in range(steps)]
    lrs = [data.draw(st.floats(1e-4, 1.0)) for _ in range(steps)]
    mu = data.draw(st.floats(0.0, 0.99))

    expected_sgd = theta0.copy()
    expected_mom, v = theta0.copy(), np.zeros(n)
    expected_adam, m, s = theta0.copy(), np.zeros(n), np.zeros(n)
    for t, (g, lr) in enumerate(zip(grads, lrs, strict=True), start=1):
        expected_sgd = expected_sgd - lr * g
        v = mu * v - lr * g
        expected_mom = expected_mom + v
        m = mu * m + (1 - mu) * g
        s = 0.999 * s + 0.001 * g * g
        m_hat, s_hat = m / (1 - mu**t), s / (1 - 0.999**t)
        expected_adam = expected_adam - lr * m_hat / (np.sqrt(s_hat) + 1e-8)

    scale = 1 + np.abs(theta0) + sum(lrs) * max(1.0, max(float(np.abs(g).max()) for g in grads))
    for name, expected in (("sgd", expected_sgd), ("momentum", expected_mom),
                           ("adam", expected_adam)):
        got = _run(make_optimizer(name, n, mu), theta0, grads, lrs)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12 * scale.max(),
                                   err_msg=name)


def test_make_optimizer_names_and_momentum():
    assert OPTIMIZERS == ("adam", "momentum", "sgd")
    assert type(make_optimizer("sgd", 3)) is SGD
    mom = make_optimizer("momentum", 3, momentum=0.3)
    adam = make_optimizer("adam", 3, momentum=0.3)
    assert isinstance(mom, Momentum) and mom.mu == 0.3
    assert isinstance(adam, Adam) and adam.beta1 == 0.3 and adam.beta2 == 0.999


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_diverging_step_does_not_raise(name):
    """Overflow is the model's to report (it checks its logits), even under errstate raise."""
    theta = np.array([1e308])
    with np.errstate(all="raise"):
        make_optimizer(name, 1).step(theta, np.array([-1e308]), lr=10.0)
    # SGD and momentum overflow to inf; Adam's step m / sqrt(s) is -0 once s overflows
    assert theta[0] == (1e308 if name == "adam" else np.inf)


def test_flat_parameters_share_memory_with_the_vector():
    params = {"W": np.arange(6.0).reshape(2, 3), "b": np.array(7.0), "c": np.ones(2)}
    theta, views = flat_parameters(params)
    assert theta.tolist() == [0, 1, 2, 3, 4, 5, 7, 1, 1]
    assert {k: v.shape for k, v in views.items()} == {"W": (2, 3), "b": (), "c": (2,)}
    theta *= 2
    assert views["W"][1, 2] == 10 and float(views["b"]) == 14
    views["c"][0] = -1
    assert theta[7] == -1
    assert params["W"][1, 2] == 5  # the input is copied, not changed
