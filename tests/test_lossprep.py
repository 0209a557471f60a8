"""The shared loss machinery: prepared arguments and what "mean" divides by."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from xentlearn import InvalidInputError
from xentlearn import _lossprep as prep
from xentlearn import _validation as v

PROBS = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]])


def _categorical(**kw):
    args = {"from_logits": False, "label_smoothing": 0.0, "class_weight": None,
            "sample_weight": None, "reduction": "mean", "base": None, "axis": -1}
    args.update(kw)
    return prep.prepare_categorical(PROBS, **args)


def test_prepare_targets_returns_the_denominator_and_leaves_its_input_alone():
    c = _categorical(class_weight=[1.0, 2.0, 4.0])
    y, red = prep.prepare_targets([[1, 0, 0], [0, 0, 1], [0, 1, 0]], c, -1)
    assert red.denominator == 1.0 + 4.0 + 2.0
    assert c.red.denominator is None  # nothing set on the prepared predictions
    np.testing.assert_array_equal(y, np.eye(3)[[0, 2, 1]])
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.red.denominator = 3.0  # type: ignore[misc]


def test_prepare_sparse_denominators():
    kw = {"from_logits": False, "label_smoothing": 0.0, "sample_weight": None,
          "reduction": "mean", "base": None, "axis": -1}
    s = prep.prepare_sparse([0, -1, 2], PROBS, class_weight=[0.5, 1.0, 3.0], ignore_index=-1,
                            **kw)
    assert s.red.denominator == 0.5 + 3.0
    np.testing.assert_array_equal(s.labels, [0, 0, 2])
    np.testing.assert_array_equal(s.label_weight, [0.5, 0.0, 3.0])
    assert s.c.red.denominator is None
    s = prep.prepare_sparse([0, -1, 2], PROBS, class_weight=None, ignore_index=-1, **kw)
    assert s.red.denominator == 2
    s = prep.prepare_sparse([0, 1, 2], PROBS, class_weight=None, ignore_index=None, **kw)
    assert s.red.denominator is None and s.valid is None


def test_reduction_mean_sum_none_and_base():
    losses = np.array([1.0, 2.0, 3.0])
    assert prep.Reduction("mean", None).apply(losses) == 2.0
    assert prep.Reduction("mean", None).over(4.0).apply(losses) == 1.5
    assert prep.Reduction("sum", np.log(2)).apply(losses) == pytest.approx(6 / np.log(2))
    np.testing.assert_array_equal(prep.Reduction("none", None, np.array([0.0, 1.0, 2.0]))
                                  .apply(np.array([np.inf, 1.0, 1.0])), [0.0, 1.0, 2.0])
    with pytest.raises(InvalidInputError, match="sum to 0"):
        prep.Reduction("mean", None, denominator=0.0).apply(losses)


def test_gradient_scale_follows_the_reduction():
    g = np.ones((2, 3))
    np.testing.assert_array_equal(
        prep.Reduction("mean", None).finish_grad(g, 2, per_sample=True), g / 2)
    np.testing.assert_array_equal(
        prep.Reduction("sum", None, np.array([2.0, 0.0])).finish_grad(g, 2, per_sample=True),
        [[2.0] * 3, [0.0] * 3])


def test_tolerance_dtype_is_the_coarser_one():
    f16, f32, f64 = (np.zeros(1, dt) for dt in (np.float16, np.float32, np.float64))
    assert prep.tol_dtype(f16, f64) == np.float16
    assert prep.tol_dtype(f64, f32) == np.float32
    assert prep.tol_dtype(np.zeros(1, int), f64) == np.float64
    assert prep.tol_dtype(np.zeros(1, bool), f32) == np.float32


@pytest.mark.parametrize("given", [np.float16, np.float32, np.float64, np.int8, np.int64, bool])
@pytest.mark.parametrize("ours", [np.float32, np.float64])
def test_tolerance_dtype_agrees_with_the_validation_rule(given, ours):
    raw, arr = np.zeros(1, given), np.zeros(1, ours)
    caller = v.tolerance_dtype(raw)
    assert np.finfo(prep.tol_dtype(raw, arr)).eps == max(np.finfo(caller).eps,
                                                        np.finfo(arr.dtype).eps)
    if ours == np.float64:  # computing in float64 loses nothing: the caller's rule alone
        assert prep.tol_dtype(raw, arr) == caller


def test_times_counts_zero_times_minus_inf_as_zero():
    np.testing.assert_array_equal(prep.times(np.array([0.0, 2.0]), np.array([-np.inf, -1.0])),
                                  [0.0, -2.0])


def test_from_logits_is_checked_as_a_bool():
    with pytest.raises(InvalidInputError, match="from_logits"):
        _categorical(from_logits="False")
    with pytest.raises(InvalidInputError, match="from_logits"):
        prep.prepare_binary([1.0], [0.5], from_logits=1)
