"""Binary, categorical, sparse categorical and focal cross-entropy losses."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import scipy.special as sp
from helpers import (
    SHAPES,
    assert_close_to_mp,
    fp_errors_raise,
    mp,
    mp_log_softmax,
    mp_softplus,
    mpf,
    random_distribution,
    random_one_hot,
    seeds,
    shapes,
)
from hypothesis import given
from hypothesis import strategies as st
from sklearn.metrics import log_loss

import xentlearn as xl
from xentlearn import _kernels

RTOL = 1e-12
REDUCTIONS = ["mean", "sum", "none"]

# --- plain numpy references (deliberately naive: one formula, no tricks) ---------------------


def _reduce(loss, reduction, denominator, base):
    if reduction == "none":
        out = loss
    elif reduction == "sum":
        out = loss.sum()
    else:
        out = loss.sum() / denominator
    return out if base is None else out / np.log(base)


def _per_sample(sample_weight, ndim):
    sw = np.asarray(sample_weight, dtype=np.float64)
    return sw.reshape(sw.shape + (1,) * (ndim - sw.ndim))


def ref_binary(y, x, *, from_logits=False, label_smoothing=0.0, sample_weight=None,
               pos_weight=None, reduction="mean", base=None):
    y = np.asarray(y, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    y = y * (1 - label_smoothing) + label_smoothing / 2
    if from_logits:
        log_p, log_1mp = -np.logaddexp(0.0, -x), -np.logaddexp(0.0, x)
    else:
        log_p, log_1mp = np.log(x), np.log(1 - x)
    w_pos = 1.0 if pos_weight is None else np.asarray(pos_weight, dtype=np.float64)
    loss = -(w_pos * y * log_p + (1 - y) * log_1mp)
    if sample_weight is not None:
        loss = loss * _per_sample(sample_weight, loss.ndim)
    return _reduce(loss, reduction, loss.size, base)


def _ref_log_q(x, from_logits):
    if not from_logits:
        return np.log(x)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def ref_categorical(y, x, *, from_logits=False, label_smoothing=0.0, class_weight=None,
                    sample_weight=None, reduction="mean", base=None, axis=-1):
    y = np.moveaxis(np.asarray(y, dtype=np.float64), axis, -1)
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    k = x.shape[-1]
    w = np.ones(k) if class_weight is None else np.asarray(class_weight, dtype=np.float64)
    target = (y * (1 - label_smoothing) + label_smoothing / k) * w
    loss = -(target * _ref_log_q(x, from_logits)).sum(axis=-1)
    if sample_weight is not None:
        loss = loss * _per_sample(sample_weight, loss.ndim)
    denominator = loss.size if class_weight is None else (y * w).sum()
    return _reduce(loss, reduction, denominator, base)


def ref_sparse(labels, x, *, from_logits=False, label_smoothing=0.0, class_weight=None,
               sample_weight=None, ignore_index=None, reduction="mean", base=None, axis=-1):
    labels = np.asarray(labels)
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    k = x.shape[-1]
    valid = np.ones(labels.shape, bool) if ignore_index is None else labels != ignore_index
    safe = np.where(valid, labels, 0)
    one_hot = np.eye(k)[safe]
    w = np.ones(k) if class_weight is None else np.asarray(class_weight, dtype=np.float64)
    target = (one_hot * (1 - label_smoothing) + label_smoothing / k) * w
    loss = np.where(valid, -(target * _ref_log_q(x, from_logits)).sum(axis=-1), 0.0)
    if sample_weight is not None:
        loss = loss * _per_sample(sample_weight, loss.ndim)
    if class_weight is not None:
        denominator = (w[safe] * valid).sum()
    else:
        denominator = valid.sum()
    return _reduce(loss, reduction, denominator, base)


def _predictions(rng, shape, from_logits):
    if from_logits:
        return rng.normal(scale=3.0, size=shape)
    return random_distribution(rng, shape, floor=0.01)


# --- worked examples ---------------------------------------------------------------------------


@pytest.mark.parametrize(("p", "nats"), [(0.9, 0.105), (0.1, 2.303), (0.95, 0.051), (0.2, 1.609),
                                         (0.99, 0.010), (0.01, 4.605), (0.80, 0.223),
                                         (0.02, 3.912)])
def test_worked_examples_binary_sparse_and_categorical(p, nats):
    assert round(float(xl.binary_cross_entropy([1], [p])), 3) == nats
    assert round(float(xl.binary_cross_entropy([0], [1 - p])), 3) == nats
    # the same probability on the true class of a 10-class problem
    row = np.full(10, (1 - p) / 9)
    row[7] = p
    assert round(float(xl.sparse_categorical_cross_entropy([7], [row])), 3) == nats
    assert round(float(xl.categorical_cross_entropy(np.eye(10)[7], row)), 3) == nats


def test_digit_seven():
    probs = np.full(10, 0.2 / 9)
    probs[7] = 0.80
    assert round(float(xl.sparse_categorical_cross_entropy([7], [probs])), 3) == 0.223
    probs = np.full(10, 0.98 / 9)
    probs[7] = 0.02
    assert round(float(xl.sparse_categorical_cross_entropy([7], [probs])), 3) == 3.912


CAR = [0.775, 0.116, 0.039, 0.070]  # car, bike, plane, boat


def test_car_bike_plane_boat():
    assert round(float(xl.categorical_cross_entropy([1, 0, 0, 0], CAR, base=2)), 4) == 0.3677
    assert round(float(xl.categorical_cross_entropy([1, 0, 0, 0], CAR)), 4) == 0.2549
    assert round(float(xl.sparse_categorical_cross_entropy([0], [CAR], base=2)), 4) == 0.3677
    assert round(float(xl.sparse_categorical_cross_entropy([0], [CAR])), 4) == 0.2549
    assert round(float(xl.binary_cross_entropy([1], [0.775], base=2)), 4) == 0.3677


def test_0095_bits_is_p_car_0936():
    assert round(-math.log2(0.936), 3) == 0.095
    assert round(float(xl.binary_cross_entropy([1], [0.936], base=2)), 3) == 0.095
    row = [0.936, 0.032, 0.012, 0.020]
    assert round(float(xl.sparse_categorical_cross_entropy([0], [row], base=2)), 3) == 0.095
    assert round(float(xl.categorical_cross_entropy([1, 0, 0, 0], row, base=2)), 3) == 0.095


def test_no_clipping_at_1e300():
    expected = 300 * math.log(10)  # 690.7755...
    assert round(float(xl.binary_cross_entropy([1], [1e-300])), 1) == 690.8
    assert xl.binary_cross_entropy([1], [1e-300]) == pytest.approx(expected, rel=1e-15)
    # label 0 at p = 1e-300 costs -log1p(-1e-300) = 1e-300 nats, not 0
    assert xl.binary_cross_entropy([0], [1e-300]) == pytest.approx(1e-300, rel=1e-15)
    assert xl.categorical_cross_entropy([[1, 0]], [[1e-300, 1.0]]) == pytest.approx(expected,
                                                                                   rel=1e-15)
    assert xl.sparse_categorical_cross_entropy([0], [[1e-300, 1.0]]) == pytest.approx(
        expected, rel=1e-15)
    assert round(float(xl.sparse_categorical_cross_entropy([0], [[1e-300, 1.0]])), 1) == 690.8


def test_zero_probability_on_the_true_class_is_inf_not_nan():
    assert xl.binary_cross_entropy([1], [0.0]) == math.inf
    assert xl.binary_cross_entropy([0], [1.0]) == math.inf
    assert xl.binary_cross_entropy([1, 0], [0.0, 0.5], reduction="sum") == math.inf
    assert xl.categorical_cross_entropy([[1, 0]], [[0.0, 1.0]]) == math.inf
    assert xl.sparse_categorical_cross_entropy([0], [[0.0, 1.0]]) == math.inf
    none = xl.sparse_categorical_cross_entropy([0, 1], [[0.0, 1.0], [0.5, 0.5]],
                                               reduction="none")
    np.testing.assert_array_equal(none, [math.inf, math.log(2)])


def test_zero_log_zero_is_zero_in_losses():
    assert xl.binary_cross_entropy([1, 0], [1.0, 0.0]) == 0.0
    assert xl.categorical_cross_entropy([[1, 0, 0]], [[1.0, 0.0, 0.0]]) == 0.0
    assert xl.sparse_categorical_cross_entropy([2], [[0.0, 0.0, 1.0]]) == 0.0
    assert xl.categorical_focal_cross_entropy([[1, 0, 0]], [[1.0, 0.0, 0.0]]) == 0.0
    assert xl.binary_focal_cross_entropy([1, 0], [1.0, 0.0]) == 0.0
    # soft target: zero weight on a class with zero probability contributes nothing
    assert xl.categorical_cross_entropy([[0.5, 0.5, 0.0]], [[0.5, 0.5, 0.0]]) == pytest.approx(
        math.log(2), rel=1e-15)


def test_sparse_zero_class_weight_on_impossible_label_matches_one_hot():
    # Class 0 has weight 0, and the model gives it probability 0. For the one-hot target the
    # term is 0 * log 0 = 0, so the sample contributes nothing; the sparse form of the same
    # loss must agree (not nan).
    y_pred = [[0.0, 1.0], [0.5, 0.5]]
    cw = [0.0, 1.0]
    cat = xl.categorical_cross_entropy([[1, 0], [0, 1]], y_pred, class_weight=cw)
    assert cat == pytest.approx(math.log(2), rel=1e-15)
    sparse = xl.sparse_categorical_cross_entropy([0, 1], y_pred, class_weight=cw)
    assert sparse == pytest.approx(float(cat), rel=1e-15)
    none = xl.sparse_categorical_cross_entropy([0, 1], y_pred, class_weight=cw, reduction="none")
    np.testing.assert_array_equal(none, [0.0, math.log(2)])


# --- agreement with sklearn --------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 7, 50])
def test_binary_matches_sklearn(rng, n):
    y = rng.integers(0, 2, size=n)
    y[0], y[-1] = 0, 1  # sklearn wants both classes present
    if n == 1:
        y = np.array([1])
    p = rng.uniform(0.02, 0.98, size=n)
    w = rng.uniform(0.0, 3.0, size=n)
    labels = [0, 1]
    np.testing.assert_allclose(xl.binary_cross_entropy(y, p), log_loss(y, p, labels=labels),
                               rtol=RTOL)
    np.testing.assert_allclose(xl.binary_cross_entropy(y, p, reduction="sum"),
                               log_loss(y, p, normalize=False, labels=labels), rtol=RTOL)
    # sklearn's weighted average is sum(w l) / sum(w); ours divides by N
    ours = xl.binary_cross_entropy(y, p, sample_weight=w)
    np.testing.assert_allclose(ours * n / w.sum(),
                               log_loss(y, p, sample_weight=w, labels=labels), rtol=RTOL)
    np.testing.assert_allclose(xl.binary_cross_entropy(y, p, sample_weight=w, reduction="sum"),
                               log_loss(y, p, sample_weight=w, normalize=False, labels=labels),
                               rtol=RTOL)


@pytest.mark.parametrize(("n", "k"), [(1, 3), (5, 2), (20, 4), (40, 10)])
def test_multiclass_matches_sklearn(rng, n, k):
    labels, one_hot = random_one_hot(rng, (n, k))
    q = random_distribution(rng, (n, k), floor=0.01)
    w = rng.uniform(0.0, 3.0, size=n)
    classes = list(range(k))
    expected = log_loss(labels, q, labels=classes)
    np.testing.assert_allclose(xl.sparse_categorical_cross_entropy(labels, q), expected,
                               rtol=RTOL)
    np.testing.assert_allclose(xl.categorical_cross_entropy(one_hot, q), expected, rtol=RTOL)
    weighted = log_loss(labels, q, sample_weight=w, labels=classes)
    np.testing.assert_allclose(
        xl.sparse_categorical_cross_entropy(labels, q, sample_weight=w) * n / w.sum(), weighted,
        rtol=RTOL)
    np.testing.assert_allclose(
        xl.categorical_cross_entropy(one_hot, q, sample_weight=w, reduction="sum"),
        log_loss(labels, q, sample_weight=w, normalize=False, labels=classes), rtol=RTOL)
    # from logits: log q is the log-softmax of the logits
    z = np.log(q) + rng.normal(size=(n, 1))
    np.testing.assert_allclose(xl.sparse_categorical_cross_entropy(labels, z, from_logits=True),
                               expected, rtol=1e-11)


# --- agreement with the numpy references ----------------------------------------------------------


@st.composite
def binary_cases(draw):
    seed = draw(seeds)
    shape = draw(shapes(max_lead_dims=2, min_k=1, max_k=5))
    rng = np.random.default_rng(seed)
    from_logits = draw(st.booleans())
    y = rng.integers(0, 2, size=shape).astype(float)
    if draw(st.booleans()):
        y = rng.uniform(size=shape)  # soft targets
    x = rng.normal(scale=4.0, size=shape) if from_logits else rng.uniform(0.01, 0.99, shape)
    kw = {
        "from_logits": from_logits,
        "label_smoothing": draw(st.sampled_from([0.0, 0.1, 0.5, 1.0])),
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "base": draw(st.sampled_from([None, 2, 10])),
    }
    sw = draw(st.sampled_from(["none", "leading", "full"]))
    if sw == "leading":
        kw["sample_weight"] = rng.uniform(0, 2, size=shape[:1])
    elif sw == "full":
        kw["sample_weight"] = rng.uniform(0, 2, size=shape)
    pw = draw(st.sampled_from(["none", "scalar", "last", "full"]))
    if pw == "scalar":
        kw["pos_weight"] = float(rng.uniform(0, 5))
    elif pw == "last":
        kw["pos_weight"] = rng.uniform(0, 5, size=shape[-1:])
    elif pw == "full":
        kw["pos_weight"] = rng.uniform(0, 5, size=shape)
    return y, x, kw


@given(binary_cases())
def test_binary_matches_reference(case):
    y, x, kw = case
    out = xl.binary_cross_entropy(y, x, **kw)
    expected = ref_binary(y, x, **kw)
    assert np.shape(out) == np.shape(expected)
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=1e-15)


@st.composite
def categorical_cases(draw, *, sparse: bool):
    seed = draw(seeds)
    shape = draw(shapes(max_lead_dims=2, min_k=2, max_k=6))
    rng = np.random.default_rng(seed)
    from_logits = draw(st.booleans())
    labels, y = random_one_hot(rng, shape)
    if not sparse and draw(st.booleans()):
        y = random_distribution(rng, shape, concentration=0.5)  # soft targets
    x = _predictions(rng, shape, from_logits)
    kw = {
        "from_logits": from_logits,
        "label_smoothing": draw(st.sampled_from([0.0, 0.05, 0.3, 1.0])),
        "reduction": draw(st.sampled_from(REDUCTIONS)),
        "base": draw(st.sampled_from([None, 2, 10])),
    }
    if draw(st.booleans()):
        kw["class_weight"] = rng.uniform(0.1, 4.0, size=shape[-1])
    if len(shape) > 1 and draw(st.booleans()):
        n_lead = draw(st.integers(1, len(shape) - 1))
        kw["sample_weight"] = rng.uniform(0, 2, size=shape[:n_lead])
    if sparse and len(shape) > 1 and draw(st.booleans()):
        ignore = draw(st.sampled_from([-100, -1, 0, shape[-1] - 1]))
        kw["ignore_index"] = ignore
        kept = labels.flat[0] if ignore < 0 else (ignore + 1) % shape[-1]
        labels = np.where(rng.uniform(size=labels.shape) < 0.3, ignore, labels)
        labels.flat[0] = kept  # at least one sample counts, so "mean" is defined
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    x = np.moveaxis(x, -1, axis)
    y = np.moveaxis(y, -1, axis)
    kw["axis"] = axis
    return (labels if sparse else y), x, kw


@given(categorical_cases(sparse=False))
def test_categorical_matches_reference(case):
    y, x, kw = case
    out = xl.categorical_cross_entropy(y, x, **kw)
    expected = ref_categorical(y, x, **kw)
    assert np.shape(out) == np.shape(expected)
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=1e-15)


@given(categorical_cases(sparse=True))
def test_sparse_matches_reference(case):
    labels, x, kw = case
    out = xl.sparse_categorical_cross_entropy(labels, x, **kw)
    expected = ref_sparse(labels, x, **kw)
    assert np.shape(out) == np.shape(expected)
    np.testing.assert_allclose(out, expected, rtol=RTOL, atol=1e-15)


@given(categorical_cases(sparse=True))
def test_sparse_equals_categorical_on_one_hot(case):
    labels, x, kw = case
    kw.pop("ignore_index", None)
    labels = np.clip(labels, 0, None)  # ignored entries became -100, -1: use class 0
    axis = kw["axis"]
    k = x.shape[axis]
    one_hot = np.moveaxis(np.eye(k)[labels], -1, axis)
    np.testing.assert_allclose(xl.sparse_categorical_cross_entropy(labels, x, **kw),
                               xl.categorical_cross_entropy(one_hot, x, **kw), rtol=1e-13,
                               atol=1e-15)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ignore_index(rng, reduction):
    q = random_distribution(rng, (6, 4), floor=0.01)
    labels = np.array([0, -100, 3, -100, 1, 2])
    keep = labels != -100
    out = xl.sparse_categorical_cross_entropy(labels, q, ignore_index=-100, reduction=reduction)
    per_sample = -np.log(q[keep, labels[keep]])
    if reduction == "none":
        np.testing.assert_array_equal(out[~keep], 0.0)
        np.testing.assert_allclose(out[keep], per_sample, rtol=1e-15)
    elif reduction == "sum":
        assert out == pytest.approx(per_sample.sum(), rel=1e-14)
    else:
        assert out == pytest.approx(per_sample.mean(), rel=1e-14)  # divides by 4, not 6


def test_ignore_index_inside_the_class_range(rng):
    q = random_distribution(rng, (5, 3), floor=0.01)
    labels = np.array([0, 1, 2, 0, 1])
    out = xl.sparse_categorical_cross_entropy(labels, q, ignore_index=0)
    keep = labels != 0
    assert out == pytest.approx(-np.log(q[keep, labels[keep]]).mean(), rel=1e-14)


def test_all_ignored_sum_is_zero(rng):
    q = random_distribution(rng, (3, 4), floor=0.01)
    assert xl.sparse_categorical_cross_entropy([-1, -1, -1], q, ignore_index=-1,
                                               reduction="sum") == 0.0


def test_class_weight_mean_is_weighted_mean(rng):
    q = random_distribution(rng, (8, 3), floor=0.01)
    labels = rng.integers(0, 3, size=8)
    w = np.array([0.5, 2.0, 3.0])
    per_sample = -np.log(q[np.arange(8), labels])
    expected = (w[labels] * per_sample).sum() / w[labels].sum()
    assert xl.sparse_categorical_cross_entropy(labels, q, class_weight=w) == pytest.approx(
        expected, rel=1e-14)
    assert xl.categorical_cross_entropy(np.eye(3)[labels], q, class_weight=w) == pytest.approx(
        expected, rel=1e-14)


# --- mpmath at the extremes --------------------------------------------------------------------

BINARY_LOGIT_CASES = [(y, x) for y in (0.0, 1.0, 0.25)
                      for x in (-1e300, -1000.0, -700.0, -40.0, -0.5, 0.0, 0.5, 40.0, 700.0,
                                1000.0, 1e300)]


@pytest.mark.parametrize(("y", "x"), BINARY_LOGIT_CASES)
@pytest.mark.parametrize("pos_weight", [None, 3.0])
def test_binary_from_logits_against_mpmath(y, x, pos_weight):
    w = 1 if pos_weight is None else pos_weight
    exact = mpf(w) * mpf(y) * mp_softplus(-x) + (1 - mpf(y)) * mp_softplus(x)
    out = xl.binary_cross_entropy([y], [x], from_logits=True, pos_weight=pos_weight,
                                  reduction="none")
    assert_close_to_mp(out, [exact])
    focal0 = xl.binary_focal_cross_entropy([y], [x], gamma=0.0, from_logits=True,
                                           reduction="none")
    if pos_weight is None:
        assert_close_to_mp(focal0, [exact])


def test_binary_from_logit_40_keeps_the_tiny_loss():
    out = xl.binary_cross_entropy([1.0], [40.0], from_logits=True)
    assert out > 0
    assert out == pytest.approx(math.exp(-40.0), rel=1e-15)  # 4.25e-18


@pytest.mark.parametrize(("y", "p"), [(1.0, 1e-300), (0.0, 1e-300), (0.5, 1e-300),
                                      (1.0, 2.0**-1074), (0.0, 1 - 2.0**-53), (1.0, 1 - 2.0**-53),
                                      (0.3, 1e-20)])
def test_binary_probabilities_against_mpmath(y, p):
    exact = -(mpf(y) * mp.log(mpf(p)) + (1 - mpf(y)) * mp.log1p(-mpf(p)))
    assert_close_to_mp(xl.binary_cross_entropy([y], [p], reduction="none"), [exact])
    assert_close_to_mp(xl.binary_cross_entropy([y], [p], base=2), exact / mp.log(2))


@pytest.mark.parametrize("z", [
    pytest.param([40.0, 0.0], id="dominant-by-40"),
    pytest.param([40.0, 0.0, 0.0, 0.0, 0.0], id="dominant-by-40-k5"),
    pytest.param([0.0, 1e4, -1e4], id="1e4-apart"),
    pytest.param([1e300, 1e300 * (1 - 1e-15), -1e300], id="1e300"),
    pytest.param([1.0, 1.0 + 1e-12, 1.0 - 1e-12], id="nearly-equal"),
])
def test_categorical_from_logits_against_mpmath(z):
    exact = mp_log_softmax(z)
    k = len(z)
    for label in range(k):
        expected = -exact[label]
        sparse = xl.sparse_categorical_cross_entropy([label], [z], from_logits=True)
        assert_close_to_mp(sparse, expected)
        cat = xl.categorical_cross_entropy(np.eye(k)[label], z, from_logits=True)
        assert_close_to_mp(cat, expected)
        focal0 = xl.categorical_focal_cross_entropy(np.eye(k)[label], z, gamma=0.0,
                                                    from_logits=True)
        assert_close_to_mp(focal0, expected)


def test_sparse_dominant_by_40_is_relative_accurate():
    out = xl.sparse_categorical_cross_entropy([0], [[40.0, 0.0]], from_logits=True)
    assert out > 0  # 4.2e-18, not 0
    assert_close_to_mp(out, mp.log1p(mp.exp(-40)))


@pytest.mark.parametrize(("labels", "probs"), [
    ([0], [[1e-300, 1.0]]),
    ([1], [[1.0, 1e-300]]),
    ([0, 1], [[1e-300, 1.0], [0.5, 0.5]]),
    ([2], [[0.5, 0.5, 5e-324]]),
])
def test_sparse_probabilities_against_mpmath(labels, probs):
    exact = [-mp.log(mpf(row[lab])) for lab, row in zip(labels, probs, strict=True)]
    assert_close_to_mp(xl.sparse_categorical_cross_entropy(labels, probs, reduction="none"),
                       exact)
    one_hot = np.eye(len(probs[0]))[labels]
    assert_close_to_mp(xl.categorical_cross_entropy(one_hot, probs, reduction="none"), exact)


def test_sparse_with_100000_classes(big_logits, big_logits_mp_lse):
    labels = np.array([3, 12345, 99_999])
    out = xl.sparse_categorical_cross_entropy(labels, big_logits, from_logits=True,
                                              reduction="none")
    expected = sp.logsumexp(big_logits, axis=-1) - big_logits[np.arange(3), labels]
    np.testing.assert_allclose(out[[0, 2]], expected[[0, 2]], rtol=RTOL)
    # row 1: the true class dominates; the loss is tiny and must keep its digits
    rest = np.delete(big_logits[1], 12345) - 60.0
    assert out[1] == pytest.approx(np.log1p(math.fsum(np.exp(rest))), rel=1e-12)
    assert_close_to_mp(out[0], big_logits_mp_lse - mpf(big_logits[0, 3]))
    probs = sp.softmax(big_logits, axis=-1)
    np.testing.assert_allclose(
        xl.sparse_categorical_cross_entropy(labels[[0, 2]], probs[[0, 2]], reduction="none"),
        expected[[0, 2]], rtol=1e-11)
    mean = xl.sparse_categorical_cross_entropy(labels, big_logits, from_logits=True,
                                               class_weight=np.linspace(0.5, 2, 100_000))
    assert np.isfinite(mean)


# --- focal losses ----------------------------------------------------------------------------


@given(binary_cases())
def test_binary_focal_with_gamma_zero_is_plain_bce(case):
    y, x, kw = case
    kw = {k: kw[k] for k in ("from_logits", "reduction", "base")}
    np.testing.assert_array_equal(xl.binary_focal_cross_entropy(y, x, gamma=0.0, **kw),
                                  xl.binary_cross_entropy(y, x, **kw))


@given(categorical_cases(sparse=False))
def test_categorical_focal_with_gamma_zero_is_plain_cce(case):
    y, x, kw = case
    kw = {k: kw[k] for k in ("from_logits", "reduction", "base", "axis")}
    np.testing.assert_array_equal(xl.categorical_focal_cross_entropy(y, x, gamma=0.0, **kw),
                                  xl.categorical_cross_entropy(y, x, **kw))


@pytest.mark.parametrize("gamma", [0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [None, 0.25, 0.9])
@pytest.mark.parametrize("from_logits", [False, True])
def test_binary_focal_matches_formula(rng, gamma, alpha, from_logits):
    y = rng.integers(0, 2, size=(20, 3)).astype(float)
    x = rng.normal(scale=3.0, size=(20, 3))
    p = sp.expit(x)
    p_t = np.where(y == 1, p, 1 - p)
    a_t = 1.0 if alpha is None else np.where(y == 1, alpha, 1 - alpha)
    expected = -a_t * (1 - p_t) ** gamma * np.log(p_t)
    out = xl.binary_focal_cross_entropy(y, x if from_logits else p, gamma=gamma, alpha=alpha,
                                        from_logits=from_logits, reduction="none")
    np.testing.assert_allclose(out, expected, rtol=1e-10)
    mean = xl.binary_focal_cross_entropy(y, x if from_logits else p, gamma=gamma, alpha=alpha,
                                         from_logits=from_logits)
    assert mean == pytest.approx(expected.mean(), rel=1e-10)


@pytest.mark.parametrize("gamma", [0.5, 2.0])
@pytest.mark.parametrize("alpha", [None, 0.5, [0.2, 1.0, 3.0, 0.0]])
@pytest.mark.parametrize("from_logits", [False, True])
def test_categorical_focal_matches_formula(rng, gamma, alpha, from_logits):
    labels, y = random_one_hot(rng, (15, 4))
    z = rng.normal(scale=2.0, size=(15, 4))
    q = sp.softmax(z, axis=-1)
    a = np.ones(4) if alpha is None else np.broadcast_to(np.asarray(alpha, float), (4,))
    expected = -(a * y * (1 - q) ** gamma * np.log(q)).sum(axis=-1)
    out = xl.categorical_focal_cross_entropy(y, z if from_logits else q, gamma=gamma,
                                             alpha=alpha, from_logits=from_logits,
                                             reduction="none")
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-300)
    total = xl.categorical_focal_cross_entropy(y, z if from_logits else q, gamma=gamma,
                                               alpha=alpha, from_logits=from_logits,
                                               reduction="sum", base=2)
    assert total == pytest.approx(expected.sum() / math.log(2), rel=1e-10)


def test_focal_down_weights_easy_examples():
    easy = xl.binary_focal_cross_entropy([1], [0.95], gamma=2.0)
    assert easy == pytest.approx(0.05**2 * -math.log(0.95), rel=1e-13)
    hard = xl.binary_focal_cross_entropy([1], [0.05], gamma=2.0)
    assert hard == pytest.approx(0.95**2 * -math.log(0.05), rel=1e-13)


# --- other properties -----------------------------------------------------------------------------


@given(seeds, shapes(max_lead_dims=2, min_k=1), st.sampled_from(REDUCTIONS))
def test_binary_from_logits_equals_binary_from_sigmoid(seed, shape, reduction):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-10, 10, size=shape)
    y = rng.uniform(size=shape)
    np.testing.assert_allclose(
        xl.binary_cross_entropy(y, x, from_logits=True, reduction=reduction),
        xl.binary_cross_entropy(y, sp.expit(x), reduction=reduction), rtol=1e-9, atol=1e-15)


@given(categorical_cases(sparse=True), st.sampled_from([2, 10, 0.5]))
def test_base_is_nats_divided_by_log_base(case, base):
    labels, x, kw = case
    kw.pop("base")
    nats = xl.sparse_categorical_cross_entropy(labels, x, **kw)
    np.testing.assert_allclose(xl.sparse_categorical_cross_entropy(labels, x, base=base, **kw),
                               nats / math.log(base), rtol=2e-16)


@pytest.mark.parametrize("base", [2, 10, 0.5])
def test_base_for_every_loss(rng, base):
    labels, y = random_one_hot(rng, (6, 3))
    q = random_distribution(rng, (6, 3), floor=0.01)
    ln_b = math.log(base)
    for fn, args in [(xl.binary_cross_entropy, (y, q)),
                     (xl.binary_focal_cross_entropy, (y, q)),
                     (xl.categorical_cross_entropy, (y, q)),
                     (xl.categorical_focal_cross_entropy, (y, q)),
                     (xl.sparse_categorical_cross_entropy, (labels, q))]:
        np.testing.assert_allclose(fn(*args, base=base), fn(*args) / ln_b, rtol=2e-16)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_label_smoothing_is_the_smoothed_target(rng, reduction):
    labels, y = random_one_hot(rng, (5, 4))
    q = random_distribution(rng, (5, 4), floor=0.01)
    eps = 0.2
    smoothed = y * (1 - eps) + eps / 4
    plain = xl.categorical_cross_entropy(smoothed, q, reduction=reduction)
    np.testing.assert_allclose(
        xl.categorical_cross_entropy(y, q, label_smoothing=eps, reduction=reduction), plain,
        rtol=1e-14)
    np.testing.assert_allclose(
        xl.sparse_categorical_cross_entropy(labels, q, label_smoothing=eps, reduction=reduction),
        plain, rtol=1e-14)
    yb = y[:, 0]
    np.testing.assert_allclose(
        xl.binary_cross_entropy(yb, q[:, 0], label_smoothing=eps, reduction=reduction),
        xl.binary_cross_entropy(yb * (1 - eps) + eps / 2, q[:, 0], reduction=reduction),
        rtol=1e-14)


# --- axes and shapes ------------------------------------------------------------------------------


@pytest.mark.parametrize("from_logits", [False, True])
def test_class_axis_one_of_segmentation_maps(rng, from_logits):
    labels, y = random_one_hot(rng, (2, 3, 5, 4))  # (N, H, W, K)
    x = _predictions(rng, (2, 3, 5, 4), from_logits)
    x_first, y_first = np.moveaxis(x, -1, 1), np.moveaxis(y, -1, 1)  # (N, K, H, W)
    expected = xl.categorical_cross_entropy(y, x, from_logits=from_logits, reduction="none")
    assert expected.shape == (2, 3, 5)
    np.testing.assert_allclose(
        xl.categorical_cross_entropy(y_first, x_first, from_logits=from_logits, axis=1,
                                     reduction="none"), expected, rtol=1e-15)
    np.testing.assert_allclose(
        xl.sparse_categorical_cross_entropy(labels, x_first, from_logits=from_logits, axis=1,
                                            reduction="none"), expected, rtol=1e-14)


@pytest.mark.parametrize("shape", SHAPES)
def test_reduction_none_shapes(rng, shape):
    labels, y = random_one_hot(rng, shape)
    q = random_distribution(rng, shape, floor=0.01)
    assert xl.categorical_cross_entropy(y, q, reduction="none").shape == shape[:-1]
    assert xl.sparse_categorical_cross_entropy(labels, q, reduction="none").shape == shape[:-1]
    assert xl.binary_cross_entropy(y, q, reduction="none").shape == shape
    for reduction in ("mean", "sum"):
        assert np.ndim(xl.categorical_cross_entropy(y, q, reduction=reduction)) == 0
        assert np.ndim(xl.binary_cross_entropy(y, q, reduction=reduction)) == 0


# --- dtypes ------------------------------------------------------------------------------------


def _float32_cases(rng):
    labels, y = random_one_hot(rng, (6, 4))
    q = random_distribution(rng, (6, 4), floor=0.01)
    z = rng.normal(size=(6, 4))
    yield "bce", xl.binary_cross_entropy, y, q, {}
    yield "bce-logits", xl.binary_cross_entropy, y, z, {"from_logits": True, "pos_weight": 2.0,
                                                        "sample_weight": np.ones(6),
                                                        "label_smoothing": 0.1}
    yield "bfocal", xl.binary_focal_cross_entropy, y, q, {"alpha": 0.25}
    yield "cce", xl.categorical_cross_entropy, y, q, {"class_weight": np.arange(1.0, 5.0)}
    yield "cce-logits", xl.categorical_cross_entropy, y, z, {"from_logits": True,
                                                             "label_smoothing": 0.1,
                                                             "sample_weight": np.ones(6)}
    yield "cfocal", xl.categorical_focal_cross_entropy, y, z, {"from_logits": True}
    yield "sparse", xl.sparse_categorical_cross_entropy, labels, q, {}
    yield "sparse-logits", xl.sparse_categorical_cross_entropy, labels, z, {
        "from_logits": True, "class_weight": np.arange(1.0, 5.0), "label_smoothing": 0.1}
    yield "sparse-int32", xl.sparse_categorical_cross_entropy, labels.astype(np.int32), z, {
        "from_logits": True, "ignore_index": 2}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("base", [None, 2])
def test_float32_predictions_give_float32(reduction, base):
    rng = np.random.default_rng(3)
    for name, fn, target, pred, kw in _float32_cases(rng):
        pred32 = pred.astype(np.float32)
        if not kw.get("from_logits"):
            pred32 /= pred32.sum(axis=-1, keepdims=True)
        out = fn(target, pred32, reduction=reduction, base=base, **kw)
        assert out.dtype == np.float32, name
        out64 = fn(target, pred, reduction=reduction, base=base, **kw)
        assert out64.dtype == np.float64, name
        np.testing.assert_allclose(out, out64, rtol=2e-5, atol=1e-6, err_msg=name)
        if target.dtype.kind == "f":  # float32 targets with float64 predictions: float64
            assert fn(target.astype(np.float32), pred, reduction=reduction, base=base,
                      **kw).dtype == np.float64, name


def test_lists_and_ints_give_float64():
    assert xl.binary_cross_entropy([1, 0], [1, 0]).dtype == np.float64
    assert xl.binary_cross_entropy([1, 0], [0.5, 0.5]).dtype == np.float64
    assert xl.categorical_cross_entropy([[1, 0]], np.array([[1, 0]])).dtype == np.float64
    assert xl.sparse_categorical_cross_entropy([0], [[2, 1]], from_logits=True).dtype \
        == np.float64
    half = np.array([[0.5, 0.5]], dtype=np.float16)
    assert xl.sparse_categorical_cross_entropy([0], half).dtype == np.float64


def test_float32_no_clipping():
    tiny = np.float32(1e-30)
    out = xl.binary_cross_entropy([1.0], np.array([tiny]))
    assert out.dtype == np.float32
    assert out == pytest.approx(30 * math.log(10), rel=1e-6)
    out = xl.sparse_categorical_cross_entropy([0], np.array([[40.0, 0.0]], dtype=np.float32),
                                              from_logits=True)
    assert out.dtype == np.float32
    assert out == pytest.approx(math.exp(-40.0), rel=1e-6)


# --- what clipping libraries compute from probabilities -----------------------------------------


def _keras_naive(y, p, *, eps_in_log):
    """Keras' binary_crossentropy on probabilities, written out as in its source."""
    eps = 1e-7
    pc = np.clip(np.asarray(p, dtype=float), eps, 1 - eps)
    add = eps if eps_in_log else 0.0
    return -(y * np.log(pc + add) + (1 - y) * np.log(1 - pc + add))


