r"""Gradients of the cross-entropy losses with respect to the logits.

Backpropagation through a sigmoid or softmax output layer starts here. The
famous results, for one sample and no weights:

* binary: :math:`\partial \ell / \partial z = \sigma(z) - y`;
* categorical and sparse: :math:`\partial \ell / \partial z = \mathrm{softmax}(z) - y`
  (``y`` one-hot, or any target distribution).

Each function takes the same keywords as its loss and returns the gradient of
the *returned* loss: with ``reduction="mean"`` it is divided by what the mean
divides by, ``sample_weight`` and ``class_weight`` scale it, and ``base=2``
divides it by ``ln 2``. With ``reduction="none"`` it is the gradient of each
sample's own loss with respect to its own logits. The result has the shape
of ``logits``.

With class weights and label smoothing the per-sample target is
:math:`t_k = w_k y'_k` and the gradient is :math:`q \sum_k t_k - t`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from ._lossprep import (
    class_alpha,
    prepare_binary,
    prepare_categorical,
    prepare_sparse,
    prepare_targets,
)
from .activations import _log_softmax, _sigmoid, _softmax, _softplus

__all__ = [
    "binary_cross_entropy_grad",
    "categorical_cross_entropy_grad",
    "sparse_categorical_cross_entropy_grad",
    "binary_focal_cross_entropy_grad",
    "categorical_focal_cross_entropy_grad",
]


def binary_cross_entropy_grad(y_true: ArrayLike, logits: ArrayLike, *,
                              label_smoothing: float = 0.0,
                              sample_weight: ArrayLike | None = None,
                              pos_weight: ArrayLike | None = None, reduction: str = "mean",
                              base: float | None = None) -> np.ndarray:
    r"""Gradient of :func:`~xentlearn.binary_cross_entropy` (``from_logits=True``) by ``logits``.

    Elementwise :math:`\sigma(z) - y`; with ``pos_weight`` :math:`w_+`,
    :math:`(1 - y)\sigma(z) - w_+ y \,\sigma(-z)`. ``"mean"`` divides it by the number
    of elements.

    Parameters
    ----------
    y_true : array_like, shape (...)
        Targets in [0, 1], as in :func:`~xentlearn.binary_cross_entropy`.
    logits : array_like, shape (...)
        The logits :math:`z`, same shape as ``y_true``.
    label_smoothing, sample_weight, pos_weight, reduction, base
        As in :func:`~xentlearn.binary_cross_entropy`.

    Returns
    -------
    ndarray
        Same shape as ``logits``; nats per unit of logit (bits with ``base=2``, which
        divides it by :math:`\ln 2`).

    Examples
    --------
    >>> binary_cross_entropy_grad([1, 0], [2.0, -1.0]).round(4).tolist()  # (sigma(z) - y) / 2
    [-0.0596, 0.1345]
    """
    b = prepare_binary(y_true, logits, from_logits=True, label_smoothing=label_smoothing,
                       sample_weight=sample_weight, pos_weight=pos_weight,
                       reduction=reduction, base=base, pred_name="logits")
    with np.errstate(under="ignore"):
        if b.pos_weight is None:
            g = _sigmoid(b.x) - b.y
        else:
            g = (1 - b.y) * _sigmoid(b.x) - b.pos_weight * b.y * _sigmoid(-b.x)
        return b.red.finish_grad(g, b.x.size)


def categorical_cross_entropy_grad(y_true: ArrayLike, logits: ArrayLike, *,
                                   label_smoothing: float = 0.0,
                                   class_weight: ArrayLike | None = None,
                                   sample_weight: ArrayLike | None = None,
                                   reduction: str = "mean", base: float | None = None,
                                   axis: int = -1) -> np.ndarray:
    r"""Gradient of :func:`~xentlearn.categorical_cross_entropy` (``from_logits=True``).

    Per sample :math:`\mathrm{softmax}(z) - y`, scaled as described in the module notes;
    with class weights and label smoothing :math:`q \sum_k t_k - t`,
    :math:`t_k = w_k y'_k`.

    Parameters
    ----------
    y_true : array_like, shape (N..., K)
        Target distributions along ``axis``, as in :func:`~xentlearn.categorical_cross_entropy`.
    logits : array_like, shape (N..., K)
        The logits :math:`z`.
    label_smoothing, class_weight, sample_weight, reduction, base, axis
        As in :func:`~xentlearn.categorical_cross_entropy`.

    Returns
    -------
    ndarray
        Same shape as ``logits``; nats per unit of logit (bits with ``base=2``).

    Examples
    --------
    >>> categorical_cross_entropy_grad([[1, 0, 0]], [[2.0, 1.0, 0.1]]).round(4).tolist()
    [[-0.341, 0.2424, 0.0986]]
    """
    c = prepare_categorical(logits, from_logits=True, label_smoothing=label_smoothing,
                            class_weight=class_weight, sample_weight=sample_weight,
                            reduction=reduction, base=base, axis=axis, pred_name="logits")
    y, red = prepare_targets(y_true, c, axis)
    t = c.smoothed(y)
    if c.class_weight is not None:
        t = t * c.class_weight
    with np.errstate(under="ignore"):
        g = _softmax(c.x) * t.sum(axis=-1, keepdims=True) - t
        return np.moveaxis(red.finish_grad(g, g[..., 0].size, per_sample=True), -1, axis)


def sparse_categorical_cross_entropy_grad(labels: ArrayLike, logits: ArrayLike, *,
                                          label_smoothing: float = 0.0,
                                          class_weight: ArrayLike | None = None,
                                          sample_weight: ArrayLike | None = None,
                                          ignore_index: int | None = None,
                                          reduction: str = "mean", base: float | None = None,
                                          axis: int = -1) -> np.ndarray:
    r"""Gradient of :func:`~xentlearn.sparse_categorical_cross_entropy` (``from_logits=True``).

    Per sample :math:`\mathrm{softmax}(z) - \mathrm{onehot}(c)` for the label :math:`c`,
    built without a one-hot array; rows of ignored samples are 0.

    Parameters
    ----------
    labels : array_like of int, shape (N...)
        Class indices in ``[0, K)``, as in :func:`~xentlearn.sparse_categorical_cross_entropy`.
    logits : array_like, shape (N..., K)
        The logits :math:`z`.
    label_smoothing, class_weight, sample_weight, ignore_index, reduction, base, axis
        As in :func:`~xentlearn.sparse_categorical_cross_entropy`.

    Returns
    -------
    ndarray
        Same shape as ``logits``; nats per unit of logit (bits with ``base=2``).

    Examples
    --------
    >>> sparse_categorical_cross_entropy_grad([0], [[2.0, 1.0, 0.1]]).round(4).tolist()
    [[-0.341, 0.2424, 0.0986]]
    """
    s = prepare_sparse(labels, logits, from_logits=True, label_smoothing=label_smoothing,
                       class_weight=class_weight, sample_weight=sample_weight,
                       ignore_index=ignore_index, reduction=reduction, base=base, axis=axis,
                       pred_name="logits")
    c = s.c
    dt = c.x.dtype.type
    k = c.n_classes
    cw = c.class_weight
    lw = np.ones(c.x.shape[:-1], dtype=c.x.dtype) if s.label_weight is None else s.label_weight
    # target mass t_k = (1 - eps) w_c [k = c] + eps / K w_k (c the label), and its total
    total = dt(1 - c.eps) * lw + dt(c.eps / k) * (k if cw is None else cw.sum())
    with np.errstate(under="ignore"):
        g = _softmax(c.x)
        g *= total[..., None]
        if c.eps:
            g -= dt(c.eps / k) * (1 if cw is None else cw)
        idx = s.labels[..., None]
        g_label = np.take_along_axis(g, idx, axis=-1) - (dt(1 - c.eps) * lw)[..., None]
        np.put_along_axis(g, idx, g_label, axis=-1)
        if s.valid is not None:
            g *= s.valid[..., None]
        return np.moveaxis(s.red.finish_grad(g, g[..., 0].size, per_sample=True), -1, axis)


def binary_focal_cross_entropy_grad(y_true: ArrayLike, logits: ArrayLike, *, gamma: float = 2.0,
                                    alpha: float | None = None, reduction: str = "mean",
                                    base: float | None = None) -> np.ndarray:
    r"""Gradient of :func:`~xentlearn.binary_focal_cross_entropy` (``from_logits=True``).

    Elementwise, with :math:`p = \sigma(z)`, :math:`m = 1 - p_t = y(1 - p) + (1 - y)p` and
    :math:`B = -y\log p - (1 - y)\log(1 - p)`, the loss :math:`\ell = \alpha_t m^\gamma B` has

    .. math:: \frac{\partial \ell}{\partial z} = \alpha_t m^\gamma \Big[\gamma (1 - 2y)
              \frac{p(1 - p)}{m} B + p - y\Big];

    ``gamma=0`` and ``alpha=None`` give :math:`\sigma(z) - y`, the plain binary gradient.
    ``"mean"`` divides it by the number of elements.

    Parameters
    ----------
    y_true : array_like, shape (...)
        Targets in [0, 1].
    logits : array_like, shape (...)
        The logits :math:`z`, same shape as ``y_true``.
    gamma, alpha, reduction, base
        As in :func:`~xentlearn.binary_focal_cross_entropy`.

    Returns
    -------
    ndarray
        Same shape as ``logits``; nats per unit of logit (bits with ``base=2``).

    Examples
    --------
    >>> binary_focal_cross_entropy_grad([1, 0], [2.0, -1.0]).round(4).tolist()
    [-0.0024, 0.0263]
    >>> binary_focal_cross_entropy_grad([1, 0], [2.0, -1.0], gamma=0).round(4).tolist()
    [-0.0596, 0.1345]
    """
    g_ = v.check_scalar(gamma, "gamma", low=0.0, hint="; 0 gives plain cross-entropy")
    a = None if alpha is None else v.check_scalar(alpha, "alpha", low=0.0, high=1.0)
    b = prepare_binary(y_true, logits, from_logits=True, reduction=reduction, base=base,
                       pred_name="logits")
    with np.errstate(under="ignore"):
        g = _binary_focal_grad(b.y, b.x, g_)
        if a is not None:
            g = g * (b.y * a + (1 - b.y) * (1 - a))
        return b.red.finish_grad(g, b.x.size)


def categorical_focal_cross_entropy_grad(y_true: ArrayLike, logits: ArrayLike, *,
                                         gamma: float = 2.0,
                                         alpha: float | ArrayLike | None = None,
                                         reduction: str = "mean", base: float | None = None,
                                         axis: int = -1) -> np.ndarray:
    r"""Gradient of :func:`~xentlearn.categorical_focal_cross_entropy` (``from_logits=True``).

    For :math:`\ell = -\sum_k \alpha_k y_k (1 - q_k)^\gamma \log q_k` with
    :math:`q = \mathrm{softmax}(z)`, let

    .. math:: a_k = \alpha_k y_k (1 - q_k)^\gamma
              \Big[\gamma q_k \frac{\log q_k}{1 - q_k} - 1\Big];

    then per sample :math:`\partial \ell / \partial z_j = a_j - q_j \sum_k a_k`.
    ``gamma=0`` and ``alpha=None`` give :math:`\mathrm{softmax}(z) - y`.

    Parameters
    ----------
    y_true : array_like, shape (N..., K)
        Target distributions along ``axis``.
    logits : array_like, shape (N..., K)
        The logits :math:`z`.
    gamma, alpha, reduction, base, axis
        As in :func:`~xentlearn.categorical_focal_cross_entropy`.

    Returns
    -------
    ndarray
        Same shape as ``logits``; nats per unit of logit (bits with ``base=2``).

    Examples
    --------
    >>> categorical_focal_cross_entropy_grad([[1, 0, 0]], [[2.0, 1.0, 0.1]]).round(4).tolist()
    [[-0.1036, 0.0736, 0.0299]]
    """
    g_ = v.check_scalar(gamma, "gamma", low=0.0, hint="; 0 gives plain cross-entropy")
    c = prepare_categorical(logits, from_logits=True, label_smoothing=0.0, class_weight=None,
                            sample_weight=None, reduction=reduction, base=base, axis=axis,
                            pred_name="logits")
    y, red = prepare_targets(y_true, c, axis)
    alpha_k = class_alpha(alpha, c)
    with np.errstate(under="ignore"):
        g = _categorical_focal_grad(y, c.x, g_, alpha_k)
        return np.moveaxis(red.finish_grad(g, g[..., 0].size, per_sample=True), -1, axis)


def _binary_focal_grad(t: np.ndarray, x: np.ndarray, gamma: float) -> np.ndarray:
    r"""Elementwise gradient of :func:`~xentlearn.binary_focal_cross_entropy` by the logits.

    With :math:`p = \sigma(z)`, :math:`m = 1 - p_t = t(1 - p) + (1 - t)p` and
    :math:`B = -t\log p - (1 - t)\log(1 - p)`, the loss :math:`\ell = m^\gamma B` has

    .. math:: \frac{\partial \ell}{\partial z} = m^\gamma \Big[\gamma (1 - 2t)
              \frac{p(1 - p)}{m} B + p - t\Big],

    which is :math:`p - t` for :math:`\gamma = 0`. :math:`p(1-p)/m` is bounded
    (by 1 for hard targets); where :math:`m` underflows to 0 the bracket's first
    term is multiplied by :math:`m^\gamma = 0` and is set to 0.

    Parameters
    ----------
    t : ndarray, shape (N,)
        Targets in [0, 1].
    x : ndarray, shape (N,)
        The logits :math:`z`.
    gamma : float
        ``>= 0``.

    Returns
    -------
    ndarray, shape (N,)
        The gradient of each sample's own loss (``reduction="none"``).
    """
    with np.errstate(under="ignore"):
        p, p_neg = _sigmoid(x), _sigmoid(-x)
        if gamma == 0:
            return p - t
        m = t * p_neg + (1 - t) * p
        bce = t * _softplus(-x) + (1 - t) * _softplus(x)
        ratio = np.divide(p * p_neg, m, out=np.zeros_like(m), where=m > 0)
        return m**gamma * (gamma * (1 - 2 * t) * ratio * bce + p - t)


def _categorical_focal_grad(targets: np.ndarray, z: np.ndarray, gamma: float,
                            alpha: np.ndarray | None = None) -> np.ndarray:
    r"""Gradient of :func:`~xentlearn.categorical_focal_cross_entropy` by the logits.

    For :math:`\ell = -\sum_k \alpha_k t_k (1 - q_k)^\gamma \log q_k` with
    :math:`q = \mathrm{softmax}(z)`, let

    .. math:: a_k = \alpha_k t_k (1 - q_k)^\gamma
              \Big[\gamma q_k \frac{\log q_k}{1 - q_k} - 1\Big];

    then :math:`\partial \ell / \partial z_j = a_j - q_j \sum_k a_k` (for
    :math:`\gamma = 0`, :math:`q_j \sum_k \alpha_k t_k - \alpha_j t_j`, the
    weighted cross-entropy gradient). :math:`\log q` comes from ``log_softmax``
    (finite even where :math:`q` underflows to 0), and :math:`\log q / (1 - q)` is
    computed as ``log_q / -expm1(log_q)``, taken as its limit -1 where :math:`q = 1`.

    Parameters
    ----------
    targets : ndarray, shape (N, K)
        Target distributions (one-hot or smoothed).
    z : ndarray, shape (N, K)
        Logits.
    gamma : float
        ``>= 0``.
    alpha : ndarray, shape (K,), optional
        Class weights.

    Returns
    -------
    ndarray, shape (N, K)
        The gradient of each sample's own loss (``reduction="none"``).
    """
    with np.errstate(under="ignore", over="ignore"):
        log_q = _log_softmax(z)
        q = np.exp(log_q)
        m = -np.expm1(log_q)
        ratio = np.divide(log_q, m, out=np.full_like(m, -1.0), where=m > 0)
        w = targets if alpha is None else targets * alpha
        a = w * m**gamma * (gamma * q * ratio - 1)
        return a - q * a.sum(axis=-1, keepdims=True)
