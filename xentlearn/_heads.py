r"""Output layers of the models: the mean loss of a batch and its gradient by the logits.

A model calls its head on every training step, on arrays it has already checked
once at the boundary of ``fit`` (float64 logits from its own forward pass, int64
class indices in ``[0, K)``, finite class weights), so nothing here validates its
input again. Each head computes the same numbers as the public functions, with the
same operations in the same order:

* binary, ``"cross_entropy"``: :func:`~xentlearn.binary_cross_entropy` and
  :func:`~xentlearn.binary_cross_entropy_grad`;
* binary, ``"focal"``: :func:`~xentlearn.binary_focal_cross_entropy` and
  ``grad._binary_focal_grad``;
* binary, ``"squared_error"``: :math:`(\sigma(z) - t)^2` and its gradient
  :math:`2(\sigma(z) - t)\,\sigma(z)\,\sigma(-z)` (the one loss not in the core);
* softmax, ``"cross_entropy"``: :func:`~xentlearn.sparse_categorical_cross_entropy` and
  :func:`~xentlearn.sparse_categorical_cross_entropy_grad`;
* softmax, ``"focal"``: :func:`~xentlearn.categorical_focal_cross_entropy` and
  ``grad._categorical_focal_grad``;

all from logits, with the model's label smoothing :math:`\epsilon` and class
weights :math:`w`. The batch loss is the weighted mean
:math:`\sum_i w_{c_i} \ell_i / \sum_i w_{c_i}` (the plain mean without class
weights); a batch whose samples all weigh 0 has loss NaN and gradient 0 (it
teaches nothing).

Benign underflow (``exp`` of a very negative logit) is part of the arithmetic;
the models call the heads under ``np.errstate(under="ignore")``.
"""

from __future__ import annotations

import numpy as np

from .activations import _log_softmax, _sigmoid, _softmax
from .grad import _binary_focal_grad, _categorical_focal_grad

BINARY_LOSSES = ("cross_entropy", "focal", "squared_error")
SOFTMAX_LOSSES = ("cross_entropy", "focal")


class Head:
    """The loss of an output layer, with its class weights and label smoothing.

    Parameters
    ----------
    loss : str
        One of ``BINARY_LOSSES`` or ``SOFTMAX_LOSSES``.
    gamma : float
        Focal parameter, ``>= 0``.
    eps : float
        Label smoothing in [0, 1].
    class_weight : ndarray of shape (K,), or None
        Non-negative, finite.
    n_classes : int
        ``K`` (2 for the binary head).
    """

    def __init__(self, loss: str, gamma: float, eps: float, class_weight: np.ndarray | None,
                 n_classes: int):
        self.kind, self.gamma, self.eps = loss, float(gamma), float(eps)
        self.cw, self.k = class_weight, n_classes

    def loss_and_grad(self, z: np.ndarray, y: np.ndarray, need_grad: bool = True,
                      need_loss: bool = True) -> tuple[float, np.ndarray | None]:
        """The mean loss over the batch (NaN unless ``need_loss``) and its gradient by ``z``
        (same shape as ``z``; None unless ``need_grad``)."""
        raise NotImplementedError

    def _denominator(self, y: np.ndarray) -> float:
        """What the mean divides by: the batch size, or the sum of the samples' class weights."""
        return y.shape[0] if self.cw is None else float(self.cw[y].sum())


class BinaryHead(Head):
    """One logit per sample, shape (N,); labels 0/1; :math:`p = \\sigma(z)`."""

    def proba(self, x: np.ndarray) -> np.ndarray:
        return np.stack([_sigmoid(-x), _sigmoid(x)], axis=1)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return (x > 0).astype(np.int64)

    def target(self, y: np.ndarray) -> np.ndarray:
        r"""The smoothed target :math:`t = y(1 - \epsilon) + \epsilon / 2`."""
        t = y.astype(np.float64)
        return t * (1 - self.eps) + self.eps / 2 if self.eps else t

    def loss_and_grad(self, x: np.ndarray, y: np.ndarray, need_grad: bool = True,
                      need_loss: bool = True) -> tuple[float, np.ndarray | None]:
        t = self.target(y)
        sw = None if self.cw is None else self.cw[y]
        if self.kind == "squared_error":
            p = _sigmoid(x)
            per = (p - t) ** 2 if need_loss else None
            g = 2 * (p - t) * p * _sigmoid(-x) if need_grad else None
            return _weighted_mean(per, g, sw)
        per = None
        if need_loss:
            # -[t log p + (1 - t) log(1 - p)] with log p = min(x, 0) - sp and
            # log(1 - p) = -max(x, 0) - sp, sp = log1p(exp(-|x|)): binary_cross_entropy's terms
            sp = np.log1p(np.exp(-np.abs(x)))
            log_p = np.minimum(x, 0) - sp
            log_1mp = -np.maximum(x, 0) - sp
            per = (1 - t) * log_1mp
            per += t * log_p
            np.negative(per, out=per)
            if self.kind == "focal" and self.gamma != 0:
                per = per * (t * np.exp(log_1mp) + (1 - t) * np.exp(log_p)) ** self.gamma
        if self.kind == "focal":
            g = _binary_focal_grad(t, x, self.gamma) if need_grad else None
            return _weighted_mean(per, g, sw)
        # cross-entropy: binary_cross_entropy_grad's sigma(x) - t, scaled as it scales
        g = _sigmoid(x) - t if need_grad else None
        if sw is None:
            n = x.shape[0]
            loss = float(per.sum()) / n if need_loss else np.nan
            if g is not None:
                g *= 1.0 / n
            return loss, g
        denom = float(sw.sum())
        if denom == 0:
            return np.nan, None if g is None else np.zeros_like(g)
        loss = float((sw * per).sum()) / denom if need_loss else np.nan
        return loss, None if g is None else g * sw / denom


