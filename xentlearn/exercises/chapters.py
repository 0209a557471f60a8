"""The questions of every chapter. Each expected answer is computed with xentlearn itself."""

from __future__ import annotations

import math

import numpy as np

import xentlearn as xl

from .checker import Case, FunctionQuestion, Question, ValueQuestion

LN2 = math.log(2)
NOT_DONE = "raise NotImplementedError  # replace this line with your code"


# --- random cases ------------------------------------------------------------------------------


def _dirichlet(rng: np.random.Generator, k: int, zeros: int = 0, dtype=np.float64) -> np.ndarray:
    """A random distribution over ``k`` outcomes with ``zeros`` of them exactly 0."""
    p = rng.dirichlet(np.ones(k))
    if zeros:
        p[rng.choice(k, size=zeros, replace=False)] = 0.0
        p /= p.sum()
    return p.astype(dtype)


def _dist_cases(rng, sizes=(2, 3, 5, 8, 20), with_zeros=True) -> list[Case]:
    cases = []
    for k in sizes:
        cases.append(Case((_dirichlet(rng, k),), f"hidden, {k} outcomes"))
    if with_zeros:
        cases.append(Case((_dirichlet(rng, 6, zeros=2),), "hidden, with zero probabilities"))
        cases.append(Case((np.array([0.0, 1.0, 0.0]),), "hidden, a certain outcome"))
    cases.append(Case((_dirichlet(rng, 7, dtype=np.float32),), "hidden, float32", rtol=1e-5,
                      atol=1e-6))
    return cases


def _pair_cases(rng) -> list[Case]:
    cases = [Case((_dirichlet(rng, k), _dirichlet(rng, k)), f"hidden, {k} outcomes")
             for k in (2, 4, 10)]
    cases.append(Case((_dirichlet(rng, 5, zeros=2), _dirichlet(rng, 5)),
                      "hidden, p has zeros"))
    p = np.array([0.5, 0.5, 0.0])
    cases.append(Case((p, np.array([0.25, 0.25, 0.5])), "hidden, p has a zero where q does not"))
    cases.append(Case((np.array([0.5, 0.5]), np.array([1.0, 0.0])), "hidden, q = 0 where p > 0"))
    cases.append(Case((np.array([0.5, 0.5, 0.0]), np.array([0.5, 0.5, 0.0])),
                      "hidden, p = q = 0 for one outcome"))
    cases.append(Case((_dirichlet(rng, 6, dtype=np.float32), _dirichlet(rng, 6, dtype=np.float32)),
                      "hidden, float32", rtol=1e-5, atol=1e-6))
    return cases


def _bce_cases(rng) -> list[Case]:
    cases = []
    for n in (1, 5, 50):
        y = rng.integers(0, 2, n).astype(float)
        p = rng.uniform(0.01, 0.99, n)
        cases.append(Case((y, p), f"hidden, {n} samples"))
    cases.append(Case((np.array([1.0, 0.0]), np.array([1.0, 0.0])), "hidden, perfect predictions"))
    cases.append(Case((np.array([1.0, 0.0, 1.0]), np.array([0.999999, 1e-6, 0.5])),
                      "hidden, confident predictions"))
    y2 = rng.integers(0, 2, (4, 3)).astype(float)
    cases.append(Case((y2, rng.uniform(0.05, 0.95, (4, 3))), "hidden, 2-D (multi-label)"))
    return cases


def _logit_cases(rng) -> list[Case]:
    cases = []
    for n, scale in ((4, 1.0), (20, 5.0), (10, 30.0)):
        cases.append(Case((rng.integers(0, 2, n).astype(float), rng.normal(0, scale, n)),
                          f"hidden, {n} logits of size ~{scale:g}"))
    cases.append(Case((np.array([0.0, 1.0, 1.0, 0.0]), np.array([1000.0, -1000.0, 1000.0, -800.0])),
                      "hidden, logits +-1000 (overflow test)"))
    cases.append(Case((np.array([1.0, 0.0]), np.array([40.0, -40.0])), "hidden, logits +-40"))
    return cases


def _logit_matrix_cases(rng, with_labels: bool) -> list[Case]:
    cases = []
    for n, k, scale in ((3, 4, 1.0), (10, 5, 4.0), (6, 10, 20.0)):
        z = rng.normal(0, scale, (n, k))
        y = rng.integers(0, k, n)
        cases.append(Case((y if with_labels else np.eye(k)[y], z), f"hidden, {n}x{k} logits"))
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0]])
    y = np.array([1, 2])
    cases.append(Case((y if with_labels else np.eye(3)[y], z),
                      "hidden, logits 1000 (overflow test)"))
    return cases


# --- chapters -----------------------------------------------------------------------------------