def test_library_rules_cap_a_confident_mistake():
    lbce = xl.losses.library_binary_cross_entropy
    for y, p in [(1, 1e-300), (0, 1 - 1e-17), (1, 0.0), (0, 1.0)]:
        assert lbce([y], [p], library="keras3") == pytest.approx(-math.log(1e-7), rel=1e-6)
        assert lbce([y], [p], library="keras2") == pytest.approx(-math.log(2e-7), rel=1e-6)
        assert lbce([y], [p], library="pytorch") == 100.0
    assert round(float(lbce([1], [1e-300], library="keras3")), 3) == 16.118
    assert round(float(lbce([1], [1e-300], library="keras2")), 3) == 15.425
    assert lbce([1], [1e-300]) == lbce([1], [1e-300], library="keras3")  # the default


@pytest.mark.parametrize("library", ["keras3", "keras2", "pytorch"])
def test_library_rules_match_their_formulas(rng, library):
    y = rng.uniform(size=50)
    p = np.concatenate([rng.uniform(size=44), [0.0, 1.0, 1e-9, 1 - 1e-12, 1e-50, 0.5]])
    got = xl.losses.library_binary_cross_entropy(y, p, library=library, reduction="none")
    if library == "pytorch":
        with np.errstate(divide="ignore"):
            want = -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))
    else:
        want = _keras_naive(y, p, eps_in_log=library == "keras2")
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # away from the clipping, every rule is the exact loss (Keras 2 within about 1e-7 / p)
    mid = slice(0, 44)
    exact = xl.binary_cross_entropy(y[mid], p[mid], reduction="none")
    tol = 1e-4 if library == "keras2" else 1e-12
    np.testing.assert_allclose(got[mid], exact, rtol=tol, atol=tol)
    assert xl.losses.library_binary_cross_entropy(y, p, library=library, base=2) == \
        pytest.approx(np.mean(want) / math.log(2), rel=1e-12)


