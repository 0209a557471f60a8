"""Class imbalance and label noise (chapter 08): a skewed subset, oversampling, flipped labels."""

from __future__ import annotations

import numpy as np
import pytest

import xentlearn as xl
from xentlearn import datasets
from xentlearn.imbalance import flip_labels, make_imbalanced, resample_balanced


@pytest.fixture(scope="module")
def digits():
    return datasets.load_digits_split()


def _rows(X):
    return {tuple(r) for r in np.asarray(X)}


# --- make_imbalanced ----------------------------------------------------------------------


def test_make_imbalanced_keeps_a_fraction_of_one_class_and_all_others(digits):
    s = digits
    y = (s.y_train == 9).astype(int)
    X_sub, y_sub = make_imbalanced(s.X_train, y, minority_class=1, keep_fraction=0.5, seed=3)
    n_nines = int(y.sum())
    assert int(y_sub.sum()) == round(0.5 * n_nines)
    assert int((y_sub == 0).sum()) == int((y == 0).sum())
    assert X_sub.shape == (y_sub.size, s.n_features) and y_sub.dtype == np.int64
    # every kept row is an original row with its own label, in the original order
    index = {tuple(r): i for i, r in enumerate(s.X_train)}
    positions = [index[tuple(r)] for r in X_sub]
    assert positions == sorted(positions)
    np.testing.assert_array_equal(y_sub, y[positions])


def test_make_imbalanced_is_seeded_and_returns_writable_copies(digits):
    s = digits
    a = make_imbalanced(s.X_train, s.y_train, 3, 0.2, seed=1)
    b = make_imbalanced(s.X_train, s.y_train, 3, 0.2, seed=1)
    c = make_imbalanced(s.X_train, s.y_train, 3, 0.2, seed=2)
    np.testing.assert_array_equal(a[0], b[0])
    assert _rows(a[0]) != _rows(c[0])
    assert a[0].flags.writeable and a[1].flags.writeable
    assert not s.X_train.flags.writeable  # the split itself stays read-only


def test_make_imbalanced_keeps_at_least_one_and_all_at_fraction_one():
    X = np.arange(20.0).reshape(10, 2)
    y = np.array([0] * 7 + [1] * 3)
    _, y_one = make_imbalanced(X, y, 1, 0.01)
    assert int(y_one.sum()) == 1
    X_all, y_all = make_imbalanced(X, y, 1, 1.0)
    np.testing.assert_array_equal(X_all, X)
    np.testing.assert_array_equal(y_all, y)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"keep_fraction": 0.0}, "keep_fraction must be in"),
    ({"keep_fraction": 1.5}, "keep_fraction must be in"),
    ({"minority_class": 7}, "does not occur in y"),
    ({"minority_class": 1.0}, "minority_class must be an integer"),
    ({"minority_class": True}, "minority_class must be an integer"),
    ({"seed": -1}, r"seed must be an integer >= 0, got -1"),
])
def test_make_imbalanced_rejects_bad_arguments(kwargs, match):
    args = {"minority_class": 1, "keep_fraction": 0.5, "seed": 0, **kwargs}
    with pytest.raises(xl.InvalidInputError, match=match):
        make_imbalanced(np.zeros((4, 2)), [0, 0, 1, 1], **args)


def test_make_imbalanced_checks_x_and_y():
    with pytest.raises(xl.InvalidInputError, match="X must be 2-D"):
        make_imbalanced(np.zeros(4), [0, 0, 1, 1], 1, 0.5)
    with pytest.raises(xl.InvalidInputError, match="3 labels but X has 4 rows"):
        make_imbalanced(np.zeros((4, 2)), [0, 1, 1], 1, 0.5)
    with pytest.raises(xl.InvalidInputError, match="integer class labels"):
        make_imbalanced(np.zeros((2, 2)), [0.5, 1], 1, 0.5)
    with pytest.raises(xl.InvalidInputError, match="NaN"):
        make_imbalanced(np.full((2, 2), np.nan), [0, 1], 1, 0.5)


# --- resample_balanced --------------------------------------------------------------------


def test_resample_balanced_equalises_the_classes_with_copies_of_their_own_rows(digits):
    s = digits
    X, y = make_imbalanced(s.X_train, (s.y_train == 9).astype(int), 1, 0.5)
    X_res, y_res = resample_balanced(X, y, seed=0)
    n0 = int((y == 0).sum())
    assert np.bincount(y_res).tolist() == [n0, n0]
    # the originals come first, unchanged; every copy is a row of its own class
    np.testing.assert_array_equal(X_res[:y.size], X)
    np.testing.assert_array_equal(y_res[:y.size], y)
    assert _rows(X_res[y_res == 1]) == _rows(X[y == 1])
    assert _rows(X_res[y_res == 0]) == _rows(X[y == 0])


