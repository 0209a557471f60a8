"""What the losses and their gradients share: argument preparation and the reduction.

Each ``prepare_*`` function validates its arguments (with the messages of
:mod:`xentlearn._validation`) and returns everything it computes, including
what ``reduction="mean"`` divides by; nothing is set on shared state afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import _validation as v
from .activations import _log_softmax
from .information import in_base


def times(x: np.ndarray, log_q: np.ndarray) -> np.ndarray:
    """``x * log_q`` with 0 wherever ``x == 0`` (even where ``log_q`` is ``-inf``)."""
    x, log_q = np.broadcast_arrays(x, log_q)
    out = np.zeros(x.shape, dtype=np.result_type(x, log_q))
    np.multiply(x, log_q, out=out, where=x != 0)
    return out


def log(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(p)


def log1m(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log1p(-p)


@dataclass(frozen=True)
class Reduction:
    """How per-sample losses become the returned value."""

    reduction: str
    ln_b: float | None
    weight: np.ndarray | None = None  # multiplies each loss (sample x class weights)
    denominator: float | None = None  # what "mean" divides by; None means the count

    def over(self, denominator: float | None) -> Reduction:
        """The same reduction with ``"mean"`` dividing by ``denominator``."""
        return replace(self, denominator=denominator)

    def apply(self, losses: np.ndarray) -> np.ndarray:
        if self.weight is not None:
            losses = times(self.weight, losses)  # a weight of 0 silences even an inf loss
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

    def finish_grad(self, g: np.ndarray, count: int, per_sample: bool = False) -> np.ndarray:
        """Apply sample weights and the scale to elementwise or per-sample gradients."""
        if self.weight is not None:
            g = g * (self.weight[..., None] if per_sample else self.weight)
        scale = self.scale(count)
        return g if scale == 1.0 else g * g.dtype.type(scale)


def options(reduction, base, label_smoothing) -> tuple[str, float | None, float]:
    """The checked ``reduction``, ``log(base)`` (or None) and ``label_smoothing``."""
    return (v.check_reduction(reduction), v.log_base(base),
            v.check_label_smoothing(label_smoothing))


def tol_dtype(raw: np.ndarray, arr: np.ndarray) -> np.dtype:
    """The dtype whose rounding a row sum is judged by: the coarser of the caller's and ours.

    The caller's is :func:`xentlearn._validation.tolerance_dtype` of ``raw`` (a float
    array's own type; float64 for integers and bools), ours is ``arr``'s, the type the
    loss computes in. The coarser one wins: float16 probabilities keep float16's tolerance
    after promotion to float64, and float64 targets cast to float32 predictions (as the
    categorical loss casts them) get float32's.
    """
    given = v.tolerance_dtype(raw)
    return given if np.finfo(given).eps > np.finfo(arr.dtype).eps else arr.dtype


# --- binary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Binary:
    y: np.ndarray  # targets in [0, 1], smoothed
    x: np.ndarray  # logits or probabilities, same shape as y
    from_logits: bool
    pos_weight: np.ndarray | None
    red: Reduction

    def log_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """``log p`` and ``log(1 - p)`` for the predicted positive probability ``p``.

        From logits both come from one ``log1p(exp(-|x|))``: ``log sigmoid(x) =
        min(x, 0) - log1p(exp(-|x|))`` and ``log sigmoid(-x) = -max(x, 0) - log1p(...)``.
        """
        if self.from_logits:
            with np.errstate(under="ignore"):
                sp = np.log1p(np.exp(-np.abs(self.x)))
            return np.minimum(self.x, 0) - sp, -np.maximum(self.x, 0) - sp
        return log(self.x), log1m(self.x)

    def elementwise(self, log_p: np.ndarray, log_1mp: np.ndarray) -> np.ndarray:
        # From logits both logs are finite, so plain products are safe; from probabilities
        # a log can be -inf where its weight is 0, and 0 * -inf must count as 0.
        mul = np.multiply if self.from_logits else times
        with np.errstate(under="ignore"):
            pos = mul(self.y, log_p)
            if self.pos_weight is not None:
                pos = times(self.pos_weight, pos)
            neg = mul(1 - self.y, log_1mp)
            neg += pos
        return np.negative(neg, out=neg)


def pos_weight_for(pos_weight, shape: tuple[int, ...], dtype, pred_name: str) -> np.ndarray:
    pw = v.as_float(pos_weight, "pos_weight", dtype=dtype)
    try:
        pw = np.broadcast_to(pw, shape)
    except ValueError:
        raise v.InvalidInputError(
            f"pos_weight has shape {pw.shape}, which does not broadcast to {pred_name}'s shape "
            f"{shape}; pass a scalar or one weight per output (shape {shape[-1:]})"
        ) from None
    if (pw < 0).any():
        raise v.InvalidInputError("pos_weight has negative entries; weights must be >= 0")
    return pw


def prepare_binary(y_true, y_pred, *, from_logits, label_smoothing=0.0, sample_weight=None,
                   pos_weight=None, reduction="mean", base=None,
                   pred_name: str = "y_pred") -> Binary:
    from_logits = v.check_bool(from_logits, "from_logits")
    reduction, ln_b, eps = options(reduction, base, label_smoothing)
    x = v.as_float(y_pred, pred_name)
    y = v.as_float(y_true, "y_true", dtype=x.dtype)
    v.check_same_shape(y, x, "y_true", pred_name)
    v.check_probabilities(y, "y_true")
    if not from_logits:
        v.check_probabilities(x, "y_pred", logits_hint=True)
    if eps:
        y = y * x.dtype.type(1 - eps) + x.dtype.type(eps / 2)
    pw = None if pos_weight is None else pos_weight_for(pos_weight, x.shape, x.dtype, pred_name)
    sw = None if sample_weight is None else v.sample_weight_for(sample_weight, x.shape, x.dtype)
    return Binary(y, x, from_logits, pw, Reduction(reduction, ln_b, sw))


# --- categorical ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Categorical:
    x: np.ndarray  # logits or probabilities, classes on the last axis
    from_logits: bool
    eps: float
    class_weight: np.ndarray | None
    red: Reduction  # "mean" divides by the count until the targets give the denominator
    pred_name: str = "y_pred"

    @property
    def n_classes(self) -> int:
        return self.x.shape[-1]

    def log_q(self) -> np.ndarray:
        if self.from_logits:
            with np.errstate(under="ignore", over="ignore"):
                return _log_softmax(self.x)
        return log(self.x)

    def smoothed(self, y: np.ndarray) -> np.ndarray:
        if not self.eps:
            return y
        dt = self.x.dtype.type
        return y * dt(1 - self.eps) + dt(self.eps / self.n_classes)


def prepare_categorical(y_pred, *, from_logits, label_smoothing, class_weight, sample_weight,
                        reduction, base, axis, pred_name: str = "y_pred") -> Categorical:
    from_logits = v.check_bool(from_logits, "from_logits")
    reduction, ln_b, eps = options(reduction, base, label_smoothing)
    raw = v.as_array(y_pred, pred_name)
    x = v.move_axis_last(v.as_float(raw, pred_name), axis, pred_name)
    if not from_logits:
        v.check_probabilities(x, "y_pred", logits_hint=True)
        v.check_rows_sum_to_one(x, "y_pred", logits_hint=True, tol_dtype=tol_dtype(raw, x))
    cw = None
    if class_weight is not None:
        cw = v.check_weights(class_weight, "class_weight", x.shape[-1], x.dtype,
                             "one weight per class")
    sw = None
    if sample_weight is not None:
        sw = v.sample_weight_for(sample_weight, x.shape[:-1], x.dtype)
    return Categorical(x, from_logits, eps, cw, Reduction(reduction, ln_b, sw), pred_name)


def prepare_targets(y_true, c: Categorical, axis: int) -> tuple[np.ndarray, Reduction]:
    """The checked target distributions, and ``c``'s reduction with its mean denominator."""
    raw = v.as_array(y_true, "y_true")
    y = v.as_float(raw, "y_true", dtype=c.x.dtype)
    y = v.move_axis_last(y, axis, "y_true")
    v.check_same_shape(y, c.x, "y_true", c.pred_name)
    v.check_probabilities(y, "y_true")
    v.check_rows_sum_to_one(y, "y_true", tol_dtype=tol_dtype(raw, y))
    denominator = None
    if c.class_weight is not None:
        denominator = float((y @ c.class_weight).sum())
    return y, c.red.over(denominator)