class SoftmaxHead(Head):
    """Logits of shape (N, K), labels in ``[0, K)``; :math:`q = \\mathrm{softmax}(z)`."""

    def proba(self, z: np.ndarray) -> np.ndarray:
        return _softmax(z)

    def predict(self, z: np.ndarray) -> np.ndarray:
        return np.argmax(z, axis=1)

    def target(self, y: np.ndarray) -> np.ndarray:
        r"""Smoothed one-hot targets :math:`(1 - \epsilon)\,\mathrm{onehot}(y) + \epsilon / K`."""
        t = np.zeros((y.shape[0], self.k))
        t[np.arange(y.shape[0]), y] = 1.0
        return t * (1 - self.eps) + self.eps / self.k if self.eps else t

    def loss_and_grad(self, z: np.ndarray, y: np.ndarray, need_grad: bool = True,
                      need_loss: bool = True) -> tuple[float, np.ndarray | None]:
        denom = self._denominator(y)
        if denom == 0:
            return np.nan, np.zeros_like(z) if need_grad else None
        if self.kind == "focal":
            return self._focal(z, y, denom, need_grad, need_loss)
        loss = self._cross_entropy(z, y) / denom if need_loss else np.nan
        return loss, self._cross_entropy_grad(z, y, denom) if need_grad else None

    def _cross_entropy(self, z: np.ndarray, y: np.ndarray) -> float:
        r"""The summed weighted loss, as :func:`~xentlearn.sparse_categorical_cross_entropy`:
        :math:`(1 - \epsilon) w_{c}(-\log q_c) - \frac{\epsilon}{K}\sum_k w_k \log q_k`."""
        rows = np.arange(y.shape[0])
        log_q = _log_softmax(z)
        nll = -log_q[rows, y]
        lw = None if self.cw is None else self.cw[y]
        if self.eps:
            smooth = -(log_q if self.cw is None else self.cw * log_q).sum(axis=-1)
            head = (1 - self.eps) * nll if lw is None else (1 - self.eps) * lw * nll
            per = head + self.eps / self.k * smooth
        else:
            per = nll if lw is None else lw * nll
        return float(per.sum())

    def _cross_entropy_grad(self, z: np.ndarray, y: np.ndarray, denom: float) -> np.ndarray:
        r"""As :func:`~xentlearn.sparse_categorical_cross_entropy_grad`: :math:`q \sum_k t_k - t`
        per sample, :math:`t_k = w_k y'_k`, divided by ``denom``."""
        rows = np.arange(y.shape[0])
        cw, eps, k = self.cw, self.eps, self.k
        g = _softmax(z)
        lw = None if cw is None else cw[y]
        if eps:
            total = (1 - eps) * (1.0 if lw is None else lw) + eps / k * (k if cw is None
                                                                        else cw.sum())
            g *= total[:, None] if np.ndim(total) else total
            g -= eps / k * (1 if cw is None else cw)
            g[rows, y] -= (1 - eps) * (1.0 if lw is None else lw)
        elif lw is None:
            g[rows, y] -= 1.0
        else:
            g *= lw[:, None]
            g[rows, y] -= lw
        g *= 1.0 / denom
        return g

    def _focal(self, z: np.ndarray, y: np.ndarray, denom: float, need_grad: bool,
               need_loss: bool) -> tuple[float, np.ndarray | None]:
        t = self.target(y)
        loss = np.nan
        if need_loss:
            log_q = _log_softmax(z)
            w = t * (-np.expm1(log_q)) ** self.gamma if self.gamma != 0 else t
            if self.cw is not None:
                w = w * self.cw
            loss = float((-(w * log_q).sum(axis=-1)).sum()) / denom
        g = _categorical_focal_grad(t, z, self.gamma, self.cw) / denom if need_grad else None
        return loss, g


def make_head(binary: bool, loss: str, gamma: float, eps: float,
              class_weight: np.ndarray | None, n_classes: int) -> Head:
    """The head of a binary (one logit) or softmax (K logits) output layer."""
    return (BinaryHead if binary else SoftmaxHead)(loss, gamma, eps, class_weight, n_classes)


def _weighted_mean(per: np.ndarray | None, g: np.ndarray | None,
                   sw: np.ndarray | None) -> tuple[float, np.ndarray | None]:
    r""":math:`\sum_i s_i \ell_i / \sum_i s_i` and its gradient, from per-sample losses and
    gradients (``None`` when not needed)."""
    if sw is None:
        n = (per if per is not None else g).shape[0]
        return (np.nan if per is None else float(per.sum()) / n), None if g is None else g / n
    denom = float(sw.sum())
    if denom == 0:
        return np.nan, None if g is None else np.zeros_like(g)
    loss = np.nan if per is None else float((sw * per).sum()) / denom
    return loss, None if g is None else sw * g / denom
