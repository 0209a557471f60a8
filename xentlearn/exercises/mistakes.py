"""Typical mistakes that several questions share, each with the feedback it gets.

A question lists the ones that fit it, with its own words where the subject
differs (entropy, surprise, cross-entropy and calibration error each go wrong
in their own way); the general checker knows none of them. Each has the same
name on every question (``"wrong_log_base"``, ``"sign_flipped"`` ...), so a
class's results can be counted by mistake across chapters.

Examples
--------
>>> import numpy as np
>>> m = unit("nats")
>>> m.matches(np.array([1.0]), np.array([np.log(2)]), ())
True
>>> print(m.why)                                    # doctest: +NORMALIZE_WHITESPACE
Off by a factor of ln 2 = 0.6931 (or 1 / ln 2): check the log base;
the question asks for nats (the natural log, np.log).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .checker import Mistake

__all__ = ["unit", "sign", "zero_log_zero", "overflow", "infinite", "summed", "averaged",
           "global_max_shift", "clipped", "LN2"]

#: ln 2: a result in bits times ln 2 is the result in nats.
LN2 = math.log(2)


def _same_shape(got: np.ndarray, expected: np.ndarray) -> bool:
    return got.shape == expected.shape


def _floats(args: tuple) -> list[np.ndarray]:
    return [a for a in args if isinstance(a, np.ndarray) and a.dtype.kind == "f"]


def unit(asked: str) -> Mistake:
    """The result is off by ln 2 or 1 / ln 2: the other log base.

    Parameters
    ----------
    asked : {"bits", "nats"}
        The unit the question asks for.

    Examples
    --------
    >>> unit("bits").matches(np.array(0.6931471805599453), np.array(1.0), ())
    True
    """
    how = "log base 2, np.log2" if asked == "bits" else "the natural log, np.log"

    def when(got, expected, args):
        ok = np.isfinite(expected) & (expected != 0)
        return (_same_shape(got, expected) and ok.any() and any(
            np.allclose(got[ok], expected[ok] * k, rtol=1e-6) for k in (LN2, 1 / LN2)))

    return Mistake("wrong_log_base", f"Off by a factor of ln 2 = 0.6931 (or 1 / ln 2): check the "
                   f"log base; the question asks for {asked} ({how}).", when=when)


def sign(why: str) -> Mistake:
    """The result is the answer with the opposite sign; ``why`` says where the minus goes.

    Examples
    --------
    >>> sign("entropy is -sum p log p").matches(np.array(-1.5), np.array(1.5), ())
    True
    """

    def when(got, expected, args):
        ok = np.isfinite(expected) & np.isfinite(got)
        return (_same_shape(got, expected) and bool(np.any(expected[ok] != 0))
                and np.allclose(got[ok], -expected[ok], rtol=1e-6))

    return Mistake("sign_flipped", why, when=when)


def zero_log_zero(why: str = "Your result has nan: 0 * log(0) must count as 0 (select the "
                  "non-zero entries, or use np.where).") -> Mistake:
    """nan where the answer is a number, and an input has exact zeros: 0 * log 0.

    Examples
    --------
    >>> zero_log_zero().matches(np.array(np.nan), np.array(1.0), (np.array([0.0, 1.0]),))
    True
    """

    def when(got, expected, args):
        return (_same_shape(got, expected) and bool((np.isnan(got) & ~np.isnan(expected)).any())
                and any((a == 0).any() for a in _floats(args)))

    return Mistake("zero_log_zero", why, when=when)


OVERFLOW = ("Your result has inf or nan where the answer is finite: exp of a large logit "
            "overflows. Subtract the maximum first (the log-sum-exp trick) and never take the "
            "log of a probability that has underflowed to 0.")


def overflow(why: str = OVERFLOW) -> Mistake:
    """inf or nan where the answer is finite, with inputs of 100 or more: exp overflowed.

    Examples
    --------
    >>> overflow().matches(np.array([np.inf]), np.array([1000.0]), (np.array([1000.0]),))
    True
    """

    def when(got, expected, args):
        return (_same_shape(got, expected)
                and bool((~np.isfinite(got) & np.isfinite(expected)).any())
                and any(a.size and np.abs(a[np.isfinite(a)]).max(initial=0) >= 100
                        for a in _floats(args)))

    return Mistake("overflow", why, when=when)


def infinite(why: str) -> Mistake:
    """The answer is inf (a probability 0 where it matters) and the result is finite.

    Examples
    --------
    >>> infinite("q = 0 where p > 0 gives inf").matches(np.array(3.0), np.array(np.inf), ())
    True
    """

    def when(got, expected, args):
        return _same_shape(got, expected) and bool((np.isinf(expected) & np.isfinite(got)).any())

    return Mistake("finite_for_inf", why, when=when)


def summed(count: Callable[..., float], why: str = "That is the sum over the samples; the "
           "question asks for the mean: divide by their number (or use np.mean).") -> Mistake:
    """The result is ``count(*args)`` times the answer: a sum where the mean is asked for.

    Examples
    --------
    >>> m = summed(lambda y, p: y.size)
    >>> m.matches(np.array(3.0), np.array(1.0), (np.zeros(3), np.zeros(3)))
    True
    """

    def when(got, expected, args):
        n = count(*args)
        ok = np.isfinite(expected) & (expected != 0)
        return (n != 1 and _same_shape(got, expected) and ok.any()
                and np.allclose(got[ok], expected[ok] * n, rtol=1e-6))

    return Mistake("sum_for_mean", why, when=when)


def averaged(count: Callable[..., tuple], why: str) -> Mistake:
    """The result is the answer divided by one of ``count(*args)``: a mean where a sum is asked.

    Examples
    --------
    >>> m = averaged(lambda p: (p.size,), "a mean, not a sum")
    >>> m.matches(np.array(0.5), np.array(1.5), (np.zeros(3),))
    True
    """

    def when(got, expected, args):
        ok = np.isfinite(expected) & (expected != 0)
        return _same_shape(got, expected) and ok.any() and any(
            n > 1 and np.allclose(got[ok] * n, expected[ok], rtol=1e-6) for n in count(*args))

    return Mistake("mean_for_sum", why, when=when)


#: How far below the array's maximum a row must lie for exp(row - maximum) to be all 0.
FAR = 745.0


def _far_rows(args: tuple) -> np.ndarray | None:
    """Which rows of a 2-D float argument lie wholly FAR below its maximum, or None."""
    for a in _floats(args):
        if a.ndim == 2 and a.size and np.isfinite(a).all():
            far = a.max(axis=1) < a.max() - FAR
            if far.any():
                return far
    return None


def global_max_shift(why: str = "You subtracted the maximum of the whole array, not of each "
                     "row: a row far below the largest logit then has exp(z - max) = 0 for "
                     "every entry, and its log-sum-exp is log 0 = -inf. Subtract each row's own "
                     "maximum: z.max(axis=-1, keepdims=True).") -> Mistake:
    """inf or nan where the answer is finite, and some row lies far below the array's maximum.

    Where the result has one row per input row, only those far rows may be wrong.

    Examples
    --------
    >>> z = np.array([[1000.0, 999.0], [-1000.0, -1001.0]])
    >>> got = np.array([[0.73, 0.27], [np.nan, np.nan]])
    >>> global_max_shift().matches(got, np.array([[0.73, 0.27], [0.73, 0.27]]), (z,))
    True
    """

    def when(got, expected, args):
        far = _far_rows(args)
        if far is None or not _same_shape(got, expected):
            return False
        bad = ~np.isfinite(got) & np.isfinite(expected)
        if got.ndim >= 1 and got.shape[0] == far.shape[0]:
            rows = bad.reshape(got.shape[0], -1).any(axis=1)
            return bool(rows.any()) and not (rows & ~far).any()
        return bool(bad.any())

    return Mistake("global_max_shift", why, when=when)


def clipped(why: str) -> Mistake:
    """A finite loss well below the answer, on a case whose answer is huge or inf: clipping.

    The answer is over 30 nats (a probability of 1e-300, say) or inf (a probability 0);
    a loss that clips (``np.clip(p, eps, 1 - eps)``, ``log(p + eps)``) stays finite and small.

    Examples
    --------
    >>> m = clipped("this clips")
    >>> m.matches(np.array(34.5), np.array(690.8), ())
    True
    >>> m.matches(np.array(34.5), np.array(np.inf), ())
    True
    """

    def when(got, expected, args):
        if not _same_shape(got, expected) or not np.isfinite(got).all() or (got < 0).any():
            return False
        huge = np.isinf(expected) | (expected > 30)
        return bool((huge & (np.isinf(expected) | (expected > 2 * got))).any())

    return Mistake("clipped", why, when=when)