def class_alpha(alpha, c: Categorical) -> np.ndarray | None:
    """The focal ``alpha`` as one weight per class (a scalar is the same for all), or None."""
    if alpha is None:
        return None
    if np.ndim(alpha) == 0:
        a = v.check_scalar(alpha, "alpha", low=0.0, hint="; None means no class balancing")
        return np.full(c.n_classes, a, dtype=c.x.dtype)
    return v.check_weights(alpha, "alpha", c.n_classes, c.x.dtype,
                           "one weight per class, or a scalar")


# --- sparse categorical ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sparse:
    c: Categorical
    labels: np.ndarray  # int64, ignored entries replaced by 0
    valid: np.ndarray | None  # False where the label equals ignore_index
    label_weight: np.ndarray | None  # class weight of each sample's label, 0 where ignored
    red: Reduction  # c.red with the mean denominator of these labels


def prepare_sparse(labels, y_pred, *, from_logits, label_smoothing, class_weight, sample_weight,
                   ignore_index, reduction, base, axis, pred_name: str = "y_pred") -> Sparse:
    c = prepare_categorical(y_pred, from_logits=from_logits, label_smoothing=label_smoothing,
                            class_weight=class_weight, sample_weight=sample_weight,
                            reduction=reduction, base=base, axis=axis, pred_name=pred_name)
    lab = v.check_labels(labels, c.n_classes, c.x.shape[:-1], ignore_index, pred_name)
    valid = None
    if ignore_index is not None:
        valid = lab != ignore_index
        lab = np.where(valid, lab, 0)
    lw = None
    denominator = None
    if c.class_weight is not None:
        lw = c.class_weight[lab]
        if valid is not None:
            lw = np.where(valid, lw, 0)
        denominator = float(lw.sum())
    elif valid is not None:
        denominator = float(valid.sum())
    return Sparse(c, lab, valid, lw, c.red.over(denominator))
