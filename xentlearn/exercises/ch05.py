"""Exercises of chapter 05, sparse categorical cross-entropy. Expected answers come from xentlearn.

Question 1 asks for indexing rather than a one-hot array, and its last two hidden
cases measure memory: the learner's function may hold at most 1.5 times the
size of ``probs`` at once, beyond its inputs. A copy of ``probs`` (what the
checker advises for in-place changes) or the log of all of it fits; a float64
one-hot array together with anything of its size does not, nor does
``np.eye(K)`` (256 x 5000 probabilities), nor an N x N array such as
``probs[:, labels]`` (2000 x 100 probabilities: 32 MB against 2.4 MB). The
peak is measured with :mod:`tracemalloc` from a baseline taken when the call
starts, so a learner who already traces memory is measured the same way; a
function that stops or restarts tracing is told so rather than passed (see
:class:`xentlearn.exercises.runner._Memory`).
"""

from __future__ import annotations

import numpy as np

import xentlearn as xl

from . import cases
from . import mistakes as m
from .checker import Case, FunctionQuestion, Mistake, ValueQuestion

_W = np.array([1.0, 3.0])
_LOSSES = np.array([0.2, 1.0, 0.5])
_LAB = np.array([0, 1, 1])

#: The memory cases' limit, in units of ``probs.nbytes``.
MEMORY_FACTOR = 1.5


def _memory_case(rng: np.random.Generator, n: int, k: int, what: str) -> Case:
    probs = np.full((n, k), 1.0 / k)
    return Case((rng.integers(0, k, n), probs), f"hidden, {n} samples, {k} classes ({what})",
                memory_limit=int(MEMORY_FACTOR * probs.nbytes),
                memory_advice="Index the probabilities of the true classes, "
                "probs[np.arange(N), labels]: a copy of probs is fine, a one-hot or an N x N "
                "array is not.")


def _n_by_n(peak: int, args: tuple) -> bool:
    """The peak is at least half an N x N float64 array: probs[:, labels], np.diag, ..."""
    n = len(args[0])
    return peak >= 0.5 * 8 * n * n and n > args[1].shape[1]


def _all_pairs(expected, labels, probs):
    """-mean(log(probs[:, labels])) without the N x N array: every sample with every label."""
    counts = np.bincount(labels, minlength=probs.shape[1])
    with np.errstate(divide="ignore"):
        return -(np.log(probs) @ counts).sum() / len(labels) ** 2


def _sparse_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for n, k in ((4, 3), (10, 7), (32, 50)):
        out.append(Case((rng.integers(0, k, n), rng.dirichlet(np.ones(k), n)),
                        f"hidden, {n} samples, {k} classes"))
    labels = rng.integers(0, 4, 6)
    probs = rng.dirichlet(np.ones(4), 6)
    probs[rng.random((6, 4)) < 0.5] = 0.0  # some wrong classes get probability 0 ...
    probs[np.arange(6), labels] += 0.5  # ... never the true one
    out.append(Case((labels, probs / probs.sum(axis=1, keepdims=True)),
                    "hidden, probability 0 for some wrong classes"))
    out.append(Case((rng.integers(0, 5, 8).astype(np.int32),
                     rng.dirichlet(np.ones(5), 8).astype(np.float32)),
                    "hidden, int32 labels, float32 probabilities", **cases.FLOAT32))
    out.append(Case((np.array([0, 1]), np.array([[1e-300, 1.0], [0.5, 0.5]])),
                    "hidden, p = 1e-300 for a true class"))
    out.append(Case((np.array([0, 1]), np.array([[0.0, 1.0], [0.5, 0.5]])),
                    "hidden, p = 0 for a true class"))
    out.append(_memory_case(rng, 256, 5000, "memory test, one-hot"))
    out.append(_memory_case(rng, 2000, 100, "memory test, N x N"))
    return out


