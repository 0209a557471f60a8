"""xentlearn: entropy, cross-entropy and KL divergence, exact at the extremes.

The companion package of the xentlearn course. Natural log (nats) is the
default unit everywhere; ``base=2`` gives bits.

>>> import xentlearn as xl
>>> round(float(xl.binary_cross_entropy([1], [0.9])), 3)
0.105

The names below are imported on first use: ``import xentlearn`` itself imports
neither numpy nor any of the package's modules, so ``python -m xentlearn doctor``
starts (and reports a broken numpy) even where numpy cannot be imported.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Each public name and the module (relative to the package) that defines it; a name
#: mapped to None is a submodule.
_WHERE = {
    "InvalidInputError": "_validation",
    "entropy": "information",
    "cross_entropy": "information",
    "kl_divergence": "information",
    "softmax": "activations",
    "log_softmax": "activations",
    "logsumexp": "activations",
    "sigmoid": "activations",
    "log_sigmoid": "activations",
    "softplus": "activations",
    "binary_cross_entropy": "losses",
    "categorical_cross_entropy": "losses",
    "sparse_categorical_cross_entropy": "losses",
    "binary_focal_cross_entropy": "losses",
    "categorical_focal_cross_entropy": "losses",
    "binary_cross_entropy_grad": "grad",
    "categorical_cross_entropy_grad": "grad",
    "sparse_categorical_cross_entropy_grad": "grad",
    "binary_focal_cross_entropy_grad": "grad",
    "categorical_focal_cross_entropy_grad": "grad",
    "LogisticRegression": "models",
    "SoftmaxRegression": "models",
    "MLPClassifier": "models",
    "fit_temperature": "calibration",
    "expected_calibration_error": "calibration",
    "reliability_curve": "calibration",
    "datasets": None,
    "imbalance": None,
}

__all__ = list(_WHERE)

def __getattr__(name: str):
    """A public name, or any submodule (``xentlearn.losses``), imported on first use."""
    if name.startswith("__"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _WHERE.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
    else:
        try:
            value = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":  # the submodule exists; something it needs not
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