def test_library_rules_in_float32_as_keras_computes_by_default():
    p = np.array([1e-30, 1.0], dtype=np.float32)
    y = np.array([1.0, 0.0], dtype=np.float32)
    k3 = xl.losses.library_binary_cross_entropy(y, p, library="keras3", reduction="none")
    k2 = xl.losses.library_binary_cross_entropy(y, p, library="keras2", reduction="none")
    assert k3.dtype == k2.dtype == np.float32
    # float32 rounds 1 - 1e-7 to 1 - 2**-23, so label 0 is capped a little lower
    np.testing.assert_allclose(k3, [16.118, 15.942], atol=1e-3)
    np.testing.assert_allclose(k2, [15.425, 15.333], atol=1e-3)


def test_library_must_be_one_of_the_three():
    with pytest.raises(xl.InvalidInputError, match=r"^library must be one of 'keras3'"):
        xl.losses.library_binary_cross_entropy([1], [0.5], library="tensorflow")
    with pytest.raises(xl.InvalidInputError, match=r"logits"):
        xl.losses.library_binary_cross_entropy([1], [3.0])  # probabilities only


# --- PyTorch, when it is installed ---------------------------------------------------------------


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_torch_bce_with_logits(torch, rng, reduction):
    f = torch.nn.functional
    x = rng.normal(scale=5.0, size=(7, 3))
    y = rng.uniform(size=(7, 3))
    pos_weight = rng.uniform(0.1, 4.0, size=3)
    sw = rng.uniform(0.0, 2.0, size=7)
    expected = f.binary_cross_entropy_with_logits(
        torch.from_numpy(x), torch.from_numpy(y), weight=torch.from_numpy(sw[:, None]),
        pos_weight=torch.from_numpy(pos_weight), reduction=reduction).numpy()
    out = xl.binary_cross_entropy(y, x, from_logits=True, sample_weight=sw,
                                  pos_weight=pos_weight, reduction=reduction)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_torch_cross_entropy_class_indices(torch, rng, reduction, label_smoothing, weighted):
    f = torch.nn.functional
    z = rng.normal(scale=3.0, size=(9, 5))
    labels = rng.integers(0, 5, size=9)
    labels[[2, 6]] = -100
    w = rng.uniform(0.1, 3.0, size=5) if weighted else None
    expected = f.cross_entropy(torch.from_numpy(z), torch.from_numpy(labels),
                               weight=None if w is None else torch.from_numpy(w),
                               ignore_index=-100, label_smoothing=label_smoothing,
                               reduction=reduction).numpy()
    out = xl.sparse_categorical_cross_entropy(labels, z, from_logits=True, class_weight=w,
                                              ignore_index=-100,
                                              label_smoothing=label_smoothing,
                                              reduction=reduction)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_torch_cross_entropy_soft_targets(torch, rng, reduction, label_smoothing):
    f = torch.nn.functional
    z = rng.normal(scale=3.0, size=(2, 5, 4))  # (N, K, d): the class axis is 1 in torch
    y = np.moveaxis(random_distribution(rng, (2, 4, 5)), -1, 1)
    expected = f.cross_entropy(torch.from_numpy(z), torch.from_numpy(y),
                               label_smoothing=label_smoothing, reduction=reduction).numpy()
    out = xl.categorical_cross_entropy(y, z, from_logits=True, axis=1,
                                       label_smoothing=label_smoothing, reduction=reduction)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-14)
    labels, one_hot = random_one_hot(rng, (6, 5))
    z2 = rng.normal(size=(6, 5))
    expected = f.cross_entropy(torch.from_numpy(z2), torch.from_numpy(one_hot),
                               reduction=reduction).numpy()
    np.testing.assert_allclose(
        xl.categorical_cross_entropy(one_hot, z2, from_logits=True, reduction=reduction),
        expected, rtol=1e-10, atol=1e-14)


