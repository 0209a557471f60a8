"""Typical mistakes that several questions share, each with the feedback it gets.

A question lists the ones that fit it, with its own words where the subject
differs (entropy, surprise, cross-entropy and calibration error each go wrong
in their own way); the general checker knows none of them.

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

__all__ = ["unit", "sign", "zero_log_zero", "overflow", "infinite", "summed", "LN2"]

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

    return Mistake(f"Off by a factor of ln 2 = 0.6931 (or 1 / ln 2): check the log base; the "
                   f"question asks for {asked} ({how}).", when=when)


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

    return Mistake(why, when=when)


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

    return Mistake(why, when=when)


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

    return Mistake(why, when=when)


def infinite(why: str) -> Mistake:
    """The answer is inf (a probability 0 where it matters) and the result is finite.

    Examples
    --------
    >>> infinite("q = 0 where p > 0 gives inf").matches(np.array(3.0), np.array(np.inf), ())
    True
    """

    def when(got, expected, args):
        return _same_shape(got, expected) and bool((np.isinf(expected) & np.isfinite(got)).any())

    return Mistake(why, when=when)


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

    return Mistake(why, when=when)
