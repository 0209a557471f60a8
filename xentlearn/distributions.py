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
    r"""A Gaussian density evaluated on ``grid`` and normalised to sum to 1.

    .. math:: q_g = \frac{\exp\!\big(-(x_g - \mu)^2 / 2\sigma^2\big)}
              {\sum_h \exp\!\big(-(x_h - \mu)^2 / 2\sigma^2\big)}

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
        Probabilities (no unit) summing to 1 (entries far from the mean underflow to 0).

    Examples
    --------
    >>> discretized_gaussian([-1, 0, 1], mean=0, std=1).round(4).tolist()
    [0.2741, 0.4519, 0.2741]
    """
    g = v.as_float(grid, "grid")
    m = v.check_scalar(mean, "mean", low=-np.inf)
    s = v.check_scalar(std, "std", low=0.0, low_open=True)
    # r_g^2 - r_min^2 as a product, with r = |x - mean| / std: no cancellation, and a point
    # too far to square (r^2 overflows) simply gets weight 0. Far points underflow to 0.
    with np.errstate(over="ignore", under="ignore"):
        r = np.abs(g - m) / s
        r_min = float(r.min())
        v.check_grid_distances(r_min)
        w = np.exp(-0.5 * ((r - r_min) * (r + r_min)))
        return w / w.sum()


def gaussian_mixture(grid: ArrayLike, means: ArrayLike, stds: ArrayLike,
                     weights: ArrayLike | None = None) -> np.ndarray:
    r"""A mixture of discretised Gaussians on ``grid``, summing to 1.

    .. math:: p = \sum_j \pi_j \, q^{(\mu_j, \sigma_j)}, \qquad
              \pi_j = w_j / \sum_l w_l,

    with :math:`q^{(\mu, \sigma)}` the :func:`discretized_gaussian` on ``grid``:
    ``weights`` (default equal) are normalised, and each component is normalised
    on the grid before mixing.

    Parameters
    ----------
    grid : array_like, shape (G,)
        Points where the distribution lives.
    means, stds : array_like, shape (J,)
        One centre and one width (``> 0``) per component.
    weights : array_like, shape (J,), optional
        Non-negative, not all zero; default equal.

    Returns
    -------
    ndarray, shape (G,)
        Probabilities (no unit) summing to 1.

    Examples
    --------
    >>> gaussian_mixture([-1, 0, 1], means=[-1, 1], stds=[0.5, 0.5]).round(4).tolist()
    [0.4404, 0.1192, 0.4404]
    >>> gaussian_mixture([-1, 0, 1], [-1, 1], [0.5, 0.5], weights=[1, 3]).round(4).tolist()
    [0.2204, 0.1192, 0.6605]
    """
    ms, ss, w = v.check_mixture(means, stds, weights)
    parts = zip(w, ms, ss, strict=True)
    with np.errstate(under="ignore"):  # a small weight times a far tail is negligible
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

    Examples
    --------
    >>> grid = np.linspace(-5, 5, 101)
    >>> fit = fit_gaussian_kl(gaussian_mixture(grid, [-2, 2], [0.6, 0.6]), grid,
    ...                       means=[-2, 0, 2], stds=[0.5, 2.0])
    >>> fit.forward.shape
    (3, 2)
    """

    means: np.ndarray
    stds: np.ndarray
    forward: np.ndarray
    reverse: np.ndarray
    forward_best: tuple[float, float]
    reverse_best: tuple[float, float]


# Divergences within this relative distance of the smallest count as equally small.
TIE_RTOL = 1e-9


def _first_min(d: np.ndarray) -> tuple[int, ...]:
    """Index of the smallest entry, the first in C order among those equal to it up to rounding.

    A symmetric ``p`` has two mirror-image minimisers whose divergences differ only in
    their last bits, one way or the other depending on how the CPU rounds exp and log;
    taking the first of the near-equal ones makes the choice the same everywhere.
    """
    flat = d.ravel()
    low = np.min(flat)
    if not np.isfinite(low):  # nan or every entry inf: as np.argmin
        return np.unravel_index(np.argmin(flat), d.shape)
    tied = np.flatnonzero(flat <= low + TIE_RTOL * abs(low))
    return np.unravel_index(tied[0], d.shape)


def fit_gaussian_kl(p: ArrayLike, grid: ArrayLike, means: ArrayLike, stds: ArrayLike) -> KLFit:
    r"""Fit a one-bump Gaussian ``q`` to ``p`` by grid search, under forward and reverse KL.

    For every candidate :math:`q = q^{(\mu, \sigma)}` (a :func:`discretized_gaussian`)
    it computes the forward :math:`D_{KL}(p \| q) = \sum_g p_g \log(p_g / q_g)` and the
    reverse :math:`D_{KL}(q \| p)`, in nats, and keeps the minimiser of each.

    Parameters
    ----------
    p : array_like, shape (G,)
        Target distribution on ``grid``.
    grid : array_like, shape (G,)
        The support.
    means, stds : array_like
        Candidate parameters; every pair is tried. Of candidates whose divergences are
        equal up to rounding (relative ``1e-9``), the first (in ``means``, then ``stds``
        order) is kept, so that a symmetric ``p`` gets the same answer on every CPU.

    Returns
    -------
    KLFit
        Both divergence surfaces (nats), shape ``(len(means), len(stds))``, and their
        minimisers.

    Examples
    --------
    Two bumps at -2 and 2 (weights 0.4 and 0.6): forward KL covers both with one wide
    Gaussian near their mean 0.4; reverse KL picks the heavier bump.

    >>> grid = np.linspace(-5, 5, 101)
    >>> p = gaussian_mixture(grid, [-2, 2], [0.6, 0.6], weights=[0.4, 0.6])
    >>> fit = fit_gaussian_kl(p, grid, means=np.linspace(-3, 3, 13), stds=[0.5, 1, 2, 3])
    >>> fit.forward_best, fit.reverse_best
    ((0.5, 2.0), (2.0, 0.5))
    >>> round(float(fit.forward.min()), 4)                   # nats
    0.5441
    """
    pa, tol = v.as_float_with_tol(p, "p")
    v.check_one_distribution(pa, "p")
    v.check_probabilities(pa, "p")
    v.check_rows_sum_to_one(pa, "p", tol_dtype=tol)
    v.check_same_shape(pa, v.as_float(grid, "grid"), "p", "grid")
    ms = v.as_float(means, "means").ravel()
    ss = v.as_float(stds, "stds").ravel()
    qs = np.array([[discretized_gaussian(grid, m, s) for s in ss] for m in ms])
    forward = _kl(pa, qs)
    reverse = _kl(qs, pa)
    fi, ri = _first_min(forward), _first_min(reverse)
    return KLFit(ms, ss, forward, reverse,
                 (float(ms[fi[0]]), float(ss[fi[1]])), (float(ms[ri[0]]), float(ss[ri[1]])))
