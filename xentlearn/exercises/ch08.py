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
    out.append(Case((np.array([[1000.0, 999.0], [-1000.0, -1001.0]]), np.array([0, 1]), 1.0),
                    "hidden, one row of logits 1000, one of -1000, T = 1"))
    return out


def _ece_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for n, k, bins in ((20, 3, 5), (200, 10, 15), (50, 2, 10)):
        probs = rng.dirichlet(np.full(k, 0.5), n)
        out.append(Case((probs, rng.integers(0, k, n), bins), f"hidden, {n} samples, {bins} bins"))
    probs = np.array([[0.5, 0.5], [0.8, 0.2], [0.3, 0.7], [0.1, 0.9]])
    out.append(Case((probs, np.array([0, 1, 1, 1]), 5), "hidden, confidences on bin edges"))
    # a tie whose first class is the label: 0.35 right, 0.25 taking the last class
    out.append(Case((np.array([[0.4, 0.4, 0.2], [0.9, 0.05, 0.05]]), np.array([0, 0]), 5),
                    "hidden, a tie for the largest probability"))
    return out


def _ece_variant(probs, labels, n_bins, *, last=False, upper=False, weighted=True,
                 largest=False):
    """ECE computed with one of the learner's slips: ties to the last class, an edge in the
    upper bin, or the gaps of the bins averaged without their sizes."""
    probs = np.asarray(probs, dtype=float)
    conf = probs.max(axis=1)
    top = probs.shape[1] - 1 - probs[:, ::-1].argmax(axis=1) if last else probs.argmax(axis=1)
    correct = top == labels
    if upper:
        bins = np.clip(np.floor(conf * n_bins), 0, n_bins - 1).astype(int)
    else:
        bins = np.searchsorted(np.linspace(0, 1, n_bins + 1)[1:-1], conf, side="left")
    gaps, sizes = [], []
    for b in range(n_bins):
        m = bins == b
        if m.any():
            gaps.append(abs(correct[m].mean() - conf[m].mean()))
            sizes.append(m.mean())
    if largest:
        return float(max(gaps))
    return float(np.dot(gaps, sizes)) if weighted else float(np.mean(gaps))


def _nll_without_t(expected, z, labels, t):
    return xl.sparse_categorical_cross_entropy(labels, z, from_logits=True)