def _chapter_01() -> list[Question]:
    return [
        ValueQuestion(
            "01.q1",
            "A container holds 26 cubes and 4 spheres. What is the entropy of the shape of an "
            "object drawn at random, in bits?",
            ["The probabilities are 26/30 and 4/30.",
             "H = -(26/30) log2(26/30) - (4/30) log2(4/30); or xl.entropy([26/30, 4/30], base=2)"],
            "answer = float(xl.entropy([26 / 30, 4 / 30], base=2))",
            "answer = ...",
            expected=float(xl.entropy([26 / 30, 4 / 30], base=2)),
            mistakes={float(xl.entropy([26 / 30, 4 / 30])):
                      "that is in nats; the question asks for bits"},
        ),
        ValueQuestion(
            "01.q2",
            "How many bits of entropy does one roll of a fair 8-sided die have?",
            ["Eight equally likely outcomes, each with surprise -log2(1/8).",
             "For a uniform distribution over K outcomes, H = log2 K."],
            "answer = 3.0",
            "answer = ...",
            expected=3.0,
            mistakes={math.log(8): "that is in nats; the question asks for bits"},
        ),
        FunctionQuestion(
            "01.q3",
            "Write `entropy_bits(p)`: the entropy in bits of a 1-D distribution `p` (a NumPy "
            "array). Some probabilities may be exactly 0, and 0 log 0 counts as 0.",
            ["Select the non-zero entries first: `nz = p[p > 0]`.",
             "`return -np.sum(nz * np.log2(nz))`"],
            "def entropy_bits(p):\n    nz = p[p > 0]\n    return -np.sum(nz * np.log2(nz))",
            f"def entropy_bits(p):\n    {NOT_DONE}",
            reference=lambda p: xl.entropy(p, base=2),
            arg_names=["p"],
            example=Case((np.array([0.5, 0.25, 0.25]),), "worked example"),
            hidden=_dist_cases,
            unit_factor=LN2,
            seed=101,
        ),
        FunctionQuestion(
            "01.q4",
            "Write `surprise_bits(p)`: the surprise -log2 p of each outcome of a 1-D array of "
            "probabilities (all > 0), as an array of the same shape.",
            ["Surprise is the negative logarithm of the probability.",
             "`return -np.log2(p)`"],
            "def surprise_bits(p):\n    return -np.log2(p)",
            f"def surprise_bits(p):\n    {NOT_DONE}",
            reference=lambda p: -np.log2(p),
            arg_names=["p"],
            example=Case((np.array([0.5, 0.25, 0.125]),), "worked example"),
            hidden=lambda rng: [Case((rng.uniform(1e-3, 1, n),), f"hidden, {n} probabilities")
                                for n in (1, 4, 30)]
            + [Case((np.array([1.0, 1e-300]),), "hidden, certain and nearly impossible")],
            unit_factor=LN2,
            seed=102,
        ),
        ValueQuestion(
            "01.q5",
            "An optimal (Huffman) code for symbols with probabilities 0.5, 0.25, 0.125, 0.125 "
            "uses how many bits per symbol on average?",
            ["Huffman gives code words of lengths 1, 2, 3, 3 here.",
             "Average length = sum of p times length; for this p it equals the entropy."],
            "p = np.array([0.5, 0.25, 0.125, 0.125])\n"
            "answer = float(np.sum(p * xl.information.huffman_code_lengths(p)))",
            "answer = ...",
            expected=1.75,
        ),
    ]


def _chapter_02() -> list[Question]:
    p, q = [0.5, 0.5], [0.25, 0.75]
    soft = [0.7, 0.2, 0.1]
    return [
        ValueQuestion(
            "02.q1",
            "p = [0.5, 0.5] is the true distribution and q = [0.25, 0.75] a model's. What is "
            "the cross-entropy H(p, q) in bits?",
            ["H(p, q) = -sum p log2 q.", "-(0.5 log2 0.25 + 0.5 log2 0.75)"],
            "answer = float(xl.cross_entropy([0.5, 0.5], [0.25, 0.75], base=2))",
            "answer = ...",
            expected=float(xl.cross_entropy(p, q, base=2)),
            mistakes={float(xl.cross_entropy(q, p, base=2)): "that is H(q, p): the arguments "
                      "are swapped; the true distribution p weights the log of q",
                      float(xl.cross_entropy(p, q)): "that is in nats; the question asks for bits"},
        ),
        FunctionQuestion(
            "02.q2",
            "Write `cross_entropy_nats(p, q)`: H(p, q) in nats for 1-D distributions. Where p is "
            "0 the term is 0 (even if q is 0); where q is 0 but p is not, the answer is inf.",
            ["Only outcomes with p > 0 contribute: mask them.",
             "`m = p > 0`, then `return -np.sum(p[m] * np.log(q[m]))` (inside "
             "`np.errstate(divide='ignore')` so log(0) = -inf gives inf quietly)"],
            "def cross_entropy_nats(p, q):\n    m = p > 0\n    with np.errstate(divide='ignore'):\n"
            "        return -np.sum(p[m] * np.log(q[m]))",
            f"def cross_entropy_nats(p, q):\n    {NOT_DONE}",
            reference=lambda p, q: xl.cross_entropy(p, q),
            arg_names=["p", "q"],
            example=Case((np.array([0.5, 0.5]), np.array([0.25, 0.75])), "worked example"),
            hidden=_pair_cases,
            unit_factor=LN2,
            seed=201,
        ),
        ValueQuestion(
            "02.q3",
            "For the soft target p = [0.7, 0.2, 0.1], what is the smallest cross-entropy H(p, q) "
            "any model q can reach, in bits?",
            ["Gibbs' inequality: H(p, q) >= H(p), with equality at q = p.",
             "Compute the entropy of p in bits."],
            "answer = float(xl.entropy([0.7, 0.2, 0.1], base=2))",
            "answer = ...",
            expected=float(xl.entropy(soft, base=2)),
            mistakes={0.0: "0 is reachable only for one-hot targets; for a soft target the "
                      "minimum is H(p)"},
        ),
        FunctionQuestion(
            "02.q4",
            "Write `row_cross_entropy(P, Q)`: for 2-D arrays whose rows are distributions, return "
            "one cross-entropy in nats per row (shape (N,)): sum along each row with "
            "`np.sum(..., axis=1)`. Rows of P contain no zeros.",
            ["Multiply elementwise and sum along axis=1.",
             "`return -np.sum(P * np.log(Q), axis=1)`"],
            "def row_cross_entropy(P, Q):\n    return -np.sum(P * np.log(Q), axis=1)",
            f"def row_cross_entropy(P, Q):\n    {NOT_DONE}",
            reference=lambda P, Q: xl.cross_entropy(P, Q),
            arg_names=["P", "Q"],
            example=Case((np.array([[0.5, 0.5], [0.9, 0.1]]), np.array([[0.5, 0.5], [0.6, 0.4]])),
                         "worked example"),
            hidden=lambda rng: [
                Case((rng.dirichlet(np.ones(k), n), rng.dirichlet(np.ones(k), n)),
                     f"hidden, {n} rows of {k}") for n, k in ((1, 3), (5, 2), (8, 10))],
            unit_factor=LN2,
            seed=202,
        ),
    ]


