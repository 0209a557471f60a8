"""Benchmark xentlearn's models and temperature scaling on real data against their targets.

Run from the repository root (``make bench`` does)::

    .venv/bin/python benchmarks/bench_training.py

Prints one plain-text table and exits with status 1 if a target is missed. Every
fit is seeded, so the accuracies and losses are the same on every run; only the
times vary. A time is the median of three fits (the first of them included: no
warm-up is needed, there is nothing to compile). NumPy's BLAS uses its default
thread count.

Rows
----
1. ``SoftmaxRegression`` on the digits (1,079 training images): full-batch Adam,
   500 epochs, ``l2 = 1 / N`` (scikit-learn's default ``C = 1``). Targets: test
   accuracy >= 96 %, fit under 2 s, test log-loss within 2 % of scikit-learn's
   multinomial ``LogisticRegression(C=1)`` fitted by L-BFGS to ``tol=1e-10``.
2. ``MLPClassifier`` on the digits: 128 ReLU units, mini-batches of 32, 100
   epochs, ``l2 = 1e-3``, label smoothing 0.1. Target: test accuracy >= 97 %.
3. ``LogisticRegression`` on the breast-cancer data: as row 1. Targets: test
   accuracy >= 95 %, test log-loss within 2 % of scikit-learn's.
4. Temperature scaling of an over-confident network (tanh MLP, Adam at 0.01,
   300 epochs, no L2): ``T`` fitted on the validation part, ECE (15 bins) on the
   test part, before and after. Target: ECE at least halved.

   The ECE of a *calibrated* model measured on ``n`` samples is not 0 but a
   noise floor; the "floor" column estimates it by drawing the labels from the
   calibrated probabilities themselves (200 draws, mean). On the default split
   (359 test digits, row 4a, for information) the floor, about 0.017, is most of
   the network's ECE of about 0.025, so whether the ECE looks halved there is
   luck: with seed 0 it is, but with other model seeds the ratio ranged from 0.3
   to 0.9. Row 4b (the target) therefore trains on a quarter of the digits and
   tests on half of them (898): less data makes the network more over-confident
   and a larger test set lowers the floor.

The MLP of row 2 reports a higher test log-loss than row 1 although it is more
accurate: label smoothing keeps its probabilities away from 0 and 1 on purpose.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
from _table import table  # noqa: E402  (benchmarks/ is on sys.path when run)

import xentlearn as xl
from xentlearn import calibration, datasets
from xentlearn.models import LogisticRegression, MLPClassifier, SoftmaxRegression

try:
    import sklearn
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression
    from sklearn.metrics import log_loss
except ImportError:  # pragma: no cover - scikit-learn is a dependency, but be explicit
    sklearn = None

ROUNDS = 3
DASH = "-"




def timed_fit(make: Callable[[], object], *args) -> tuple[object, float]:
    """The last fitted model and the median wall time of ``ROUNDS`` fits."""
    times = []
    for _ in range(ROUNDS):
        model = make()
        t0 = time.perf_counter()
        model.fit(*args)
        times.append(time.perf_counter() - t0)
    return model, statistics.median(times)


def pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def sklearn_log_loss(split: datasets.Split) -> float | None:
    if sklearn is None:
        return None
    ref = SkLogisticRegression(C=1.0, max_iter=10_000, tol=1e-10)
    ref.fit(split.X_train, split.y_train)
    return float(log_loss(split.y_test, ref.predict_proba(split.X_test)))


def test_log_loss(model, split: datasets.Split) -> float:
    return float(xl.sparse_categorical_cross_entropy(split.y_test,
                                                     model.predict_proba(split.X_test)))


def linear_row(name: str, cls, split: datasets.Split, min_acc: float,
               max_seconds: float | None) -> tuple[list[str], bool]:
    n = len(split.y_train)
    model, seconds = timed_fit(lambda: cls(l2=1.0 / n), split.X_train, split.y_train)
    acc = model.score(split.X_test, split.y_test)
    loss = test_log_loss(model, split)
    ref = sklearn_log_loss(split)
    rel = None if ref is None else loss / ref - 1
    ok = acc >= min_acc and (rel is None or abs(rel) <= 0.02)
    target = f"acc >= {min_acc:.0%}, |diff| <= 2 %"
    if max_seconds is not None:
        ok = ok and seconds < max_seconds
        target += f", < {max_seconds:g} s"
    return [name, pct(acc), f"{loss:.4f}", DASH if ref is None else f"{ref:.4f}",
            DASH if rel is None else f"{100 * rel:+.2f} %", f"{seconds:.2f}", target,
            verdict(ok)], ok


def mlp_row(split: datasets.Split) -> tuple[list[str], bool]:
    model, seconds = timed_fit(lambda: MLPClassifier(hidden=128, l2=1e-3, label_smoothing=0.1),
                               split.X_train, split.y_train)
    acc = model.score(split.X_test, split.y_test)
    ok = acc >= 0.97
    return ["MLPClassifier, digits", pct(acc), f"{test_log_loss(model, split):.4f}", DASH, DASH,
            f"{seconds:.2f}", "acc >= 97%", verdict(ok)], ok


def temperature_row(label: str, split: datasets.Split, is_target: bool) -> tuple[list[str], bool]:
    model = MLPClassifier(activation="tanh", learning_rate=0.01, epochs=300)
    model.fit(split.X_train, split.y_train)
    t = calibration.fit_temperature(model.decision_function(split.X_val), split.y_val)
    z = model.decision_function(split.X_test)
    after_probs = xl.softmax(z, temperature=t)
    before = calibration.expected_calibration_error(xl.softmax(z), split.y_test)
    after = calibration.expected_calibration_error(after_probs, split.y_test)
    ok = after <= 0.5 * before
    return [label, str(len(split.y_test)), pct(model.score(split.X_test, split.y_test)),
            f"{t:.3f}", f"{before:.4f}", f"{after:.4f}", f"{after / before:.2f}",
            f"{calibration.ece_noise_floor(after_probs).mean():.4f}",
            "ratio <= 0.5" if is_target else "(info)",
            verdict(ok) if is_target else ("ok" if ok else "not halved")], ok or not is_target


def main() -> int:
    start = time.perf_counter()
    print(f"xentlearn {xl.__version__}, NumPy {np.__version__}, "
          f"scikit-learn {getattr(sklearn, '__version__', 'not installed')}, "
          f"Python {platform.python_version()}, {os.cpu_count()} CPU(s), "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}\n")
    digits = datasets.load_digits_split()
    cancer = datasets.load_breast_cancer_split()

    rows, oks = [], []
    for row, ok in (linear_row("SoftmaxRegression, digits", SoftmaxRegression, digits, 0.96, 2.0),
                    mlp_row(digits),
                    linear_row("LogisticRegression, breast cancer", LogisticRegression, cancer,
                               0.95, None)):
        rows.append(row)
        oks.append(ok)
    table("Training on real data (test split, seed 0)",
          ["model, data", "test acc", "test log-loss", "sklearn", "diff", "fit s", "target",
           "result"], rows,
          ["log-loss in nats; 'sklearn': LogisticRegression(C=1, lbfgs) on the same split, "
           "xentlearn with l2 = 1/N; 'fit s': median of 3 fits"])

    rows = []
    for label, split, is_target in (
            ("4a default split (60/20/20)", digits, False),
            ("4b train 25 %, val 25 %, test 50 %",
             datasets.load_digits_split(val_size=0.25, test_size=0.5), True)):
        row, ok = temperature_row(label, split, is_target)
        rows.append(row)
        oks.append(ok)
    table("Temperature scaling an over-confident MLP (T fitted on validation, ECE on test)",
          ["split", "n test", "test acc", "T", "ECE before", "ECE after", "ratio",
           "floor", "target", "result"], rows,
          ["ECE: top-label, 15 equal-width bins; 'floor': mean ECE of a perfectly calibrated "
           "model with the same confidences on this many samples"])
    print(f"total time {time.perf_counter() - start:.1f} s")
    return 0 if all(oks) else 1


if __name__ == "__main__":
    sys.exit(main())