QUESTIONS = (
    FunctionQuestion(
        id="08.q1",
        prompt="Write `balanced_weights(y, n_classes)`: class weights N / (K * n_k) for integer "
               "labels `y` (N of them) and K = `n_classes` classes, n_k the count of class k "
               "(scikit-learn's 'balanced' rule). Unlike scikit-learn, which raises an error, "
               "give a class with no samples the weight 0.",
        hints=["Rare classes get large weights: N / (K * n_k). Count every class, the "
               "ones after the largest label too.",
               "`counts = np.bincount(y, minlength=___)`; the weight is len(y) / (___ * counts) "
               "where counts > 0, else 0."],
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
        # "the last two classes have no samples", "int32 labels, the last class has no
        # samples": no_minlength; "a class with no samples" and those: divide_by_zero;
        # every case: inverse_weights, forgot_k, frequencies
        mistakes=[
            Mistake("no_minlength", "One weight is missing for each class after the largest "
                    "label: "
                    "np.bincount(y) stops at the largest label present; pass "
                    "minlength=n_classes so that the classes after it are counted (as 0).",
                    when=lambda got, expected, args: got.ndim == 1
                    and got.shape[0] == int(np.max(args[0])) + 1 < expected.shape[0]),
            Mistake("divide_by_zero", "A class with no samples gets the weight 0 here, not "
                    "N / 0 (inf or nan): "
                    "divide only where the count is above 0.",
                    when=lambda got, expected, args: got.shape == expected.shape
                    and bool((~np.isfinite(got) & (expected == 0)).any())),
            Mistake("inverse_weights", "Those are the inverses of the weights: the weight is "
                    "N / (K * n_k), large for rare classes.",
                    when=lambda got, expected, args: got.shape == expected.shape
                    and bool(np.allclose(got[expected > 0] * expected[expected > 0], 1.0))),
            Mistake("forgot_k", "That is N / n_k: divide by the number of classes K as well, "
                    "N / (K * n_k), so that the weights average 1 over the samples.",
                    returns=lambda expected, y, k: expected * k),
            Mistake("frequencies", "Those are the classes' frequencies n_k / N; the weight is "
                    "their inverse over K, N / (K * n_k): large for rare classes.",
                    when=lambda got, expected, args: got.shape == expected.shape
                    and bool(np.allclose(got[expected > 0] * expected[expected > 0] * args[1],
                                         1.0))),
            Mistake("classes_present", "K is n_classes, the classes asked for, not the number "
                    "of classes present in y.", returns=lambda expected, y, k: expected * k
                    / np.count_nonzero(np.bincount(y, minlength=k))),
        ],
    ),
    FunctionQuestion(
        id="08.q2",
        prompt="Write `nll_at_temperature(logits, labels, T)`: the mean cross-entropy in nats of "
               "the softmax of `logits / T` (N x K) against integer `labels`: the quantity that "
               "temperature scaling minimises over T. Logits may be in the hundreds.",
        hints=["Divide the logits by T, then use log-softmax (the log-sum-exp trick with "
               "each row's own maximum).",
               "`z = logits / T`, `m = z.max(axis=1, keepdims=True)`, "
               "`logq = z - m - np.log(___)`; the answer is minus the mean of the true "
               "labels' entries of logq."],
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
        # every case with T != 1: ignored_t, times_t; every case: unit, sum_for_mean, sign;
        # "logits in the hundreds", "logits / T of 2000": overflow; "one row of logits 1000,
        # one of -1000": global_max_shift
        mistakes=[
            m.unit("nats"),
            m.global_max_shift(),
            m.overflow("Your result has inf or nan where the answer is finite. Either exp of a "
                       "large z = logits / T overflowed to inf (subtract each row's maximum "
                       "before np.exp), or a softmax probability rounded to 0 and its log is "
                       "-inf. Never take the log of the softmax: compute log-softmax directly with "
                       "the log-sum-exp trick, z - m - log(sum(exp(z - m))) with m each row's "
                       "own maximum."),
            Mistake("ignored_t", "That leaves T out: divide the logits by T before the "
                    "softmax.", returns=_nll_without_t),
            Mistake("times_t", "That multiplies the logits by T; temperature scaling divides "
                    "them: logits / T.",
                    returns=lambda expected, z, labels, t: xl.sparse_categorical_cross_entropy(
                        labels, z * t, from_logits=True)),
            Mistake("t_after_loss", "That divides the loss by T; temperature scaling divides "
                    "the logits, before the softmax.",
                    returns=lambda expected, z, labels, t: _nll_without_t(expected, z, labels, t)
                    / t),
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
               "Scan a fine grid such as `np.linspace(0.5, 5, 20000)` with your "
               "nll_at_temperature and keep the T with the lowest loss (or look up "
               "xl.fit_temperature)."],
        solution_code="logits = np.array([[3.0, 0.0], [0.0, 2.5], [4.0, 0.0], [2.0, 0.0], "
                      "[0.0, 3.5], [1.5, 0.0]])\nlabels = np.array([0, 1, 1, 0, 1, 0])\n"
                      "answer = float(xl.fit_temperature(logits, labels))",
        template="logits = np.array([[3.0, 0.0], [0.0, 2.5], [4.0, 0.0], [2.0, 0.0], "
                 "[0.0, 3.5], [1.5, 0.0]])\nlabels = np.array([0, 1, 1, 0, 1, 0])\nanswer = ...",
        expected=float(xl.fit_temperature(_LOGITS, _LABELS)),
        close=0.05,  # found by search: a coarse grid lands close
        mistakes=[Mistake("untuned", "T = 1 leaves the model as it is; it is over-confident "
                          "here", value=1.0),
                  Mistake("inverse_t", "that is 1/T, the factor on the logits; the question "
                          "asks for T, which the logits are divided by",
                          value=1 / float(xl.fit_temperature(_LOGITS, _LABELS))),
                  Mistake("loss_for_t", "that is the lowest mean cross-entropy; the question "
                          "asks for the T that reaches it",
                          value=float(xl.sparse_categorical_cross_entropy(
                              _LABELS, _LOGITS / xl.fit_temperature(_LOGITS, _LABELS),
                              from_logits=True)))],
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
        hints=["Three arrays do it: each sample's confidence, whether it is correct (np.argmax "
               "takes the first class on ties), and its bin; a confidence on an edge goes to "
               "the lower bin, so np.floor(conf * M) is one bin too high there.",
               "`edges = np.linspace(0, 1, n_bins + 1)`; `np.searchsorted(edges[1:-1], conf, "
               "side=___)` gives the bins. For each non-empty bin add its share of the samples "
               "times |accuracy - mean confidence|."],
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
        # "confidences on bin edges": edge_in_upper_bin; "a tie for the largest
        # probability": last_on_ties; every case with several non-empty bins:
        # unweighted_gaps; any case where some bin is over-confident: no_abs
        mistakes=[
            Mistake("no_abs", "Your result is negative, and ECE never is: each bin adds "
                    "|accuracy - mean confidence|; take abs() of the difference before adding "
                    "it.", when=lambda got, expected, args: got.ndim == 0 and float(got) < 0),
            Mistake("last_on_ties", "On a tie for the largest probability you took the last "
                    "class; the prompt says the first (np.argmax does that).",
                    returns=lambda expected, *args: _ece_variant(*args, last=True)),
            Mistake("edge_in_upper_bin", "A confidence exactly on an edge went to the upper "
                    "bin; the bins are (i/M, (i+1)/M], so it belongs to the lower one "
                    "(np.searchsorted with side='left', or np.ceil(conf * M) - 1).",
                    returns=lambda expected, *args: _ece_variant(*args, upper=True)),
            Mistake("unweighted_gaps", "That averages the bins' gaps equally; weight each by "
                    "its share of the samples (count in the bin / N) and add.",
                    returns=lambda expected, *args: _ece_variant(*args, weighted=False)),
            Mistake("max_gap", "That is the largest gap of any bin (the maximum calibration "
                    "error); ECE adds every bin's gap, weighted by its share of the samples.",
                    returns=lambda expected, *args: _ece_variant(*args, largest=True)),
            Mistake("no_bins", "That compares the overall accuracy with the overall mean "
                    "confidence; ECE compares them within each bin and adds the weighted gaps.",
                    returns=lambda expected, probs, labels, n: abs(
                        (np.argmax(probs, axis=1) == labels).mean() - probs.max(axis=1).mean())),
        ],
    ),
    ValueQuestion(
        id="08.q5",
        prompt="With label smoothing 0.1 and 10 classes, a one-hot target becomes 0.91 on the "
               "true class and 0.01 elsewhere. What is the lowest cross-entropy (nats) any "
               "prediction can reach on it?",
        hints=["Gibbs' inequality: the minimum of H(p, q) over q is H(p), at q = p.",
               "-0.91 ln 0.91 - ___ * 0.01 ln 0.01, in nats"],
        solution_code="target = np.full(10, 0.01)\ntarget[0] = 0.91\n"
                      "answer = float(xl.entropy(target))",
        expected=float(xl.entropy(_SMOOTH)),
        mistakes=[
            Mistake("zero_minimum", "0 needs a one-hot target; the smoothed target is soft",
                    value=0.0),
            Mistake("one_term_only", "that is only the true class's term; the nine other "
                    "classes add 0.01 * ln(1/0.01) each", value=float(-0.91 * np.log(0.91))),
            Mistake("wrong_log_base", "that is in bits; the question asks for nats",
                    value=float(xl.entropy(_SMOOTH, base=2))),
            Mistake("one_hot_loss", "that is -ln 0.91, what predicting the smoothed target "
                    "costs against the one-hot target; against the smoothed target all ten "
                    "classes count, so the lowest value is the smoothed target's entropy",
                    value=float(-np.log(0.91))),
        ],
    ),
)