# --- robustness ----------------------------------------------------------------------------------


def _hard_calls():
    """Calls whose internals underflow: each must still give its answer."""
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, -745.0, 0.0]])
    labels = np.array([0, 1])
    one_hot = np.eye(3)[labels]
    yield "bce logits", lambda: xl.binary_cross_entropy([1.0, 0.0, 1.0], [-1000.0, -1000.0, 40.0],
                                                        from_logits=True, reduction="none")
    yield "bce probs", lambda: xl.binary_cross_entropy([1.0, 0.0], [1e-310, 1e-310],
                                                       sample_weight=[1e-10, 1e-300])
    yield "bfocal", lambda: xl.binary_focal_cross_entropy([1.0, 0.0], [1000.0, -1000.0],
                                                          from_logits=True)
    yield "cce", lambda: xl.categorical_cross_entropy(one_hot, z, from_logits=True,
                                                      label_smoothing=0.1, reduction="none")
    yield "cce probs", lambda: xl.categorical_cross_entropy([[1.0, 0.0]], [[1e-310, 1.0]])
    yield "cfocal", lambda: xl.categorical_focal_cross_entropy(one_hot, z, from_logits=True)
    yield "sparse", lambda: xl.sparse_categorical_cross_entropy(labels, z, from_logits=True,
                                                                reduction="none", base=2)
    yield "sparse smooth", lambda: xl.sparse_categorical_cross_entropy(
        labels, z, from_logits=True, label_smoothing=0.2, class_weight=[1.0, 2.0, 0.5])


