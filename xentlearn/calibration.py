r"""Calibration: do predicted probabilities match how often the model is right?

* :func:`reliability_curve` and :func:`expected_calibration_error`: top-label
  calibration over equal-width confidence bins (Guo et al., 2017).
* :func:`fit_temperature`: temperature scaling, the one-parameter fix. Dividing
  every logit by the same :math:`T > 0` changes no prediction (the arg max stays),
  only the confidence; :math:`T` is chosen to minimise the negative log-likelihood
  on held-out data.
* :func:`best_constant_probability`: the probability a loss rewards most for a group
  of samples a model cannot tell apart; the share of 1s for cross-entropy (a *proper*
  loss), something closer to 0.5 for the focal loss.

Binary models are handled by giving probabilities of shape (N,) (the positive
class's) or logits of shape (N,); they are treated as two classes.

References
----------
Guo, Pleiss, Sun and Weinberger, "On Calibration of Modern Neural Networks", ICML 2017.
Naeini, Cooper and Hauskrecht, "Obtaining Well Calibrated Probabilities Using
Bayesian Binning", AAAI 2015 (the expected calibration error).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from .activations import _sigmoid, _softmax
from .grad import (
    binary_cross_entropy_grad,
    binary_focal_cross_entropy_grad,
    sparse_categorical_cross_entropy_grad,
)
from .losses import binary_cross_entropy, sparse_categorical_cross_entropy

__all__ = [
    "ReliabilityCurve",
    "best_constant_probability",
    "ece_noise_floor",
    "reliability_curve",
    "expected_calibration_error",
    "fit_temperature",
    "temperature_nll",
]


class ReliabilityCurve(NamedTuple):
    r"""Per-bin statistics of top-label confidence (``n_bins`` entries each).

    For the samples :math:`B_b` whose confidence :math:`\hat p_i` falls in bin ``b``,
    :math:`\mathrm{conf}_b = \frac{1}{n_b}\sum_{i \in B_b} \hat p_i` and
    :math:`\mathrm{acc}_b = \frac{1}{n_b}\sum_{i \in B_b} [\hat c_i = c_i]` (predicted class
    :math:`\hat c_i`, true class :math:`c_i`), with :math:`n_b = |B_b|`; both are
    probabilities (no unit).

    Attributes
    ----------
    confidence : ndarray, shape (n_bins,)
        Mean confidence (highest predicted probability) of the samples in each bin;
        NaN for an empty bin.
    accuracy : ndarray, shape (n_bins,)
        Fraction of those samples whose top class is the true one; NaN if empty.
    counts : ndarray of int, shape (n_bins,)
        Samples per bin.
    edges : ndarray, shape (n_bins + 1,)
        Bin edges, ``linspace(0, 1, n_bins + 1)``; bin ``b`` is ``(edges[b], edges[b+1]]``
        (the first bin also holds 0).

    Examples
    --------
    >>> curve = reliability_curve([[0.9, 0.1], [0.3, 0.7], [0.65, 0.35]], [0, 0, 0], n_bins=5)
    >>> curve.counts.tolist()
    [0, 0, 0, 2, 1]
    """

    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray
    edges: np.ndarray


def _confidence(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's highest probability and its class, from checked probabilities."""
    if p.ndim == 1:
        return np.maximum(p, 1 - p), (p > 0.5).astype(np.int64)
    pred = np.argmax(p, axis=1)
    return p[np.arange(p.shape[0]), pred], pred


def _top_label(probs, labels) -> tuple[np.ndarray, np.ndarray]:
    """Confidence and correctness (0/1) of each sample's most probable class."""
    v.check_label_vector(labels, "(probs, labels)")
    p = v.check_class_probs(probs, "probs", binary_ok=True)
    conf, pred = _confidence(p)
    k = 2 if p.ndim == 1 else p.shape[1]
    lab = v.check_labels(labels, k, p.shape[:1], None, pred_name="probs")
    return conf, (pred == lab).astype(np.float64)


