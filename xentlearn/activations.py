"""Activations that turn logits into probabilities, computed without overflow.

All functions accept array-likes, keep float32 as float32 (anything else gives
float64) and reject NaN, inf and empty input with :class:`InvalidInputError`.
Underflow of negligible terms is part of the answer, so they answer even under
``np.errstate(all="raise")``.

References
----------
Blanchard, Higham and Higham, "Accurately computing the log-sum-exp and softmax
functions", IMA Journal of Numerical Analysis 41 (2021).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v

__all__ = ["logsumexp", "softmax", "log_softmax", "sigmoid", "log_sigmoid", "softplus"]


# --- private kernels: last axis, validated float input -------------------------------------


def _lse_parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pieces of log-sum-exp along the last axis, each with keepdims.

    Returns ``(m, shifted, e, rest)`` where ``m`` is the row maximum,
    ``shifted = z - m``, ``e = exp(shifted)`` and ``rest`` the sum of ``e`` without the
    maximum's entry (which is 1), so that ``logsumexp(z) = m + log1p(rest)``.
    Leaving the maximum's 1 out of the sum and using ``log1p`` keeps the result
    exact to rounding when every other entry is tiny.
    """
    idx = np.argmax(z, axis=-1)[..., None]
    m = np.take_along_axis(z, idx, axis=-1)
    with np.errstate(over="ignore", under="ignore"):
        shifted = z - m
        e = np.exp(shifted)  # entries far below the maximum underflow to 0: harmless
    np.put_along_axis(e, idx, 0.0, axis=-1)
    rest = e.sum(axis=-1, keepdims=True)
    np.put_along_axis(e, idx, 1.0, axis=-1)
    return m, shifted, e, rest


# Underflow to a subnormal number or to 0 is the expected result wherever a term is
# negligible, so the kernels ignore it; a caller's np.errstate(all="raise") must not
# turn it into an error.


def _log_softmax(z: np.ndarray) -> np.ndarray:
    _, shifted, _, rest = _lse_parts(z)
    with np.errstate(under="ignore"):
        shifted -= np.log1p(rest)
    return shifted


def _softmax(z: np.ndarray) -> np.ndarray:
    _, _, e, rest = _lse_parts(z)
    with np.errstate(under="ignore"):
        e /= 1 + rest
    return e


def _logsumexp(z: np.ndarray) -> np.ndarray:
    m, _, _, rest = _lse_parts(z)
    with np.errstate(under="ignore"):
        return (m + np.log1p(rest))[..., 0]


def _softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), exact for any finite x."""
    with np.errstate(under="ignore"):
        return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))."""
    with np.errstate(under="ignore"):
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1, e) / (1 + e)


def _scaled(z, temperature, name: str = "z") -> np.ndarray:
    arr = v.as_float(z, name)
    t = v.check_temperature(temperature)
    if t != 1.0:
        # divide in float64 (a float32 temperature could round to 0 or inf), then keep z's type
        with np.errstate(over="ignore", under="ignore"):
            arr = (arr / np.float64(t)).astype(arr.dtype, copy=False)
        v.check_finite(arr, f"{name} / temperature")
    return arr


# --- public functions -------------------------------------------------------------------------


def logsumexp(z: ArrayLike, *, axis: int = -1) -> np.ndarray:
    r"""Log of the sum of exponentials, :math:`\log \sum_k e^{z_k}`, along ``axis``.

    Computed as :math:`m + \operatorname{log1p}(\sum_{k \ne k^*} e^{z_k - m})` with
    :math:`m = z_{k^*} = \max_k z_k`: no overflow for logits of any finite size
    (1e300 is fine) and full precision when one logit dominates.

    Parameters
    ----------
    z : array_like, shape (..., K, ...)
        Finite real numbers.
    axis : int
        The axis to reduce, default the last.

    Returns
    -------
    ndarray
        ``z``'s shape without ``axis``, on the scale of ``z`` (for natural-log logits,
        nats).

    Examples
    --------
    >>> round(float(logsumexp([0.0, 0.0])), 4)                # log 2
    0.6931
    >>> round(float(logsumexp([1000.0, 1000.0])), 4)          # 1000 + log 2, no overflow
    1000.6931
    """
    arr = v.move_axis_last(v.as_float(z, "z"), axis, "z")
    return _logsumexp(arr)


