r"""Classifiers trained by minimising cross-entropy, in NumPy, with a scikit-learn-like API.

* :class:`LogisticRegression`: one logit :math:`z = w^\top a + b`, probability
  :math:`p = \sigma(z)`, binary cross-entropy (or focal loss, or squared error).
* :class:`SoftmaxRegression`: logits :math:`z = W^\top a + b`, probabilities
  :math:`\mathrm{softmax}(z)`, sparse categorical cross-entropy (or focal loss).
* :class:`MLPClassifier`: one hidden layer :math:`h = \phi(W_1^\top a + b_1)` (tanh
  or ReLU), logits :math:`z = W_2^\top h + b_2`, softmax cross-entropy (or focal loss).

The losses and their gradients with respect to the logits are those of
:mod:`xentlearn.losses` and :mod:`xentlearn.grad` (the squared error through a
sigmoid is the one loss not in the core); a model adds the chain rule back to its
weights and an optimiser from :mod:`xentlearn.optimisers`.

A model checks its arguments once, when ``fit``, ``predict`` and the other
public methods are called. The training loop then works on the checked arrays
with the core's private kernels (the output layer's loss and gradient, in
``xentlearn._heads``), which give the same numbers as the public functions
without checking the same arrays again on every step. Training and prediction
ignore floating-point underflow (``exp`` of a very negative logit is 0 by design),
so they also run under a caller's ``np.errstate(all="raise")``.

The objective
-------------
Every model minimises

.. math:: J(\theta) = L(\theta) + \frac{\lambda}{2} \sum \|W\|^2

where :math:`L` is the mean of the losses :math:`\ell_i` of the training samples and
:math:`\lambda` is ``l2``; the penalty covers the weight matrices, not the
intercepts. With class weights the mean is the weighted mean
:math:`L = \sum_i w_{c_i} \ell_i / \sum_i w_{c_i}`, :math:`c_i` the class of sample
:math:`i` (PyTorch's ``weight=``).

scikit-learn's ``LogisticRegression(C=C)`` minimises
:math:`C \sum_i \ell_i + \frac12 \|w\|^2`; divided by :math:`C N` this is the mean loss
plus :math:`\frac{1}{2 C N}\|w\|^2`, so ``l2 = 1 / (C * N)`` gives the same
minimiser (``N`` the number of training samples; with class weights, use
:math:`\sum_i w_{c_i}` for ``N``, which ``"balanced"`` makes equal to ``N``).
scikit-learn's ``MLPClassifier(alpha=a)`` adds :math:`\frac{a}{2 B}\|W\|^2` to
the mean loss of each batch of ``B`` samples, i.e. ``l2 = a / B`` (``a / N``
full-batch); here the penalty does not depend on the batch size.

Options shared by the three models
----------------------------------
learning_rate : float
    Step size: 0.05 for the linear models (full-batch Adam), 0.001 for the MLP
    (mini-batch Adam). Plain SGD usually wants 0.1 to 1.
epochs : int
    Passes over the training data: 500 for the linear models, which then reach the
    minimum of their convex objective closely, and 100 for the MLP.
batch_size : int or None
    Samples per update; ``None`` is full-batch (one update per epoch).
optimizer : {"adam", "momentum", "sgd"}
    ``"sgd"``: :math:`\theta \leftarrow \theta - \eta g`. ``"momentum"``:
    :math:`v \leftarrow \mu v - \eta g,\ \theta \leftarrow \theta + v`. ``"adam"``
    (Kingma and Ba, 2015) with :math:`\beta_1 =` ``momentum``, :math:`\beta_2 = 0.999`,
    :math:`\epsilon = 10^{-8}`. See :mod:`xentlearn.optimisers`.
momentum : float
    :math:`\mu` in [0, 1); also Adam's :math:`\beta_1`. Default 0.9.
lr_decay : float
    The step size of epoch ``t`` (from 0) is ``learning_rate / (1 + lr_decay * t)``;
    0 keeps it constant. A decaying step lets mini-batch training settle at the minimum.
l2 : float
    :math:`\lambda \ge 0`, see above.
early_stopping : bool
    Stop when the validation loss has not reached a new minimum for ``patience``
    epochs and restore the weights of the best epoch (needs ``X_val`` and ``y_val``).
patience : int
    Epochs without improvement before stopping.
class_weight : None, "balanced" or mapping
    Weight of each class in the loss. ``"balanced"`` is scikit-learn's
    :math:`w_k = N / (K n_k)`; a mapping ``{label: weight}`` (missing labels weigh 1).
    :class:`LogisticRegression` multiplies sample ``i``'s loss by :math:`w_{c_i}`
    (the core's ``sample_weight``); the softmax models pass the weights to the core's
    ``class_weight`` (per class: the loss of sample ``i`` becomes
    :math:`-\sum_k w_k y'_{ik}\log q_{ik}`, which is :math:`w_{c_i} \ell_i` without label
    smoothing) or, for the focal loss, ``alpha``.
    Either way the mean divides by :math:`\sum_i w_{c_i}` (per mini-batch).
label_smoothing : float
    :math:`\epsilon \in [0, 1]`, as in the losses: targets become
    :math:`(1 - \epsilon)\,\text{one-hot} + \epsilon / K` (binary:
    :math:`y(1 - \epsilon) + \epsilon/2`), for every ``loss``. :math:`\epsilon = 1`
    makes every target uniform, so the labels no longer matter (without class
    weights the model learns to predict :math:`1/K` for every class).
loss : {"cross_entropy", "focal"}; :class:`LogisticRegression` also "squared_error"
    ``"focal"`` is the focal loss with focusing parameter ``gamma`` (Lin et al., 2017),
    :func:`~xentlearn.binary_focal_cross_entropy` /
    :func:`~xentlearn.categorical_focal_cross_entropy` of the (smoothed) targets;
    ``"squared_error"`` is :math:`(\sigma(z) - y)^2`, the mean squared error of the
    probability, whose gradient vanishes when the sigmoid saturates.
gamma : float
    Focal loss parameter, ``>= 0``; 0 gives cross-entropy.
seed : int or None
    Seeds the initial weights and the order of the mini-batches: the same seed gives
    the same ``history_``.
verbose : "auto", True or False
    Progress display, see :mod:`xentlearn.training_progress`.

Fitted attributes
-----------------
``classes_`` : ndarray, shape (K,)
    The labels, sorted; column ``k`` of ``predict_proba`` is ``classes_[k]``.
``params_`` : dict of ndarray
    The weights, by name (``"W"``, ``"b"``; the MLP's ``"W1"``, ``"b1"``, ``"W2"``, ``"b2"``).
``history_`` : dict of lists
    One entry per epoch: ``train_loss`` and ``train_acc`` on the whole training set
    after the epoch, and ``val_loss`` and ``val_acc`` when validation data are given.
    The losses are the training loss as configured (weights, smoothing, focal) in
    nats, *without* the L2 penalty.
``n_epochs_`` : int
    Epochs run (fewer than ``epochs`` after early stopping).
``best_epoch_`` : int
    With early stopping: the epoch (from 1) whose weights were restored; else
    ``n_epochs_``.
``class_weight_`` : ndarray, shape (K,), or None
    The class weights used.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v
from ._heads import BINARY_LOSSES, SOFTMAX_LOSSES, make_head
from .activations import sigmoid
from .grad import binary_cross_entropy_grad
from .losses import binary_cross_entropy
from .optimisers import OPTIMIZERS, flat_parameters, make_optimizer
from .training_progress import Progress

__all__ = ["LogisticRegression", "SoftmaxRegression", "MLPClassifier", "balanced_class_weights",
           "logistic_loss_and_gradient"]

Params = dict[str, np.ndarray]

#: What the models do with floating-point warnings while they train and predict: ``exp``
#: of a very negative logit underflows to 0 by design, even under a caller's
#: ``np.errstate(all="raise")``.
_QUIET_UNDERFLOW = {"under": "ignore"}


def balanced_class_weights(y: ArrayLike, n_classes: int | None = None) -> np.ndarray:
    r"""Class weights :math:`w_k = N / (K \, n_k)` that make every class count equally.

    The "balanced" heuristic of scikit-learn: a class with half the average number
    of samples gets weight 2. Classes absent from ``y`` get weight 0.

    Parameters
    ----------
    y : array_like of int, shape (N,)
        Class labels in ``[0, K)``.
    n_classes : int, optional
        ``K``; by default ``max(y) + 1``.

    Returns
    -------
    ndarray, shape (K,)
        No unit. When every class occurs, their mean over the samples,
        :math:`\frac1N \sum_i w_{c_i}` with :math:`c_i` = ``y[i]``, is 1.

    Examples
    --------
    >>> balanced_class_weights([0, 0, 0, 1]).round(4).tolist()   # 4 / (2 * 3), 4 / (2 * 1)
    [0.6667, 2.0]
    """
    y_arr = v.as_array(y, "y").ravel()
    k = int(y_arr.max()) + 1 if n_classes is None else v.check_int(n_classes, "n_classes", low=1)
    lab = v.check_labels(y_arr, k, y_arr.shape, None, pred_name="the class count")
    counts = np.bincount(lab, minlength=k).astype(np.float64)
    return np.divide(lab.size, k * counts, out=np.zeros(k), where=counts > 0)


def logistic_loss_and_gradient(X: ArrayLike, y: ArrayLike, params: Mapping[str, ArrayLike], *,
                               loss: str = "cross_entropy",
                               l2: float = 0.0) -> tuple[float, Params]:
    r"""A logistic regression's objective at the weights ``params``, and its gradient.

    With the logit :math:`z_i = w^\top a_i + b` of sample :math:`i` (features
    :math:`a_i`, row ``i`` of ``X``) and :math:`p_i = \sigma(z_i)`, the objective is

    .. math:: J = \frac1N \sum_{i=1}^{N} \ell_i + \frac{\lambda}{2}\|w\|^2

    with the loss :math:`\ell_i` of each sample and :math:`g_i`, its slope by the logit:

    * ``"cross_entropy"``: :math:`\ell_i = -[y_i \log p_i + (1 - y_i)\log(1 - p_i)]`,
      :math:`g_i = p_i - y_i`;
    * ``"squared_error"``: :math:`\ell_i = (p_i - y_i)^2`,
      :math:`g_i = 2(p_i - y_i)\,p_i(1 - p_i)`.

    By the chain rule the slopes multiply: a unit of :math:`w_j` moves :math:`z_i` by
    :math:`a_{ij}`, and a unit of :math:`b` moves it by 1, so

    .. math:: \frac{\partial J}{\partial w_j} = \frac1N\sum_{i=1}^{N} g_i\, a_{ij}
              + \lambda w_j, \qquad \frac{\partial J}{\partial b} = \frac1N\sum_{i=1}^{N} g_i .

    These are the numbers :meth:`LogisticRegression.loss_and_gradient` gives after a
    ``fit`` with the same ``loss`` and ``l2`` (and no class weights or label smoothing),
    at weights chosen by the caller and without fitting anything.

    Parameters
    ----------
    X : array_like, shape (N, D)
        Features.
    y : array_like, shape (N,)
        Labels, 0 or 1.
    params : mapping
        The weights: ``"W"`` of shape (D,) and ``"b"`` a number, as in a fitted
        :class:`LogisticRegression`'s ``params_``.
    loss : {"cross_entropy", "squared_error"}
        The loss :math:`\ell_i`.
    l2 : float
        :math:`\lambda \ge 0`, the weight of the penalty; 0 is no penalty.

    Returns
    -------
    (J, grads)
        ``J`` a float (nats for ``"cross_entropy"``); ``grads`` a dict with ``"W"``, shape
        (D,), and ``"b"``, shape (): the slopes of ``J`` by each weight.

    Examples
    --------
    At zero weights every :math:`p_i = 0.5`, so :math:`J = \ln 2` and :math:`g = (-0.5, 0.5)`:

    >>> X = np.array([[1.0, 2.0], [0.5, -1.0]])
    >>> J, grads = logistic_loss_and_gradient(X, [1, 0], {"W": np.zeros(2), "b": 0.0})
    >>> round(J, 4)
    0.6931
    >>> grads["W"].tolist()  # (-0.5 * [1, 2] + 0.5 * [0.5, -1]) / 2
    [-0.125, -0.75]
    >>> float(grads["b"])  # (-0.5 + 0.5) / 2
    0.0
    """
    v.check_choice(loss, "loss", ("cross_entropy", "squared_error"))
    lam = v.check_scalar(l2, "l2", low=0.0, hint="; 0 is no penalty")
    Xa = v.check_matrix(X)
    ya = v.encode_labels(v.check_sample_labels(y, Xa.shape[0]), np.array([0, 1]), "y")
    w = v.check_params(params, {"W": np.zeros(Xa.shape[1]), "b": np.zeros(())})
    with np.errstate(**_QUIET_UNDERFLOW):
        z = Xa @ w["W"] + w["b"]
        if loss == "cross_entropy":
            J = float(binary_cross_entropy(ya, z, from_logits=True))
            g = binary_cross_entropy_grad(ya, z)  # (p - y) / N
        else:
            p = sigmoid(z)
            J = float(np.mean((p - ya) ** 2))
            g = 2 * (p - ya) * p * sigmoid(-z) / Xa.shape[0]  # p * sigmoid(-z) = p(1 - p)
    J += 0.5 * lam * float(w["W"] @ w["W"])
    return J, {"W": Xa.T @ g + lam * w["W"], "b": np.asarray(g.sum())}


class _BaseClassifier:
    """Training loop, prediction and options shared by the three models."""

    _binary = False

    def __init__(self, *, learning_rate: float = 0.05, epochs: int = 500,
                 batch_size: int | None = None, optimizer: str = "adam", momentum: float = 0.9,
                 lr_decay: float = 0.0, l2: float = 0.0, early_stopping: bool = False,
                 patience: int = 10, class_weight=None, label_smoothing: float = 0.0,
                 loss: str = "cross_entropy", gamma: float = 2.0, seed: int | None = 0,
                 verbose="auto"):
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.momentum = momentum
        self.lr_decay = lr_decay
        self.l2 = l2
        self.early_stopping = early_stopping
        self.patience = patience
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing
        self.loss = loss
        self.gamma = gamma
        self.seed = seed
        self.verbose = verbose

    # -- scikit-learn conventions

    def get_params(self, deep: bool = True) -> dict:
        """The constructor arguments, by name."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params) -> _BaseClassifier:
        """Change constructor arguments; returns self."""
        v.check_param_names(params, self._param_names(), type(self).__name__)
        for name, value in params.items():
            setattr(self, name, value)
        return self

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return [p for p in sig.parameters if p != "self"]

    def __repr__(self) -> str:
        sig = inspect.signature(type(self).__init__)
        changed = [f"{n}={getattr(self, n)!r}" for n, p in sig.parameters.items()
                   if n != "self" and getattr(self, n) is not p.default
                   and getattr(self, n) != p.default]
        return f"{type(self).__name__}({', '.join(changed)})"

    # -- to be provided by subclasses

    def _init_params(self, n_features: int, n_outputs: int,
                     rng: np.random.Generator) -> Params:
        raise NotImplementedError

    def _forward(self, params: Params, X: np.ndarray) -> tuple[np.ndarray, tuple]:
        raise NotImplementedError

    def _backward(self, params: Params, cache: tuple, dz: np.ndarray) -> Params:
        raise NotImplementedError

    # -- checks

    def _check_options(self) -> None:
        v.check_scalar(self.learning_rate, "learning_rate", low=0.0, low_open=True)
        v.check_int(self.epochs, "epochs", low=1)
        v.check_int(self.batch_size, "batch_size", low=1, allow_none=True)
        v.check_choice(self.optimizer, "optimizer", OPTIMIZERS)
        v.check_scalar(self.momentum, "momentum", low=0.0, high=1.0, high_open=True)
        v.check_scalar(self.lr_decay, "lr_decay", low=0.0)
        v.check_scalar(self.l2, "l2", low=0.0, hint="; 0 is no penalty")
        v.check_bool(self.early_stopping, "early_stopping")
        v.check_int(self.patience, "patience", low=1)
        v.check_label_smoothing(self.label_smoothing)
        v.check_model_loss(self.loss, BINARY_LOSSES if self._binary else SOFTMAX_LOSSES,
                           type(self).__name__)
        v.check_scalar(self.gamma, "gamma", low=0.0, hint="; 0 gives cross-entropy")
        v.check_int(self.seed, "seed", low=0, allow_none=True)

    def _class_weights(self, y_enc: np.ndarray) -> np.ndarray | None:
        """One weight per class from ``class_weight``, or None; ``"balanced"`` from ``y_enc``."""
        weights = v.check_class_weight(self.class_weight, self.classes_)
        if isinstance(weights, str):
            return balanced_class_weights(y_enc, len(self.classes_))
        return weights

    def _encode(self, y: np.ndarray, name: str) -> np.ndarray:
        """The labels ``y`` as indices into ``classes_``."""
        return v.encode_labels(y, self.classes_, name)

    # -- the objective

    def _loss_and_grad(self, params: Params, X: np.ndarray, y: np.ndarray,
                       need_loss: bool = True,
                       forward: tuple[np.ndarray, tuple] | None = None) -> tuple[float, Params]:
        r"""Objective :math:`J` (mean loss plus L2 penalty) and its gradient by each parameter.

        Trusts its input: ``X`` a checked float64 matrix, ``y`` class indices
        (``0..K-1``); ``forward``, when given, is ``_finite_forward(params, X)`` already
        computed. Returns ``(J, grads)`` with ``grads[name]`` of the shape of
        ``params[name]`` (``J`` is NaN when not ``need_loss``).
        """
        z, cache = self._finite_forward(params, X) if forward is None else forward
        loss, dz = self._head.loss_and_grad(z, y, need_loss=need_loss)
        grads = self._backward(params, cache, dz)
        l2 = self._l2
        if l2:
            for k, p in params.items():
                if k.startswith("W"):
                    loss += 0.5 * l2 * float(np.vdot(p, p))
                    grads[k] = grads[k] + l2 * p
        return loss, grads

    def loss_and_gradient(self, X: ArrayLike, y: ArrayLike,
                          params: Params | None = None) -> tuple[float, Params]:
        r"""The objective :math:`J = L + \frac{\lambda}{2}\sum\|W\|^2` and its gradient.

        Parameters
        ----------
        X : array_like, shape (N, D)
        y : array_like, shape (N,)
            Labels from ``classes_``.
        params : dict of ndarray, optional
            Weights to evaluate at (shapes as in ``params_``); default the fitted ones.

        Returns
        -------
        (J, grads)
            ``J`` a float; ``grads`` a dict with the gradient of ``J`` by each parameter.
            The loss, its options and ``l2`` are those of the last ``fit``.
        """
        self._check_fitted()
        Xa = self._check_predict_X(X)
        ya = self._encode(v.check_sample_labels(y, Xa.shape[0]), "y")
        params = self.params_ if params is None else v.check_params(params, self.params_)
        with np.errstate(**_QUIET_UNDERFLOW):
            return self._loss_and_grad(params, Xa, ya)

    # -- fitting: checks, setup, the epoch loop

    def fit(self, X: ArrayLike, y: ArrayLike, X_val: ArrayLike | None = None,
            y_val: ArrayLike | None = None, *, classes: ArrayLike | None = None):
        """Train on ``(X, y)``; returns self.

        Parameters
        ----------
        X : array_like, shape (N, D)
            Features (standardise them first).
        y : array_like, shape (N,)
            Class labels (any sortable values).
        X_val, y_val : array_like, shapes (M, D) and (M,), optional
            Validation data, evaluated after every epoch (``history_["val_loss"]``,
            ``["val_acc"]``); needed for early stopping.
        classes : array_like, optional
            All the labels, when ``y`` may miss some (e.g. a rare character).
            Default ``np.unique(y)``.
        """
        for attr in ("params_", "history_", "n_epochs_", "best_epoch_"):
            self.__dict__.pop(attr, None)  # a failed fit leaves the model unfitted
        Xa, ya, val = self._check_fit_inputs(X, y, X_val, y_val, classes)
        with np.errstate(**_QUIET_UNDERFLOW):
            return self._fit(Xa, ya, val)

    def _check_fit_inputs(self, X, y, X_val, y_val, classes) -> tuple[
            np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        """Every check of ``fit``'s arguments and the options; sets ``classes_`` and
        ``class_weight_``. Returns the features, the labels as class indices and the
        validation pair (or None), which training then trusts."""
        self._check_options()
        Xa = v.check_matrix(X)
        ya = v.check_sample_labels(y, Xa.shape[0])
        self.classes_ = np.unique(ya if classes is None else np.asarray(classes))
        v.check_n_classes(self.classes_, type(self).__name__, binary=self._binary)
        y_enc = self._encode(ya, "y")
        val = None
        if v.check_validation_pair(X_val, y_val, self.early_stopping):
            Xv = v.check_matrix(X_val, "X_val")
            v.check_n_features(Xv, Xa.shape[1], "X_val", "X has")
            val = (Xv, self._encode(v.check_sample_labels(y_val, Xv.shape[0], "y_val"), "y_val"))
        self.class_weight_ = self._class_weights(y_enc)
        v.check_some_weight(self.class_weight_, y_enc)
        return Xa, y_enc, val

    def _fit(self, X: np.ndarray, y: np.ndarray,
             val: tuple[np.ndarray, np.ndarray] | None):
        """Set up the head, the weights and the optimiser from checked data, then train."""
        self.n_features_in_ = X.shape[1]
        self._l2 = float(self.l2)
        k = len(self.classes_)
        self._head = make_head(self._binary, self.loss, float(self.gamma),
                               float(self.label_smoothing), self.class_weight_, k)
        rng = np.random.default_rng(self.seed)
        theta, params = flat_parameters(
            self._init_params(X.shape[1], 1 if self._binary else k, rng))
        opt = make_optimizer(self.optimizer, theta.size, float(self.momentum))
        history, epoch, best_epoch = self._run_epochs(X, y, val, theta, params, opt, rng)
        self.best_epoch_ = best_epoch
        self.params_ = params
        self.history_ = history
        self.n_epochs_ = epoch
        return self

    def _run_epochs(self, X, y, val, theta, params, opt, rng) -> tuple[dict, int, int]:
        """The training loop: batches, an evaluation after each epoch, early stopping.

        Updates ``theta`` (and so ``params``, its views) in place; returns the history,
        the number of epochs run and the epoch whose weights ``theta`` holds.
        """
        def step(rows: np.ndarray | None, lr: float, forward=None) -> None:
            Xb, yb = (X, y) if rows is None else (X[rows], y[rows])
            _, grads = self._loss_and_grad(params, Xb, yb, need_loss=False, forward=forward)
            opt.step(theta, np.concatenate([g.ravel() for g in grads.values()]), lr)

        n = X.shape[0]
        bs = n if self.batch_size is None else min(self.batch_size, n)
        history: dict[str, list[float]] = {"train_loss": [], "train_acc": []}
        if val is not None:
            history.update(val_loss=[], val_acc=[])
        best = (np.inf, 0, None)
        waited = 0
        epoch = 0
        forward = None  # full-batch: the last evaluation's forward pass, at the current weights
        with Progress(self.epochs, verbose=self.verbose,
                      description=type(self).__name__) as bar:
            for epoch in range(1, self.epochs + 1):
                lr = self.learning_rate / (1 + self.lr_decay * (epoch - 1))
                if bs == n:
                    step(None, lr, forward)
                else:
                    order = rng.permutation(n)
                    for start in range(0, n, bs):
                        step(order[start:start + bs], lr)
                tl, ta, forward = self._evaluate(params, X, y)
                history["train_loss"].append(tl)
                history["train_acc"].append(ta)
                vl = None
                if val is not None:
                    vl, va, _ = self._evaluate(params, *val)
                    history["val_loss"].append(vl)
                    history["val_acc"].append(va)
                bar.update(epoch, loss=tl, val_loss=vl)
                if self.early_stopping:
                    if vl < best[0]:
                        best = (vl, epoch, theta.copy())
                        waited = 0
                    else:
                        waited += 1
                        if waited >= self.patience:
                            break
        if self.early_stopping and best[2] is not None:
            theta[:] = best[2]
            return history, epoch, best[1]
        return history, epoch, epoch

    def _finite_forward(self, params: Params, X: np.ndarray) -> tuple[np.ndarray, tuple]:
        """The forward pass, refusing logits that overflowed (training diverged)."""
        with np.errstate(over="ignore", invalid="ignore"):
            z, cache = self._forward(params, X)
        v.check_not_diverged(z)
        return z, cache

    def _evaluate(self, params: Params, X: np.ndarray,
                  y: np.ndarray) -> tuple[float, float, tuple[np.ndarray, tuple]]:
        """Mean loss (no penalty), accuracy, and the forward pass they came from."""
        forward = self._finite_forward(params, X)
        z = forward[0]
        loss, _ = self._head.loss_and_grad(z, y, need_grad=False)
        return loss, float(np.mean(self._head.predict(z) == y)), forward

    # -- prediction

    def _check_fitted(self) -> None:
        v.check_is_fitted(self)

    def _check_predict_X(self, X: ArrayLike) -> np.ndarray:
        Xa = v.check_matrix(X)
        v.check_n_features(Xa, self.n_features_in_, "X", "the model was fitted with")
        return Xa

    def _logits(self, X: ArrayLike) -> np.ndarray:
        self._check_fitted()
        Xa = self._check_predict_X(X)
        with np.errstate(**_QUIET_UNDERFLOW):
            return self._forward(self.params_, Xa)[0]

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """The logits: shape (N,) for :class:`LogisticRegression`, else (N, K)."""
        return self._logits(X)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities, shape (N, K) (K = 2 for :class:`LogisticRegression`)."""
        z = self._logits(X)
        with np.errstate(**_QUIET_UNDERFLOW):
            return self._head.proba(z)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The most probable label of each row, shape (N,), from ``classes_``."""
        z = self._logits(X)
        return self.classes_[self._head.predict(z)]

    def score(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


class LogisticRegression(_BaseClassifier):
    r"""Binary logistic regression: :math:`P(y = 1 \mid a) = \sigma(w^\top a + b)`.

    Minimises the mean binary cross-entropy
    :math:`L = \frac1N \sum_i [\mathrm{softplus}(-z_i) y_i + \mathrm{softplus}(z_i)(1 - y_i)]`
    of the logits :math:`z_i = w^\top a_i + b` plus :math:`\frac{\lambda}{2}\|w\|^2`
    (``l2 = 1 / (C N)`` reproduces scikit-learn's ``LogisticRegression(C=C)``).
    The gradient by the logits is :math:`(\sigma(z) - y) / N` (from
    :func:`xentlearn.binary_cross_entropy_grad`), so
    :math:`\nabla_w J = A^\top(\sigma(z) - y)/N + \lambda w`.

    ``loss="squared_error"`` minimises :math:`\frac1N\sum_i(\sigma(z_i) - y_i)^2`
    instead, with logit gradient :math:`2(\sigma(z) - y)\sigma(z)(1 - \sigma(z))/N`,
    which vanishes for confidently wrong predictions.

    The weights start at 0. All options are described in :mod:`xentlearn.models`.

    Attributes
    ----------
    coef_ : ndarray, shape (1, D)
    intercept_ : ndarray, shape (1,)
        As in scikit-learn. Also ``classes_`` (2 labels; the second is the positive
        class), ``history_``, ``n_epochs_``, ``params_`` (``"W"`` shape (D,), ``"b"``
        shape ()).

    Examples
    --------
    >>> import xentlearn.datasets as xd
    >>> s = xd.load_breast_cancer_split()
    >>> model = LogisticRegression(epochs=300, l2=1e-3).fit(s.X_train, s.y_train)
    >>> model.score(s.X_test, s.y_test) > 0.95
    True
    """

    _binary = True

    def _init_params(self, n_features, n_outputs, rng):
        return {"W": np.zeros(n_features), "b": np.zeros(())}

    def _forward(self, params, X):
        return X @ params["W"] + params["b"], (X,)

    def _backward(self, params, cache, dz):
        (X,) = cache
        return {"W": X.T @ dz, "b": np.asarray(dz.sum())}

    @property
    def coef_(self) -> np.ndarray:
        self._check_fitted()
        return self.params_["W"][None, :].copy()

    @property
    def intercept_(self) -> np.ndarray:
        self._check_fitted()
        return self.params_["b"].reshape(1).copy()


class SoftmaxRegression(_BaseClassifier):
    r"""Multinomial logistic regression: :math:`P(c = k \mid a) = \mathrm{softmax}(W^\top a + b)_k`.

    Minimises the mean sparse categorical cross-entropy
    :math:`L = \frac1N\sum_i [\mathrm{logsumexp}(z_i) - z_{i, c_i}]` of the
    logits :math:`z_i = W^\top a_i + b` (``W`` of shape (D, K), :math:`c_i` the class of
    sample :math:`i`) plus :math:`\frac{\lambda}{2}\|W\|^2`. The gradient by the logits is
    :math:`(\mathrm{softmax}(z) - \mathrm{onehot}(c)) / N` (from
    :func:`xentlearn.sparse_categorical_cross_entropy_grad`), so
    :math:`\nabla_W J = A^\top (Q - Y) / N + \lambda W`. The objective is convex;
    ``l2 = 1 / (C N)`` reproduces scikit-learn's multinomial
    ``LogisticRegression(C=C)``.

    The weights start at 0. All options are described in :mod:`xentlearn.models`.
    With one-hot inputs (a character bigram model), ``W[j]`` are the logits of the
    next character after character ``j``.

    Attributes
    ----------
    coef_ : ndarray, shape (K, D)
    intercept_ : ndarray, shape (K,)
        As in scikit-learn. Also ``classes_``, ``history_``, ``n_epochs_``,
        ``params_`` (``"W"`` shape (D, K), ``"b"`` shape (K,)).

    Examples
    --------
    A bigram table: after character 0 the next one is 0 three times in four, after
    character 1 it is 1 three times in four. The fitted probabilities are those
    frequencies, and the loss is their entropy, :math:`H(0.75) = 0.5623` nats.

    >>> X = np.array([[1, 0]] * 4 + [[0, 1]] * 4)
    >>> y = [0, 0, 0, 1, 0, 1, 1, 1]
    >>> model = SoftmaxRegression(epochs=100, learning_rate=0.2).fit(X, y)
    >>> model.predict_proba([[1, 0], [0, 1]]).round(2).tolist()
    [[0.75, 0.25], [0.25, 0.75]]
    >>> round(model.history_["train_loss"][-1], 2)
    0.56
    """

    def _init_params(self, n_features, n_outputs, rng):
        return {"W": np.zeros((n_features, n_outputs)), "b": np.zeros(n_outputs)}

    def _forward(self, params, X):
        return X @ params["W"] + params["b"], (X,)

    def _backward(self, params, cache, dz):
        (X,) = cache
        return {"W": X.T @ dz, "b": dz.sum(axis=0)}

    @property
    def coef_(self) -> np.ndarray:
        self._check_fitted()
        return self.params_["W"].T.copy()

    @property
    def intercept_(self) -> np.ndarray:
        self._check_fitted()
        return self.params_["b"].copy()


ACTIVATIONS = ("relu", "tanh")


class MLPClassifier(_BaseClassifier):
    r"""A one-hidden-layer network with a softmax output, trained by backpropagation.

    Forward: :math:`u = A W_1 + b_1`, :math:`H = \phi(u)`, :math:`Z = H W_2 + b_2`,
    :math:`Q = \mathrm{softmax}(Z)`; ``W1`` (D, hidden), ``W2`` (hidden, K). Backward,
    from :math:`G = \partial L / \partial Z` (the core's
    :func:`~xentlearn.sparse_categorical_cross_entropy_grad`, :math:`(Q - Y)/N`):

    .. math::
        \nabla_{W_2} = H^\top G + \lambda W_2,\quad \nabla_{b_2} = \textstyle\sum_i G_i,\quad
        G_u = (G W_2^\top) \odot \phi'(u),\quad
        \nabla_{W_1} = A^\top G_u + \lambda W_1,\quad \nabla_{b_1} = \textstyle\sum_i G_{u,i}

    with :math:`\tanh' = 1 - \tanh^2` and :math:`\mathrm{relu}'(u) = [u > 0]`.

    Parameters
    ----------
    hidden : int
        Hidden units.
    activation : {"relu", "tanh"}
        :math:`\phi`. Weights start Glorot-uniform for tanh
        (:math:`U(\pm\sqrt{6 / (\text{fan-in} + \text{fan-out})})`) and He-normal for
        ReLU (:math:`N(0, 2 / \text{fan-in})`); biases at 0.
    **options
        As described in :mod:`xentlearn.models`; the defaults here are mini-batches
        of 32 and 100 epochs of Adam at 0.001.

    Attributes
    ----------
    coefs_ : list of 2 ndarrays, shapes (D, hidden) and (hidden, K)
    intercepts_ : list of 2 ndarrays, shapes (hidden,) and (K,)
        As in scikit-learn's ``MLPClassifier``. Also ``classes_``, ``history_``,
        ``n_epochs_``, ``params_`` (``"W1"``, ``"b1"``, ``"W2"``, ``"b2"``).

    Examples
    --------
    XOR, which no linear model can fit:

    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> mlp = MLPClassifier(hidden=8, activation="tanh", learning_rate=0.1, epochs=60,
    ...                     batch_size=None).fit(X, [0, 1, 1, 0])
    >>> mlp.predict(X).tolist()
    [0, 1, 1, 0]
    >>> [w.shape for w in mlp.coefs_]
    [(2, 8), (8, 2)]
    """

    def __init__(self, *, hidden: int = 64, activation: str = "relu",
                 learning_rate: float = 0.001, epochs: int = 100, batch_size: int | None = 32,
                 optimizer: str = "adam", momentum: float = 0.9, lr_decay: float = 0.0,
                 l2: float = 0.0, early_stopping: bool = False, patience: int = 10,
                 class_weight=None, label_smoothing: float = 0.0, loss: str = "cross_entropy",
                 gamma: float = 2.0, seed: int | None = 0, verbose="auto"):
        super().__init__(learning_rate=learning_rate, epochs=epochs, batch_size=batch_size,
                         optimizer=optimizer, momentum=momentum, lr_decay=lr_decay, l2=l2,
                         early_stopping=early_stopping, patience=patience,
                         class_weight=class_weight, label_smoothing=label_smoothing,
                         loss=loss, gamma=gamma, seed=seed, verbose=verbose)
        self.hidden = hidden
        self.activation = activation

    def _check_options(self) -> None:
        super()._check_options()
        v.check_int(self.hidden, "hidden", low=1)
        v.check_choice(self.activation, "activation", ACTIVATIONS)

    def _init_params(self, n_features, n_outputs, rng):
        h = self.hidden
        if self.activation == "tanh":
            lim1 = np.sqrt(6 / (n_features + h))
            w1 = rng.uniform(-lim1, lim1, size=(n_features, h))
        else:
            w1 = rng.normal(0.0, np.sqrt(2 / n_features), size=(n_features, h))
        lim2 = np.sqrt(6 / (h + n_outputs))
        w2 = rng.uniform(-lim2, lim2, size=(h, n_outputs))
        return {"W1": w1, "b1": np.zeros(h), "W2": w2, "b2": np.zeros(n_outputs)}

    def _forward(self, params, X):
        u = X @ params["W1"] + params["b1"]
        hid = np.tanh(u) if self.activation == "tanh" else np.maximum(u, 0)
        return hid @ params["W2"] + params["b2"], (X, u, hid)

    def _backward(self, params, cache, dz):
        X, u, hid = cache
        dh = dz @ params["W2"].T
        du = dh * (1 - hid * hid) if self.activation == "tanh" else dh * (u > 0)
        return {"W1": X.T @ du, "b1": du.sum(axis=0), "W2": hid.T @ dz, "b2": dz.sum(axis=0)}

    @property
    def coefs_(self) -> list[np.ndarray]:
        self._check_fitted()
        return [self.params_["W1"].copy(), self.params_["W2"].copy()]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        self._check_fitted()
        return [self.params_["b1"].copy(), self.params_["b2"].copy()]