def _curve(conf: np.ndarray, correct: np.ndarray, m: int) -> ReliabilityCurve:
    edges = np.linspace(0.0, 1.0, m + 1)
    idx = np.searchsorted(edges[1:-1], conf, side="left")
    counts = np.bincount(idx, minlength=m)
    with np.errstate(invalid="ignore", divide="ignore"):
        confidence = np.bincount(idx, weights=conf, minlength=m) / counts
        accuracy = np.bincount(idx, weights=correct, minlength=m) / counts
    return ReliabilityCurve(confidence, accuracy, counts, edges)


def _ece(curve: ReliabilityCurve) -> float:
    full = curve.counts > 0
    gaps = np.abs(curve.accuracy[full] - curve.confidence[full])
    return float((curve.counts[full] * gaps).sum() / curve.counts.sum())


def reliability_curve(probs: ArrayLike, labels: ArrayLike, n_bins: int = 15) -> ReliabilityCurve:
    r"""Mean confidence and accuracy of the samples in each of ``n_bins`` equal-width bins.

    A sample's confidence is its highest predicted probability
    :math:`\hat p_i = \max_k q_{ik}`; it is correct when that class is its label.
    For a calibrated model, accuracy equals confidence in every bin: the points
    lie on the diagonal.

    Parameters
    ----------
    probs : array_like, shape (N, K) or (N,)
        Predicted probabilities (rows summing to 1), or the positive class's
        probability of a binary model.
    labels : array_like of int, shape (N,)
        True classes in ``[0, K)`` (0/1 for binary).
    n_bins : int
        Bins of width ``1 / n_bins`` over [0, 1].

    Returns
    -------
    ReliabilityCurve
        ``(confidence, accuracy, counts, edges)``, each of shape (n_bins,) except
        ``edges``, (n_bins + 1,); confidence and accuracy are probabilities (no unit).

    Examples
    --------
    Confidences 0.9 (right), 0.7 (wrong) and 0.65 (right), in five bins:

    >>> curve = reliability_curve([[0.9, 0.1], [0.3, 0.7], [0.65, 0.35]], [0, 0, 0], n_bins=5)
    >>> curve.counts.tolist()
    [0, 0, 0, 2, 1]
    >>> curve.confidence[3:].round(3).tolist(), curve.accuracy[3:].round(3).tolist()
    ([0.675, 0.9], [0.5, 1.0])
    """
    m = v.check_n_bins(n_bins)
    conf, correct = _top_label(probs, labels)
    return _curve(conf, correct, m)


def expected_calibration_error(probs: ArrayLike, labels: ArrayLike, n_bins: int = 15) -> float:
    r"""Top-label expected calibration error over equal-width bins.

    .. math:: \mathrm{ECE} = \sum_{b} \frac{n_b}{N}\,\big|\mathrm{acc}_b - \mathrm{conf}_b\big|

    the gap between accuracy and mean confidence in each bin of
    :func:`reliability_curve`, weighted by the share of samples in the bin (empty
    bins count 0). 0 for a perfectly calibrated model; an over-confident model that
    says 99 % and is right 90 % of the time has about 0.09.

    Parameters
    ----------
    probs, labels, n_bins
        As in :func:`reliability_curve`.

    Returns
    -------
    float
        In [0, 1]; a difference of probabilities (no unit).

    Examples
    --------
    >>> expected_calibration_error([[0.9, 0.1], [0.9, 0.1]], [0, 1], n_bins=10)
    0.4
    >>> probs = [[0.9, 0.1], [0.3, 0.7], [0.65, 0.35]]     # see reliability_curve
    >>> round(expected_calibration_error(probs, [0, 0, 0], n_bins=5), 4)  # (2 * 0.175 + 0.1) / 3
    0.15
    """
    return _ece(reliability_curve(probs, labels, n_bins))


