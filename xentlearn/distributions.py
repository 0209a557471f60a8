"""Discrete distributions on a grid, for showing what forward and reverse KL prefer.

A two-bump target ``p`` and a one-bump model ``q`` (a Gaussian discretised on
the same grid) make the asymmetry of KL visible: minimising the forward
divergence :math:`D_{KL}(p \\| q)` spreads ``q`` over both bumps (mode covering),
minimising the reverse :math:`D_{KL}(q \\| p)` puts ``q`` on one bump (mode seeking).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from .information import _kl

__all__ = ["discretized_gaussian", "gaussian_mixture", "KLFit", "fit_gaussian_kl"]


def discretized_gaussian(grid: ArrayLike, mean: float, std: float) -> np.ndarray:
    """A Gaussian density evaluated on ``grid`` and normalised to sum to 1.

    Parameters
    ----------
    grid : array_like, shape (G,)
        Points where the distribution lives.
    mean : float
        Centre of the bump.
    std : float
        Width, ``> 0``.

    Returns
    -------
    ndarray, shape (G,)
        Probabilities summing to 1 (entries far from the mean underflow to 0).
    """
    g = v.as_float(grid, "grid")
    m = v.check_scalar(mean, "mean", low=-np.inf)
    s = v.check_scalar(std, "std", low=0.0, low_open=True)
    z = -0.5 * ((g - m) / s) ** 2
    w = np.exp(z - z.max())
    return w / w.sum()


def gaussian_mixture(grid: ArrayLike, means: ArrayLike, stds: ArrayLike,
                     weights: ArrayLike | None = None) -> np.ndarray:
    """A mixture of discretised Gaussians on ``grid``, summing to 1.

    ``weights`` (default equal) are normalised; each component is normalised
    on the grid before mixing.
    """
    ms = np.atleast_1d(v.as_float(means, "means"))
    ss = np.atleast_1d(v.as_float(stds, "stds"))
    if ms.shape != ss.shape:
        raise v.InvalidInputError(
            f"means has shape {ms.shape} but stds has shape {ss.shape}; give one std per mean"
        )
    w = np.ones_like(ms) if weights is None else np.atleast_1d(v.as_float(weights, "weights"))
    if w.shape != ms.shape or (w < 0).any() or w.sum() == 0:
        raise v.InvalidInputError(
            "weights must be non-negative, one per mean, and not all zero"
        )
    w = w / w.sum()
    parts = zip(w, ms, ss, strict=True)
    return sum(wi * discretized_gaussian(grid, mi, si) for wi, mi, si in parts)


@dataclass
class KLFit:
    """The result of :func:`fit_gaussian_kl`.

    Attributes
    ----------
    means, stds : ndarray
        The searched grid of Gaussian parameters.
    forward, reverse : ndarray, shape (len(means), len(stds))
        :math:`D_{KL}(p \\| q)` and :math:`D_{KL}(q \\| p)` in nats for each candidate ``q``.
    forward_best, reverse_best : tuple of float
        ``(mean, std)`` minimising each.
    """

    means: np.ndarray
    stds: np.ndarray
    forward: np.ndarray
    reverse: np.ndarray
    forward_best: tuple[float, float]
    reverse_best: tuple[float, float]


def fit_gaussian_kl(p: ArrayLike, grid: ArrayLike, means: ArrayLike, stds: ArrayLike) -> KLFit:
    """Fit a one-bump Gaussian ``q`` to ``p`` by grid search, under forward and reverse KL.

    Parameters
    ----------
    p : array_like, shape (G,)
        Target distribution on ``grid``.
    grid : array_like, shape (G,)
        The support.
    means, stds : array_like
        Candidate parameters; every pair is tried.

    Returns
    -------
    KLFit
        Both divergence surfaces and their minimisers.
    """
    pa = v.as_float(p, "p")
    v.check_probabilities(pa, "p")
    v.check_rows_sum_to_one(pa, "p")
    ms = v.as_float(means, "means").ravel()
    ss = v.as_float(stds, "stds").ravel()
    qs = np.array([[discretized_gaussian(grid, m, s) for s in ss] for m in ms])
    forward = _kl(pa, qs)
    reverse = _kl(qs, pa)
    fi = np.unravel_index(np.argmin(forward), forward.shape)
    ri = np.unravel_index(np.argmin(reverse), reverse.shape)
    return KLFit(ms, ss, forward, reverse,
                 (float(ms[fi[0]]), float(ss[fi[1]])), (float(ms[ri[0]]), float(ss[ri[1]])))
