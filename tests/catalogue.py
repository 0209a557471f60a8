"""A catalogue of wrong answers, as learners write them: what each exercise question catches.

``CATALOGUE[question_id]`` lists :class:`Wrong` answers: a learner-style function (function
questions) or number (value questions), what it gets wrong, and the name of the declared
mistake its feedback must name (:attr:`xentlearn.exercises.CheckResult.mistake`), or None for a
slip no mistake declares, which must still be refused. Read one question's entries to see what
it catches; ``tests/test_exercises_catalogue.py`` checks every entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import xentlearn as xl

LN2 = math.log(2)


@dataclass(frozen=True)
class Wrong:
    """One wrong answer: what it gets wrong, the answer itself and the mistake to be named."""

    what: str
    answer: Any
    mistake: str | None


CATALOGUE: dict[str, list[Wrong]] = {}


def wrong(qid: str, what: str, mistake: str | None) -> Callable:
    """Register the decorated function as a wrong answer to ``qid``."""

    def register(fn: Callable) -> Callable:
        CATALOGUE.setdefault(qid, []).append(Wrong(what, fn, mistake))
        return fn

    return register


def values(qid: str, *entries: tuple[str, float, str | None]) -> None:
    """Register wrong numbers for the value question ``qid``."""
    CATALOGUE.setdefault(qid, []).extend(Wrong(w, v, m) for w, v, m in entries)


def _softplus(t):
    return np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t)))


def _log_softmax(z, axis=-1):
    m = z.max(axis=axis, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=axis, keepdims=True))


# --- chapter 01 ---------------------------------------------------------------------------------

H1 = float(xl.entropy([26 / 30, 4 / 30], base=2))
values("01.q1",
       ("natural log", H1 * LN2, "wrong_log_base"),
       ("minus sign forgotten", -H1, "sign_flipped"),
       ("the cubes' term only", -(26 / 30) * math.log2(26 / 30), "one_term_only"),
       ("mean of the terms", H1 / 2, "mean_for_sum"),
       ("the spheres' share", 4 / 30, None))
values("01.q2",
       ("natural log", math.log(8), "wrong_log_base"),
       ("the number of outcomes", 8.0, "count_for_entropy"),
       ("one outcome's probability", 1 / 8, "probability_for_entropy"),
       ("one outcome's term", 3 / 8, "one_term_only"))
values("01.q5",
       ("natural log", 1.75 * LN2, "wrong_log_base"),
       ("plain average of the lengths", 2.25, "unweighted_lengths"),
       ("a fixed-length code", 2.0, "fixed_length"),
       ("the sum of the lengths", 9.0, "total_length"),
       ("the longest word", 3.0, None))


@wrong("01.q3", "0 log 0 left as nan", "zero_log_zero")
def _(p):
    return -np.sum(p * np.log2(p))


@wrong("01.q3", "natural log", "wrong_log_base")
def _(p):
    nz = p[p > 0]
    return -np.sum(nz * np.log(nz))


@wrong("01.q3", "minus sign forgotten", "sign_flipped")
def _(p):
    nz = p[p > 0]
    return np.sum(nz * np.log2(nz))


@wrong("01.q3", "mean for sum", "mean_for_sum")
def _(p):
    nz = p[p > 0]
    return -np.mean(nz * np.log2(nz))


@wrong("01.q3", "surprises not weighted by p", "unweighted_surprise")
def _(p):
    nz = p[p > 0]
    return -np.sum(np.log2(nz))


@wrong("01.q3", "the terms without the sum", "per_outcome")
def _(p):
    nz = p[p > 0]
    return -nz * np.log2(nz)


@wrong("01.q3", "log2 of the number of outcomes", "uniform_entropy")
def _(p):
    return np.log2(len(p))


@wrong("01.q4", "minus sign forgotten", "sign_flipped")
def _(p):
    return np.log2(p)


@wrong("01.q4", "natural log", "wrong_log_base")
def _(p):
    return -np.log(p)


@wrong("01.q4", "summed into one number", "one_number")
def _(p):
    return -np.sum(np.log2(p))


@wrong("01.q4", "-p log2 p, the entropy's term", "weighted_by_p")
def _(p):
    return -p * np.log2(p)


@wrong("01.q4", "1 / p without the log", "no_log")
def _(p):
    return 1 / p


@wrong("01.q4", "log10", "common_log")
def _(p):
    return -np.log10(p)


@wrong("01.q4", "surprise of 1 - p", "complement")
def _(p):
    return -np.log2(1 - p)


# --- chapter 02 ---------------------------------------------------------------------------------

P2, Q2 = [0.5, 0.5], [0.25, 0.75]
H2 = float(xl.cross_entropy(P2, Q2, base=2))
values("02.q1",
       ("p and q swapped", float(xl.cross_entropy(Q2, P2, base=2)), "swapped_p_q"),
       ("natural log", H2 * LN2, "wrong_log_base"),
       ("minus sign forgotten", -H2, "sign_flipped"),
       ("the entropy of q", float(xl.entropy(Q2, base=2)), "entropy_of_q"),
       ("only the second term", -0.5 * math.log2(0.75), None))
values("02.q3",
       ("zero, as for one-hot targets", 0.0, "zero_minimum"),
       ("natural log", float(xl.entropy([0.7, 0.2, 0.1])), "wrong_log_base"),
       ("-log2 0.7, as if one-hot", -math.log2(0.7), "one_hot_loss"),
       ("log2 3, the uniform entropy", math.log2(3), "uniform_entropy"))


@wrong("02.q2", "p and q swapped", "swapped_p_q")
def _(p, q):
    m = q > 0
    with np.errstate(divide="ignore"):
        return -np.sum(q[m] * np.log(p[m]))


@wrong("02.q2", "no mask: 0 log 0 is nan", "zero_log_zero")
def _(p, q):
    return -np.sum(p * np.log(q))


@wrong("02.q2", "log2", "wrong_log_base")
def _(p, q):
    m = p > 0
    with np.errstate(divide="ignore"):
        return -np.sum(p[m] * np.log2(q[m]))


@wrong("02.q2", "minus sign forgotten", "sign_flipped")
def _(p, q):
    m = p > 0
    with np.errstate(divide="ignore"):
        return np.sum(p[m] * np.log(q[m]))


@wrong("02.q2", "outcomes with q = 0 dropped", "finite_for_inf")
def _(p, q):
    m = (p > 0) & (q > 0)
    return -np.sum(p[m] * np.log(q[m]))


@wrong("02.q2", "q clipped at 1e-12", "finite_for_inf")
def _(p, q):
    m = p > 0
    return -np.sum(p[m] * np.log(np.clip(q[m], 1e-12, 1)))


@wrong("02.q2", "mean for sum", "mean_for_sum")
def _(p, q):
    m = p > 0
    with np.errstate(divide="ignore"):
        return -np.mean(p[m] * np.log(q[m]))


@wrong("02.q2", "the entropy of p", "entropy_of_p")
def _(p, q):
    m = p > 0
    return -np.sum(p[m] * np.log(p[m]))


@wrong("02.q4", "summed over everything", "one_number")
def _(P, Q):
    return -np.sum(P * np.log(Q))


@wrong("02.q4", "summed down the columns", "axis_0")
def _(P, Q):
    return -np.sum(P * np.log(Q), axis=0)


@wrong("02.q4", "log2", "wrong_log_base")
def _(P, Q):
    return -np.sum(P * np.log2(Q), axis=1)


@wrong("02.q4", "minus sign forgotten", "sign_flipped")
def _(P, Q):
    return np.sum(P * np.log(Q), axis=1)


@wrong("02.q4", "mean for sum along the rows", "mean_for_sum")
def _(P, Q):
    return -np.mean(P * np.log(Q), axis=1)


@wrong("02.q4", "P and Q swapped", "swapped_p_q")
def _(P, Q):
    return -np.sum(Q * np.log(P), axis=1)


@wrong("02.q4", "keepdims=True", "kept_dims")
def _(P, Q):
    return -np.sum(P * np.log(Q), axis=1, keepdims=True)


@wrong("02.q4", "the rows' mean cross-entropy", "one_number")
def _(P, Q):
    return -np.mean(np.sum(P * np.log(Q), axis=1))


# --- chapter 03 ---------------------------------------------------------------------------------

B1 = -math.log(0.8)
values("03.q1",
       ("the loss of label 0", -math.log(0.2), "wrong_label"),
       ("log2", -math.log2(0.8), "wrong_log_base"),
       ("minus sign forgotten", math.log(0.8), "sign_flipped"),
       ("the probability itself", 0.8, "probability_for_loss"),
       ("1 - p", 0.2, None))
values("03.q4",
       ("eps not shared", 0.9, "eps_not_shared"),
       ("eps shared among ten classes", 0.91, "ten_classes"),
       ("the target of label 0", 0.05, "label_0_target"),
       ("no smoothing", 1.0, "unsmoothed"))
values("03.q5",
       ("one bit", 0.5, "one_bit"),
       ("e", math.e, "e_for_inverse"),
       ("minus e^-1", -math.exp(-1), "sign_flipped"),
       ("1 - e^-1", 1 - math.exp(-1), None))


@wrong("03.q2", "clipped to [1e-15, 1 - 1e-15]", "clipped")
def _(y, p):
    p = np.clip(p, 1e-15, 1 - 1e-15)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


@wrong("03.q2", "clipped at 1e-12", "clipped")
def _(y, p):
    p_true = np.clip(np.where(y == 1, p, 1 - p), 1e-12, 1.0)
    return -np.mean(np.log(p_true))


@wrong("03.q2", "an eps added inside the log", "clipped")
def _(y, p):
    return -np.mean(np.log(np.where(y == 1, p, 1 - p) + 1e-7))


@wrong("03.q2", "y log p + (1 - y) log(1 - p) as written: 0 log 0", "zero_log_zero")
def _(y, p):
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


@wrong("03.q2", "sum for mean", "sum_for_mean")
def _(y, p):
    with np.errstate(divide="ignore"):
        return -np.sum(np.log(np.where(y == 1, p, 1 - p)))


@wrong("03.q2", "the two log terms swapped", "swapped_labels")
def _(y, p):
    with np.errstate(divide="ignore"):
        return -np.mean(np.log(np.where(y == 1, 1 - p, p)))


@wrong("03.q2", "log2", "wrong_log_base")
def _(y, p):
    with np.errstate(divide="ignore"):
        return -np.mean(np.log2(np.where(y == 1, p, 1 - p)))


@wrong("03.q2", "minus sign forgotten", "sign_flipped")
def _(y, p):
    with np.errstate(divide="ignore"):
        return np.mean(np.log(np.where(y == 1, p, 1 - p)))


@wrong("03.q2", "a loop that assumes 1-D arrays", None)
def _(y, p):
    total = 0.0
    for i in range(len(y)):
        total += -math.log(p[i]) if y[i] == 1 else -math.log(1 - p[i])
    return total / len(y)


@wrong("03.q3", "sigmoid, then its log", "overflow")
def _(y, z):
    p = 1 / (1 + np.exp(-z))
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


@wrong("03.q3", "the two softplus terms swapped", "swapped_labels")
def _(y, z):
    return y * _softplus(z) + (1 - y) * _softplus(-z)


@wrong("03.q3", "softplus with exp(+|t|)", "softplus_sign")
def _(y, z):
    def softplus(t):
        return np.maximum(t, 0) + np.log1p(np.exp(np.abs(t)))

    return y * softplus(-z) + (1 - y) * softplus(z)


@wrong("03.q3", "softplus with log1p subtracted", "softplus_sign")
def _(y, z):
    def softplus(t):
        return np.maximum(t, 0) - np.log1p(np.exp(-np.abs(t)))

    return y * softplus(-z) + (1 - y) * softplus(z)


@wrong("03.q3", "np.max(t, 0) for np.maximum(t, 0)", "max_for_maximum")
def _(y, z):
    def softplus(t):
        return np.max(t, 0) + np.log1p(np.exp(-np.abs(t)))

    return y * softplus(-z) + (1 - y) * softplus(z)


@wrong("03.q3", "Python's max(t, 0) on an array (raises)", "python_max")
def _(y, z):
    def softplus(t):
        return max(t, 0) + np.log1p(np.exp(-np.abs(t)))

    return y * softplus(-z) + (1 - y) * softplus(z)


@wrong("03.q3", "minus sign on the loss", "sign_flipped")
def _(y, z):
    return -(y * _softplus(-z) + (1 - y) * _softplus(z))


@wrong("03.q3", "averaged", "one_number")
def _(y, z):
    return np.mean(y * _softplus(-z) + (1 - y) * _softplus(z))


@wrong("03.q3", "log2", "wrong_log_base")
def _(y, z):
    return (y * _softplus(-z) + (1 - y) * _softplus(z)) / LN2


@wrong("03.q3", "the formula for labels -1 and +1", "plus_minus_labels")
def _(y, z):
    return np.logaddexp(0, -y * z)


# --- chapter 04 ---------------------------------------------------------------------------------

CAR = [0.775, 0.116, 0.039, 0.070]
values("04.q1",
       ("natural log", -math.log(0.775), "wrong_log_base"),
       ("the entropy of the prediction", float(xl.entropy(CAR, base=2)), "entropy_of_prediction"),
       ("the probability of car", 0.775, "probability_for_loss"),
       ("every class's surprise", float(-np.sum(np.log2(CAR))), "all_classes"),
       ("the surprise of bike", -math.log2(0.116), None))


def _bisect_t(target: float = 0.9) -> float:
    lo, hi = 0.01, 1.0
    for _ in range(80):
        mid = (lo + hi) / 2
        above = xl.softmax([2.0, 1.0, 0.1], temperature=mid)[0] > target
        lo, hi = (mid, hi) if above else (lo, mid)
    return (lo + hi) / 2


T09 = _bisect_t()
values("04.q3",
       ("T = 1", 1.0, "plain_softmax"),
       ("1 / T", 1 / T09, "inverse_t"),
       ("the target probability", 0.9, "probability_for_t"),
       ("T = 0.1", 0.1, None))
values("04.q5",
       ("log2 10", math.log2(10), "wrong_log_base"),
       ("the probability 1/10", 0.1, "probability_for_loss"),
       ("one class's term", 0.1 * math.log(10), "one_term_only"),
       ("ten classes", 10.0, None))


@wrong("04.q2", "exp of the raw logits", "overflow")
def _(z, T):
    e = np.exp(z / T)
    return e / e.sum(axis=-1, keepdims=True)


@wrong("04.q2", "shifted by the whole array's maximum", "global_max_shift")
def _(z, T):
    s = z / T
    e = np.exp(s - s.max())
    return e / e.sum(axis=-1, keepdims=True)


@wrong("04.q2", "Z * T for Z / T", "times_t")
def _(z, T):
    s = z * T
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@wrong("04.q2", "T ignored", "ignored_t")
def _(z, T):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@wrong("04.q2", "normalised over the whole array", "whole_array")
def _(z, T):
    s = z / T
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum()


@wrong("04.q2", "axis=0", "axis_0")
def _(z, T):
    s = z / T
    e = np.exp(s - s.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


@wrong("04.q2", "keepdims forgotten (breaks on 2-D)", "keepdims_forgotten")
def _(z, T):
    s = z / T
    e = np.exp(s - s.max(axis=-1))
    return e / e.sum(axis=-1)


@wrong("04.q2", "axis=1, which 1-D logits do not have (raises)", "axis_1_on_1d")
def _(z, T):
    s = z / T
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@wrong("04.q2", "softmax of -z / T", "negated_logits")
def _(z, T):
    s = -z / T
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@wrong("04.q4", "log of a plain softmax", "overflow")
def _(Y, Z):
    e = np.exp(Z)
    return -np.mean(np.sum(Y * np.log(e / e.sum(axis=1, keepdims=True)), axis=1))


@wrong("04.q4", "shifted by the whole array's maximum", "global_max_shift")
def _(Y, Z):
    m = Z.max()
    logq = Z - m - np.log(np.exp(Z - m).sum(axis=1, keepdims=True))
    return -np.mean(np.sum(Y * logq, axis=1))


@wrong("04.q4", "sum for mean", "sum_for_mean")
def _(Y, Z):
    return -np.sum(Y * _log_softmax(Z))


@wrong("04.q4", "mean over every entry", "mean_for_sum")
def _(Y, Z):
    return -np.mean(Y * _log_softmax(Z))


@wrong("04.q4", "minus sign forgotten", "sign_flipped")
def _(Y, Z):
    return np.mean(np.sum(Y * _log_softmax(Z), axis=1))


@wrong("04.q4", "log2", "wrong_log_base")
def _(Y, Z):
    return -np.mean(np.sum(Y * _log_softmax(Z), axis=1)) / LN2


@wrong("04.q4", "one loss per sample", "per_sample")
def _(Y, Z):
    return -np.sum(Y * _log_softmax(Z), axis=1)


@wrong("04.q4", "stable softmax, then a clipped log", "clipped")
def _(Y, Z):
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    q = e / e.sum(axis=1, keepdims=True)
    return -np.mean(np.sum(Y * np.log(np.clip(q, 1e-12, 1.0)), axis=1))


# --- chapter 05 ---------------------------------------------------------------------------------

values("05.q3",
       ("float64", 400.0, "float64_size"),
       ("the labels", 0.008, "labels_size"),
       ("MiB", 200e6 / 2**20, "mib_for_mb"),
       ("bytes", 200e6, "bytes_for_mb"),
       ("one token", 0.2, None))
values("05.q4",
       ("divided by N", (0.2 + 3.0 + 1.5) / 3, "divide_by_n"),
       ("the plain mean", (0.2 + 1.0 + 0.5) / 3, "unweighted"),
       ("the weighted sum", 0.2 + 3.0 + 1.5, "weighted_sum"),
       ("divided by the class weights' sum", (0.2 + 3.0 + 1.5) / 4, None))


@wrong("05.q1", "true class's probability clipped at 1e-12", "clipped")
def _(labels, probs):
    return -np.mean(np.log(np.clip(probs[np.arange(len(labels)), labels], 1e-12, 1)))


@wrong("05.q1", "np.diag(probs[:, labels]): an N x N array", "n_by_n_memory")
def _(labels, probs):
    with np.errstate(divide="ignore"):
        return -np.mean(np.log(np.diag(probs[:, labels])))


@wrong("05.q1", "probs[:, labels]: every sample with every label", "all_pairs")
def _(labels, probs):
    with np.errstate(divide="ignore"):
        return -np.mean(np.log(probs[:, labels]))


@wrong("05.q1", "a one-hot array", "one_hot_memory")
def _(labels, probs):
    y = np.eye(probs.shape[1])[labels]
    with np.errstate(divide="ignore"):
        return -np.mean(np.log(np.sum(y * probs, axis=1)))


@wrong("05.q1", "one-hot times log(probs): 0 log 0", "zero_log_zero")
def _(labels, probs):
    y = np.eye(probs.shape[1])[labels]
    with np.errstate(divide="ignore"):
        return -np.mean(np.sum(y * np.log(probs), axis=1))


@wrong("05.q1", "sum for mean", "sum_for_mean")
def _(labels, probs):
    with np.errstate(divide="ignore"):
        return -np.sum(np.log(probs[np.arange(len(labels)), labels]))


@wrong("05.q1", "log2", "wrong_log_base")
def _(labels, probs):
    with np.errstate(divide="ignore"):
        return -np.mean(np.log2(probs[np.arange(len(labels)), labels]))


@wrong("05.q1", "minus sign forgotten", "sign_flipped")
def _(labels, probs):
    with np.errstate(divide="ignore"):
        return np.mean(np.log(probs[np.arange(len(labels)), labels]))


@wrong("05.q1", "the predicted class's probability", "predicted_class")
def _(labels, probs):
    return -np.mean(np.log(probs.max(axis=1)))


def _masked_lse(z):
    top = z.max(axis=1)
    return top + np.log(np.exp(z - top[:, None]).sum(axis=1))


@wrong("05.q2", "divided by N, padding included", "padding_in_count")
def _(labels, logits, ignore_index):
    m = labels != ignore_index
    z, y = logits[m], labels[m]
    return np.sum(_masked_lse(z) - z[np.arange(len(y)), y]) / len(labels)


@wrong("05.q2", "padding counted as class 0", "padding_as_class_0")
def _(labels, logits, ignore_index):
    y = np.where(labels == ignore_index, 0, labels)
    return np.mean(_masked_lse(logits) - logits[np.arange(len(y)), y])


@wrong("05.q2", "no shift: exp overflows", "overflow")
def _(labels, logits, ignore_index):
    m = labels != ignore_index
    z, y = logits[m], labels[m]
    return np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(y)), y])


@wrong("05.q2", "shifted by the whole array's maximum", "global_max_shift")
def _(labels, logits, ignore_index):
    m = labels != ignore_index
    z, y = logits[m], labels[m]
    top = z.max()
    lse = top + np.log(np.exp(z - top).sum(axis=1))
    return np.mean(lse - z[np.arange(len(y)), y])


@wrong("05.q2", "sum for mean", "sum_for_mean")
def _(labels, logits, ignore_index):
    m = labels != ignore_index
    z, y = logits[m], labels[m]
    return np.sum(_masked_lse(z) - z[np.arange(len(y)), y])


@wrong("05.q2", "log2", "wrong_log_base")
def _(labels, logits, ignore_index):
    m = labels != ignore_index
    z, y = logits[m], labels[m]
    return np.mean(_masked_lse(z) - z[np.arange(len(y)), y]) / LN2


@wrong("05.q2", "minus sign forgotten", "sign_flipped")
def _(labels, logits, ignore_index):
    m = labels != ignore_index
    z, y = logits[m], labels[m]
    return np.mean(z[np.arange(len(y)), y] - _masked_lse(z))


@wrong("05.q2", "the padding label used as an index", None)
def _(labels, logits, ignore_index):
    return np.mean(_masked_lse(logits) - logits[np.arange(len(labels)), labels])


# --- chapter 06 ---------------------------------------------------------------------------------

P6, Q6 = [0.5, 0.4, 0.1], [0.3, 0.3, 0.4]
K6 = float(xl.kl_divergence(P6, Q6, base=2))
values("06.q1",
       ("p and q swapped", float(xl.kl_divergence(Q6, P6, base=2)), "swapped_p_q"),
       ("natural log", K6 * LN2, "wrong_log_base"),
       ("the cross-entropy", float(xl.cross_entropy(P6, Q6, base=2)), "cross_entropy_for_kl"),
       ("minus sign", -K6, "sign_flipped"),
       ("the entropy of p", float(xl.entropy(P6, base=2)), "entropy_of_p"))
values("06.q4",
       ("the sum", 3.6, "sum_for_difference"),
       ("H(p) - H(p, q)", -0.6, "sign_flipped"),
       ("the ratio", 2.1 / 1.5, "ratio"),
       ("the cross-entropy", 2.1, "cross_entropy_for_kl"),
       ("the entropy", 1.5, None))


@wrong("06.q2", "p and q swapped", "swapped_p_q")
def _(p, q):
    m = q > 0
    with np.errstate(divide="ignore"):
        return np.sum(q[m] * np.log(q[m] / p[m]))


@wrong("06.q2", "no mask: 0 log 0 is nan", "zero_log_zero")
def _(p, q):
    with np.errstate(divide="ignore"):
        return np.sum(p * np.log(p / q))


@wrong("06.q2", "outcomes with q = 0 dropped", "finite_for_inf")
def _(p, q):
    m = (p > 0) & (q > 0)
    return np.sum(p[m] * np.log(p[m] / q[m]))


@wrong("06.q2", "the cross-entropy", "cross_entropy_for_kl")
def _(p, q):
    m = p > 0
    with np.errstate(divide="ignore"):
        return -np.sum(p[m] * np.log(q[m]))


@wrong("06.q2", "log(q / p)", "sign_flipped")
def _(p, q):
    m = p > 0
    with np.errstate(divide="ignore"):
        return np.sum(p[m] * np.log(q[m] / p[m]))


@wrong("06.q2", "log2", "wrong_log_base")
def _(p, q):
    m = p > 0
    with np.errstate(divide="ignore"):
        return np.sum(p[m] * np.log2(p[m] / q[m]))


@wrong("06.q2", "mean for sum", "mean_for_sum")
def _(p, q):
    m = p > 0
    with np.errstate(divide="ignore"):
        return np.mean(p[m] * np.log(p[m] / q[m]))


@wrong("06.q2", "total variation", None)
def _(p, q):
    return np.sum(np.abs(p - q))


def _kl(p, q):
    m = p > 0
    with np.errstate(divide="ignore"):
        return np.sum(p[m] * np.log(p[m] / q[m]))


@wrong("06.q3", "D_KL(p || q)", "kl_for_js")
def _(p, q):
    return _kl(p, q)


@wrong("06.q3", "symmetrised KL, halved", "symmetrised_kl")
def _(p, q):
    return 0.5 * _kl(p, q) + 0.5 * _kl(q, p)


@wrong("06.q3", "symmetrised KL, summed", "symmetrised_kl")
def _(p, q):
    return _kl(p, q) + _kl(q, p)


@wrong("06.q3", "no masks: 0 log 0 is nan", "zero_log_zero")
def _(p, q):
    m = (p + q) / 2
    return 0.5 * np.sum(p * np.log(p / m)) + 0.5 * np.sum(q * np.log(q / m))


@wrong("06.q3", "log2", "wrong_log_base")
def _(p, q):
    m = (p + q) / 2
    return (0.5 * _kl(p, m) + 0.5 * _kl(q, m)) / LN2


@wrong("06.q3", "minus sign", "sign_flipped")
def _(p, q):
    m = (p + q) / 2
    return -(0.5 * _kl(p, m) + 0.5 * _kl(q, m))


@wrong("06.q3", "the halves forgotten", "missing_half")
def _(p, q):
    m = (p + q) / 2
    return _kl(p, m) + _kl(q, m)


@wrong("06.q3", "p + q for their average", "sum_for_average")
def _(p, q):
    m = p + q
    return 0.5 * _kl(p, m) + 0.5 * _kl(q, m)


@wrong("06.q3", "only the p side", "one_side")
def _(p, q):
    return 0.5 * _kl(p, (p + q) / 2)


# --- chapter 07 ---------------------------------------------------------------------------------

PROBS7 = [0.9, 0.8, 0.5]
values("07.q3",
       ("the sum", float(-np.sum(np.log(PROBS7))), "sum_for_mean"),
       ("the likelihood", float(np.prod(PROBS7)), "likelihood_for_nll"),
       ("log2", float(-np.mean(np.log2(PROBS7))), "wrong_log_base"),
       ("minus sign forgotten", float(np.mean(np.log(PROBS7))), "sign_flipped"),
       ("the mean probability", float(np.mean(PROBS7)), None))
S2 = float(xl.sigmoid(-2.0))
values("07.q4",
       ("y - sigmoid(z)", 1 - S2, "sign_flipped"),
       ("the probability", S2, "probability_for_gradient"),
       ("sigmoid(2) - 1", float(xl.sigmoid(2.0)) - 1, "sigmoid_of_minus_z"),
       ("the logit", -2.0, None))
values("07.q5",
       ("the cross-entropy", math.log(27), "cross_entropy_for_perplexity"),
       ("the cross-entropy in bits", math.log2(27), "bits_for_perplexity"),
       ("the probability", 1 / 27, "probability_for_perplexity"),
       ("2 ** 27", 2.0**27, None))


def _sigmoid(z):
    return np.exp(-np.logaddexp(0, -z))


@wrong("07.q1", "gradient ascent", "ascent")
def _(w, X, y, lr):
    return w + lr * X.T @ (_sigmoid(X @ w) - y) / len(y)


@wrong("07.q1", "y - p with a minus step", "ascent")
def _(w, X, y, lr):
    return w - lr * X.T @ (y - _sigmoid(X @ w)) / len(y)


@wrong("07.q1", "gradient of the summed loss", "summed_gradient")
def _(w, X, y, lr):
    return w - lr * X.T @ (_sigmoid(X @ w) - y)


@wrong("07.q1", "learning rate forgotten", "no_learning_rate")
def _(w, X, y, lr):
    return w - X.T @ (_sigmoid(X @ w) - y) / len(y)


@wrong("07.q1", "logits for probabilities", "no_sigmoid")
def _(w, X, y, lr):
    return w - lr * X.T @ (X @ w - y) / len(y)


@wrong("07.q1", "changes w in place", None)
def _(w, X, y, lr):
    w -= lr * X.T @ (_sigmoid(X @ w) - y) / len(y)
    return w


@wrong("07.q1", "the mean error for every weight", "no_chain_rule")
def _(w, X, y, lr):
    return w - lr * np.mean(_sigmoid(X @ w) - y)


def _p_true(labels, probs):
    return probs[np.arange(len(labels)), labels]


@wrong("07.q2", "the cross-entropy", "cross_entropy_for_perplexity")
def _(labels, probs):
    return -np.mean(np.log(_p_true(labels, probs)))


@wrong("07.q2", "e to the bits", "bits_exponent")
def _(labels, probs):
    return np.exp(-np.mean(np.log2(_p_true(labels, probs))))


@wrong("07.q2", "2 to the nats", "two_to_nats")
def _(labels, probs):
    return 2 ** (-np.mean(np.log(_p_true(labels, probs))))


@wrong("07.q2", "minus sign forgotten", "sign_flipped")
def _(labels, probs):
    return np.exp(np.mean(np.log(_p_true(labels, probs))))


@wrong("07.q2", "e to the summed cross-entropy", "sum_for_mean")
def _(labels, probs):
    with np.errstate(over="ignore"):
        return np.exp(-np.sum(np.log(_p_true(labels, probs))))


@wrong("07.q2", "1 / mean p", "inverse_mean_probability")
def _(labels, probs):
    return 1 / np.mean(_p_true(labels, probs))


@wrong("07.q2", "the product to the power -1/N", "product_underflow")
def _(labels, probs):
    with np.errstate(divide="ignore"):
        return np.prod(_p_true(labels, probs)) ** (-1 / len(labels))


@wrong("07.q2", "every probability, not the true ones", "all_probabilities")
def _(labels, probs):
    return np.exp(-np.mean(np.log(probs)))


# --- chapter 08 ---------------------------------------------------------------------------------

LOGITS8 = np.array([[3.0, 0.0], [0.0, 2.5], [4.0, 0.0], [2.0, 0.0], [0.0, 3.5], [1.5, 0.0]])
LABELS8 = np.array([0, 1, 1, 0, 1, 0])
T8 = float(xl.fit_temperature(LOGITS8, LABELS8))
values("08.q3",
       ("T = 1", 1.0, "untuned"),
       ("1 / T", 1 / T8, "inverse_t"),
       ("the loss at the best T", float(xl.sparse_categorical_cross_entropy(
           LABELS8, LOGITS8 / T8, from_logits=True)), "loss_for_t"),
       ("a grid too coarse", round(T8), None))
SMOOTH = np.full(10, 0.01)
SMOOTH[0] = 0.91
values("08.q5",
       ("zero", 0.0, "zero_minimum"),
       ("the true class's term", float(-0.91 * np.log(0.91)), "one_term_only"),
       ("log2", float(xl.entropy(SMOOTH, base=2)), "wrong_log_base"),
       ("-ln 0.91", float(-np.log(0.91)), "one_hot_loss"),
       ("ln 10", math.log(10), None))


@wrong("08.q1", "np.bincount without minlength", "no_minlength")
def _(y, n_classes):
    counts = np.bincount(y).astype(float)
    w = np.zeros(len(counts))
    w[counts > 0] = len(y) / (n_classes * counts[counts > 0])
    return w


@wrong("08.q1", "N / 0 for an empty class", "divide_by_zero")
def _(y, n_classes):
    counts = np.bincount(y, minlength=n_classes)
    with np.errstate(divide="ignore"):
        return len(y) / (n_classes * counts)


@wrong("08.q1", "the inverse weights", "inverse_weights")
def _(y, n_classes):
    counts = np.bincount(y, minlength=n_classes)
    return n_classes * counts / len(y)


@wrong("08.q1", "K forgotten", "forgot_k")
def _(y, n_classes):
    counts = np.bincount(y, minlength=n_classes).astype(float)
    w = np.zeros(n_classes)
    w[counts > 0] = len(y) / counts[counts > 0]
    return w


@wrong("08.q1", "the class frequencies", "frequencies")
def _(y, n_classes):
    return np.bincount(y, minlength=n_classes) / len(y)


@wrong("08.q1", "K counted from the labels present", "classes_present")
def _(y, n_classes):
    counts = np.bincount(y, minlength=n_classes).astype(float)
    k = np.count_nonzero(counts)
    w = np.zeros(n_classes)
    w[counts > 0] = len(y) / (k * counts[counts > 0])
    return w


@wrong("08.q1", "normalised to sum 1", None)
def _(y, n_classes):
    counts = np.bincount(y, minlength=n_classes).astype(float)
    w = np.zeros(n_classes)
    w[counts > 0] = 1 / counts[counts > 0]
    return w / w.sum()


def _nll(z, labels):
    return -_log_softmax(z)[np.arange(len(labels)), labels].mean()


@wrong("08.q2", "log of a plain softmax", "overflow")
def _(logits, labels, T):
    e = np.exp(logits / T)
    return -np.mean(np.log((e / e.sum(axis=1, keepdims=True))[np.arange(len(labels)), labels]))


@wrong("08.q2", "shifted by the whole array's maximum", "global_max_shift")
def _(logits, labels, T):
    z = logits / T
    logq = z - z.max() - np.log(np.exp(z - z.max()).sum(axis=1, keepdims=True))
    return -logq[np.arange(len(labels)), labels].mean()


@wrong("08.q2", "Z * T for Z / T", "times_t")
def _(logits, labels, T):
    return _nll(logits * T, labels)


@wrong("08.q2", "T ignored", "ignored_t")
def _(logits, labels, T):
    return _nll(logits, labels)


@wrong("08.q2", "sum for mean", "sum_for_mean")
def _(logits, labels, T):
    return -_log_softmax(logits / T)[np.arange(len(labels)), labels].sum()


@wrong("08.q2", "minus sign forgotten", "sign_flipped")
def _(logits, labels, T):
    return -_nll(logits / T, labels)


@wrong("08.q2", "log2", "wrong_log_base")
def _(logits, labels, T):
    return _nll(logits / T, labels) / LN2


@wrong("08.q2", "the loss divided by T", "t_after_loss")
def _(logits, labels, T):
    return _nll(logits, labels) / T


def _ece(probs, labels, n_bins, *, first=True, side="left", weighted=True, signed=False):
    conf = probs.max(axis=1)
    top = (probs.argmax(axis=1) if first
           else probs.shape[1] - 1 - probs[:, ::-1].argmax(axis=1))
    correct = top == labels
    if side == "floor":
        bins = np.minimum(np.floor(conf * n_bins).astype(int), n_bins - 1)
    else:
        bins = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], conf, side=side)
    gaps, sizes = [], []
    for b in range(n_bins):
        m = bins == b
        if m.any():
            gap = correct[m].mean() - conf[m].mean()
            gaps.append(gap if signed else abs(gap))
            sizes.append(m.mean())
    return float(np.dot(gaps, sizes)) if weighted else float(np.mean(gaps))


@wrong("08.q4", "no abs()", "no_abs")
def _(probs, labels, n_bins):
    return _ece(probs, labels, n_bins, signed=True)


@wrong("08.q4", "the last class on ties", "last_on_ties")
def _(probs, labels, n_bins):
    return _ece(probs, labels, n_bins, first=False)


@wrong("08.q4", "an edge in the upper bin (floor)", "edge_in_upper_bin")
def _(probs, labels, n_bins):
    return _ece(probs, labels, n_bins, side="floor")


@wrong("08.q4", "an edge in the upper bin (searchsorted, side='right')", "edge_in_upper_bin")
def _(probs, labels, n_bins):
    return _ece(probs, labels, n_bins, side="right")


@wrong("08.q4", "gaps not weighted by the bins' sizes", "unweighted_gaps")
def _(probs, labels, n_bins):
    return _ece(probs, labels, n_bins, weighted=False)


@wrong("08.q4", "the largest gap (MCE)", "max_gap")
def _(probs, labels, n_bins):
    conf = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    bins = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], conf, side="left")
    return max(abs(correct[bins == b].mean() - conf[bins == b].mean())
               for b in range(n_bins) if (bins == b).any())


@wrong("08.q4", "overall accuracy against mean confidence", "no_bins")
def _(probs, labels, n_bins):
    return abs((probs.argmax(axis=1) == labels).mean() - probs.max(axis=1).mean())