def ece_noise_floor(probs: ArrayLike, *, draws: int = 200, n_bins: int = 15,
                    seed: int = 0) -> np.ndarray:
    r"""ECE a perfectly calibrated model would still measure on this many samples.

    Labels are drawn from ``probs`` themselves,
    :math:`c_i \sim \mathrm{Categorical}(q_{i1}, \dots, q_{iK})`, so the model is
    calibrated by construction; what :func:`expected_calibration_error` reports for
    them is sampling noise. A measured ECE inside this spread says nothing about
    miscalibration.

    Parameters
    ----------
    probs : array_like, shape (N, K)
        Predicted probabilities, rows summing to 1.
    draws : int
        How many label sets to draw.
    n_bins : int
        Bins, as in :func:`expected_calibration_error`.
    seed : int
        Seeds the draws.

    Returns
    -------
    ndarray, shape (draws,)
        The ECE of each draw (take its mean or percentiles); no unit.

    Examples
    --------
    A calibrated model that says 70 % on 100 samples still measures an ECE of about 0.04:

    >>> floor = ece_noise_floor(np.tile([[0.7, 0.3]], (100, 1)), draws=50)
    >>> floor.shape, round(float(floor.mean()), 3)
    ((50,), 0.04)
    """
    p = v.check_class_probs(probs, "probs", binary_ok=False)
    n_draws = v.check_int(draws, "draws", low=1, hint="; 200 label sets is usual")
    m = v.check_n_bins(n_bins)
    rng = np.random.default_rng(v.check_int(seed, "seed", low=0))
    conf, pred = _confidence(p)
    cumulative = p.cumsum(axis=1)
    last = p.shape[1] - 1
    out = np.empty(n_draws)
    for i in range(n_draws):
        u = rng.uniform(size=(p.shape[0], 1))
        labels = np.minimum((u > cumulative).sum(axis=1), last)
        out[i] = _ece(_curve(conf, (pred == labels).astype(np.float64), m))
    return out


def temperature_nll(logits: ArrayLike, labels: ArrayLike, temperature: float) -> float:
    r"""Mean negative log-likelihood (nats) of the labels under ``softmax(logits / T)``.

    .. math:: \mathrm{NLL}(T) = \frac1N \sum_i
              \big[\mathrm{logsumexp}(z_i / T) - z_{i, c_i} / T\big]

    with :math:`c_i` the label of sample :math:`i`. For logits of shape (N,) the binary
    cross-entropy of :math:`\sigma(z / T)`.

    Parameters
    ----------
    logits : array_like, shape (N, K) or (N,)
        As in :func:`fit_temperature`.
    labels : array_like of int, shape (N,)
        Their classes, in ``[0, K)`` (0/1 for binary).
    temperature : float
        :math:`T > 0`.

    Returns
    -------
    float
        In nats.

    Examples
    --------
    >>> round(temperature_nll([4.0, 4.0, 4.0, 4.0], [1, 1, 1, 0], 1.0), 4)
    1.0181
    >>> round(temperature_nll([4.0, 4.0, 4.0, 4.0], [1, 1, 1, 0], 3.641), 4)  # H(0.75)
    0.5623
    """
    z, lab = v.check_class_logits(logits, labels)
    t = v.check_temperature(temperature)
    with np.errstate(over="ignore", under="ignore"):
        u = (1.0 / t) * z
    v.check_finite(u, "logits / temperature")
    # Probabilities of far-off classes underflow to 0 on the way: harmless, not an error.
    with np.errstate(under="ignore"):
        if z.ndim == 1:
            return float(binary_cross_entropy(lab, u, from_logits=True))
        return float(sparse_categorical_cross_entropy(lab, u, from_logits=True))


def _power_of_two_scale(z: np.ndarray) -> float:
    """``2**k`` with ``max |z| / 2**k`` in [1, 2), or 1 for all-zero ``z``: an exact divisor."""
    largest = float(np.abs(z).max())
    if largest == 0:
        return 1.0
    return math.ldexp(1.0, math.frexp(largest)[1] - 1)


def _derivatives(z: np.ndarray, lab: np.ndarray, beta: float) -> tuple[float, float]:
    r"""First and second derivative of the mean NLL :math:`f(\beta)` at :math:`\beta = 1/T`.

    :math:`f'(\beta) = \sum_{ik} G_{ik} z_{ik}` with :math:`G` the gradient of the mean
    loss by the scaled logits :math:`\beta z` (the core's), i.e. the mean of
    :math:`E_q[z] - z_c` (:math:`c` the label); :math:`f''(\beta)` is the mean of
    :math:`\mathrm{Var}_q[z]`.
    """
    # Probabilities of far-off classes underflow to 0 on the way: harmless, not an error.
    with np.errstate(under="ignore"):
        u = beta * z
        if z.ndim == 1:
            g = binary_cross_entropy_grad(lab, u)
            p = _sigmoid(u)
            return float((g * z).sum()), float((p * _sigmoid(-u) * z * z).mean())
        g = sparse_categorical_cross_entropy_grad(lab, u)
        q = _softmax(u)
        mean_z = (q * z).sum(axis=1, keepdims=True)
        return float((g * z).sum()), float((q * (z - mean_z) ** 2).sum(axis=1).mean())