def _chapter_03() -> list[Question]:
    return [
        ValueQuestion(
            "03.q1",
            "The true label is 1 and the model predicts p = 0.8. What is the binary "
            "cross-entropy in nats?",
            ["For y = 1 the loss is -log p.", "-ln(0.8)"],
            "answer = float(xl.binary_cross_entropy([1], [0.8]))",
            "answer = ...",
            expected=float(xl.binary_cross_entropy([1], [0.8])),
            mistakes={float(xl.binary_cross_entropy([0], [0.8])): "that is the loss for label 0",
                      float(xl.binary_cross_entropy([1], [0.8], base=2)): "that is in bits; the "
                      "question asks for nats"},
        ),
        FunctionQuestion(
            "03.q2",
            "Write `bce(y, p)`: the mean binary cross-entropy in nats of labels `y` (0 or 1) and "
            "predicted probabilities `p` (arrays of the same shape). A prediction of exactly 0 or "
            "1 on the right label costs 0, not nan.",
            ["Compute -log p where y is 1 and -log(1 - p) where y is 0, then average.",
             "`p_true = np.where(y == 1, p, 1 - p)` is the probability given to the true "
             "label; return the mean of -log(p_true)."],
            "def bce(y, p):\n    p_true = np.where(y == 1, p, 1 - p)\n"
            "    return -np.mean(np.log(p_true))",
            f"def bce(y, p):\n    {NOT_DONE}",
            reference=lambda y, p: xl.binary_cross_entropy(y, p),
            arg_names=["y", "p"],
            example=Case((np.array([1.0, 1.0]), np.array([0.9, 0.1])), "worked example"),
            hidden=_bce_cases,
            unit_factor=LN2,
            seed=301,
        ),
        FunctionQuestion(
            "03.q3",
            "Write `bce_from_logits(y, z)`: the binary cross-entropy in nats of each logit `z` "
            "(an array, one loss per element, no averaging) with labels `y`. It must not "
            "overflow or return inf/nan at logits of +-1000.",
            ["log sigmoid(z) = -softplus(-z) and log(1 - sigmoid(z)) = -softplus(z), where "
             "softplus(z) = log(1 + e^z).",
             "softplus(z) = max(z, 0) + log1p(exp(-|z|)); the loss is "
             "y * softplus(-z) + (1 - y) * softplus(z)."],
            "def bce_from_logits(y, z):\n"
            "    softplus = lambda t: np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t)))\n"
            "    return y * softplus(-z) + (1 - y) * softplus(z)",
            f"def bce_from_logits(y, z):\n    {NOT_DONE}",
            reference=lambda y, z: xl.binary_cross_entropy(y, z, from_logits=True,
                                                           reduction="none"),
            arg_names=["y", "z"],
            example=Case((np.array([1.0, 0.0]), np.array([2.0, -1.0])), "worked example"),
            hidden=_logit_cases,
            unit_factor=LN2,
            seed=302,
        ),
        ValueQuestion(
            "03.q4",
            "With label smoothing 0.1 (two classes), what target value replaces the label 1?",
            ["Smoothed targets are y (1 - eps) + eps / 2.", "1 * 0.9 + 0.05"],
            "answer = 1 * (1 - 0.1) + 0.1 / 2",
            "answer = ...",
            expected=0.95,
            rtol=1e-9,
            mistakes={0.9: "the smoothing mass eps is shared by both classes: add eps / 2"},
        ),
        ValueQuestion(
            "03.q5",
            "For the label 1, which predicted probability p gives a loss of exactly 1 nat?",
            ["Solve -ln p = 1.", "p = e^(-1)"],
            "answer = float(np.exp(-1))",
            "answer = ...",
            expected=math.exp(-1),
            mistakes={0.5: "-ln 0.5 is 0.693 nats (1 bit), not 1 nat"},
        ),
    ]


def _top_class_temperature(z: np.ndarray, target: float) -> float:
    """The temperature at which softmax(z / T)[0] equals ``target`` (bisection on log T)."""
    lo, hi = math.log(1e-3), math.log(1e3)
    for _ in range(200):
        mid = (lo + hi) / 2
        if xl.softmax(z, temperature=math.exp(mid))[0] > target:
            lo = mid
        else:
            hi = mid
    return math.exp((lo + hi) / 2)


