"""argparse types of the command line (``python -m xentlearn``): what a value may be.

A type refuses a value with :class:`argparse.ArgumentTypeError`, whose message argparse
prints after the option's name (``argument --timeout: expected at most 3600 seconds
(1 hour), got '1e10'``), then exits with status 2: no traceback.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable


def _spoken(seconds: float) -> str:
    """``3600`` -> ``"1 hour"``; amounts that are no whole number of hours are not spoken."""
    hours = seconds / 3600
    if seconds >= 3600 and hours == int(hours):
        return f" ({hours:g} hour{'s' * (hours != 1)})"
    return ""


def seconds(maximum: float) -> Callable[[str], float]:
    """An argparse type: a positive, finite number of seconds, at most ``maximum``.

    Parameters
    ----------
    maximum : float
        The largest value accepted.

    Returns
    -------
    callable
        Turns the option's text into a float, or raises ``argparse.ArgumentTypeError``.

    Examples
    --------
    >>> to_seconds = seconds(3600)
    >>> to_seconds("2.5")
    2.5
    >>> to_seconds("1e10")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected at most 3600 seconds (1 hour), got '1e10'
    >>> to_seconds("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a positive, finite number of seconds, got '-1'
    """
    if not (math.isfinite(maximum) and maximum > 0):
        raise ValueError(f"maximum must be a positive, finite number, got {maximum!r}")

    def convert(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a number of seconds, got {text!r}") from None
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(
                f"expected a positive, finite number of seconds, got {text!r}")
        if value > maximum:
            raise argparse.ArgumentTypeError(
                f"expected at most {maximum:g} seconds{_spoken(maximum)}, got {text!r}")
        return value

    convert.__name__ = "seconds"
    return convert


def whole_number(minimum: int = 1) -> Callable[[str], int]:
    """An argparse type: a whole number, at least ``minimum``.

    Examples
    --------
    >>> whole_number(1)("4")
    4
    >>> whole_number(1)("0")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected at least 1, got '0'
    """

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected at least {minimum}, got {text!r}")
        return value

    convert.__name__ = "whole number"
    return convert
