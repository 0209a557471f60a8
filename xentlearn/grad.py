r"""Gradients of the cross-entropy losses with respect to the logits.

Backpropagation through a sigmoid or softmax output layer starts here. The
famous results, for one sample and no weights:

* binary: :math:`\partial l / \partial x = \sigma(x) - y`;
* categorical and sparse: :math:`\partial l / \partial z = \mathrm{softmax}(z) - y`
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

from .activations import _sigmoid, _softmax
from .losses import _prepare_binary, _prepare_categorical, _prepare_sparse, _prepare_targets

__all__ = [
    "binary_cross_entropy_grad",
    "categorical_cross_entropy_grad",
    "sparse_categorical_cross_entropy_grad",
]


def binary_cross_entropy_grad(y_true: ArrayLike, logits: ArrayLike, *,
                              label_smoothing: float = 0.0,
                              sample_weight: ArrayLike | None = None,
                              pos_weight: ArrayLike | None = None, reduction: str = "mean",
                              base: float | None = None) -> np.ndarray:
    r"""Gradient of :func:`~xentlearn.binary_cross_entropy` (``from_logits=True``) by ``logits``.

    Elementwise :math:`\sigma(x) - y`; with ``pos_weight`` :math:`w_+`,
    :math:`(1 - y)\sigma(x) - w_+ y \,\sigma(-x)`.

    Returns
    -------
    ndarray
        Same shape as ``logits``.
    """
    b = _prepare_binary(y_true, logits, from_logits=True, label_smoothing=label_smoothing,
                        sample_weight=sample_weight, pos_weight=pos_weight,
                        reduction=reduction, base=base, pred_name="logits")
    if b.pos_weight is None:
        g = _sigmoid(b.x) - b.y
    else:
        g = (1 - b.y) * _sigmoid(b.x) - b.pos_weight * b.y * _sigmoid(-b.x)
    return _finish(g, b.red, b.x.size)


def categorical_cross_entropy_grad(y_true: ArrayLike, logits: ArrayLike, *,
                                   label_smoothing: float = 0.0,
                                   class_weight: ArrayLike | None = None,
                                   sample_weight: ArrayLike | None = None,
                                   reduction: str = "mean", base: float | None = None,
                                   axis: int = -1) -> np.ndarray:
    r"""Gradient of :func:`~xentlearn.categorical_cross_entropy` (``from_logits=True``).

    Per sample :math:`\mathrm{softmax}(z) - y`, scaled as described in the module notes.

    Returns
    -------
    ndarray
        Same shape as ``logits``.
    """
    c = _prepare_categorical(logits, from_logits=True, label_smoothing=label_smoothing,
                             class_weight=class_weight, sample_weight=sample_weight,
                             reduction=reduction, base=base, axis=axis, pred_name="logits")
    t = c.smoothed(_prepare_targets(y_true, c, axis))
    if c.class_weight is not None:
        t = t * c.class_weight
    g = _softmax(c.x) * t.sum(axis=-1, keepdims=True) - t
    return np.moveaxis(_finish(g, c.red, g[..., 0].size, per_sample=True), -1, axis)


def sparse_categorical_cross_entropy_grad(labels: ArrayLike, logits: ArrayLike, *,
                                          label_smoothing: float = 0.0,
                                          class_weight: ArrayLike | None = None,
                                          sample_weight: ArrayLike | None = None,
                                          ignore_index: int | None = None,
                                          reduction: str = "mean", base: float | None = None,
                                          axis: int = -1) -> np.ndarray:
    r"""Gradient of :func:`~xentlearn.sparse_categorical_cross_entropy` (``from_logits=True``).

    Per sample :math:`\mathrm{softmax}(z) - \mathrm{onehot}(y)`, built without a
    one-hot array; rows of ignored samples are 0.

    Returns
    -------
    ndarray
        Same shape as ``logits``.
    """
    s = _prepare_sparse(labels, logits, from_logits=True, label_smoothing=label_smoothing,
                        class_weight=class_weight, sample_weight=sample_weight,
                        ignore_index=ignore_index, reduction=reduction, base=base, axis=axis,
                        pred_name="logits")
    c = s.c
    dt = c.x.dtype.type
    k = c.n_classes
    cw = c.class_weight
    lw = np.ones(c.x.shape[:-1], dtype=c.x.dtype) if s.label_weight is None else s.label_weight
    # target mass t_k = (1 - eps) w_y [k = y] + eps / K w_k, and its total
    total = dt(1 - c.eps) * lw + dt(c.eps / k) * (k if cw is None else cw.sum())
    g = _softmax(c.x)
    g *= total[..., None]
    if c.eps:
        g -= dt(c.eps / k) * (1 if cw is None else cw)
    idx = s.labels[..., None]
    np.put_along_axis(g, idx, np.take_along_axis(g, idx, axis=-1) - (dt(1 - c.eps) * lw)[..., None],
                      axis=-1)
    if s.valid is not None:
        g *= s.valid[..., None]
    return np.moveaxis(_finish(g, c.red, g[..., 0].size, per_sample=True), -1, axis)


def _finish(g: np.ndarray, red, count: int, per_sample: bool = False) -> np.ndarray:
    """Apply sample weights and the reduction's scale to elementwise or per-sample gradients."""
    if red.weight is not None:
        g = g * (red.weight[..., None] if per_sample else red.weight)
    scale = red.scale(count)
    return g if scale == 1.0 else g * g.dtype.type(scale)
