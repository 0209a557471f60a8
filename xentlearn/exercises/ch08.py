"""Exercises of chapter 08, pitfalls. Every expected answer is computed with xentlearn."""

from __future__ import annotations

import numpy as np

import xentlearn as xl
from xentlearn.models import balanced_class_weights

from . import mistakes as m
from .checker import Case, FunctionQuestion, Mistake, ValueQuestion

_LOGITS = np.array([[3.0, 0.0], [0.0, 2.5], [4.0, 0.0], [2.0, 0.0], [0.0, 3.5], [1.5, 0.0]])
_LABELS = np.array([0, 1, 1, 0, 1, 0])
_SMOOTH = np.full(10, 0.01)
_SMOOTH[0] = 0.91


def _weight_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for n, k in ((10, 2), (50, 3), (200, 10)):
        out.append(Case((rng.integers(0, k, n), k), f"hidden, {n} labels, {k} classes"))
    out.append(Case((np.array([0] * 95 + [1] * 5), 2), "hidden, 95 % vs 5 %"))
    out.append(Case((np.array([0, 0, 2, 2]), 3), "hidden, a class with no samples"))
    out.append(Case((np.array([0, 1, 1, 0, 1]), 4), "hidden, the last two classes have no samples"))
    out.append(Case((rng.integers(0, 5, 30).astype(np.int32), 6),
                    "hidden, int32 labels, the last class has no samples"))
    return out


def _nll_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for n, k, t in ((4, 3, 2.0), (30, 10, 0.5), (12, 2, 1.7)):
        out.append(Case((rng.normal(0, 4, (n, k)), rng.integers(0, k, n), t),
                        f"hidden, {n}x{k}, T = {t:g}"))
    out.append(Case((np.array([[900.0, 0.0], [0.0, 800.0]]), np.array([1, 1]), 3.0),
                    "hidden, logits in the hundreds"))
    out.append(Case((np.array([[1000.0, 0.0], [0.0, 900.0]]), np.array([0, 0]), 0.5),
                    "hidden, logits / T of 2000 (overflow test)"))
    out.append(Case((rng.normal(0, 4, (5, 3)), rng.integers(0, 3, 5), 2), "hidden, T = 2 (int)"))
    return out


def _ece_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for n, k, bins in ((20, 3, 5), (200, 10, 15), (50, 2, 10)):
        probs = rng.dirichlet(np.full(k, 0.5), n)
        out.append(Case((probs, rng.integers(0, k, n), bins), f"hidden, {n} samples, {bins} bins"))
    probs = np.array([[0.5, 0.5], [0.8, 0.2], [0.3, 0.7], [0.1, 0.9]])
    out.append(Case((probs, np.array([0, 1, 1, 1]), 5), "hidden, confidences on bin edges"))
    return out


def _nll_without_t(expected, z, labels, t):
    return xl.sparse_categorical_cross_entropy(labels, z, from_logits=True)


