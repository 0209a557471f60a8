"""Exercises of chapter 05, sparse categorical cross-entropy. Expected answers come from xentlearn.

Question 1 asks for indexing rather than a one-hot array, and its last hidden
case measures memory: the learner's function may hold at most 1.5 times the
size of ``probs`` at once, beyond its inputs. A copy of ``probs`` (what the
checker advises for in-place changes) or the log of all of it fits; a float64
one-hot array together with anything of its size does not, nor does
``np.eye(K)``. The peak is measured with :mod:`tracemalloc` from a baseline
taken when the call starts, so a learner who already traces memory is
measured the same way; a function that stops or restarts tracing is told so
rather than passed (see :class:`xentlearn.exercises.runner._Memory`).
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

#: The memory case's limit, in units of ``probs.nbytes``.
MEMORY_FACTOR = 1.5


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
    n, k = 256, 5000
    probs = np.full((n, k), 1.0 / k)
    out.append(Case((rng.integers(0, k, n), probs), f"hidden, {k} classes (memory test)",
                    memory_limit=int(MEMORY_FACTOR * probs.nbytes),
                    memory_advice="Index the probabilities of the true classes, "
                    "probs[np.arange(N), labels], rather than build a one-hot array: a copy "
                    "of probs is fine, a one-hot array (or np.eye(K)) as well is not."))
    return out


def _masked_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for n, k in ((6, 4), (20, 10)):
        labels = rng.integers(0, k, n)
        labels[rng.choice(n, n // 3, replace=False)] = -100
        out.append(Case((labels, rng.normal(0, 3, (n, k)), -100), f"hidden, {n} tokens"))
    labels = np.array([1, -100, 0])
    out.append(Case((labels, np.array([[0.0, 1000.0], [5.0, 5.0], [-1000.0, 1000.0]]), -100),
                    "hidden, logits 1000"))
    out.append(Case((np.array([0, 3, 3]), rng.normal(0, 1, (3, 4)), 3),
                    "hidden, ignore_index = 3"))
    return out


def _kept(labels, logits, ignore_index) -> int:
    return int((labels != ignore_index).sum())


QUESTIONS = (
    FunctionQuestion(
        id="05.q1",
        prompt="Write `sparse_ce(labels, probs)`: the mean cross-entropy in nats of integer "
               "labels (shape N) and predicted probabilities (N x K), by indexing: no one-hot "
               "array.",
        hints=["`probs[np.arange(len(labels)), labels]` picks each sample's probability of its "
               "true class.",
               "`return -np.mean(np.log(probs[np.arange(len(labels)), labels]))`"],
        solution_code="def sparse_ce(labels, probs):\n"
                      "    return -np.mean(np.log(probs[np.arange(len(labels)), labels]))",
        name="sparse_ce",
        arg_names=["labels", "probs"],
        reference=lambda labels, probs: xl.sparse_categorical_cross_entropy(labels, probs),
        example=Case((np.array([0, 2]), np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])),
                     "worked example"),
        hidden=_sparse_cases,
        seed=501,
        mistakes=[
            m.unit("nats"),
            m.zero_log_zero("Your result has nan: multiplying a one-hot array by log(probs) "
                            "gives 0 * log(0) = nan where a wrong class has probability 0. "
                            "Index the true class's probability instead: "
                            "probs[np.arange(N), labels]."),
            m.summed(lambda labels, probs: len(labels)),
            m.sign("The sign is flipped: the cross-entropy is minus the mean log-probability "
                   "of the true classes."),
        ],
    ),
    FunctionQuestion(
        id="05.q2",
        prompt="Write `masked_ce(labels, logits, ignore_index)`: the mean cross-entropy in nats "
               "from logits (N x K), leaving out samples whose label equals `ignore_index` "
               "(padding): they count in neither the sum nor the number of samples. It must "
               "work for logits of +-1000 (use the log-sum-exp trick of chapter 04).",
        hints=["Keep `m = labels != ignore_index`, then work on `labels[m]` and `logits[m]`.",
               "With z = logits[m]: loss = logsumexp(z) - z[range, labels]; logsumexp with the "
               "row maximum subtracted."],
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
        mistakes=[
            m.unit("nats"),
            m.overflow(),
            Mistake("The padded samples still count in the number of samples: divide by the "
                    "number of kept ones (labels != ignore_index), not by N.",
                    returns=lambda expected, labels, z, ii: expected * _kept(labels, z, ii)
                    / len(labels)),
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
        hints=["One float32 is 4 bytes.", "1,000 x 50,000 x 4 bytes"],
        solution_code="answer = 1_000 * 50_000 * 4 / 1e6",
        expected=200.0,
        close=0.0,
        mistakes=[
            Mistake("that is float64 (8 bytes); the question says float32", value=400.0),
            Mistake("that is the integer labels (int64); the question asks for one-hot",
                    value=0.008),
            Mistake("that is in MiB (2^20 bytes); the question defines 1 MB = 10^6 bytes",
                    value=200e6 / 2**20),
        ],
    ),
    ValueQuestion(
        id="05.q4",
        prompt="Three samples with losses [0.2, 1.0, 0.5] and labels [0, 1, 1]; class weights "
               "[1, 3]. What is the class-weighted mean loss (reduction 'mean', as PyTorch's "
               "weight=)?",
        hints=["The weighted mean divides by the sum of the samples' weights, not by N.",
               "(1*0.2 + 3*1.0 + 3*0.5) / (1 + 3 + 3)"],
        solution_code="answer = (1 * 0.2 + 3 * 1.0 + 3 * 0.5) / (1 + 3 + 3)",
        expected=float((_W[_LAB] * _LOSSES).sum() / _W[_LAB].sum()),
        close=0.0,
        mistakes=[
            Mistake("that divides by N (the sample_weight convention); class weights divide by "
                    "the sum of the weights", value=float((_W[_LAB] * _LOSSES).sum() / 3)),
            Mistake("that is the plain mean, without the weights", value=float(_LOSSES.mean())),
        ],
    ),
)
