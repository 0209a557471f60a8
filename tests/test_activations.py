"""softmax, log_softmax, logsumexp, sigmoid, log_sigmoid and softplus."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sp
from helpers import (
    SHAPES,
    assert_close_to_mp,
    finite_logits,
    fp_errors_raise,
    mp_log_sigmoid,
    mp_log_softmax,
    mp_logsumexp,
    mp_sigmoid,
    mp_softmax,
    mp_softplus,
    seeds,
    shapes,
)
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import xentlearn as xl

RTOL = 1e-12


def _axes(ndim: int) -> list[int]:
    return sorted(set(range(-ndim, ndim)))


SHAPE_AXIS = [(shape, axis) for shape in SHAPES for axis in _axes(len(shape))]


# --- agreement with scipy on ordinary inputs --------------------------------------------------


@pytest.mark.parametrize(("shape", "axis"), SHAPE_AXIS)
def test_logsumexp_matches_scipy(rng, shape, axis):
    z = rng.normal(scale=5.0, size=shape)
    np.testing.assert_allclose(xl.logsumexp(z, axis=axis), sp.logsumexp(z, axis=axis),
                               rtol=RTOL)


@pytest.mark.parametrize(("shape", "axis"), SHAPE_AXIS)
def test_softmax_matches_scipy(rng, shape, axis):
    z = rng.normal(scale=5.0, size=shape)
    out = xl.softmax(z, axis=axis)
    assert out.shape == z.shape
    np.testing.assert_allclose(out, sp.softmax(z, axis=axis), rtol=RTOL)


@pytest.mark.parametrize(("shape", "axis"), SHAPE_AXIS)
def test_log_softmax_matches_scipy(rng, shape, axis):
    z = rng.normal(scale=5.0, size=shape)
    out = xl.log_softmax(z, axis=axis)
    assert out.shape == z.shape
    np.testing.assert_allclose(out, sp.log_softmax(z, axis=axis), rtol=RTOL, atol=1e-15)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("temperature", [0.25, 1.0, 3.0])
def test_temperature_divides_the_logits(rng, shape, temperature):
    z = rng.normal(scale=4.0, size=shape)
    np.testing.assert_allclose(xl.softmax(z, temperature=temperature),
                               sp.softmax(z / temperature, axis=-1), rtol=RTOL)
    np.testing.assert_allclose(xl.log_softmax(z, temperature=temperature),
                               sp.log_softmax(z / temperature, axis=-1), rtol=RTOL, atol=1e-15)


def test_temperature_limits():
    z = np.array([1.0, 3.0, 2.0])
    cold = xl.softmax(z, temperature=1e-3)
    np.testing.assert_allclose(cold, [0.0, 1.0, 0.0], atol=1e-300)
    hot = xl.softmax(z, temperature=1e6)
    np.testing.assert_allclose(hot, np.full(3, 1 / 3), rtol=1e-5)


@pytest.mark.parametrize("shape", SHAPES)
def test_sigmoid_family_matches_scipy(rng, shape):
    x = rng.normal(scale=10.0, size=shape)
    np.testing.assert_allclose(xl.sigmoid(x), sp.expit(x), rtol=RTOL)
    np.testing.assert_allclose(xl.log_sigmoid(x), sp.log_expit(x), rtol=RTOL)
    np.testing.assert_allclose(xl.softplus(x), np.logaddexp(0.0, x), rtol=RTOL)
    np.testing.assert_allclose(xl.softplus(x), -sp.log_expit(-x), rtol=RTOL)


def test_activations_accept_lists_and_scalars():
    assert xl.sigmoid(0) == 0.5
    assert xl.softplus(0.0) == pytest.approx(math.log(2), rel=1e-15)
    np.testing.assert_allclose(xl.softmax([[0, 0], [0, math.log(3)]]),
                               [[0.5, 0.5], [0.25, 0.75]], rtol=1e-15)
    assert xl.logsumexp([0, 0, 0, 0]) == pytest.approx(math.log(4), rel=1e-15)


def test_sigmoid_symmetry(rng):
    x = rng.normal(scale=20.0, size=200)
    # 1 - sigmoid(x) is only accurate to an absolute 1e-16, hence atol
    np.testing.assert_allclose(xl.sigmoid(-x) + xl.sigmoid(x), 1.0, rtol=0, atol=4.5e-16)
    np.testing.assert_allclose(xl.log_sigmoid(x), -xl.softplus(-x), rtol=0, atol=0)


# --- mpmath at the extremes ---------------------------------------------------------------------

HARD_LOGITS = [
    pytest.param([0.0, 1e4, -1e4, 5e3], id="1e4-apart"),
    pytest.param([-1e4, 1e4], id="1e4-apart-pair"),
    pytest.param([1e300, 1e300 * (1 - 1e-15), -1e300], id="1e300"),
    pytest.param([1e300, 0.0, -1e300, 1e300], id="1e300-tie"),
    pytest.param([-1e300, -1e300 * (1 + 1e-15)], id="minus-1e300"),
    pytest.param([1.0, 1.0 + 1e-12, 1.0 - 1e-12, 1.0 + 2e-12], id="nearly-equal"),
    pytest.param([1e-300, -1e-300, 0.0], id="tiny"),
    pytest.param([40.0, 0.0], id="dominant-by-40"),
    pytest.param([40.0, 0.0, 0.0, 0.0, 0.0], id="dominant-by-40-k5"),
    pytest.param([700.0, 710.0, 720.0], id="would-overflow-exp"),
    pytest.param([-745.0, -746.0, -800.0], id="would-underflow-exp"),
]


@pytest.mark.parametrize("z", HARD_LOGITS)
def test_logsumexp_against_mpmath(z):
    assert_close_to_mp(xl.logsumexp(z), mp_logsumexp(z))


@pytest.mark.parametrize("z", HARD_LOGITS)
def test_log_softmax_against_mpmath(z):
    out = xl.log_softmax(z)
    assert not np.isnan(out).any()
    assert_close_to_mp(out, mp_log_softmax(z))


@pytest.mark.parametrize("z", HARD_LOGITS)
def test_softmax_against_mpmath(z):
    out = xl.softmax(z)
    assert not np.isnan(out).any()
    assert_close_to_mp(out, mp_softmax(z))


def test_softmax_of_1e300_logits_is_one_hot():
    z = [1e300, 1e300 * (1 - 1e-15), -1e300]
    np.testing.assert_array_equal(xl.softmax(z), [1.0, 0.0, 0.0])
    out = xl.log_softmax(z)
    assert out[0] == 0.0
    assert out[2] == -2e300
    assert xl.logsumexp(z) == 1e300


def test_log_softmax_does_not_underflow_where_log_of_softmax_does():
    np.testing.assert_array_equal(xl.log_softmax([0.0, -1000.0]), [0.0, -1000.0])


def test_logsumexp_with_100000_classes_against_mpmath(big_logits, big_logits_mp_lse):
    out = xl.logsumexp(big_logits)
    assert out.shape == (3,)
    np.testing.assert_allclose(out, sp.logsumexp(big_logits, axis=-1), rtol=RTOL)
    assert_close_to_mp(out[0], big_logits_mp_lse)
    np.testing.assert_allclose(xl.log_softmax(big_logits), sp.log_softmax(big_logits, axis=-1),
                               rtol=RTOL, atol=1e-15)
    # the dominant class of row 1: log q = -log1p(sum of the others), about -8e-20
    others = np.delete(big_logits[1], 12345) - 60.0
    log_q = -np.log1p(math.fsum(np.exp(others)))
    assert xl.log_softmax(big_logits)[1, 12345] == pytest.approx(log_q, rel=1e-12)
    assert xl.softmax(big_logits)[1, 12345] == pytest.approx(math.exp(log_q), rel=1e-15)


SCALARS = [-1e300, -1000.0, -745.0, -700.0, -40.0, -5.0, -1e-300, 0.0, 1e-300, 0.5, 5.0, 40.0,
           700.0, 1000.0, 1e300]


@pytest.mark.parametrize("x", SCALARS)
def test_log_sigmoid_against_mpmath(x):
    assert_close_to_mp(xl.log_sigmoid(x), mp_log_sigmoid(x))
    assert_close_to_mp(xl.log_sigmoid([x, -x]), [mp_log_sigmoid(x), mp_log_sigmoid(-x)])


@pytest.mark.parametrize("x", SCALARS)
def test_softplus_against_mpmath(x):
    assert_close_to_mp(xl.softplus(x), mp_softplus(x))


@pytest.mark.parametrize("x", SCALARS)
def test_sigmoid_against_mpmath(x):
    assert_close_to_mp(xl.sigmoid(x), mp_sigmoid(x))


def test_log_sigmoid_worked_values():
    # The docstring's promises: -1000 stays -1000, 40 is -4.25e-18 rather than 0.
    assert xl.log_sigmoid(-1000.0) == -1000.0
    assert xl.log_sigmoid(40.0) == pytest.approx(-math.exp(-40.0), rel=1e-15)
    assert xl.softplus(-40.0) == pytest.approx(math.exp(-40.0), rel=1e-15)
    assert xl.softplus(1e300) == 1e300
    assert xl.log_sigmoid(-1e300) == -1e300


# --- properties ----------------------------------------------------------------------------------


@given(hnp.arrays(np.float64, shapes(), elements=finite_logits()),
       st.floats(-1e3, 1e3, allow_nan=False))
def test_softmax_invariant_to_shift(z, c):
    np.testing.assert_allclose(xl.softmax(z + c), xl.softmax(z), rtol=1e-10)
    np.testing.assert_allclose(xl.logsumexp(z + c), xl.logsumexp(z) + c, rtol=1e-12,
                               atol=1e-12 * (1 + abs(c)))


@given(hnp.arrays(np.float64, shapes(), elements=finite_logits(1e5)))
def test_softmax_rows_sum_to_one(z):
    out = xl.softmax(z)
    assert (out >= 0).all()
    assert (out <= 1).all()
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=0, atol=4e-16 * z.shape[-1])


@given(hnp.arrays(np.float64, shapes(), elements=finite_logits(300.0)))
def test_log_softmax_is_log_of_softmax(z):
    ls = xl.log_softmax(z)
    s = xl.softmax(z)
    ok = s > 1e-250  # where softmax has not underflowed
    np.testing.assert_allclose(ls[ok], np.log(s[ok]), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(xl.logsumexp(ls), 0.0, atol=1e-14)


@given(seeds, shapes(max_lead_dims=3))
def test_axis_argument_equals_transposing(seed, shape):
    assume(len(shape) > 1)
    z = np.random.default_rng(seed).normal(scale=3.0, size=shape)
    zt = np.moveaxis(z, -1, 0)  # classes first
    np.testing.assert_allclose(xl.logsumexp(zt, axis=0), xl.logsumexp(z), rtol=1e-15)
    np.testing.assert_array_equal(np.moveaxis(xl.softmax(zt, axis=0), 0, -1), xl.softmax(z))
    np.testing.assert_array_equal(np.moveaxis(xl.log_softmax(zt, axis=0), 0, -1),
                                  xl.log_softmax(z))


# --- dtypes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [xl.softmax, xl.log_softmax, xl.logsumexp, xl.sigmoid,
                                xl.log_sigmoid, xl.softplus])
def test_float32_stays_float32_and_close_to_float64(rng, fn):
    z64 = rng.normal(scale=4.0, size=(6, 5))
    z32 = z64.astype(np.float32)
    out32 = fn(z32)
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, fn(z32.astype(np.float64)), rtol=2e-6, atol=1e-6)


@pytest.mark.parametrize("fn", [xl.softmax, xl.log_softmax])
def test_float32_with_temperature_and_axis(rng, fn):
    z32 = rng.normal(size=(3, 4, 5)).astype(np.float32)
    out = fn(z32, axis=1, temperature=2.0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, fn(z32.astype(np.float64), axis=1, temperature=2.0),
                               rtol=2e-6, atol=1e-6)


def test_float32_extreme_logits_do_not_overflow():
    z = np.array([3e38, -3e38, 0.0], dtype=np.float32)
    assert xl.logsumexp(z) == np.float32(3e38)
    np.testing.assert_array_equal(xl.softmax(z), np.array([1, 0, 0], dtype=np.float32))
    assert xl.log_sigmoid(np.float32(-100.0)) == np.float32(-100.0)
    assert xl.log_sigmoid(np.float32(20.0)) < 0


@pytest.mark.parametrize("fn", [xl.softmax, xl.log_softmax, xl.logsumexp, xl.sigmoid,
                                xl.log_sigmoid, xl.softplus])
@pytest.mark.parametrize("z", [[1, 2, 3], np.array([1, 2, 3], dtype=np.int32),
                               np.array([1, 2, 3], dtype=np.float16), [True, False]])
def test_ints_lists_and_half_give_float64(fn, z):
    assert fn(z).dtype == np.float64


# --- floating-point errors raised by the caller ---------------------------------------------------




HOW = ["errstate", "seterr"]

# (function, argument, keywords, the exact answer where it is known)
UNDERFLOWING = [
    (xl.softmax, [1000.0, 0.0], {}, [1.0, 0.0]),
    (xl.log_softmax, [1000.0, 0.0], {}, [0.0, -1000.0]),
    (xl.logsumexp, [1000.0, 0.0], {}, 1000.0),
    (xl.sigmoid, -1000.0, {}, 0.0),
    (xl.softplus, -1000.0, {}, 0.0),
    (xl.log_sigmoid, -1000.0, {}, -1000.0),
    (xl.log_sigmoid, 1000.0, {}, 0.0),
    (xl.sigmoid, [-740.0, 740.0], {}, None),                  # a subnormal result
    (xl.softplus, -740.0, {}, None),
    (xl.softmax, [0.0, -740.0, -1e300], {}, None),
    (xl.logsumexp, [0.0, -740.0], {}, None),
    (xl.softmax, [[1e-310, 0.0], [5.0, -800.0]], {"temperature": 3.0}, None),
    (xl.log_softmax, [1e-310, -800.0], {"temperature": 0.5, "axis": 0}, None),
    (xl.softmax, np.array([100.0, 0.0], dtype=np.float32), {}, None),
    (xl.sigmoid, np.array([-100.0], dtype=np.float32), {}, None),
    (xl.softmax, np.array([1.0, 0.0], dtype=np.float32), {"temperature": 1e300}, [0.5, 0.5]),
]


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize(("fn", "z", "kw", "exact"), UNDERFLOWING)
def test_benign_underflow_does_not_raise_for_the_caller(how, fn, z, kw, exact):
    expected = fn(z, **kw)
    with fp_errors_raise(how):
        with pytest.raises(FloatingPointError):  # the caller's setting is in force ...
            np.exp(np.float64(-1000.0))
        out = fn(z, **kw)                        # ... and the function still answers
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == expected.dtype
    if exact is not None:
        np.testing.assert_array_equal(out, np.asarray(exact, dtype=out.dtype))
    assert np.geterr()["under"] != "raise"  # the caller's setting was given back


def test_float32_temperature_too_small_for_float32():
    # 1e-46 is 0 in float32; dividing by the float64 temperature keeps 0 / T = 0
    out = xl.softmax(np.zeros(2, dtype=np.float32), temperature=1e-46)
    np.testing.assert_array_equal(out, np.array([0.5, 0.5], dtype=np.float32))


@pytest.mark.parametrize("fn", [xl.softmax, xl.log_softmax, xl.logsumexp, xl.sigmoid,
                                xl.log_sigmoid, xl.softplus])
def test_python_int_too_large_for_a_float(fn):
    with pytest.raises(xl.InvalidInputError, match=r"^z holds an integer of 401 digits"):
        fn([10**400, 0])