def _chapter_04() -> list[Question]:
    car = [0.775, 0.116, 0.039, 0.070]
    z = np.array([2.0, 1.0, 0.1])
    return [
        ValueQuestion(
            "04.q1",
            "Four classes car, bike, plane, boat; the truth is car and the model predicts "
            "[0.775, 0.116, 0.039, 0.070]. What is the categorical cross-entropy in bits?",
            ["Only the true class's probability matters for a one-hot target.", "-log2(0.775)"],
            "answer = float(xl.categorical_cross_entropy([1, 0, 0, 0], "
            "[0.775, 0.116, 0.039, 0.070], base=2))",
            "answer = ...",
            expected=float(xl.categorical_cross_entropy([1, 0, 0, 0], car, base=2)),
            mistakes={float(xl.categorical_cross_entropy([1, 0, 0, 0], car)): "that is in nats; "
                      "the question asks for bits"},
        ),
        FunctionQuestion(
            "04.q2",
            "Write `softmax_t(z, T)`: the softmax of the logits `z / T` along the last axis, for "
            "1-D or 2-D `z`. It must not overflow for logits of 1000.",
            ["Subtract the maximum of each row before exponentiating: softmax does not change.",
             "`s = z / T; e = np.exp(s - s.max(axis=-1, keepdims=True)); "
             "return e / e.sum(axis=-1, keepdims=True)`"],
            "def softmax_t(z, T):\n    s = z / T\n"
            "    e = np.exp(s - s.max(axis=-1, keepdims=True))\n"
            "    return e / e.sum(axis=-1, keepdims=True)",
            f"def softmax_t(z, T):\n    {NOT_DONE}",
            reference=lambda z, t: xl.softmax(z, temperature=t),
            arg_names=["z", "T"],
            example=Case((np.array([2.0, 1.0, 0.1]), 1.0), "worked example"),
            hidden=lambda rng: [Case((rng.normal(0, 3, (4, 5)), 2.0), "hidden, 4x5, T = 2"),
                                Case((rng.normal(0, 3, 6), 0.5), "hidden, T = 0.5"),
                                Case((np.array([1000.0, 999.0, 0.0]), 1.0),
                                     "hidden, logits 1000 (overflow test)"),
                                Case((rng.normal(0, 1, (3, 10)), 10.0), "hidden, T = 10")],
            seed=401,
        ),
        ValueQuestion(
            "04.q3",
            "For the logits [2.0, 1.0, 0.1], which temperature T makes the probability of the "
            "first class exactly 0.9? No formula gives T directly: try values with "
            "`xl.softmax([2.0, 1.0, 0.1], temperature=T)[0]` (it falls as T rises) and narrow "
            "in until it is 0.9 to four significant figures.",
            ["A temperature below 1 sharpens the distribution.",
             "Try values of T with xl.softmax(z, temperature=T)[0] and narrow in (bisection)."],
            "lo, hi = 0.01, 1.0\nfor _ in range(60):\n    mid = (lo + hi) / 2\n"
            "    if xl.softmax([2.0, 1.0, 0.1], temperature=mid)[0] > 0.9:\n        lo = mid\n"
            "    else:\n        hi = mid\nanswer = mid",
            "answer = ...",
            expected=_top_class_temperature(z, 0.9),
        ),
        FunctionQuestion(
            "04.q4",
            "Write `cce_from_logits(Y, Z)`: the mean categorical cross-entropy in nats of one-hot "
            "targets `Y` and logits `Z` (both N x K). Use log-softmax, so logits of 1000 work.",
            ["log softmax(z) = z - logsumexp(z), and logsumexp(z) = m + log(sum(exp(z - m))) "
             "with m the row maximum.",
             "`m = Z.max(axis=1, keepdims=True); logq = Z - m - np.log(np.exp(Z - m).sum(axis=1, "
             "keepdims=True)); return -np.mean(np.sum(Y * logq, axis=1))`"],
            "def cce_from_logits(Y, Z):\n    m = Z.max(axis=1, keepdims=True)\n"
            "    logq = Z - m - np.log(np.exp(Z - m).sum(axis=1, keepdims=True))\n"
            "    return -np.mean(np.sum(Y * logq, axis=1))",
            f"def cce_from_logits(Y, Z):\n    {NOT_DONE}",
            reference=lambda y, z: xl.categorical_cross_entropy(y, z, from_logits=True),
            arg_names=["Y", "Z"],
            example=Case((np.eye(3)[[0, 2]], np.array([[2.0, 1.0, 0.1], [0.5, 0.5, 3.0]])),
                         "worked example"),
            hidden=lambda rng: _logit_matrix_cases(rng, with_labels=False),
            unit_factor=LN2,
            seed=402,
        ),
        ValueQuestion(
            "04.q5",
            "A model that guesses uniformly over 10 classes: what is its cross-entropy in nats?",
            ["Every class gets 1/10.", "-ln(1/10) = ln 10"],
            "answer = float(np.log(10))",
            "answer = ...",
            expected=math.log(10),
            mistakes={math.log2(10): "that is in bits; the question asks for nats"},
        ),
    ]