@pytest.mark.parametrize("how", ["errstate", "seterr"])
@pytest.mark.parametrize(("name", "fn"), list(_hard_calls()))
def test_losses_under_errstate_raise(name, fn, how):
    expected = fn()
    assert np.all(np.isfinite(expected)), name
    with fp_errors_raise(how):
        got = fn()
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("fn", [xl.binary_cross_entropy, xl.binary_focal_cross_entropy,
                                xl.categorical_cross_entropy, xl.categorical_focal_cross_entropy])
@pytest.mark.parametrize("flag", ["False", "True", 0, 1, None, np.array([True])])
def test_from_logits_must_be_a_bool(fn, flag):
    with pytest.raises(xl.InvalidInputError, match=r"^from_logits must be True or False"):
        fn([[1, 0]], [[0.5, 0.5]], from_logits=flag)


@pytest.mark.parametrize("flag", ["False", 1])
def test_sparse_from_logits_must_be_a_bool(flag):
    with pytest.raises(xl.InvalidInputError, match=r"^from_logits must be True or False"):
        xl.sparse_categorical_cross_entropy([0], [[0.5, 0.5]], from_logits=flag)


def test_numpy_bools_are_accepted_as_flags():
    assert xl.binary_cross_entropy([1], [0.0], from_logits=np.bool_(True)) == pytest.approx(
        math.log(2), rel=1e-15)