def log_softmax(z: ArrayLike, *, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    r"""Log-probabilities :math:`\log \mathrm{softmax}(z/T)_k = z_k/T - \mathrm{logsumexp}(z/T)`.

    This fused form is what losses from logits use: it never takes the log of a
    probability that has underflowed to 0, so ``log_softmax([0, -1000])`` is
    ``[0, -1000]`` where ``log(softmax(...))`` gives ``-inf``.

    Parameters
    ----------
    z : array_like, shape (..., K, ...)
        Logits (unnormalised log-probabilities), finite.
    axis : int
        The class axis, default the last.
    temperature : float
        ``T > 0``; the logits are divided by it. ``T > 1`` flattens, ``T < 1`` sharpens.

    Returns
    -------
    ndarray
        Same shape as ``z``; natural-log probabilities (:math:`-\log q_k` is the surprise
        in nats), each slice along ``axis`` satisfies ``logsumexp = 0``.

    Examples
    --------
    >>> log_softmax([2.0, 1.0, 0.1]).round(4).tolist()
    [-0.417, -1.417, -2.317]
    >>> log_softmax([0.0, -1000.0]).tolist()
    [0.0, -1000.0]
    """
    arr = _scaled(z, temperature)
    moved = v.move_axis_last(arr, axis, "z")
    out = _log_softmax(moved)
    return np.moveaxis(out, -1, axis) if moved is not arr else out


def softmax(z: ArrayLike, *, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    r"""Probabilities :math:`\mathrm{softmax}(z/T)_k = e^{z_k/T} / \sum_j e^{z_j/T}`.

    Invariant to adding a constant to every logit; computed after subtracting
    the row maximum, so large logits do not overflow.

    Parameters
    ----------
    z : array_like, shape (..., K, ...)
        Logits, finite.
    axis : int
        The class axis, default the last.
    temperature : float
        ``T > 0``. ``T -> 0`` approaches one-hot at the arg max; ``T -> inf`` the uniform
        distribution.

    Returns
    -------
    ndarray
        Same shape as ``z``: probabilities (no unit), non-negative, summing to 1 along
        ``axis``.

    Examples
    --------
    >>> softmax([2.0, 1.0, 0.1]).round(4).tolist()
    [0.659, 0.2424, 0.0986]
    >>> softmax([2.0, 1.0, 0.1], temperature=10).round(4).tolist()  # flatter
    [0.3661, 0.3312, 0.3027]
    """
    arr = _scaled(z, temperature)
    moved = v.move_axis_last(arr, axis, "z")
    out = _softmax(moved)
    return np.moveaxis(out, -1, axis) if moved is not arr else out


def sigmoid(z: ArrayLike) -> np.ndarray:
    r"""The logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, elementwise.

    Evaluated as :math:`e^{z} / (1 + e^{z})` for negative ``z``, so neither branch
    overflows. :math:`\sigma(-z) = 1 - \sigma(z)`.

    Parameters
    ----------
    z : array_like, any shape
        Logits, finite.

    Returns
    -------
    ndarray
        Same shape as ``z``: probabilities in [0, 1] (no unit).

    Examples
    --------
    >>> sigmoid([0.0, 2.0, -2.0]).round(4).tolist()
    [0.5, 0.8808, 0.1192]
    """
    return _sigmoid(v.as_float(z, "z"))


def log_sigmoid(z: ArrayLike) -> np.ndarray:
    r"""Elementwise :math:`\log \sigma(z) = -\mathrm{softplus}(-z)`, exact for any finite ``z``.

    ``log_sigmoid(-1000)`` is ``-1000`` (not ``-inf``); ``log_sigmoid(40)`` is
    ``-4.25e-18`` (not ``0``).

    Parameters
    ----------
    z : array_like, any shape
        Logits, finite.

    Returns
    -------
    ndarray
        Same shape as ``z``: natural-log probabilities, at most 0 (minus the surprise in
        nats).

    Examples
    --------
    >>> round(float(log_sigmoid(0.0)), 4)                     # log 1/2
    -0.6931
    >>> float(log_sigmoid(-1000.0))
    -1000.0
    """
    return _log_sigmoid(v.as_float(z, "z"))


def softplus(z: ArrayLike) -> np.ndarray:
    r"""Elementwise :math:`\log(1 + e^{z}) = \max(z, 0) + \operatorname{log1p}(e^{-|z|})`.

    The binary cross-entropy of a logit ``z`` is ``softplus(-z)`` for label 1 and
    ``softplus(z)`` for label 0 (in nats).

    Parameters
    ----------
    z : array_like, any shape
        Finite real numbers.

    Returns
    -------
    ndarray
        Same shape as ``z``, positive; in nats when it is a loss as above.

    Examples
    --------
    >>> softplus([0.0, 2.0, -2.0]).round(4).tolist()
    [0.6931, 2.1269, 0.1269]
    >>> float(softplus(1000.0))                               # no overflow
    1000.0
    """
    return _softplus(v.as_float(z, "z"))