def _chapter_05() -> list[Question]:
    def sparse_cases(rng):
        cases = []
        for n, k in ((4, 3), (10, 7), (32, 50)):
            cases.append(Case((rng.integers(0, k, n), rng.dirichlet(np.ones(k), n)),
                              f"hidden, {n} samples, {k} classes"))
        n, k = 256, 5000
        probs = np.full((n, k), 1.0 / k)
        cases.append(Case((rng.integers(0, k, n), probs), f"hidden, {k} classes (memory test)",
                          max_temp_bytes=n * k * 8 // 4))
        return cases

    def masked_cases(rng):
        cases = []
        for n, k in ((6, 4), (20, 10)):
            labels = rng.integers(0, k, n)
            labels[rng.choice(n, n // 3, replace=False)] = -100
            cases.append(Case((labels, rng.normal(0, 3, (n, k)), -100), f"hidden, {n} tokens"))
        labels = np.array([1, -100, 0])
        cases.append(Case((labels, np.array([[0.0, 1000.0], [5.0, 5.0], [-1000.0, 1000.0]]), -100),
                          "hidden, logits 1000"))
        cases.append(Case((np.array([0, 3, 3]), rng.normal(0, 1, (3, 4)), 3),
                          "hidden, ignore_index = 3"))
        return cases

    w = np.array([1.0, 3.0])
    losses = np.array([0.2, 1.0, 0.5])
    lab = np.array([0, 1, 1])
    return [
        FunctionQuestion(
            "05.q1",
            "Write `sparse_ce(labels, probs)`: the mean cross-entropy in nats of integer labels "
            "(shape N) and predicted probabilities (N x K), by indexing: no one-hot array.",
            ["`probs[np.arange(len(labels)), labels]` picks each sample's probability of its "
             "true class.",
             "`return -np.mean(np.log(probs[np.arange(len(labels)), labels]))`"],
            "def sparse_ce(labels, probs):\n"
            "    return -np.mean(np.log(probs[np.arange(len(labels)), labels]))",
            f"def sparse_ce(labels, probs):\n    {NOT_DONE}",
            reference=lambda labels, probs: xl.sparse_categorical_cross_entropy(labels, probs),
            arg_names=["labels", "probs"],
            example=Case((np.array([0, 2]), np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])),
                         "worked example"),
            hidden=sparse_cases,
            unit_factor=LN2,
            seed=501,
        ),
        FunctionQuestion(
            "05.q2",
            "Write `masked_ce(labels, logits, ignore_index)`: the mean cross-entropy in nats from "
            "logits (N x K), leaving out samples whose label equals `ignore_index` (padding): "
            "they count in neither the sum nor the number of samples. It must work for logits "
            "of +-1000 (use the log-sum-exp trick of chapter 04).",
            ["Keep `m = labels != ignore_index`, then work on `labels[m]` and `logits[m]`.",
             "With z = logits[m]: loss = logsumexp(z) - z[range, labels]; logsumexp with the "
             "row maximum subtracted."],
            "def masked_ce(labels, logits, ignore_index):\n    m = labels != ignore_index\n"
            "    z, y = logits[m], labels[m]\n    top = z.max(axis=1)\n"
            "    lse = top + np.log(np.exp(z - top[:, None]).sum(axis=1))\n"
            "    return np.mean(lse - z[np.arange(len(y)), y])",
            f"def masked_ce(labels, logits, ignore_index):\n    {NOT_DONE}",
            reference=lambda labels, z, ii: xl.sparse_categorical_cross_entropy(
                labels, z, from_logits=True, ignore_index=ii),
            arg_names=["labels", "logits", "ignore_index"],
            example=Case((np.array([1, -100]), np.array([[0.0, 2.0], [1.0, 1.0]]), -100),
                         "worked example"),
            hidden=masked_cases,
            unit_factor=LN2,
            seed=502,
        ),
        ValueQuestion(
            "05.q3",
            "How many megabytes (1 MB = 10^6 bytes) do one-hot float32 targets take for 1,000 "
            "tokens and a 50,000-word vocabulary?",
            ["One float32 is 4 bytes.", "1,000 x 50,000 x 4 bytes"],
            "answer = 1_000 * 50_000 * 4 / 1e6",
            "answer = ...",
            expected=200.0,
            mistakes={400.0: "that is float64 (8 bytes); the question says float32",
                      0.008: "that is the integer labels (int64); the question asks for one-hot"},
        ),
        ValueQuestion(
            "05.q4",
            "Three samples with losses [0.2, 1.0, 0.5] and labels [0, 1, 1]; class weights "
            "[1, 3]. What is the class-weighted mean loss (reduction 'mean', as PyTorch's "
            "weight=)?",
            ["The weighted mean divides by the sum of the samples' weights, not by N.",
             "(1*0.2 + 3*1.0 + 3*0.5) / (1 + 3 + 3)"],
            "answer = (1 * 0.2 + 3 * 1.0 + 3 * 0.5) / (1 + 3 + 3)",
            "answer = ...",
            expected=float((w[lab] * losses).sum() / w[lab].sum()),
            mistakes={float((w[lab] * losses).sum() / 3): "that divides by N (the sample_weight "
                      "convention); class weights divide by the sum of the weights"},
        ),
    ]


def _chapter_06() -> list[Question]:
    p = [0.5, 0.4, 0.1]
    q = [0.3, 0.3, 0.4]

    def js(a, b):
        m = (np.asarray(a) + np.asarray(b)) / 2
        return 0.5 * xl.kl_divergence(a, m) + 0.5 * xl.kl_divergence(b, m)

    return [
        ValueQuestion(
            "06.q1",
            "p = [0.5, 0.4, 0.1], q = [0.3, 0.3, 0.4]. What is D_KL(p || q) in bits?",
            ["D_KL(p || q) = sum p log2(p / q).", "Or H(p, q) - H(p), both in bits."],
            "answer = float(xl.kl_divergence([0.5, 0.4, 0.1], [0.3, 0.3, 0.4], base=2))",
            "answer = ...",
            expected=float(xl.kl_divergence(p, q, base=2)),
            mistakes={float(xl.kl_divergence(q, p, base=2)): "that is D_KL(q || p): KL is not "
                      "symmetric",
                      float(xl.kl_divergence(p, q)): "that is in nats; the question asks for bits"},
        ),
        FunctionQuestion(
            "06.q2",
            "Write `kl(p, q)`: D_KL(p || q) in nats for 1-D distributions. Terms with p = 0 are 0; "
            "if q = 0 where p > 0, return inf.",
            ["Mask with `m = p > 0` and sum p[m] * log(p[m] / q[m]).",
             "Inside `np.errstate(divide='ignore')`, p / 0 = inf and log(inf) = inf."],
            "def kl(p, q):\n    m = p > 0\n    with np.errstate(divide='ignore'):\n"
            "        return np.sum(p[m] * np.log(p[m] / q[m]))",
            f"def kl(p, q):\n    {NOT_DONE}",
            reference=lambda p, q: xl.kl_divergence(p, q),
            arg_names=["p", "q"],
            example=Case((np.array([0.5, 0.4, 0.1]), np.array([0.3, 0.3, 0.4])), "worked example"),
            hidden=_pair_cases,
            unit_factor=LN2,
            seed=601,
        ),
        FunctionQuestion(
            "06.q3",
            "A symmetric relative of KL, not in the chapter, compares p and q each with their "
            "average m. Write `js(p, q)`: this Jensen-Shannon divergence in nats, "
            "0.5 D_KL(p || m) + 0.5 D_KL(q || m) with m = (p + q) / 2. Zeros may appear in p or q.",
            ["m is never 0 where p or q is positive, so JS is always finite.",
             "With your `kl` from question 2: `m = (p + q) / 2; return 0.5 * kl(p, m) + "
             "0.5 * kl(q, m)`"],
            "def js(p, q):\n    m = (p + q) / 2\n    a, b = p > 0, q > 0\n"
            "    kl_pm = np.sum(p[a] * np.log(p[a] / m[a]))\n"
            "    kl_qm = np.sum(q[b] * np.log(q[b] / m[b]))\n"
            "    return 0.5 * kl_pm + 0.5 * kl_qm",
            f"def js(p, q):\n    {NOT_DONE}",
            reference=js,
            arg_names=["p", "q"],
            example=Case((np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.5, 0.5])), "worked example"),
            hidden=_pair_cases,
            unit_factor=LN2,
            seed=602,
        ),
        ValueQuestion(
            "06.q4",
            "A model's cross-entropy on a task is H(p, q) = 2.1 bits and the entropy of the "
            "data is H(p) = 1.5 bits. How many bits is D_KL(p || q)?",
            ["D_KL(p || q) = H(p, q) - H(p).", "2.1 - 1.5"],
            "answer = 2.1 - 1.5",
            "answer = ...",
            expected=0.6,
            mistakes={3.6: "KL is the difference of the two, not the sum"},
        ),
    ]


