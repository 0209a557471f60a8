"""Class imbalance and label noise, made from any labelled data (the pitfalls chapter).

* :func:`make_imbalanced`: a skewed subset, one class thinned out;
* :func:`resample_balanced`: random oversampling until every class is as large as the
  largest;
* :func:`flip_labels`: symmetric label noise, a share of the labels changed to another
  class.

All three are seeded: the same seed gives the same result.
"""

from __future__ import annotations

import numpy as np

from . import _validation as _v

__all__ = ["make_imbalanced", "resample_balanced", "flip_labels"]


def make_imbalanced(X, y, minority_class: int, keep_fraction: float,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""A skewed subset: every sample of the other classes, a fraction of one class.

    Keeps a seeded random :math:`\max(1, \mathrm{round}(f \, n_m))` of the
    :math:`n_m` samples of ``minority_class`` (``f`` = ``keep_fraction``) and all
    the others, so that class becomes rarer. Apply it with the same fraction to the
    training and the test part to make a whole problem imbalanced; to the
    training part alone, it also shifts the class balance between training and test.

    Parameters
    ----------
    X : array_like, shape (N, D)
        Features.
    y : array_like of int, shape (N,)
        Class labels.
    minority_class : int
        The label to thin out; it must occur in ``y``.
    keep_fraction : float
        In (0, 1]: the share of that class's samples to keep (1 keeps all).
    seed : int
        Seeds the choice; the same seed gives the same subset.

    Returns
    -------
    (X_sub, y_sub) : ndarrays, shapes (M, D) and (M,)
        New arrays (``y_sub`` of int64), rows in their original order.

    Examples
    --------
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    >>> X_sub, y_sub = make_imbalanced(X, y, minority_class=1, keep_fraction=0.5)
    >>> y_sub.tolist()
    [0, 0, 0, 0, 0, 0, 1, 1]
    """
    Xa, ya = _v.as_samples(X, y)
    _v.check_int(minority_class, "minority_class", low=0, hint="; a class label of y")
    frac = _v.check_scalar(keep_fraction, "keep_fraction", low=0.0, high=1.0, low_open=True,
                           hint="; 0.1 keeps a tenth of the class")
    seed = _v.check_int(seed, "seed", low=0)
    _v.check_class_present(minority_class, ya, "minority_class")
    members = np.flatnonzero(ya == minority_class)
    n_keep = max(1, int(round(frac * members.size)))
    kept = np.random.default_rng(seed).choice(members, size=n_keep, replace=False)
    rows = np.sort(np.concatenate([np.flatnonzero(ya != minority_class), kept]))
    return Xa[rows].copy(), ya[rows].copy()


def resample_balanced(X, y, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random oversampling: copies of the smaller classes' samples until all classes are equal.

    Every class gets as many samples as the largest one: all its own samples, plus
    samples drawn from it at random *with replacement* (seeded). Nothing new is
    created; a rare class's few samples simply count several times, which in
    expectation weights the loss like ``class_weight="balanced"``.

    Parameters
    ----------
    X : array_like, shape (N, D)
        Features (the training part only: never resample the test part).
    y : array_like of int, shape (N,)
        Class labels.
    seed : int
        Seeds the draws.

    Returns
    -------
    (X_res, y_res) : ndarrays, shapes (K * n_max, D) and (K * n_max,)
        The original rows first, in order, then the drawn copies class by class
        (``K`` the number of distinct labels, ``n_max`` the largest class count).

    Examples
    --------
    >>> X = np.arange(10.0).reshape(5, 2)
    >>> X_res, y_res = resample_balanced(X, [0, 0, 0, 1, 1])
    >>> np.bincount(y_res).tolist()
    [3, 3]
    """
    Xa, ya = _v.as_samples(X, y)
    seed = _v.check_int(seed, "seed", low=0)
    rng = np.random.default_rng(seed)
    labels, counts = np.unique(ya, return_counts=True)
    largest = int(counts.max())
    extra = [rng.choice(np.flatnonzero(ya == k), size=largest - int(c), replace=True)
             for k, c in zip(labels, counts, strict=True)]
    rows = np.concatenate([np.arange(ya.size), *extra])
    return Xa[rows].copy(), ya[rows].copy()


def flip_labels(y, fraction: float, seed: int = 0, n_classes: int | None = None) -> np.ndarray:
    """Symmetric label noise: a share of the labels replaced by a different, random class.

    Chooses a seeded random ``round(fraction * N)`` of the ``N`` samples and gives
    each a new label drawn uniformly from the ``K - 1`` classes other than its own,
    so exactly that many labels are wrong.

    Parameters
    ----------
    y : array_like of int, shape (N,)
        Class labels in ``[0, K)``.
    fraction : float
        In [0, 1]: the share of labels to flip.
    seed : int
        Seeds which labels flip and to what.
    n_classes : int, optional
        ``K``; default ``max(y) + 1``. At least 2.

    Returns
    -------
    ndarray of int64, shape (N,)
        The noisy labels (a new array; ``y`` is unchanged). ``noisy != y`` marks the
        flipped samples.

    Examples
    --------
    >>> y = np.zeros(10, dtype=int)
    >>> noisy = flip_labels(y, 0.3, n_classes=3)
    >>> int((noisy != y).sum())
    3
    """
    ya = _v.as_int_labels(y, "y")
    frac = _v.check_scalar(fraction, "fraction", low=0.0, high=1.0,
                           hint="; 0.3 flips 30 % of the labels")
    seed = _v.check_int(seed, "seed", low=0)
    k = _v.check_flip_classes(n_classes, ya)
    rng = np.random.default_rng(seed)
    n_flip = int(round(frac * ya.size))
    rows = rng.choice(ya.size, size=n_flip, replace=False)
    noisy = ya.copy()
    noisy[rows] = (ya[rows] + rng.integers(1, k, size=n_flip)) % k
    return noisy
