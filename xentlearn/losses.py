"""Cross-entropy losses for classifiers: binary, categorical, sparse categorical and focal.

Every loss takes predictions either as probabilities (the default) or as
logits (``from_logits=True``), returns nats unless ``base`` is given, and
reduces with ``reduction`` = ``"mean"`` (default), ``"sum"`` or ``"none"``.

Probabilities are never clipped: a probability of 1e-300 on the true class
costs 690.8 nats and a probability of 0 costs ``inf``. (Keras clips to
[1e-7, 1 - 1e-7], so Keras 3 charges at most 16.1 nats; Keras 2's binary loss also
adds 1e-7 inside the log, at most 15.4 nats; PyTorch's ``BCELoss`` clamps the log
at -100. :func:`library_binary_cross_entropy` computes these rules.) From
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

Large inputs, threads
---------------------
From 32,768 values on, the losses run private kernels that give the same
per-sample numbers (to rounding): rows are processed in blocks that fit in the
CPU cache, bad values are found in the same passes (with the same messages),
and the blocks are shared among threads. The environment variable
``XENTLEARN_NUM_THREADS``, read at each call, sets how many: ``1`` keeps all the
work in the calling thread; unset, it is ``min(2, os.cpu_count())``. The losses
are thread-safe: calls from several threads at once give the single-thread results.
Under ``np.errstate(all="raise")`` they still return their answer: harmless
underflow inside is never reported.

References
----------
Goodfellow, Bengio and Courville, *Deep Learning*, section 6.2.2 (2016).
Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017.
Szegedy et al., "Rethinking the Inception Architecture", CVPR 2016 (label smoothing).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from . import _kernels
from . import _validation as v
from ._lossprep import (
    class_alpha,
    log,
    prepare_binary,
    prepare_categorical,
    prepare_sparse,
    prepare_targets,
    times,
)
from .activations import _lse_parts

__all__ = [
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "sparse_categorical_cross_entropy",
    "binary_focal_cross_entropy",
    "categorical_focal_cross_entropy",
    "library_binary_cross_entropy",
]

# the probability rules library_binary_cross_entropy knows
_LIBRARIES = ("keras3", "keras2", "pytorch")


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
    options = dict(from_logits=from_logits, label_smoothing=label_smoothing,
                   sample_weight=sample_weight, pos_weight=pos_weight, reduction=reduction,
                   base=base)
    fast = _kernels.binary(y_true, y_pred, **options)  # large inputs: same numbers, faster
    if fast is not None:
        return fast
    b = prepare_binary(y_true, y_pred, **options)
    with np.errstate(under="ignore"):
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
    b = prepare_binary(y_true, y_pred, from_logits=from_logits, reduction=reduction, base=base)
    with np.errstate(under="ignore"):
        log_p, log_1mp = b.log_terms()
        losses = b.elementwise(log_p, log_1mp)
        if g != 0:
            one_minus_pt = b.y * np.exp(log_1mp) + (1 - b.y) * np.exp(log_p)
            losses = losses * one_minus_pt ** b.x.dtype.type(g)
        if a is not None:
            losses = losses * (b.y * b.x.dtype.type(a) + (1 - b.y) * b.x.dtype.type(1 - a))
        return b.red.apply(losses)


def library_binary_cross_entropy(y_true: ArrayLike, y_pred: ArrayLike, *,
                                 library: str = "keras3", reduction: str = "mean",
                                 base: float | None = None) -> np.ndarray:
    r"""Binary cross-entropy from probabilities as Keras 3, Keras 2 or PyTorch computes it.

    :func:`binary_cross_entropy` never clips; these libraries do, so a confident
    mistake costs them at most a fixed amount. With :math:`p'` the probability clipped
    to :math:`[10^{-7}, 1 - 10^{-7}]` (Keras' ``backend.epsilon()``):

    ``"keras3"`` (``keras`` 3, every backend)
        :math:`\ell = -[y \log p' + (1 - y) \log(1 - p')]`, at most
        :math:`-\ln 10^{-7} = 16.118` nats.
    ``"keras2"`` (Keras 2: ``tf.keras`` in TensorFlow up to 2.15)
        :math:`\ell = -[y \log(p' + 10^{-7}) + (1 - y) \log(1 - p' + 10^{-7})]`, at most
        :math:`-\ln(2 \times 10^{-7}) = 15.425` nats. (From 2.16 on, TensorFlow uses
        Keras 3.)
    ``"pytorch"`` (``torch.nn.BCELoss``, no clipping of :math:`p`)
        :math:`\ell = -[y \max(\log p, -100) + (1 - y) \max(\log(1 - p), -100)]`,
        at most 100 nats.

    These are the rules for probabilities only. On TensorFlow, both Keras versions
    skip them when the probabilities come straight from a Keras sigmoid: they take
    the logits back and compute the exact loss, as ``from_logits=True`` does. The
    computation runs in ``y_pred``'s dtype: Keras works in float32 by default, in
    which :math:`1 - 10^{-7}` rounds to :math:`1 - 1.19 \times 10^{-7}`, so for label 0
    the cap is 15.942 nats (Keras 3) and 15.333 (Keras 2); float64 gives the figures
    above for both labels.

    Parameters
    ----------
    y_true, y_pred : array_like, same shape
        Targets in [0, 1] and predicted probabilities of the positive class, as in
        :func:`binary_cross_entropy` (no logits).
    library : {"keras3", "keras2", "pytorch"}
        Whose rule to apply.
    reduction, base
        As in :func:`binary_cross_entropy`.

    Returns
    -------
    ndarray
        A scalar for ``"mean"`` and ``"sum"``, else the shape of ``y_pred``; in nats
        (bits with ``base=2``).

    Examples
    --------
    >>> round(float(library_binary_cross_entropy([1], [1e-300], library="keras3")), 3)
    16.118
    >>> round(float(library_binary_cross_entropy([1], [1e-300], library="keras2")), 3)
    15.425
    >>> round(float(library_binary_cross_entropy([1], [1e-300], library="pytorch")), 3)
    100.0
    >>> round(float(binary_cross_entropy([1], [1e-300])), 3)  # xentlearn: no cap
    690.776
    """
    if not isinstance(library, str) or library not in _LIBRARIES:
        raise v.InvalidInputError(
            f"library must be one of 'keras3', 'keras2' or 'pytorch', got {library!r}")
    b = prepare_binary(y_true, y_pred, from_logits=False, reduction=reduction, base=base)
    x = b.x
    if library == "pytorch":
        log_p, log_1mp = b.log_terms()
        floor = x.dtype.type(-100)
        log_p, log_1mp = np.maximum(log_p, floor), np.maximum(log_1mp, floor)
    else:
        eps = x.dtype.type(1e-7)
        clipped = np.clip(x, eps, x.dtype.type(1) - eps)
        added = eps if library == "keras2" else x.dtype.type(0)
        log_p, log_1mp = log(clipped + added), log(x.dtype.type(1) - clipped + added)
    with np.errstate(under="ignore"):
        return b.red.apply(b.elementwise(log_p, log_1mp))


# --- categorical ------------------------------------------------------------------------


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
    options = dict(from_logits=from_logits, label_smoothing=label_smoothing,
                   class_weight=class_weight, sample_weight=sample_weight, reduction=reduction,
                   base=base, axis=axis)
    fast = _kernels.categorical(y_true, y_pred, **options)  # large inputs: same numbers, faster
    if fast is not None:
        return fast
    c = prepare_categorical(y_pred, **options)
    y, red = prepare_targets(y_true, c, axis)
    target = c.smoothed(y)
    if c.class_weight is not None:
        target = target * c.class_weight
    with np.errstate(under="ignore"):
        return red.apply(-times(target, c.log_q()).sum(axis=-1))


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
    c = prepare_categorical(y_pred, from_logits=from_logits, label_smoothing=0.0,
                            class_weight=None, sample_weight=None, reduction=reduction,
                            base=base, axis=axis)
    y, red = prepare_targets(y_true, c, axis)
    alpha_k = class_alpha(alpha, c)
    with np.errstate(under="ignore"):
        log_q = c.log_q()
        target = y
        if g != 0:
            one_minus_q = -np.expm1(log_q) if c.from_logits else 1 - c.x
            target = target * one_minus_q ** c.x.dtype.type(g)
        if alpha_k is not None:
            target = target * alpha_k
        return red.apply(-times(target, log_q).sum(axis=-1))


# --- sparse categorical ----------------------------------------------------------------


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
    options = dict(from_logits=from_logits, label_smoothing=label_smoothing,
                   class_weight=class_weight, sample_weight=sample_weight,
                   ignore_index=ignore_index, reduction=reduction, base=base, axis=axis)
    fast = _kernels.sparse(labels, y_pred, **options)  # large inputs: same numbers, faster
    if fast is not None:
        return fast
    s = prepare_sparse(labels, y_pred, **options)
    c = s.c
    idx = s.labels[..., None]
    with np.errstate(under="ignore", over="ignore"):
        if c.eps:
            log_q = c.log_q()
            nll = -np.take_along_axis(log_q, idx, axis=-1)[..., 0]
            cw = np.ones(c.n_classes, c.x.dtype) if c.class_weight is None else c.class_weight
            smooth = -(times(np.broadcast_to(cw, log_q.shape), log_q)).sum(axis=-1)
            lw = 1 if s.label_weight is None else s.label_weight
            dt = c.x.dtype.type
            losses = times(dt(1 - c.eps) * lw, nll) + dt(c.eps / c.n_classes) * smooth
        else:
            if c.from_logits:  # logsumexp(z) - z_c = log1p(rest) - (z_c - max z)
                _, shifted, _, rest = _lse_parts(c.x)
                losses = np.log1p(rest[..., 0]) - np.take_along_axis(shifted, idx, axis=-1)[..., 0]
            else:
                losses = -log(np.take_along_axis(c.x, idx, axis=-1)[..., 0])
            if s.label_weight is not None:
                losses = times(s.label_weight, losses)
        if s.valid is not None:
            losses = np.where(s.valid, losses, 0).astype(c.x.dtype, copy=False)
        return s.red.apply(losses)
