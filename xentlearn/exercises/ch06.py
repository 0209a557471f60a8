"""Exercises of chapter 06, KL divergence. Every expected answer is computed with xentlearn."""

from __future__ import annotations

import numpy as np

import xentlearn as xl

from . import cases
from . import mistakes as m
from .checker import Case, FunctionQuestion, Mistake, ValueQuestion

_P = [0.5, 0.4, 0.1]
_Q = [0.3, 0.3, 0.4]


def _js(a, b):
    mid = (np.asarray(a) + np.asarray(b)) / 2
    return 0.5 * xl.kl_divergence(a, mid) + 0.5 * xl.kl_divergence(b, mid)


QUESTIONS = (
    ValueQuestion(
        id="06.q1",
        prompt="p = [0.5, 0.4, 0.1], q = [0.3, 0.3, 0.4]. What is D_KL(p || q) in bits?",
        hints=["D_KL(p || q) = sum p log2(p / q).", "Or H(p, q) - H(p), both in bits."],
        solution_code="answer = float(xl.kl_divergence([0.5, 0.4, 0.1], [0.3, 0.3, 0.4], "
                      "base=2))",
        expected=float(xl.kl_divergence(_P, _Q, base=2)),
        mistakes=[
            Mistake("that is D_KL(q || p): KL is not symmetric",
                    value=float(xl.kl_divergence(_Q, _P, base=2))),
            Mistake("that is in nats; the question asks for bits",
                    value=float(xl.kl_divergence(_P, _Q))),
            Mistake("that is the cross-entropy H(p, q); D_KL subtracts the entropy H(p)",
                    value=float(xl.cross_entropy(_P, _Q, base=2))),
        ],
    ),
    FunctionQuestion(
        id="06.q2",
        prompt="Write `kl(p, q)`: D_KL(p || q) in nats for 1-D distributions. Terms with p = 0 "
               "are 0; if q = 0 where p > 0, return inf.",
        hints=["Mask with `m = p > 0` and sum p[m] * log(p[m] / q[m]).",
               "Inside `np.errstate(divide='ignore')`, p / 0 = inf and log(inf) = inf."],
        solution_code="def kl(p, q):\n    m = p > 0\n    with np.errstate(divide='ignore'):\n"
                      "        return np.sum(p[m] * np.log(p[m] / q[m]))",
        name="kl",
        arg_names=["p", "q"],
        reference=lambda p, q: xl.kl_divergence(p, q),
        example=Case((np.array([0.5, 0.4, 0.1]), np.array([0.3, 0.3, 0.4])), "worked example"),
        hidden=cases.pairs,
        seed=601,
        mistakes=[
            m.unit("nats"),
            m.zero_log_zero("Your result has nan: terms with p = 0 are 0 (0 * log 0); keep "
                            "only the outcomes with p > 0."),
            m.infinite("Where q is 0 but p is not, D_KL(p || q) is inf."),
            Mistake("That is the cross-entropy H(p, q); D_KL(p || q) = H(p, q) - H(p).",
                    returns=lambda expected, p, q: xl.cross_entropy(p, q)),
            m.sign("The sign is flipped: D_KL(p || q) = sum p log(p / q), which is never "
                   "negative; log(q / p) gives its opposite."),
        ],
    ),
    FunctionQuestion(
        id="06.q3",
        prompt="A symmetric relative of KL, not in the chapter, compares p and q each with their "
               "average m. Write `js(p, q)`: this Jensen-Shannon divergence in nats, "
               "0.5 D_KL(p || m) + 0.5 D_KL(q || m) with m = (p + q) / 2. Zeros may appear in "
               "p or q.",
        hints=["m is never 0 where p or q is positive, so JS is always finite.",
               "With your `kl` from question 2: `m = (p + q) / 2; return 0.5 * kl(p, m) + "
               "0.5 * kl(q, m)`"],
        solution_code="def js(p, q):\n    m = (p + q) / 2\n    a, b = p > 0, q > 0\n"
                      "    kl_pm = np.sum(p[a] * np.log(p[a] / m[a]))\n"
                      "    kl_qm = np.sum(q[b] * np.log(q[b] / m[b]))\n"
                      "    return 0.5 * kl_pm + 0.5 * kl_qm",
        name="js",
        arg_names=["p", "q"],
        reference=_js,
        example=Case((np.array([0.5, 0.5, 0.0]), np.array([0.0, 0.5, 0.5])), "worked example"),
        hidden=cases.pairs,
        seed=602,
        mistakes=[
            m.unit("nats"),
            m.zero_log_zero("Your result has nan: terms where p (or q) is 0 count as 0 "
                            "(0 * log 0); mask each sum with p > 0 (q > 0)."),
            Mistake("That is D_KL(p || q); JS compares p and q each with their average "
                    "m = (p + q) / 2.", returns=lambda expected, p, q: xl.kl_divergence(p, q)),
            m.sign("The sign is flipped: each D_KL(. || m) = sum p log(p / m) is never "
                   "negative."),
        ],
    ),
    ValueQuestion(
        id="06.q4",
        prompt="A model's cross-entropy on a task is H(p, q) = 2.1 bits and the entropy of the "
               "data is H(p) = 1.5 bits. How many bits is D_KL(p || q)?",
        hints=["D_KL(p || q) = H(p, q) - H(p).", "2.1 - 1.5"],
        solution_code="answer = 2.1 - 1.5",
        expected=0.6,
        close=0.0,
        mistakes=[Mistake("KL is the difference of the two, not the sum", value=3.6),
                  Mistake("KL is H(p, q) - H(p), which is never negative", value=-0.6)],
    ),
)
