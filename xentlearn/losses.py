"""Cross-entropy losses for classifiers: binary, categorical, sparse categorical and focal.

Every loss takes predictions either as probabilities (the default) or as
logits (``from_logits=True``), returns nats unless ``base`` is given, and
reduces with ``reduction`` = ``"mean"`` (default), ``"sum"`` or ``"none"``.

Probabilities are never clipped: a probability of 1e-300 on the true class
costs 690.8 nats and a probability of 0 costs ``inf``. (Keras clips to 1e-7,
so at most 16.1 nats; PyTorch's ``BCELoss`` clamps the log at -100.) From
logits, the losses use ``log_softmax`` / ``softplus`` and are exact for finite
logits of any size.

Weights, and what ``"mean"`` divides by
------------------------------------------
``sample_weight``
    One weight per sample. ``"mean"`` gives :math:`L = \\sum_i s_i \\ell_i / N`, the
    convention of Keras' ``sample_weight`` and of PyTorch's ``BCELoss(weight=...)``.
``class_weight``
    One weight per class. ``"mean"`` gives the *weighted* mean
    :math:`L = \\sum_i w_{c_i} \\ell_i / \\sum_i w_{c_i}` (:math:`c_i` the true class of
    sample :math:`i`), as PyTorch's ``cross_entropy(weight=...)`` does for class indices.
    In general a sample's weighted loss is :math:`-\\sum_k w_k y'_{ik} \\log q_{ik}`
    (``y'`` the smoothed target; :math:`w_{c_i} \\ell_i` for a one-hot target without
    smoothing) and its weight in the denominator is :math:`\\sum_k w_k y_{ik}` (the
    target before smoothing), so one-hot targets give the same number as integer labels.
    (PyTorch divides by ``N`` instead when targets are probabilities.)
    Used with ``sample_weight``, each weighted loss is multiplied by :math:`s_i` and the
    denominator stays :math:`\\sum_i w_{c_i}`.

References
----------
Goodfellow, Bengio and Courville, *Deep Learning*, section 6.2.2 (2016).
Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.
Szegedy et al., "Rethinking the Inception Architecture", CVPR 2016 (label smoothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from .activations import _log_softmax, _lse_parts
from .information import in_base

__all__ = [
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "sparse_categorical_cross_entropy",
    "binary_focal_cross_entropy",
    "categorical_focal_cross_entropy",
]


# --- shared pieces --------------------------------------------------------------------------


def _times(x: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    """``x * log_q`` with 0 wherever ``x == 0`` (even where ``log_q`` is ``-inf``)."""
    x, log_q = np.broadcast_arrays(x, log_q)
    out = np.zeros(x.shape, dtype=np.result_type(x, log_q))
    np.multiply(x, log_q, out=out, where=x != 0)
    return out


def _log(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(p)


def _log1m(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log1p(-p)


@dataclass
class _Reduction:
    """How per-sample losses become the returned value."""

    reduction: str
    ln_b: float | None
    weight: np.ndarray | None = None  # multiplies each loss (sample x class weights)
    denominator: float | None = None  # what "mean" divides by; None means the count

    def apply(self, losses: np.ndarray) -> np.ndarray:
        if self.weight is not None:
            losses = _times(self.weight, losses)  # a weight of 0 silences even an inf loss
        if self.reduction == "none":
            out = losses
        elif self.reduction == "sum":
            out = losses.sum()
        else:
            out = losses.sum() / self.mean_denominator(losses.size)
        return in_base(out, self.ln_b)

    def mean_denominator(self, count: int) -> float:
        denom = count if self.denominator is None else self.denominator
        if denom <= 0:
            raise v.InvalidInputError(
                "the weights of the samples that count sum to 0 (all labels ignored, or all "
                "class weights zero), so the mean is undefined; use reduction='sum' or "
                "check class_weight and ignore_index"
            )
        return denom

    def scale(self, count: int) -> float:
        """The factor by which a per-sample gradient is multiplied (besides ``weight``)."""
        s = 1.0 if self.reduction != "mean" else 1.0 / self.mean_denominator(count)
        return s if self.ln_b is None else s / self.ln_b


def _common(reduction, base, label_smoothing) -> tuple[str, float | None, float]:
    return (v.check_reduction(reduction), v.log_base(base),
            v.check_label_smoothing(label_smoothing))


# --- binary -----------------------------------------------------------------------------


@dataclass
class _Binary:
    y: np.ndarray  # targets in [0, 1], smoothed
    x: np.ndarray  # logits or probabilities, same shape as y
    from_logits: bool
    pos_weight: np.ndarray | None
    red: _Reduction

    def log_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """``log p`` and ``log(1 - p)`` for the predicted positive probability ``p``.

        From logits both come from one ``log1p(exp(-|x|))``: ``log sigmoid(x) =
        min(x, 0) - log1p(exp(-|x|))`` and ``log sigmoid(-x) = -max(x, 0) - log1p(...)``.
        """
        if self.from_logits:
            sp = np.log1p(np.exp(-np.abs(self.x)))
            return np.minimum(self.x, 0) - sp, -np.maximum(self.x, 0) - sp
        return _log(self.x), _log1m(self.x)

    def elementwise(self, log_p: np.ndarray, log_1mp: np.ndarray) -> np.ndarray:
        # From logits both logs are finite, so plain products are safe; from probabilities
        # a log can be -inf where its weight is 0, and 0 * -inf must count as 0.
        times = np.multiply if self.from_logits else _times
        pos = times(self.y, log_p)
        if self.pos_weight is not None:
            pos = _times(self.pos_weight, pos)
        neg = times(1 - self.y, log_1mp)
        neg += pos
        return np.negative(neg, out=neg)


def _prepare_binary(y_true, y_pred, *, from_logits, label_smoothing=0.0, sample_weight=None,
                    pos_weight=None, reduction="mean", base=None,
                    pred_name: str = "y_pred") -> _Binary:
    reduction, ln_b, eps = _common(reduction, base, label_smoothing)
    x = v.as_float(y_pred, pred_name)
    y = v.as_float(y_true, "y_true", dtype=x.dtype)
    v.check_same_shape(y, x, "y_true", pred_name)
    v.check_probabilities(y, "y_true")
    if not from_logits:
        v.check_probabilities(x, "y_pred", logits_hint=True)
    if eps:
        y = y * x.dtype.type(1 - eps) + x.dtype.type(eps / 2)
    pw = None
    if pos_weight is not None:
        pw = v.as_float(pos_weight, "pos_weight", dtype=x.dtype)
        try:
            pw = np.broadcast_to(pw, x.shape)
        except ValueError:
            raise v.InvalidInputError(
                f"pos_weight has shape {pw.shape}, which does not broadcast to {pred_name}'s shape "
                f"{x.shape}; pass a scalar or one weight per output (shape {x.shape[-1:]})"
            ) from None
        if (pw < 0).any():
            raise v.InvalidInputError("pos_weight has negative entries; weights must be >= 0")
    sw = None if sample_weight is None else v.sample_weight_for(sample_weight, x.shape, x.dtype)
    return _Binary(y, x, bool(from_logits), pw, _Reduction(reduction, ln_b, sw))


def binary_cross_entropy(y_true: ArrayLike, y_pred: ArrayLike, *, from_logits: bool = False,
                         label_smoothing: float = 0.0, sample_weight: ArrayLike | None = None,
                         pos_weight: ArrayLike | None = None, reduction: str = "mean",
                         base: float | None = None) -> np.ndarray:
    r"""Binary cross-entropy :math:`\ell = -[w_+ \, y \log p + (1 - y) \log(1 - p)]`, elementwise.

    From logits ``z`` (``from_logits=True``), :math:`p = \sigma(z)` and the loss is
    computed as :math:`w_+ y \,\mathrm{softplus}(-z) + (1 - y)\,\mathrm{softplus}(z)`,
    exact for any finite ``z``.

    Parameters
    ----------
    y_true : array_like, shape (...)
        Targets in [0, 1]: 0/1 labels, or soft targets. Integers and booleans are fine.
    y_pred : array_like, shape (...)
        Predicted probability of the positive class, or logits with ``from_logits=True``.
        Same shape as ``y_true``. A 2-D array (samples x labels) is a multi-label
        problem; ``"mean"`` averages over all elements, as PyTorch and Keras do.
    from_logits : bool
        Whether ``y_pred`` holds logits.
    label_smoothing : float
        ``eps`` in [0, 1]: targets become :math:`y(1 - \epsilon) + \epsilon / 2`.
    sample_weight : array_like, optional
        Non-negative weights over the leading axes of ``y_pred`` (shape ``(N,)`` for
        ``(N, L)`` predictions, or the full shape). ``"mean"`` divides the weighted sum
        by the number of elements: :math:`\sum_i s_i \ell_i / N` (Keras' ``sample_weight``,
        PyTorch's ``BCELoss(weight=...)``).
    pos_weight : array_like, optional
        :math:`w_+ \ge 0`, multiplies the positive term; a scalar or one per label,
        as PyTorch's ``binary_cross_entropy_with_logits(pos_weight=...)``.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns the elementwise losses, shape of ``y_pred``.
    base : float, optional
        ``None`` for nats, 2 for bits.

    Returns
    -------
    ndarray
        A scalar for ``"mean"`` and ``"sum"``, else the shape of ``y_pred``; in nats
        (bits with ``base=2``).

    Examples
    --------
    >>> round(float(binary_cross_entropy([1], [0.9])), 3)
    0.105
    >>> round(float(binary_cross_entropy([1], [0.1])), 3)
    2.303
    >>> round(float(binary_cross_entropy([1], [1e-300])), 1)  # no clipping
    690.8
    """
    b = _prepare_binary(y_true, y_pred, from_logits=from_logits, label_smoothing=label_smoothing,
                        sample_weight=sample_weight, pos_weight=pos_weight, reduction=reduction,
                        base=base)
    return b.red.apply(b.elementwise(*b.log_terms()))


def binary_focal_cross_entropy(y_true: ArrayLike, y_pred: ArrayLike, *, gamma: float = 2.0,
                               alpha: float | None = None, from_logits: bool = False,
                               reduction: str = "mean", base: float | None = None) -> np.ndarray:
    r"""Binary focal loss :math:`\ell = -\alpha_t (1 - p_t)^\gamma \log p_t`.

    :math:`p_t = p` for label 1 and :math:`1 - p` for label 0, so well-classified
    examples (``p_t`` near 1) are down-weighted by :math:`(1 - p_t)^\gamma`. For soft
    targets the loss is :math:`\alpha_t (1 - p_t)^\gamma` times the binary
    cross-entropy, with :math:`p_t = y p + (1 - y)(1 - p)`, as in Keras.
    With ``gamma=0`` and ``alpha=None`` it is exactly :func:`binary_cross_entropy`.

    Parameters
    ----------
    y_true, y_pred : array_like, same shape
        As in :func:`binary_cross_entropy`.
    gamma : float
        Focusing parameter, ``>= 0`` (Lin et al. use 2).
    alpha : float, optional
        Weight of the positive class in [0, 1] (:math:`\alpha_t = \alpha` for label 1,
        :math:`1 - \alpha` for label 0); ``None`` weights both by 1.
    from_logits, reduction, base
        As in :func:`binary_cross_entropy`.

    Returns
    -------
    ndarray
        A scalar for ``"mean"`` and ``"sum"``, else the shape of ``y_pred``; in nats
        (bits with ``base=2``).

    Examples
    --------
    >>> round(float(binary_focal_cross_entropy([1], [0.9])), 5)  # 0.1**2 * 0.1054
    0.00105
    >>> round(float(binary_focal_cross_entropy([1], [0.1])), 4)  # 0.9**2 * 2.3026
    1.8651
    >>> round(float(binary_focal_cross_entropy([1], [0.9], gamma=0)), 4)  # plain BCE
    0.1054
    """
    g = v.check_scalar(gamma, "gamma", low=0.0, hint="; 0 gives plain cross-entropy")
    a = None if alpha is None else v.check_scalar(alpha, "alpha", low=0.0, high=1.0)
    b = _prepare_binary(y_true, y_pred, from_logits=from_logits, reduction=reduction, base=base)
    log_p, log_1mp = b.log_terms()
    losses = b.elementwise(log_p, log_1mp)
    if g != 0:
        one_minus_pt = b.y * np.exp(log_1mp) + (1 - b.y) * np.exp(log_p)
        losses = losses * one_minus_pt ** b.x.dtype.type(g)
    if a is not None:
        losses = losses * (b.y * b.x.dtype.type(a) + (1 - b.y) * b.x.dtype.type(1 - a))
    return b.red.apply(losses)


# --- categorical ------------------------------------------------------------------------


@dataclass
class _Categorical:
    x: np.ndarray  # logits or probabilities, classes on the last axis
    from_logits: bool
    eps: float
    class_weight: np.ndarray | None
    red: _Reduction
    pred_name: str = "y_pred"

    @property
    def n_classes(self) -> int:
        return self.x.shape[-1]

    def log_q(self) -> np.ndarray:
        return _log_softmax(self.x) if self.from_logits else _log(self.x)

    def smoothed(self, y: np.ndarray) -> np.ndarray:
        if not self.eps:
            return y
        dt = self.x.dtype.type
        return y * dt(1 - self.eps) + dt(self.eps / self.n_classes)


def _prepare_categorical(y_pred, *, from_logits, label_smoothing, class_weight, sample_weight,
                         reduction, base, axis, pred_name: str = "y_pred") -> _Categorical:
    reduction, ln_b, eps = _common(reduction, base, label_smoothing)
    x = v.move_axis_last(v.as_float(y_pred, pred_name), axis, pred_name)
    if not from_logits:
        v.check_probabilities(x, "y_pred", logits_hint=True)
        v.check_rows_sum_to_one(x, "y_pred", logits_hint=True)
    cw = None
    if class_weight is not None:
        cw = v.check_weights(class_weight, "class_weight", x.shape[-1], x.dtype,
                             "one weight per class")
    sw = None
    if sample_weight is not None:
        sw = v.sample_weight_for(sample_weight, x.shape[:-1], x.dtype)
    return _Categorical(x, bool(from_logits), eps, cw, _Reduction(reduction, ln_b, sw), pred_name)


def _prepare_targets(y_true, c: _Categorical, axis: int) -> np.ndarray:
    raw = v.as_array(y_true, "y_true")
    y = v.as_float(raw, "y_true", dtype=c.x.dtype)
    y = v.move_axis_last(y, axis, "y_true")
    v.check_same_shape(y, c.x, "y_true", c.pred_name)
    v.check_probabilities(y, "y_true")
    v.check_rows_sum_to_one(y, "y_true", tol_dtype=v.float_dtype(raw))
    if c.class_weight is not None:
        c.red.denominator = float((y @ c.class_weight).sum())
    return y


def categorical_cross_entropy(y_true: ArrayLike, y_pred: ArrayLike, *, from_logits: bool = False,
                              label_smoothing: float = 0.0, class_weight: ArrayLike | None = None,
                              sample_weight: ArrayLike | None = None, reduction: str = "mean",
                              base: float | None = None, axis: int = -1) -> np.ndarray:
    r"""Categorical cross-entropy :math:`\ell_i = -\sum_k y_{ik} \log q_{ik}` (soft targets too).

    With logits ``z`` (``from_logits=True``), :math:`\log q = \mathrm{log\_softmax}(z)`,
    computed in one fused step, exact for any finite logits.

    Parameters
    ----------
    y_true : array_like, shape (N..., K)
        Target distributions along ``axis``: one-hot rows or soft labels, each
        summing to 1.
    y_pred : array_like, shape (N..., K)
        Predicted probabilities summing to 1 along ``axis`` (never clipped), or
        logits with ``from_logits=True``.
    from_logits : bool
        Whether ``y_pred`` holds logits.
    label_smoothing : float
        ``eps`` in [0, 1]: targets become :math:`y(1 - \epsilon) + \epsilon / K`.
    class_weight : array_like, shape (K,), optional
        Non-negative weight per class; ``"mean"`` becomes a weighted mean,
        :math:`\sum_i w_{c_i} \ell_i / \sum_i w_{c_i}` for one-hot targets of classes
        :math:`c_i` (in general :math:`-\sum_i \sum_k w_k y'_{ik} \log q_{ik}` divided by
        :math:`\sum_i \sum_k w_k y_{ik}`; PyTorch's ``weight=``). See the module notes.
    sample_weight : array_like, shape (N...), optional
        Non-negative weight per sample; ``"mean"`` divides by the number of samples
        (Keras' ``sample_weight``).
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one loss per sample, shape (N...).
    base : float, optional
        ``None`` for nats, 2 for bits.
    axis : int
        The class axis of both arrays.

    Returns
    -------
    ndarray
        A scalar for ``"mean"`` and ``"sum"``, else shape (N...); in nats (bits with
        ``base=2``).

    Examples
    --------
    >>> car = [1, 0, 0, 0]                       # car, bike, plane, boat
    >>> round(float(categorical_cross_entropy(car, [0.775, 0.116, 0.039, 0.070], base=2)), 4)
    0.3677
    """
    c = _prepare_categorical(y_pred, from_logits=from_logits, label_smoothing=label_smoothing,
                             class_weight=class_weight, sample_weight=sample_weight,
                             reduction=reduction, base=base, axis=axis)
    y = _prepare_targets(y_true, c, axis)
    target = c.smoothed(y)
    if c.class_weight is not None:
        target = target * c.class_weight
    return c.red.apply(-_times(target, c.log_q()).sum(axis=-1))


def categorical_focal_cross_entropy(y_true: ArrayLike, y_pred: ArrayLike, *, gamma: float = 2.0,
                                    alpha: float | ArrayLike | None = None,
                                    from_logits: bool = False, reduction: str = "mean",
                                    base: float | None = None, axis: int = -1) -> np.ndarray:
    r"""Categorical focal loss :math:`\ell_i = -\sum_k \alpha_k y_{ik}(1-q_{ik})^\gamma\log q_{ik}`.

    Down-weights classes the model already predicts confidently. :math:`1 - q` is
    computed as ``-expm1(log q)`` from logits, so it stays accurate when ``q`` is
    near 1. With ``gamma=0`` and ``alpha=None`` it is exactly
    :func:`categorical_cross_entropy`.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (N..., K)
        As in :func:`categorical_cross_entropy`.
    gamma : float
        Focusing parameter, ``>= 0``.
    alpha : float or array_like of shape (K,), optional
        Non-negative weight, one for all classes or one per class; ``None`` is 1.
        ``"mean"`` divides by the number of samples.
    from_logits, reduction, base, axis
        As in :func:`categorical_cross_entropy`.

    Returns
    -------
    ndarray
        A scalar for ``"mean"`` and ``"sum"``, else shape (N...); in nats (bits with
        ``base=2``).

    Examples
    --------
    >>> car = [1, 0, 0, 0]
    >>> q = [0.775, 0.116, 0.039, 0.070]
    >>> round(float(categorical_focal_cross_entropy(car, q)), 4)  # 0.225**2 * 0.2549
    0.0129
    >>> round(float(categorical_focal_cross_entropy(car, q, gamma=0)), 4)  # plain, nats
    0.2549
    """
    g = v.check_scalar(gamma, "gamma", low=0.0, hint="; 0 gives plain cross-entropy")
    c = _prepare_categorical(y_pred, from_logits=from_logits, label_smoothing=0.0,
                             class_weight=None, sample_weight=None, reduction=reduction,
                             base=base, axis=axis)
    y = _prepare_targets(y_true, c, axis)
    log_q = c.log_q()
    target = y
    if g != 0:
        one_minus_q = -np.expm1(log_q) if c.from_logits else 1 - c.x
        target = target * one_minus_q ** c.x.dtype.type(g)
    alpha_k = _class_alpha(alpha, c)
    if alpha_k is not None:
        target = target * alpha_k
    return c.red.apply(-_times(target, log_q).sum(axis=-1))


def _class_alpha(alpha, c: _Categorical) -> np.ndarray | None:
    """The focal ``alpha`` as one weight per class (a scalar is the same for all), or None."""
    if alpha is None:
        return None
    if np.ndim(alpha) == 0:
        a = v.check_scalar(alpha, "alpha", low=0.0, hint="; None means no class balancing")
        return np.full(c.n_classes, a, dtype=c.x.dtype)
    return v.check_weights(alpha, "alpha", c.n_classes, c.x.dtype,
                           "one weight per class, or a scalar")


# --- sparse categorical ----------------------------------------------------------------


@dataclass
class _Sparse:
    c: _Categorical
    labels: np.ndarray  # int64, ignored entries replaced by 0
    valid: np.ndarray | None  # False where the label equals ignore_index
    label_weight: np.ndarray | None  # class weight of each sample's label, 0 where ignored


def _prepare_sparse(labels, y_pred, *, from_logits, label_smoothing, class_weight, sample_weight,
                    ignore_index, reduction, base, axis, pred_name: str = "y_pred") -> _Sparse:
    c = _prepare_categorical(y_pred, from_logits=from_logits, label_smoothing=label_smoothing,
                             class_weight=class_weight, sample_weight=sample_weight,
                             reduction=reduction, base=base, axis=axis, pred_name=pred_name)
    lab = v.check_labels(labels, c.n_classes, c.x.shape[:-1], ignore_index, pred_name)
    valid = None
    if ignore_index is not None:
        valid = lab != ignore_index
        lab = np.where(valid, lab, 0)
    lw = None
    if c.class_weight is not None:
        lw = c.class_weight[lab]
        if valid is not None:
            lw = np.where(valid, lw, 0)
        c.red.denominator = float(lw.sum())
    elif valid is not None:
        c.red.denominator = float(valid.sum())
    return _Sparse(c, lab, valid, lw)


def sparse_categorical_cross_entropy(labels: ArrayLike, y_pred: ArrayLike, *,
                                     from_logits: bool = False, label_smoothing: float = 0.0,
                                     class_weight: ArrayLike | None = None,
                                     sample_weight: ArrayLike | None = None,
                                     ignore_index: int | None = None, reduction: str = "mean",
                                     base: float | None = None, axis: int = -1) -> np.ndarray:
    r"""Categorical cross-entropy with integer labels: :math:`\ell_i = -\log q_{i, c_i}`.

    The same loss as :func:`categorical_cross_entropy` on one-hot targets, without
    ever building the one-hot array (``K`` may be 100,000). From logits it is
    :math:`\mathrm{logsumexp}(z_i) - z_{i, c_i}`.

    Parameters
    ----------
    labels : array_like of int, shape (N...)
        Class indices :math:`c_i` in ``[0, K)``; entries equal to ``ignore_index`` are
        skipped.
    y_pred : array_like, shape (N..., K)
        Probabilities summing to 1 along ``axis``, or logits with ``from_logits=True``.
    from_logits : bool
        Whether ``y_pred`` holds logits.
    label_smoothing : float
        ``eps`` in [0, 1]; the target becomes :math:`(1 - \epsilon)` one-hot plus
        :math:`\epsilon / K` everywhere.
    class_weight : array_like, shape (K,), optional
        ``"mean"`` gives :math:`\sum_i w_{c_i} \ell_i / \sum_i w_{c_i}` (PyTorch's ``weight=``).
    sample_weight : array_like, shape (N...), optional
        ``"mean"`` gives :math:`\sum_i s_i \ell_i / N` (Keras' ``sample_weight``).
    ignore_index : int, optional
        A label value (e.g. a padding token, often -100) whose samples count in
        neither the sum nor the number ``"mean"`` divides by. With ``"none"`` their
        loss is 0.
    reduction : {"mean", "sum", "none"}
        ``"none"`` returns one loss per sample, shape (N...).
    base : float, optional
        ``None`` for nats, 2 for bits.
    axis : int
        The class axis of ``y_pred``.

    Returns
    -------
    ndarray
        A scalar for ``"mean"`` and ``"sum"``, else shape (N...); in nats (bits with
        ``base=2``).

    Examples
    --------
    >>> round(float(sparse_categorical_cross_entropy([0], [[0.775, 0.116, 0.039, 0.070]],
    ...                                              base=2)), 4)
    0.3677
    """
    s = _prepare_sparse(labels, y_pred, from_logits=from_logits, label_smoothing=label_smoothing,
                        class_weight=class_weight, sample_weight=sample_weight,
                        ignore_index=ignore_index, reduction=reduction, base=base, axis=axis)
    c = s.c
    idx = s.labels[..., None]
    if c.eps:
        log_q = c.log_q()
        nll = -np.take_along_axis(log_q, idx, axis=-1)[..., 0]
        cw = 1 if c.class_weight is None else c.class_weight
        smooth = -(_times(np.broadcast_to(cw, log_q.shape), log_q)).sum(axis=-1)
        lw = 1 if s.label_weight is None else s.label_weight
        dt = c.x.dtype.type
        losses = _times(dt(1 - c.eps) * lw, nll) + dt(c.eps / c.n_classes) * smooth
    else:
        if c.from_logits:
            _, shifted, _, rest = _lse_parts(c.x)
            losses = np.log1p(rest[..., 0]) - np.take_along_axis(shifted, idx, axis=-1)[..., 0]
        else:
            losses = -_log(np.take_along_axis(c.x, idx, axis=-1)[..., 0])
        if s.label_weight is not None:
            losses = _times(s.label_weight, losses)
    if s.valid is not None:
        losses = np.where(s.valid, losses, 0).astype(c.x.dtype, copy=False)
    return c.red.apply(losses)