QUESTIONS = (
    FunctionQuestion(
        id="08.q1",
        prompt="Write `balanced_weights(y, n_classes)`: class weights N / (K * n_k) for integer "
               "labels `y` (N of them) and K = `n_classes` classes, n_k the count of class k "
               "(scikit-learn's 'balanced' rule). Unlike scikit-learn, which raises an error, "
               "give a class with no samples the weight 0.",
        hints=["np.bincount(y, minlength=n_classes) counts each class.",
               "`counts = np.bincount(y, minlength=n_classes)`; divide len(y) by "
               "n_classes * counts where counts > 0, else 0."],
        solution_code="def balanced_weights(y, n_classes):\n"
                      "    counts = np.bincount(y, minlength=n_classes).astype(float)\n"
                      "    w = np.zeros(n_classes)\n    seen = counts > 0\n"
                      "    w[seen] = len(y) / (n_classes * counts[seen])\n    return w",
        name="balanced_weights",
        arg_names=["y", "n_classes"],
        reference=balanced_class_weights,
        example=Case((np.array([0, 0, 0, 1]), 2), "worked example"),
        hidden=_weight_cases,
        seed=801,
        mistakes=[
            Mistake("One weight is missing for each class after the largest label: "
                    "np.bincount(y) stops at the largest label present; pass "
                    "minlength=n_classes so that the classes after it are counted (as 0).",
                    when=lambda got, expected, args: got.ndim == 1
                    and got.shape[0] == int(np.max(args[0])) + 1 < expected.shape[0]),
            Mistake("A class with no samples gets the weight 0 here, not N / 0 (inf or nan): "
                    "divide only where the count is above 0.",
                    when=lambda got, expected, args: got.shape == expected.shape
                    and bool((~np.isfinite(got) & (expected == 0)).any())),
            Mistake("Those are the inverses of the weights: the weight is N / (K * n_k), large "
                    "for rare classes.",
                    when=lambda got, expected, args: got.shape == expected.shape
                    and bool(np.allclose(got[expected > 0] * expected[expected > 0], 1.0))),
        ],
    ),
    FunctionQuestion(
        id="08.q2",
        prompt="Write `nll_at_temperature(logits, labels, T)`: the mean cross-entropy in nats of "
               "the softmax of `logits / T` (N x K) against integer `labels`: the quantity that "
               "temperature scaling minimises over T. Logits may be in the hundreds.",
        hints=["Divide the logits by T, then use log-softmax (the log-sum-exp trick).",
               "`z = logits / T; m = z.max(axis=1, keepdims=True); "
               "logq = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True)); "
               "return -logq[np.arange(len(labels)), labels].mean()`"],
        solution_code="def nll_at_temperature(logits, labels, T):\n    z = logits / T\n"
                      "    m = z.max(axis=1, keepdims=True)\n"
                      "    logq = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))\n"
                      "    return -logq[np.arange(len(labels)), labels].mean()",
        name="nll_at_temperature",
        arg_names=["logits", "labels", "T"],
        reference=lambda z, labels, t: xl.sparse_categorical_cross_entropy(labels, z / t,
                                                                           from_logits=True),
        example=Case((np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([0, 0]), 2.0),
                     "worked example"),
        hidden=_nll_cases,
        seed=802,
        mistakes=[
            m.unit("nats"),
            m.overflow(),
            Mistake("That leaves T out: divide the logits by T before the softmax.",
                    returns=_nll_without_t),
            m.summed(lambda z, labels, t: len(labels), "That is the sum over the samples; the "
                     "question asks for the mean."),
            m.sign("The sign is flipped: the loss is minus the mean log-probability of the "
                   "true labels."),
        ],
    ),
    ValueQuestion(
        id="08.q3",
        prompt="Fit a temperature: for the validation logits and labels in the cell, which T > 0 "
               "minimises the mean cross-entropy of softmax(logits / T)? Give T to 0.1 % (a grid "
               "step of 0.001 or finer with your nll_at_temperature works, or "
               "xl.fit_temperature).",
        hints=["The model is over-confident on the wrong answers, so the best T is above 1.",
               "`answer = xl.fit_temperature(logits, labels)`, or scan "
               "`np.linspace(0.5, 5, 20000)` and keep the T with the lowest loss."],
        solution_code="logits = np.array([[3.0, 0.0], [0.0, 2.5], [4.0, 0.0], [2.0, 0.0], "
                      "[0.0, 3.5], [1.5, 0.0]])\nlabels = np.array([0, 1, 1, 0, 1, 0])\n"
                      "answer = float(xl.fit_temperature(logits, labels))",
        template="logits = np.array([[3.0, 0.0], [0.0, 2.5], [4.0, 0.0], [2.0, 0.0], "
                 "[0.0, 3.5], [1.5, 0.0]])\nlabels = np.array([0, 1, 1, 0, 1, 0])\nanswer = ...",
        expected=float(xl.fit_temperature(_LOGITS, _LABELS)),
        close=0.05,  # found by search: a coarse grid lands close
        mistakes=[Mistake("T = 1 leaves the model as it is; it is over-confident here",
                          value=1.0),
                  Mistake("that is 1/T, the factor on the logits; the question asks for T, "
                          "which the logits are divided by",
                          value=1 / float(xl.fit_temperature(_LOGITS, _LABELS)))],
    ),
    FunctionQuestion(
        id="08.q4",
        prompt="Write `ece(probs, labels, n_bins)`: the expected calibration error of "
               "predictions `probs` (N x K) for integer `labels`. Each sample's confidence is its "
               "largest probability, correct if that class (the first, on ties) is its label. "
               "Bins are [0, 1/M], (1/M, 2/M], ..., ((M-1)/M, 1] for M = `n_bins`: a confidence "
               "exactly on an edge belongs to the lower bin. ECE is the sum over non-empty bins "
               "of (number of samples in the bin / N) * |accuracy in bin - mean confidence in "
               "bin|.",
        hints=["`conf = probs.max(axis=1)`, `correct = probs.argmax(axis=1) == labels`; with "
               "`edges = np.linspace(0, 1, n_bins + 1)`, the bins are "
               "`np.searchsorted(edges[1:-1], conf, side='left')` (an edge goes to the lower "
               "bin).",
               "Loop over the bins: for each non-empty mask add "
               "`mask.mean() * abs(correct[mask].mean() - conf[mask].mean())`."],
        solution_code="def ece(probs, labels, n_bins):\n    conf = probs.max(axis=1)\n"
                      "    correct = probs.argmax(axis=1) == labels\n"
                      "    edges = np.linspace(0, 1, n_bins + 1)\n"
                      "    bins = np.searchsorted(edges[1:-1], conf, side='left')\n"
                      "    total = 0.0\n"
                      "    for b in range(n_bins):\n        m = bins == b\n        if m.any():\n"
                      "            total += m.mean() * abs(correct[m].mean() - conf[m].mean())\n"
                      "    return total",
        name="ece",
        arg_names=["probs", "labels", "n_bins"],
        reference=lambda probs, labels, bins: xl.expected_calibration_error(probs, labels,
                                                                            n_bins=bins),
        example=Case((np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]]), np.array([0, 1, 1]), 2),
                     "worked example"),
        hidden=_ece_cases,
        seed=803,
        mistakes=[
            Mistake("Your result is negative, and ECE never is: each bin adds "
                    "|accuracy - mean confidence|; take abs() of the difference before adding "
                    "it.", when=lambda got, expected, args: got.ndim == 0 and float(got) < 0),
        ],
    ),
    ValueQuestion(
        id="08.q5",
        prompt="With label smoothing 0.1 and 10 classes, a one-hot target becomes 0.91 on the "
               "true class and 0.01 elsewhere. What is the lowest cross-entropy (nats) any "
               "prediction can reach on it?",
        hints=["Gibbs' inequality: the minimum of H(p, q) over q is H(p), at q = p.",
               "The entropy of [0.91, 0.01, ..., 0.01] in nats."],
        solution_code="target = np.full(10, 0.01)\ntarget[0] = 0.91\n"
                      "answer = float(xl.entropy(target))",
        expected=float(xl.entropy(_SMOOTH)),
        mistakes=[
            Mistake("0 needs a one-hot target; the smoothed target is soft", value=0.0),
            Mistake("that is only the true class's term; the nine other classes add "
                    "0.01 * ln(1/0.01) each", value=float(-0.91 * np.log(0.91))),
            Mistake("that is in bits; the question asks for nats",
                    value=float(xl.entropy(_SMOOTH, base=2))),
        ],
    ),
)
