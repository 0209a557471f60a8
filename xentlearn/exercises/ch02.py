"""Exercises of chapter 02, cross-entropy. Every expected answer is computed with xentlearn."""

from __future__ import annotations

import numpy as np

import xentlearn as xl

from . import cases
from . import mistakes as m
from .checker import Case, FunctionQuestion, Mistake, ValueQuestion

_P, _Q = [0.5, 0.5], [0.25, 0.75]
_SOFT = [0.7, 0.2, 0.1]
_MINUS = ("The sign is flipped: cross-entropy carries a minus sign, H(p, q) = -sum p log q "
          "(the logs of probabilities are negative).")

QUESTIONS = (
    ValueQuestion(
        id="02.q1",
        prompt="p = [0.5, 0.5] is the true distribution and q = [0.25, 0.75] a model's. What is "
               "the cross-entropy H(p, q) in bits?",
        hints=["H(p, q) = -sum p log2 q.", "-(0.5 log2 0.25 + 0.5 log2 0.75)"],
        solution_code="answer = float(xl.cross_entropy([0.5, 0.5], [0.25, 0.75], base=2))",
        expected=float(xl.cross_entropy(_P, _Q, base=2)),
        mistakes=[
            Mistake("that is H(q, p): the arguments are swapped; the true distribution p "
                    "weights the log of q", value=float(xl.cross_entropy(_Q, _P, base=2))),
            Mistake("that is in nats; the question asks for bits",
                    value=float(xl.cross_entropy(_P, _Q))),
            Mistake("cross-entropy is never negative: it carries a minus sign",
                    value=-float(xl.cross_entropy(_P, _Q, base=2))),
        ],
    ),
    FunctionQuestion(
        id="02.q2",
        prompt="Write `cross_entropy_nats(p, q)`: H(p, q) in nats for 1-D distributions. Where p "
               "is 0 the term is 0 (even if q is 0); where q is 0 but p is not, the answer is inf.",
        hints=["Only outcomes with p > 0 contribute: mask them.",
               "`m = p > 0`, then `return -np.sum(p[m] * np.log(q[m]))` (inside "
               "`np.errstate(divide='ignore')` so log(0) = -inf gives inf quietly)"],
        solution_code="def cross_entropy_nats(p, q):\n    m = p > 0\n"
                      "    with np.errstate(divide='ignore'):\n"
                      "        return -np.sum(p[m] * np.log(q[m]))",
        name="cross_entropy_nats",
        arg_names=["p", "q"],
        reference=lambda p, q: xl.cross_entropy(p, q),
        example=Case((np.array([0.5, 0.5]), np.array([0.25, 0.75])), "worked example"),
        hidden=cases.pairs,
        seed=201,
        mistakes=[
            m.unit("nats"),
            m.zero_log_zero("Your result has nan: where p is 0 the term is 0, even if q is 0 "
                            "(0 * log 0); keep only the outcomes with p > 0."),
            m.infinite("Where q is 0 but p is not, the answer is inf: the model calls possible "
                       "an outcome impossible."),
            m.sign(_MINUS),
        ],
    ),
    ValueQuestion(
        id="02.q3",
        prompt="For the soft target p = [0.7, 0.2, 0.1], what is the smallest cross-entropy "
               "H(p, q) any model q can reach, in bits?",
        hints=["Gibbs' inequality: H(p, q) >= H(p), with equality at q = p.",
               "Compute the entropy of p in bits."],
        solution_code="answer = float(xl.entropy([0.7, 0.2, 0.1], base=2))",
        expected=float(xl.entropy(_SOFT, base=2)),
        mistakes=[
            Mistake("0 is reachable only for one-hot targets; for a soft target the minimum "
                    "is H(p)", value=0.0),
            Mistake("that is in nats; the question asks for bits", value=float(xl.entropy(_SOFT))),
        ],
    ),
    FunctionQuestion(
        id="02.q4",
        prompt="Write `row_cross_entropy(P, Q)`: for 2-D arrays whose rows are distributions, "
               "return one cross-entropy in nats per row (shape (N,)): sum along each row with "
               "`np.sum(..., axis=1)`. Rows of P contain no zeros.",
        hints=["Multiply elementwise and sum along axis=1.",
               "`return -np.sum(P * np.log(Q), axis=1)`"],
        solution_code="def row_cross_entropy(P, Q):\n    return -np.sum(P * np.log(Q), axis=1)",
        name="row_cross_entropy",
        arg_names=["P", "Q"],
        reference=lambda P, Q: xl.cross_entropy(P, Q),
        example=Case((np.array([[0.5, 0.5], [0.9, 0.1]]), np.array([[0.5, 0.5], [0.6, 0.4]])),
                     "worked example"),
        hidden=lambda rng: [
            *[Case((rng.dirichlet(np.ones(k), n), rng.dirichlet(np.ones(k), n)),
                   f"hidden, {n} rows of {k}") for n, k in ((1, 3), (5, 2), (8, 10))],
            Case((rng.dirichlet(np.ones(4), 2000), rng.dirichlet(np.ones(4), 2000)),
                 "hidden, 2000 rows of 4"),
            Case((rng.dirichlet(np.ones(6), 3).astype(np.float32),
                  rng.dirichlet(np.ones(6), 3).astype(np.float32)), "hidden, float32",
                 **cases.FLOAT32)],
        seed=202,
        mistakes=[
            m.unit("nats"),
            m.sign(_MINUS),
            Mistake("That is one number for all rows: sum along each row only "
                    "(np.sum(..., axis=1)), giving one cross-entropy per row.",
                    when=lambda got, expected, args: got.ndim == 0),
            Mistake("That sums down the columns (axis=0); sum along each row, axis=1.",
                    when=lambda got, expected, args: got.shape == (args[0].shape[1],)
                    and args[0].shape[0] != args[0].shape[1]),
        ],
    ),
)
