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
        hints=["H(p, q) = -sum p log2 q: the true p weights the model's surprise -log2 q.",
               "-(0.5 log2 0.25 + 0.5 log2 ___)"],
        solution_code="answer = float(xl.cross_entropy([0.5, 0.5], [0.25, 0.75], base=2))",
        expected=float(xl.cross_entropy(_P, _Q, base=2)),
        mistakes=[
            Mistake("swapped_p_q", "that is H(q, p): the arguments are swapped; the true "
                    "distribution p weights the log of q",
                    value=float(xl.cross_entropy(_Q, _P, base=2))),
            Mistake("wrong_log_base", "that is in nats; the question asks for bits",
                    value=float(xl.cross_entropy(_P, _Q))),
            Mistake("sign_flipped", "cross-entropy is never negative: it carries a minus sign",
                    value=-float(xl.cross_entropy(_P, _Q, base=2))),
            Mistake("entropy_of_q", "that is H(q), the entropy of the model alone; H(p, q) "
                    "weights the model's surprise -log2 q by the true p",
                    value=float(xl.entropy(_Q, base=2))),
        ],
    ),
    FunctionQuestion(
        id="02.q2",
        prompt="Write `cross_entropy_nats(p, q)`: H(p, q) in nats for 1-D distributions. Where p "
               "is 0 the term is 0 (even if q is 0); where q is 0 but p is not, the answer is inf.",
        hints=["Only outcomes with p > 0 contribute: mask them, and let q = 0 there give "
               "inf (do not clip q).",
               "`m = p > 0`, then `-np.sum(___ * np.log(___))` over the masked entries; "
               "`np.errstate(divide='ignore')` keeps log(0) = -inf quiet."],
        solution_code="def cross_entropy_nats(p, q):\n    m = p > 0\n"
                      "    with np.errstate(divide='ignore'):\n"
                      "        return -np.sum(p[m] * np.log(q[m]))",
        name="cross_entropy_nats",
        arg_names=["p", "q"],
        reference=lambda p, q: xl.cross_entropy(p, q),
        example=Case((np.array([0.5, 0.5]), np.array([0.25, 0.75])), "worked example"),
        hidden=cases.pairs,
        seed=201,
        # every case: unit, sign, swapped_p_q (cases 1-4 have no zeros where it hides),
        # mean_for_sum; "q = 0 where p > 0": finite_for_inf (a mask on q > 0, or a clip);
        # "p = q = 0 for one outcome": zero_log_zero
        mistakes=[
            Mistake("swapped_p_q", "You swapped p and q: that is H(q, p). The true "
                    "distribution p weights the model's log q: -sum p log q.",
                    returns=lambda expected, p, q: xl.cross_entropy(q, p)),
            m.unit("nats"),
            m.zero_log_zero("Your result has nan: where p is 0 the term is 0, even if q is 0 "
                            "(0 * log 0); keep only the outcomes with p > 0."),
            m.infinite("Where q is 0 but p is not, the answer is inf: the model calls "
                       "impossible an outcome that happens. Do not clip q, add an eps or drop "
                       "the outcomes where q is 0."),
            m.sign(_MINUS),
            m.averaged(lambda p, q: (p.size, int(np.count_nonzero(p))), "That is the mean of "
                       "the terms; H(p, q) is their sum (the weights p already average)."),
            Mistake("entropy_of_p", "That is H(p), the entropy of p alone: the model's q "
                    "goes inside the log, -sum p log q.",
                    returns=lambda expected, p, q: xl.entropy(p)),
        ],
    ),
    ValueQuestion(
        id="02.q3",
        prompt="For the soft target p = [0.7, 0.2, 0.1], what is the smallest cross-entropy "
               "H(p, q) any model q can reach, in bits?",
        hints=["Gibbs' inequality: H(p, q) >= H(p), with equality at q = p.",
               "The entropy of p in bits: -sum p log2 p over 0.7, 0.2 and ___."],
        solution_code="answer = float(xl.entropy([0.7, 0.2, 0.1], base=2))",
        expected=float(xl.entropy(_SOFT, base=2)),
        mistakes=[
            Mistake("zero_minimum", "0 is reachable only for one-hot targets; for a soft "
                    "target the minimum is H(p)", value=0.0),
            Mistake("wrong_log_base", "that is in nats; the question asks for bits",
                    value=float(xl.entropy(_SOFT))),
            Mistake("one_hot_loss", "that is -log2 0.7, the loss of q = p against a one-hot "
                    "target; with the soft target every class counts: H(p)",
                    value=-float(np.log2(0.7))),
            Mistake("uniform_entropy", "that is log2 3, the entropy of a uniform q; the "
                    "minimum is reached at q = p: H(p)", value=float(np.log2(3))),
        ],
    ),
    FunctionQuestion(
        id="02.q4",
        prompt="Write `row_cross_entropy(P, Q)`: for 2-D arrays whose rows are distributions, "
               "return one cross-entropy in nats per row (shape (N,)): sum along each row with "
               "`np.sum(..., axis=1)`. Rows of P contain no zeros.",
        hints=["Each row is a cross-entropy of its own: multiply elementwise, then sum "
               "along the rows only.",
               "`return -np.sum(___, axis=1)`: the elementwise terms p log q of every row."],
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
        # every case (none square): unit, sign, one_number, axis_0, kept_dims, mean_for_sum,
        # swapped_p_q
        mistakes=[
            m.unit("nats"),
            m.sign(_MINUS),
            Mistake("one_number", "That is one number for all rows: sum along each row only "
                    "(np.sum(..., axis=1)), giving one cross-entropy per row.",
                    when=lambda got, expected, args: got.ndim == 0),
            Mistake("axis_0", "That sums down the columns (axis=0); sum along each row, axis=1.",
                    when=lambda got, expected, args: got.shape == (args[0].shape[1],)
                    and args[0].shape[0] != args[0].shape[1]),
            Mistake("kept_dims", "That is a column of shape (N, 1): drop keepdims=True, the "
                    "answer has shape (N,).",
                    when=lambda got, expected, args: got.shape == (*expected.shape, 1)),
            m.averaged(lambda P, Q: (P.shape[1],), "That is the mean along each row; the "
                       "cross-entropy is the sum along the row (np.sum, axis=1)."),
            Mistake("swapped_p_q", "You swapped P and Q: the true distribution P weights the "
                    "model's log Q, -sum P log Q.",
                    returns=lambda expected, P, Q: xl.cross_entropy(Q, P)),
        ],
    ),
)
