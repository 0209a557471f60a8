"""xentlearn: entropy, cross-entropy and KL divergence, exact at the extremes.

The companion package of the xentlearn course. Natural log (nats) is the
default unit everywhere; ``base=2`` gives bits.

>>> import xentlearn as xl
>>> round(float(xl.binary_cross_entropy([1], [0.9])), 3)
0.105
"""

from . import datasets, imbalance
from ._validation import InvalidInputError
from .activations import log_sigmoid, log_softmax, logsumexp, sigmoid, softmax, softplus
from .calibration import expected_calibration_error, fit_temperature, reliability_curve
from .grad import (
    binary_cross_entropy_grad,
    binary_focal_cross_entropy_grad,
    categorical_cross_entropy_grad,
    categorical_focal_cross_entropy_grad,
    sparse_categorical_cross_entropy_grad,
)
from .information import cross_entropy, entropy, kl_divergence
from .losses import (
    binary_cross_entropy,
    binary_focal_cross_entropy,
    categorical_cross_entropy,
    categorical_focal_cross_entropy,
    sparse_categorical_cross_entropy,
)
from .models import LogisticRegression, MLPClassifier, SoftmaxRegression

__version__ = "0.1.0"

__all__ = [
    "InvalidInputError",
    "entropy",
    "cross_entropy",
    "kl_divergence",
    "softmax",
    "log_softmax",
    "logsumexp",
    "sigmoid",
    "log_sigmoid",
    "softplus",
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "sparse_categorical_cross_entropy",
    "binary_focal_cross_entropy",
    "categorical_focal_cross_entropy",
    "binary_cross_entropy_grad",
    "categorical_cross_entropy_grad",
    "sparse_categorical_cross_entropy_grad",
    "binary_focal_cross_entropy_grad",
    "categorical_focal_cross_entropy_grad",
    "LogisticRegression",
    "SoftmaxRegression",
    "MLPClassifier",
    "fit_temperature",
    "expected_calibration_error",
    "reliability_curve",
    "datasets",
    "imbalance",
]
