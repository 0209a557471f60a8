r"""Optimisers: how a model turns the gradient of its objective into a step for its weights.

A model keeps all its weights in one flat float64 vector :math:`\theta` (see
:func:`flat_parameters`), and after each batch asks its optimiser to update it
in place from the gradient :math:`g = \nabla_\theta J` and the step size
:math:`\eta` of the current epoch:

* :class:`SGD`: :math:`\theta \leftarrow \theta - \eta g`.
* :class:`Momentum`: :math:`v \leftarrow \mu v - \eta g,\ \theta \leftarrow \theta + v`
  (heavy ball; :math:`v` starts at 0).
* :class:`Adam` (Kingma and Ba, 2015): with :math:`m, s` starting at 0 and
  :math:`t` the number of steps taken,

  .. math::
      m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
      s \leftarrow \beta_2 s + (1 - \beta_2) g^2, \quad
      \theta \leftarrow \theta - \frac{\eta}{1 - \beta_1^t}\,
      \frac{m}{\sqrt{s / (1 - \beta_2^t)} + \epsilon}.

  The divisions by :math:`1 - \beta^t` undo the pull of the zero start towards 0;
  the first step is :math:`\eta\, g / (|g| + \epsilon)`, about :math:`\eta` per
  coordinate whatever the size of the gradient.

The models choose one by name (``optimizer="adam"``, ``"momentum"`` or ``"sgd"``)
through :func:`make_optimizer`, with the model's ``momentum`` as :math:`\mu` or
:math:`\beta_1`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["OPTIMIZERS", "SGD", "Momentum", "Adam", "make_optimizer", "flat_parameters"]

#: The names a model's ``optimizer`` option accepts.
OPTIMIZERS = ("adam", "momentum", "sgd")


class Optimizer:
    """In-place updates of one flat parameter vector; ``t`` counts the steps taken."""

    def __init__(self, size: int):
        self.size = size
        self.t = 0

    def step(self, theta: np.ndarray, grad: np.ndarray, lr: float) -> None:
        """Update ``theta`` in place from the gradient ``grad`` with step size ``lr``.

        Overflow is not raised here: a diverging model is caught by the model, which
        checks its logits.
        """
        self.t += 1
        with np.errstate(over="ignore", invalid="ignore"):
            self._update(theta, grad, lr)

    def _update(self, theta: np.ndarray, grad: np.ndarray, lr: float) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    r"""Plain gradient descent, :math:`\theta \leftarrow \theta - \eta g`.

    Parameters
    ----------
    size : int
        Length of the parameter vector.

    Examples
    --------
    >>> theta = np.array([1.0, 2.0])
    >>> SGD(2).step(theta, np.array([0.5, -1.0]), lr=0.1)
    >>> theta.tolist()                                          # [1 - 0.05, 2 + 0.1]
    [0.95, 2.1]
    """

    def _update(self, theta: np.ndarray, grad: np.ndarray, lr: float) -> None:
        theta -= lr * grad


class Momentum(Optimizer):
    r"""Gradient descent with momentum: :math:`v \leftarrow \mu v - \eta g`,
    :math:`\theta \leftarrow \theta + v`.

    Parameters
    ----------
    size : int
        Length of the parameter vector.
    momentum : float
        :math:`\mu` in [0, 1); 0 is plain SGD.

    Examples
    --------
    Two steps with the same gradient: the second is :math:`1 + \mu` times the first.

    >>> theta, opt = np.zeros(1), Momentum(1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.step(theta, np.array([1.0]), lr=0.1)
    >>> round(float(theta[0]), 10)                              # -0.1 - 0.19
    -0.29
    """

    def __init__(self, size: int, momentum: float = 0.9):
        super().__init__(size)
        self.mu = momentum
        self.velocity = np.zeros(size)

    def _update(self, theta: np.ndarray, grad: np.ndarray, lr: float) -> None:
        self.velocity *= self.mu
        self.velocity -= lr * grad
        theta += self.velocity


class Adam(Optimizer):
    r"""Adam: steps scaled by running estimates of the gradient's mean and square.

    Parameters
    ----------
    size : int
        Length of the parameter vector.
    beta1 : float
        Decay of the mean :math:`m`, in [0, 1).
    beta2 : float
        Decay of the mean square :math:`s`, in [0, 1).
    eps : float
        :math:`\epsilon`, keeps the step finite where :math:`s = 0`.

    Examples
    --------
    The first step moves every coordinate by about the step size, whatever the
    gradient's size:

    >>> theta = np.zeros(2)
    >>> Adam(2).step(theta, np.array([1000.0, -0.001]), lr=0.1)
    >>> theta.round(6).tolist()
    [-0.1, 0.099999]
    """

    def __init__(self, size: int, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        super().__init__(size)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = np.zeros(size)
        self.s = np.zeros(size)

    def _update(self, theta: np.ndarray, grad: np.ndarray, lr: float) -> None:
        b1, b2 = self.beta1, self.beta2
        self.m *= b1
        self.m += (1 - b1) * grad
        self.s *= b2
        self.s += (1 - b2) * (grad * grad)
        step = np.sqrt(self.s / (1 - b2**self.t))
        step += self.eps
        np.divide(self.m, step, out=step)
        step *= lr / (1 - b1**self.t)
        theta -= step


def make_optimizer(name: str, size: int, momentum: float = 0.9) -> Optimizer:
    """The optimiser a model's ``optimizer`` option names, for ``size`` parameters.

    Parameters
    ----------
    name : {"adam", "momentum", "sgd"}
        Checked by the model.
    size : int
        Length of the parameter vector.
    momentum : float
        :math:`\\mu` of :class:`Momentum`, :math:`\\beta_1` of :class:`Adam`; unused by SGD.

    Examples
    --------
    >>> type(make_optimizer("adam", 3)).__name__
    'Adam'
    """
    if name == "sgd":
        return SGD(size)
    if name == "momentum":
        return Momentum(size, momentum)
    return Adam(size, beta1=momentum)


def flat_parameters(params: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """All parameters in one flat vector, and each parameter as a view into it.

    An optimiser updates the flat vector in place; the views, which the model's
    forward and backward passes use, see every update.

    Parameters
    ----------
    params : dict of ndarray
        The parameters by name (copied, in this order).

    Returns
    -------
    (theta, views)
        ``theta`` of length the total size; ``views[name]`` of the shape of
        ``params[name]``, sharing memory with ``theta``.

    Examples
    --------
    >>> theta, views = flat_parameters({"W": np.ones((2, 2)), "b": np.zeros(2)})
    >>> theta -= 1.0
    >>> views["W"].tolist(), views["b"].tolist()
    ([[0.0, 0.0], [0.0, 0.0]], [-1.0, -1.0])
    """
    theta = np.concatenate([np.ravel(p) for p in params.values()]).astype(np.float64, copy=False)
    views, start = {}, 0
    for name, p in params.items():
        views[name] = theta[start:start + np.size(p)].reshape(np.shape(p))
        start += np.size(p)
    return theta, views