def test_float16_probabilities_are_judged_by_float16_rounding():
    q16 = np.array([[0.1, 0.2, 0.7]], dtype=np.float16)  # sums to 0.99993 in float16
    expected = -math.log(float(q16[0, 2]))
    assert xl.sparse_categorical_cross_entropy([2], q16) == pytest.approx(expected, rel=1e-15)
    assert xl.categorical_cross_entropy([[0, 0, 1]], q16) == pytest.approx(expected, rel=1e-15)
    assert xl.categorical_cross_entropy(np.array([[0, 0, 1]], dtype=np.float16),
                                        [[0.1, 0.2, 0.7]]) == pytest.approx(-math.log(0.7))
    with pytest.raises(xl.InvalidInputError, match="sum to 1"):  # float64 stays strict
        xl.sparse_categorical_cross_entropy([2], q16.astype(np.float64))


def test_float64_targets_with_float32_predictions_use_the_float32_tolerance():
    rng = np.random.default_rng(5)
    y = rng.dirichlet(np.ones(7), size=50)  # float64, cast to float32 for the computation
    q = rng.dirichlet(np.ones(7), size=50).astype(np.float32)
    out = xl.categorical_cross_entropy(y, q, reduction="none")
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, -(y * np.log(q.astype(np.float64))).sum(-1), rtol=1e-5)