def fit_temperature(logits: ArrayLike, labels: ArrayLike, *, tol: float = 1e-10,
                    max_iter: int = 200) -> float:
    r"""The temperature :math:`T > 0` minimising the mean NLL of ``labels`` under ``logits / T``.

    .. math:: T^* = \arg\min_{T > 0} \frac1N \sum_i
              \big[\mathrm{logsumexp}(z_i / T) - z_{i, c_i} / T\big]

    Fit it on validation data, never on the test set, then use
    ``softmax(logits, temperature=T)`` (or ``sigmoid(logits / T)``). ``T > 1`` means
    the model was over-confident.

    The search runs over :math:`\beta = 1/T` (equivalently over :math:`\log T`, the
    minimiser is the same), where the NLL is convex:
    :math:`f'(\beta) = \overline{E_q[z] - z_c}` and :math:`f''(\beta) =
    \overline{\mathrm{Var}_q[z]} \ge 0`. Newton's method on :math:`f'(\beta) = 0`,
    safeguarded by bisection inside a bracket found by doubling, converges in a
    handful of steps; no SciPy needed. The search runs on the logits divided by a power
    of two near their largest size (an exact division, as :math:`T^*(cz) = c\,T^*(z)`),
    so logits of any finite size work.

    Parameters
    ----------
    logits : array_like, shape (N, K) or (N,)
        Held-out logits (``model.decision_function(X_val)``); shape (N,) for a binary
        model's single logit.
    labels : array_like of int, shape (N,)
        Their classes, in ``[0, K)`` (0/1 for binary).
    tol : float
        Relative tolerance on :math:`\beta`.
    max_iter : int
        Maximum Newton/bisection steps.

    Returns
    -------
    float
        :math:`T^*`. ``inf`` when the logits do no better than a uniform guess
        (:math:`f'(0) \ge 0`: the best is to ignore them).

    Raises
    ------
    InvalidInputError
        If every sample is already classified correctly: the NLL then keeps falling
        as :math:`T \to 0` and has no minimiser.

    Examples
    --------
    Four samples with logit 4, three of them positive: the best temperature makes
    :math:`\sigma(4 / T) = 3/4`, so :math:`T^* = 4 / \ln 3`.

    >>> round(fit_temperature([4.0, 4.0, 4.0, 4.0], [1, 1, 1, 0]), 4)
    3.641
    """
    z, lab = v.check_class_logits(logits, labels)
    rel_tol = v.check_scalar(tol, "tol", low=0.0, low_open=True, hint="; 1e-10 is usual")
    n_iter = v.check_int(max_iter, "max_iter", low=1)
    # NLL(beta; z) = NLL(beta * s; z / s): search on logits of size about 1, so that no
    # z^2 or beta * z overflows however large the logits are, and rescale at the end.
    scale = _power_of_two_scale(z)
    with np.errstate(under="ignore"):  # logits below 2**-1074 times the largest become 0
        z = z / scale
    d0, _ = _derivatives(z, lab, 0.0)
    if d0 >= 0:
        return math.inf
    if z.ndim == 1:
        correct = (z > 0) == (lab == 1)
    else:
        correct = z[np.arange(z.shape[0]), lab] >= z.max(axis=1)
    v.check_has_mistakes(correct)
    lo, hi = 0.0, 1.0
    while _derivatives(z, lab, hi)[0] < 0 and hi < 1e300:  # f'(inf) > 0: a sample is wrong
        lo, hi = hi, 2 * hi
    beta = min(1.0, hi)
    for _ in range(n_iter):
        d1, d2 = _derivatives(z, lab, beta)
        if d1 == 0:
            break
        if d1 < 0:
            lo = beta
        else:
            hi = beta
        new = beta - d1 / d2 if d2 > 0 else np.nan
        if not lo < new < hi:
            new = 0.5 * (lo + hi)
        if abs(new - beta) <= rel_tol * beta or hi - lo <= rel_tol * hi:
            beta = new
            break
        beta = new
    return scale / beta