def _chapter_07() -> list[Question]:
    def step_reference(w, X, y, lr):
        g = xl.binary_cross_entropy_grad(y, X @ w)  # mean over samples: (sigmoid - y) / N
        return w - lr * (X.T @ g)

    def step_cases(rng):
        cases = []
        for n, d in ((5, 2), (40, 6), (200, 10)):
            X = rng.normal(0, 1, (n, d))
            cases.append(Case((rng.normal(0, 1, d), X, rng.integers(0, 2, n).astype(float), 0.1),
                              f"hidden, {n} samples, {d} features"))
        X = rng.normal(0, 1, (8, 3))
        cases.append(Case((np.array([40.0, -40.0, 10.0]), X, rng.integers(0, 2, 8).astype(float),
                           0.5), "hidden, large weights"))
        return cases

    def perplexity_cases(rng):
        cases = []
        for n, k in ((3, 2), (20, 27), (100, 5)):
            cases.append(Case((rng.integers(0, k, n), rng.dirichlet(np.ones(k), n)),
                              f"hidden, {n} characters, alphabet of {k}"))
        k = 27
        cases.append(Case((rng.integers(0, k, 10), np.full((10, k), 1 / k)),
                          "hidden, uniform model"))
        return cases

    probs = [0.9, 0.8, 0.5]
    return [
        FunctionQuestion(
            "07.q1",
            "Write `gd_step(w, X, y, lr)`: one step of gradient descent for logistic regression "
            "without an intercept (no b). The loss is the mean binary cross-entropy of "
            "`sigmoid(X @ w)` against labels `y` (shape N); its gradient is "
            "`X.T @ (sigmoid(X @ w) - y) / N`. Return the new weights; do not change `w` in place.",
            ["The gradient with respect to the logits is (sigmoid(logits) - y) / N; the chain "
             "rule through logits = X @ w multiplies by X.T.",
             "`p = 1 / (1 + np.exp(-(X @ w)))`, then `return w - lr * X.T @ (p - y) / len(y)`; "
             "for large weights compute the sigmoid without overflow (e.g. `xl.sigmoid`)."],
            "def gd_step(w, X, y, lr):\n    z = X @ w\n"
            "    p = np.exp(-np.logaddexp(0, -z))  # sigmoid without overflow\n"
            "    return w - lr * X.T @ (p - y) / len(y)",
            f"def gd_step(w, X, y, lr):\n    {NOT_DONE}",
            reference=step_reference,
            arg_names=["w", "X", "y", "lr"],
            example=Case((np.array([0.5, -0.25]), np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 1.0]]),
                          np.array([1.0, 0.0, 1.0]), 0.1), "worked example"),
            hidden=step_cases,
            seed=701,
        ),
        FunctionQuestion(
            "07.q2",
            "Write `perplexity(labels, probs)`: the perplexity exp(cross-entropy in nats) of a "
            "language model that gave the probabilities `probs` (N x K, rows summing to 1) to "
            "the next character, where `labels` (shape N) holds the integer codes of the true "
            "next characters.",
            ["Perplexity is e to the mean negative log-probability of the true characters.",
             "`return np.exp(-np.mean(np.log(probs[np.arange(len(labels)), labels])))`"],
            "def perplexity(labels, probs):\n"
            "    return np.exp(-np.mean(np.log(probs[np.arange(len(labels)), labels])))",
            f"def perplexity(labels, probs):\n    {NOT_DONE}",
            reference=lambda labels, probs: np.exp(
                xl.sparse_categorical_cross_entropy(labels, probs)),
            mistakes=[(np.log, "That is the cross-entropy; perplexity is e to its power."),
                      (lambda e: np.exp(np.log(e) / LN2), "That is e to the cross-entropy in "
                       "bits: use e ** nats, or 2 ** bits."),
                      (lambda e: 1 / e, "That is e to the mean log-probability: the sign is "
                       "flipped.")],
            arg_names=["labels", "probs"],
            example=Case((np.array([0, 1]), np.array([[0.5, 0.5], [0.25, 0.75]])),
                         "worked example"),
            hidden=perplexity_cases,
            seed=702,
        ),
        ValueQuestion(
            "07.q3",
            "A model gives the true labels of three samples the probabilities 0.9, 0.8 and 0.5. "
            "What is the mean negative log-likelihood, in nats?",
            ["The negative log-likelihood of one sample is -ln p(true label).",
             "-(ln 0.9 + ln 0.8 + ln 0.5) / 3"],
            "answer = float(-np.mean(np.log([0.9, 0.8, 0.5])))",
            "answer = ...",
            expected=float(-np.mean(np.log(probs))),
            mistakes={float(-np.sum(np.log(probs))): "that is the sum; the question asks for "
                      "the mean",
                      float(np.prod(probs)): "that is the likelihood itself, not its negative "
                      "log"},
        ),
        ValueQuestion(
            "07.q4",
            "The true label is 1 and the model's logit is -2. What is the derivative of the "
            "binary cross-entropy (nats) with respect to the logit?",
            ["For sigmoid + cross-entropy the derivative is sigmoid(z) - y.",
             "sigmoid(-2) - 1"],
            "answer = float(xl.sigmoid(-2.0) - 1)",
            "answer = ...",
            expected=float(xl.sigmoid(-2.0) - 1),
            mistakes={float(1 - xl.sigmoid(-2.0)): "the sign: the loss falls as the logit "
                      "rises, so the derivative is negative"},
        ),
        ValueQuestion(
            "07.q5",
            "A character model that spreads its probability evenly over an alphabet of 27 "
            "characters: what is its perplexity?",
            ["Its cross-entropy is ln 27 nats.", "exp(ln 27)"],
            "answer = float(np.exp(np.log(27)))",
            "answer = ...",
            expected=27.0,
            mistakes={math.log(27): "that is the cross-entropy; perplexity is e to that power",
                      math.log2(27): "that is the cross-entropy in bits"},
        ),
    ]