def test_float32_smoothing_without_class_weights_stays_float32():
    z = np.random.default_rng(6).normal(size=(4, 3)).astype(np.float32)
    out = xl.sparse_categorical_cross_entropy([0, 1, 2, 0], z, from_logits=True,
                                              label_smoothing=0.1, reduction="none")
    assert out.dtype == np.float32


# --- inputs that are not numbers, at the size the fast kernels take --------------------------

_N_KERNEL = _kernels.MIN_ELEMENTS // 4 + 1  # rows of 4 classes: enough for the kernels


def _large(kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Labels, one-hot targets, binary targets and probabilities of kernel size; ``kind``
    ("float", "datetime64[ns]", "timedelta64[s]", "str") recasts all four."""
    rng = np.random.default_rng(8)
    labels = rng.integers(0, 4, _N_KERNEL)
    arrays = (labels, np.eye(4)[labels], (rng.random((_N_KERNEL, 4)) < 0.5).astype(float),
              rng.dirichlet(np.ones(4), _N_KERNEL))
    if kind == "float":
        return arrays
    if kind == "str":
        return tuple(a.astype(str) for a in arrays)
    return tuple(np.asarray(a, dtype=np.int64).astype(kind) for a in arrays)


LOSS_ARGUMENTS = [  # (loss, which of _large's arrays are its targets, the targets' name)
    (xl.binary_cross_entropy, 2, "y_true"), (xl.binary_focal_cross_entropy, 2, "y_true"),
    (xl.categorical_cross_entropy, 1, "y_true"),
    (xl.categorical_focal_cross_entropy, 1, "y_true"),
    (xl.sparse_categorical_cross_entropy, 0, "labels"),
]


@pytest.mark.parametrize(("fn", "target", "target_name"), LOSS_ARGUMENTS)
@pytest.mark.parametrize("kind", ["datetime64[ns]", "timedelta64[s]", "str"])
def test_large_non_numeric_inputs_are_refused_with_their_dtype(fn, target, target_name, kind):
    good = _large("float")
    bad = _large(kind)
    for i, name in ((3, "y_pred"), (target, target_name)):
        args = [good[target], good[3]]
        args[0 if i == target else 1] = bad[i]
        dtype = re.escape(str(bad[i].dtype))
        with pytest.raises(xl.InvalidInputError, match=rf"^{name} has dtype {dtype}: expected"):
            fn(*args)


def test_a_large_label_just_below_an_integer_shows_its_fraction():
    labels, _, _, probs = _large("float")
    labels = labels.astype(np.float64)
    labels[-1] = 1.9999999999
    with pytest.raises(xl.InvalidInputError,
                       match=r"non-integer values such as 1\.9999999999\. For one-hot"):
        xl.sparse_categorical_cross_entropy(labels, probs)