def test_resample_balanced_many_classes_seeded():
    X = np.arange(12.0).reshape(6, 2)
    y = [2, 0, 0, 0, 1, 1]
    X_a, y_a = resample_balanced(X, y, seed=5)
    X_b, y_b = resample_balanced(X, y, seed=5)
    assert np.bincount(y_a).tolist() == [3, 3, 3]
    np.testing.assert_array_equal(X_a, X_b)
    np.testing.assert_array_equal(y_a, y_b)
    # a class that is already the largest gets no copies
    X_same, y_same = resample_balanced(X[1:5], [0, 0, 1, 1])
    np.testing.assert_array_equal(X_same, X[1:5])


def test_resample_balanced_weights_like_balanced_class_weights():
    """In expectation, oversampling and class_weight="balanced" give each class the same total
    weight in the loss; with copies drawn exactly (every row equally often) the fitted
    logistic regressions agree."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] + 0.5 * rng.normal(size=40) > 1.0).astype(int)
    n0, n1 = int((y == 0).sum()), int((y == 1).sum())
    X_res, y_res = resample_balanced(X, y)
    assert np.bincount(y_res).tolist() == [n0, n0]
    # exact version: repeat each minority row n0 / n1 times (here chosen to divide)
    keep = np.flatnonzero(y == 0)[: 3 * n1]
    Xe = np.concatenate([X[keep], np.repeat(X[y == 1], 3, axis=0)])
    ye = np.concatenate([y[keep], np.repeat(y[y == 1], 3)])
    weighted = xl.LogisticRegression(class_weight="balanced", epochs=300, verbose=False)
    weighted.fit(np.concatenate([X[keep], X[y == 1]]), np.concatenate([y[keep], y[y == 1]]))
    repeated = xl.LogisticRegression(epochs=300, verbose=False).fit(Xe, ye)
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-6, atol=1e-9)


def test_resample_balanced_rejects_bad_arguments():
    with pytest.raises(xl.InvalidInputError, match="seed"):
        resample_balanced(np.zeros((2, 2)), [0, 1], seed=1.5)
    with pytest.raises(xl.InvalidInputError, match="1-D"):
        resample_balanced(np.zeros((2, 2)), [[0], [1]])


# --- flip_labels --------------------------------------------------------------------------


def test_flip_labels_flips_exactly_the_fraction_to_other_classes(digits):
    y = digits.y_train
    noisy = flip_labels(y, 0.3, seed=0)
    flipped = noisy != y
    assert int(flipped.sum()) == round(0.3 * y.size)
    assert noisy.dtype == np.int64 and noisy.min() >= 0 and noisy.max() <= 9
    assert noisy is not y and not np.shares_memory(noisy, y)
    # the new labels are spread over the other classes
    offsets = (noisy[flipped] - y[flipped]) % 10
    assert offsets.min() >= 1 and set(offsets.tolist()) == set(range(1, 10))


def test_flip_labels_is_seeded_and_handles_the_ends():
    y = np.arange(100) % 4
    np.testing.assert_array_equal(flip_labels(y, 0.2, seed=4), flip_labels(y, 0.2, seed=4))
    assert (flip_labels(y, 0.2, seed=4) != flip_labels(y, 0.2, seed=5)).any()
    np.testing.assert_array_equal(flip_labels(y, 0.0), y)
    assert (flip_labels(y, 1.0) != y).all()
    # binary: a flip is 0 <-> 1; n_classes may exceed the labels present
    assert set(flip_labels(np.zeros(10, int), 1.0, n_classes=2).tolist()) == {1}
    assert flip_labels(np.zeros(50, int), 1.0, n_classes=5).max() <= 4


@pytest.mark.parametrize(("args", "kwargs", "match"), [
    (([0, 1, 2], 1.2), {}, "fraction must be in"),
    (([0, 1, 2], -0.1), {}, "fraction must be in"),
    (([0, 0, 0], 0.5), {}, "at least 2 classes"),
    (([0, 1, 3], 0.5), {"n_classes": 3}, r"labels in \[0, 3\)"),
    (([0, -1, 1], 0.5), {}, "found -1"),
    (([0, 1], 0.5), {"n_classes": 2.0}, "n_classes must be an integer"),
    (([0, 1], 0.5), {"n_classes": 1}, r"n_classes must be an integer >= 2 or None, got 1; flip"),
    (([0, 1], 0.5), {"seed": None}, r"seed must be an integer >= 0, got None"),
    (([[0, 1]], 0.5), {}, "must be 1-D"),
    ((["a", "b"], 0.5), {}, "dtype"),
])
def test_flip_labels_rejects_bad_arguments(args, kwargs, match):
    with pytest.raises(xl.InvalidInputError, match=match):
        flip_labels(*args, **kwargs)