def _chapter_08() -> list[Question]:
    from xentlearn.models import balanced_class_weights

    def weight_cases(rng):
        cases = []
        for n, k in ((10, 2), (50, 3), (200, 10)):
            cases.append(Case((rng.integers(0, k, n), k), f"hidden, {n} labels, {k} classes"))
        cases.append(Case((np.array([0] * 95 + [1] * 5), 2), "hidden, 95 % vs 5 %"))
        cases.append(Case((np.array([0, 0, 2, 2]), 3), "hidden, a class with no samples"))
        return cases

    def nll_cases(rng):
        cases = []
        for n, k, t in ((4, 3, 2.0), (30, 10, 0.5), (12, 2, 1.7)):
            cases.append(Case((rng.normal(0, 4, (n, k)), rng.integers(0, k, n), t),
                              f"hidden, {n}x{k}, T = {t:g}"))
        cases.append(Case((np.array([[900.0, 0.0], [0.0, 800.0]]), np.array([1, 1]), 3.0),
                          "hidden, logits in the hundreds"))
        cases.append(Case((np.array([[1000.0, 0.0], [0.0, 900.0]]), np.array([0, 0]), 0.5),
                          "hidden, logits / T of 2000 (overflow test)"))
        return cases

    def ece_cases(rng):
        cases = []
        for n, k, bins in ((20, 3, 5), (200, 10, 15), (50, 2, 10)):
            probs = rng.dirichlet(np.full(k, 0.5), n)
            cases.append(Case((probs, rng.integers(0, k, n), bins),
                              f"hidden, {n} samples, {bins} bins"))
        probs = np.array([[0.5, 0.5], [0.8, 0.2], [0.3, 0.7], [0.1, 0.9]])
        cases.append(Case((probs, np.array([0, 1, 1, 1]), 5), "hidden, confidences on bin edges"))
        return cases

    logits = np.array([[3.0, 0.0], [0.0, 2.5], [4.0, 0.0], [2.0, 0.0], [0.0, 3.5],
                       [1.5, 0.0]])
    labels = np.array([0, 1, 1, 0, 1, 0])
    smooth = np.full(10, 0.01)
    smooth[0] = 0.91
    return [
        FunctionQuestion(
            "08.q1",
            "Write `balanced_weights(y, n_classes)`: class weights N / (K * n_k) for integer "
            "labels `y` (N of them) and K = `n_classes` classes, n_k the count of class k "
            "(scikit-learn's 'balanced' rule). Unlike scikit-learn, which raises an error, "
            "give a class with no samples the weight 0.",
            ["np.bincount(y, minlength=n_classes) counts each class.",
             "`counts = np.bincount(y, minlength=n_classes)`; divide len(y) by "
             "n_classes * counts where counts > 0, else 0."],
            "def balanced_weights(y, n_classes):\n"
            "    counts = np.bincount(y, minlength=n_classes).astype(float)\n"
            "    w = np.zeros(n_classes)\n    seen = counts > 0\n"
            "    w[seen] = len(y) / (n_classes * counts[seen])\n    return w",
            f"def balanced_weights(y, n_classes):\n    {NOT_DONE}",
            reference=balanced_class_weights,
            arg_names=["y", "n_classes"],
            example=Case((np.array([0, 0, 0, 1]), 2), "worked example"),
            hidden=weight_cases,
            seed=801,
        ),
        FunctionQuestion(
            "08.q2",
            "Write `nll_at_temperature(logits, labels, T)`: the mean cross-entropy in nats of "
            "the softmax of `logits / T` (N x K) against integer `labels`: the quantity that "
            "temperature scaling minimises over T. Logits may be in the hundreds.",
            ["Divide the logits by T, then use log-softmax (the log-sum-exp trick).",
             "`z = logits / T; m = z.max(axis=1, keepdims=True); "
             "logq = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True)); "
             "return -logq[np.arange(len(labels)), labels].mean()`"],
            "def nll_at_temperature(logits, labels, T):\n    z = logits / T\n"
            "    m = z.max(axis=1, keepdims=True)\n"
            "    logq = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))\n"
            "    return -logq[np.arange(len(labels)), labels].mean()",
            f"def nll_at_temperature(logits, labels, T):\n    {NOT_DONE}",
            reference=lambda z, labels, t: xl.sparse_categorical_cross_entropy(
                labels, z / t, from_logits=True),
            arg_names=["logits", "labels", "T"],
            example=Case((np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([0, 0]), 2.0),
                         "worked example"),
            hidden=nll_cases,
            unit_factor=LN2,
            seed=802,
        ),
        ValueQuestion(
            "08.q3",
            "Fit a temperature: for the validation logits and labels in the cell, which T > 0 "
            "minimises the mean cross-entropy of softmax(logits / T)? Give T to 0.1 % (a grid "
            "step of 0.001 or finer with your nll_at_temperature works, or xl.fit_temperature).",
            ["The model is over-confident on the wrong answers, so the best T is above 1.",
             "`answer = xl.fit_temperature(logits, labels)`, or scan "
             "`np.linspace(0.5, 5, 20000)` and keep the T with the lowest loss."],
            "logits = np.array([[3.0, 0.0], [0.0, 2.5], [4.0, 0.0], [2.0, 0.0], [0.0, 3.5], "
            "[1.5, 0.0]])\nlabels = np.array([0, 1, 1, 0, 1, 0])\n"
            "answer = float(xl.fit_temperature(logits, labels))",
            "logits = np.array([[3.0, 0.0], [0.0, 2.5], [4.0, 0.0], [2.0, 0.0], [0.0, 3.5], "
            "[1.5, 0.0]])\nlabels = np.array([0, 1, 1, 0, 1, 0])\nanswer = ...",
            expected=float(xl.fit_temperature(logits, labels)),
            mistakes={1.0: "T = 1 leaves the model as it is; it is over-confident here"},
        ),
        FunctionQuestion(
            "08.q4",
            "Write `ece(probs, labels, n_bins)`: the expected calibration error of predictions "
            "`probs` (N x K) for integer `labels`. Each sample's confidence is its largest "
            "probability, correct if that class (the first, on ties) is its label. Bins are "
            "[0, 1/M], (1/M, 2/M], ..., ((M-1)/M, 1] for M = `n_bins`: a confidence exactly on "
            "an edge belongs to the lower bin. ECE is the sum over non-empty bins of "
            "(number of samples in the bin / N) * |accuracy in bin - mean confidence in bin|.",
            ["`conf = probs.max(axis=1)`, `correct = probs.argmax(axis=1) == labels`; the bin "
             "of a confidence c is `np.ceil(c * n_bins) - 1` (clipped to [0, n_bins - 1]).",
             "Loop over the bins: for each non-empty mask add "
             "`mask.mean() * abs(correct[mask].mean() - conf[mask].mean())`."],
            "def ece(probs, labels, n_bins):\n    conf = probs.max(axis=1)\n"
            "    correct = probs.argmax(axis=1) == labels\n"
            "    edges = np.linspace(0, 1, n_bins + 1)\n"
            "    bins = np.searchsorted(edges[1:-1], conf, side='left')\n    total = 0.0\n"
            "    for b in range(n_bins):\n        m = bins == b\n        if m.any():\n"
            "            total += m.mean() * abs(correct[m].mean() - conf[m].mean())\n"
            "    return total",
            f"def ece(probs, labels, n_bins):\n    {NOT_DONE}",
            reference=lambda probs, labels, bins: xl.expected_calibration_error(
                probs, labels, n_bins=bins),
            arg_names=["probs", "labels", "n_bins"],
            example=Case((np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]]), np.array([0, 1, 1]),
                          2), "worked example"),
            hidden=ece_cases,
            seed=803,
        ),
        ValueQuestion(
            "08.q5",
            "With label smoothing 0.1 and 10 classes, a one-hot target becomes 0.91 on the true "
            "class and 0.01 elsewhere. What is the lowest cross-entropy (nats) any prediction "
            "can reach on it?",
            ["Gibbs' inequality: the minimum of H(p, q) over q is H(p), at q = p.",
             "The entropy of [0.91, 0.01, ..., 0.01] in nats."],
            "target = np.full(10, 0.01)\ntarget[0] = 0.91\nanswer = float(xl.entropy(target))",
            "answer = ...",
            expected=float(xl.entropy(smooth)),
            mistakes={0.0: "0 needs a one-hot target; the smoothed target is soft",
                      float(-0.91 * np.log(0.91)): "that is only the true class's term; the "
                      "nine other classes add 0.01 * ln(1/0.01) each"},
        ),
    ]


CHAPTERS = {
    1: ("01_shannon_entropy", "Shannon entropy", _chapter_01),
    2: ("02_cross_entropy", "Cross-entropy", _chapter_02),
    3: ("03_binary_cross_entropy", "Binary cross-entropy", _chapter_03),
    4: ("04_categorical_cross_entropy", "Categorical cross-entropy", _chapter_04),
    5: ("05_sparse_categorical_cross_entropy", "Sparse categorical cross-entropy", _chapter_05),
    6: ("06_kl_divergence", "KL divergence", _chapter_06),
    7: ("07_training_with_cross_entropy", "Training with cross-entropy", _chapter_07),
    8: ("08_pitfalls", "Pitfalls", _chapter_08),
}