# --- the best single probability for a group of samples ---------------------------------------


def best_constant_probability(labels: ArrayLike, *, loss: str = "cross_entropy",
                              gamma: float = 2.0) -> float:
    r"""The one probability of label 1 that gives a group of samples the lowest mean loss.

    A model that cannot tell the samples of a group apart gives them all the same
    probability :math:`p` of label 1. With :math:`r` the share of 1s among the labels,
    the group's mean loss is

    .. math:: L(p) = r\,\ell(1, p) + (1 - r)\,\ell(0, p),

    and the result is the :math:`p^* = \arg\min_{0 \le p \le 1} L(p)`, where

    * ``"cross_entropy"``: :math:`\ell(1, p) = -\log p`, :math:`\ell(0, p) = -\log(1 - p)`;
      then :math:`p^* = r`, the share itself;
    * ``"focal"``: :math:`\ell(1, p) = -(1 - p)^\gamma \log p`,
      :math:`\ell(0, p) = -p^\gamma \log(1 - p)` (:func:`~xentlearn.binary_focal_cross_entropy`);
      for :math:`\gamma > 0`, :math:`p^*` lies between :math:`r` and 0.5, on the same side
      of 0.5 as :math:`r`.

    A loss whose :math:`p^*` is the share :math:`r` for every group is called *proper*:
    cross-entropy is, the focal loss with :math:`\gamma > 0` is not.

    Both are found the same way, without using the formula :math:`p^* = r`: by bisection
    on the logit :math:`z` (:math:`p = \sigma(z)`) for the point where the slope of
    :math:`L`, :math:`r\,\partial\ell(1)/\partial z + (1 - r)\,\partial\ell(0)/\partial z`
    (from :mod:`xentlearn.grad`), changes from negative to positive; it changes sign once.
    The bisection stops when :math:`z` is known to about :math:`10^{-15}`. All labels 0
    give 0.0, all labels 1 give 1.0.

    Parameters
    ----------
    labels : array_like of int, shape (N,)
        The group's labels, each 0 or 1 (only their share :math:`r` matters).
    loss : {"cross_entropy", "focal"}
        The loss, as ``loss=`` of :class:`~xentlearn.LogisticRegression`.
    gamma : float
        The focal loss's focusing parameter, ``>= 0`` (``gamma=0`` is cross-entropy);
        ignored for ``"cross_entropy"``.

    Returns
    -------
    float
        :math:`p^*`, a probability (no unit).

    Examples
    --------
    Ten samples, seven of them 1:

    >>> group = [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]
    >>> round(best_constant_probability(group), 4)
    0.7
    >>> round(best_constant_probability(group, loss="focal", gamma=2.0), 4)
    0.5785
    """
    y = v.as_int_labels(labels, "labels")
    if y.size == 0:
        raise v.InvalidInputError("labels is empty: give the labels of at least one sample")
    if np.any((y != 0) & (y != 1)):
        raise v.InvalidInputError("labels must be 0 or 1, one per sample of the group")
    kind = v.check_choice(loss, "loss", ("cross_entropy", "focal"))
    g = 0.0 if kind == "cross_entropy" else v.check_scalar(
        gamma, "gamma", low=0.0, hint="; 0 gives plain cross-entropy")
    r = float(y.mean())
    if r in (0.0, 1.0):
        return r
    both = np.array([1.0, 0.0])

    def slope(z: float) -> float:
        d1, d0 = binary_focal_cross_entropy_grad(both, np.array([z, z]), gamma=g,
                                                 reduction="none")
        return float(r * d1 + (1 - r) * d0)

    lo, hi = -40.0, 40.0  # sigma(-40) = 4e-18: wide enough unless r is tinier still
    while slope(lo) > 0:
        lo *= 2
    while slope(hi) < 0:
        hi *= 2
    while hi - lo > 4 * np.spacing(max(abs(lo), abs(hi), 1.0)):
        mid = 0.5 * (lo + hi)
        s = slope(mid)
        if s == 0:  # the exact minimum, e.g. z = 0 for r = 0.5
            lo = hi = mid
        elif s < 0:
            lo = mid
        else:
            hi = mid
    return float(_sigmoid(np.array(0.5 * (lo + hi))))