def _masked_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for n, k in ((6, 4), (20, 10)):
        labels = rng.integers(0, k, n)
        labels[rng.choice(n, n // 3, replace=False)] = -100
        out.append(Case((labels, rng.normal(0, 3, (n, k)), -100), f"hidden, {n} tokens"))
    labels = np.array([1, -100, 0])
    # no row far below the maximum here (the padded one is 600 below): only an unshifted
    # exp fails, not a shift by the whole array's maximum
    out.append(Case((labels, np.array([[0.0, 1000.0], [400.0, 400.0], [-1000.0, 1000.0]]), -100),
                    "hidden, logits 1000"))
    out.append(Case((np.array([0, 3, 3]), rng.normal(0, 1, (3, 4)), 3),
                    "hidden, ignore_index = 3"))
    out.append(Case((np.array([0, 1, -100]),
                     np.array([[1000.0, 999.0], [-1000.0, -1001.0], [0.0, 0.0]]), -100),
                    "hidden, one row of logits 1000, one of -1000"))
    return out


def _padding_as_class_0(expected, labels, z, ii):
    """Padding counted as class 0: every sample kept, the padded ones with the label 0."""
    return xl.sparse_categorical_cross_entropy(np.where(labels == ii, 0, labels), z,
                                               from_logits=True)


def _kept(labels, logits, ignore_index) -> int:
    return int((labels != ignore_index).sum())


QUESTIONS = (
    FunctionQuestion(
        id="05.q1",
        prompt="Write `sparse_ce(labels, probs)`: the mean cross-entropy in nats of integer "
               "labels (shape N) and predicted probabilities (N x K), by indexing: no one-hot "
               "array. A true class may have probability 0 (the loss is inf) or 1e-300: do not "
               "clip. Memory is checked: beyond its inputs, your function may hold at most "
               "1.5 times the size of `probs` at once (15.4 MB for 256 x 5000 float64 "
               "probabilities, 2.4 MB for 2000 x 100), so neither a one-hot array nor an "
               "N x N one fits.",
        hints=["Pick each sample's probability of its true class with two index arrays: the "
               "row numbers 0 ... N-1 and the labels. Only N numbers are needed.",
               "`p_true = probs[np.arange(len(labels)), ___]`; the loss is the mean of its "
               "surprise."],
        solution_code="def sparse_ce(labels, probs):\n"
                      "    p_true = probs[np.arange(len(labels)), labels]\n"
                      "    with np.errstate(divide='ignore'):  # log(0) = -inf: the loss is inf\n"
                      "        return -np.mean(np.log(p_true))",
        name="sparse_ce",
        arg_names=["labels", "probs"],
        reference=lambda labels, probs: xl.sparse_categorical_cross_entropy(labels, probs),
        example=Case((np.array([0, 2]), np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])),
                     "worked example"),
        hidden=_sparse_cases,
        seed=501,
        # every case: unit, sign, sum_for_mean, all_pairs; "probability 0 for some wrong
        # classes": zero_log_zero (one-hot times log); "p = 1e-300" and "p = 0 for a true
        # class": clipped; "memory test, one-hot" (256 x 5000): one_hot_memory; "memory
        # test, N x N" (2000 x 100): n_by_n_memory (np.diag(probs[:, labels]))
        mistakes=[
            m.unit("nats"),
            m.zero_log_zero("Your result has nan: multiplying a one-hot array by log(probs) "
                            "gives 0 * log(0) = nan where a wrong class has probability 0. "
                            "Index the true class's probability instead: "
                            "probs[np.arange(N), labels]."),
            m.summed(lambda labels, probs: len(labels)),
            m.sign("The sign is flipped: the cross-entropy is minus the mean log-probability "
                   "of the true classes."),
            m.clipped("Your loss is capped: it clips the true class's probability (np.clip, or "
                      "log(p + eps)). p = 1e-300 for a true class should cost 690.8 nats, and "
                      "p = 0 costs inf: take the log of the probability as it is."),
            Mistake("all_pairs", "probs[:, labels] is an N x N array: every sample's "
                    "probability of every sample's label. Pair each row with its own label: "
                    "probs[np.arange(N), labels].", returns=_all_pairs),
            Mistake("predicted_class", "That is the probability of the predicted class "
                    "(the row's maximum); the loss uses the probability of the true class, "
                    "probs[np.arange(N), labels].",
                    returns=lambda expected, labels, probs: -np.mean(np.log(probs.max(axis=1)))),
            Mistake("n_by_n_memory", "The value is right, but your function builds an N x N "
                    "array (probs[:, labels], then np.diag or a mask): for N = 2000 that is "
                    "32 MB. Index with two arrays, probs[np.arange(N), labels]: N numbers.",
                    memory=_n_by_n),
            Mistake("one_hot_memory", "The value is right, but your function builds a one-hot "
                    "array (or np.eye(K)) as large as probs: index the true classes' "
                    "probabilities instead, probs[np.arange(N), labels].",
                    memory=lambda peak, args: not _n_by_n(peak, args)),
        ],
    ),
    FunctionQuestion(
        id="05.q2",
        prompt="Write `masked_ce(labels, logits, ignore_index)`: the mean cross-entropy in nats "
               "from logits (N x K), leaving out samples whose label equals `ignore_index` "
               "(padding): they count in neither the sum nor the number of samples. It must "
               "work for logits of +-1000 (use the log-sum-exp trick of chapter 04).",
        hints=["Drop the padded samples first (`m = labels != ignore_index`): they are not a "
               "class, and they do not count in N.",
               "With z = logits[m] and y = labels[m]: each loss is logsumexp(z) - "
               "z[np.arange(len(y)), y], with logsumexp shifted by ___ (each row's own "
               "maximum)."],
        solution_code="def masked_ce(labels, logits, ignore_index):\n"
                      "    m = labels != ignore_index\n"
                      "    z, y = logits[m], labels[m]\n    top = z.max(axis=1)\n"
                      "    lse = top + np.log(np.exp(z - top[:, None]).sum(axis=1))\n"
                      "    return np.mean(lse - z[np.arange(len(y)), y])",
        name="masked_ce",
        arg_names=["labels", "logits", "ignore_index"],
        reference=lambda labels, z, ii: xl.sparse_categorical_cross_entropy(
            labels, z, from_logits=True, ignore_index=ii),
        example=Case((np.array([1, -100]), np.array([[0.0, 2.0], [1.0, 1.0]]), -100),
                     "worked example"),
        hidden=_masked_cases,
        seed=502,
        # cases with padding: padding_in_count, padding_as_class_0; every case: unit, sign,
        # sum_for_mean; "logits 1000": overflow; "one row of logits 1000, one of -1000":
        # global_max_shift
        mistakes=[
            m.unit("nats"),
            m.global_max_shift(),
            m.overflow("Your result has inf or nan where the answer is finite. Either exp of a "
                       "large logit overflowed to inf (subtract each row's maximum before "
                       "np.exp), or a softmax probability rounded to 0 and its log is -inf. "
                       "Never take the log of the softmax: each loss is logsumexp(z) minus the "
                       "true class's logit, with the log-sum-exp trick (shifted by each row's own "
                       "maximum)."),
            Mistake("padding_in_count", "The padded samples still count in the number of "
                    "samples: divide by the number of kept ones (labels != ignore_index), "
                    "not by N.",
                    returns=lambda expected, labels, z, ii: expected * _kept(labels, z, ii)
                    / len(labels)),
            Mistake("padding_as_class_0", "You counted the padding as class 0: padded samples "
                    "are no class at all. Leave them out of the sum and of the count.",
                    returns=_padding_as_class_0),
            m.summed(_kept, "That is the sum over the kept samples; the question asks for "
                     "their mean."),
            m.sign("The sign is flipped: the loss is logsumexp(z) minus the true class's "
                   "logit, which is never negative."),
        ],
    ),
    ValueQuestion(
        id="05.q3",
        prompt="How many megabytes (1 MB = 10^6 bytes) do one-hot float32 targets take for "
               "1,000 tokens and a 50,000-word vocabulary?",
        hints=["One-hot targets store one float32 (4 bytes) per token and word.",
               "1,000 x 50,000 x ___ bytes, then divide by 10^6"],
        solution_code="answer = 1_000 * 50_000 * 4 / 1e6",
        expected=200.0,
        close=0.0,
        mistakes=[
            Mistake("float64_size", "that is float64 (8 bytes); the question says float32",
                    value=400.0),
            Mistake("labels_size", "that is the integer labels (int64); the question asks for "
                    "one-hot", value=0.008),
            Mistake("mib_for_mb", "that is in MiB (2^20 bytes); the question defines "
                    "1 MB = 10^6 bytes", value=200e6 / 2**20),
            Mistake("bytes_for_mb", "that is in bytes; divide by 10^6 for megabytes",
                    value=200e6),
        ],
    ),
    ValueQuestion(
        id="05.q4",
        prompt="Three samples with losses [0.2, 1.0, 0.5] and labels [0, 1, 1]; class weights "
               "[1, 3]. What is the class-weighted mean loss (the chapter's class-weight "
               "convention: PyTorch's weight=, reduction 'mean')?",
        hints=["Each sample's weight is its label's class weight; the weighted mean divides "
               "by the sum of the samples' weights, not by N.",
               "(1*0.2 + 3*1.0 + 3*0.5) / ___"],
        solution_code="answer = (1 * 0.2 + 3 * 1.0 + 3 * 0.5) / (1 + 3 + 3)",
        expected=float((_W[_LAB] * _LOSSES).sum() / _W[_LAB].sum()),
        close=0.0,
        mistakes=[
            Mistake("divide_by_n", "that divides by N (the sample_weight convention); class "
                    "weights divide by the sum of the weights",
                    value=float((_W[_LAB] * _LOSSES).sum() / 3)),
            Mistake("unweighted", "that is the plain mean, without the weights",
                    value=float(_LOSSES.mean())),
            Mistake("weighted_sum", "that is the weighted sum; the mean divides it by the sum "
                    "of the weights, 1 + 3 + 3", value=float((_W[_LAB] * _LOSSES).sum())),
        ],
    ),
)
