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
        hints=["D_KL(p || q) = sum p log2(p / q): the true p weights the log-ratio.",
               "0.5 log2(0.5 / 0.3) + 0.4 log2(0.4 / 0.3) + ___; or H(p, q) - H(p), both in "
               "bits."],
        solution_code="answer = float(xl.kl_divergence([0.5, 0.4, 0.1], [0.3, 0.3, 0.4], "
                      "base=2))",
        expected=float(xl.kl_divergence(_P, _Q, base=2)),
        mistakes=[
            Mistake("swapped_p_q", "that is D_KL(q || p): KL is not symmetric",
                    value=float(xl.kl_divergence(_Q, _P, base=2))),
            Mistake("wrong_log_base", "that is in nats; the question asks for bits",
                    value=float(xl.kl_divergence(_P, _Q))),
            Mistake("cross_entropy_for_kl", "that is the cross-entropy H(p, q); D_KL subtracts "
                    "the entropy H(p)", value=float(xl.cross_entropy(_P, _Q, base=2))),
            Mistake("entropy_of_p", "that is the entropy H(p); D_KL is what q adds to it, "
                    "H(p, q) - H(p)", value=float(xl.entropy(_P, base=2))),
            Mistake("sign_flipped", "D_KL is never negative: sum p log2(p / q), not "
                    "log2(q / p)", value=-float(xl.kl_divergence(_P, _Q, base=2))),
        ],
    ),
    FunctionQuestion(
        id="06.q2",
        prompt="Write `kl(p, q)`: D_KL(p || q) in nats for 1-D distributions. Terms with p = 0 "
               "are 0; if q = 0 where p > 0, return inf.",
        hints=["Only outcomes with p > 0 count; where q = 0 among them the answer is inf "
               "(do not clip q).",
               "`m = p > 0`, then sum ___ * np.log(___ / ___) over the masked entries; inside "
               "`np.errstate(divide='ignore')`, p / 0 = inf and log(inf) = inf."],
        solution_code="def kl(p, q):\n    m = p > 0\n    with np.errstate(divide='ignore'):\n"
                      "        return np.sum(p[m] * np.log(p[m] / q[m]))",
        name="kl",
        arg_names=["p", "q"],
        reference=lambda p, q: xl.kl_divergence(p, q),
        example=Case((np.array([0.5, 0.4, 0.1]), np.array([0.3, 0.3, 0.4])), "worked example"),
        hidden=cases.pairs,
        seed=601,
        # every case: unit, sign, swapped_p_q, cross_entropy_for_kl, mean_for_sum; "q = 0
        # where p > 0": finite_for_inf; "p = q = 0 for one outcome", "p has zeros":
        # zero_log_zero
        mistakes=[
            Mistake("swapped_p_q", "You swapped p and q: that is D_KL(q || p), and KL is not "
                    "symmetric. The true p weights the log-ratio: sum p log(p / q).",
                    returns=lambda expected, p, q: xl.kl_divergence(q, p)),
            m.unit("nats"),
            m.zero_log_zero("Your result has nan: terms with p = 0 are 0 (0 * log 0); keep "
                            "only the outcomes with p > 0."),
            m.infinite("Where q is 0 but p is not, D_KL(p || q) is inf: do not clip q, add an "
                       "eps or drop the outcomes where q is 0."),
            Mistake("cross_entropy_for_kl", "That is the cross-entropy H(p, q); "
                    "D_KL(p || q) = H(p, q) - H(p).",
                    returns=lambda expected, p, q: xl.cross_entropy(p, q)),
            m.averaged(lambda p, q: (p.size, int(np.count_nonzero(p))), "That is the mean of "
                       "the terms; D_KL is their sum (the weights p already average)."),
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
        hints=["Compare each of p and q with their average m, not with each other; m is "
               "never 0 where p or q is positive, so JS is always finite.",
               "With your `kl` from question 2 and m = (p + q) / 2: 0.5 * kl(p, ___) + "
               "0.5 * kl(q, ___)."],
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
        # every case: unit, sign, kl_for_js, symmetrised_kl, missing_half,
        # sum_for_average; the worked example and the cases with zeros: zero_log_zero
        mistakes=[
            m.unit("nats"),
            m.zero_log_zero("Your result has nan: terms where p (or q) is 0 count as 0 "
                            "(0 * log 0); mask each sum with p > 0 (q > 0)."),
            Mistake("symmetrised_kl", "That is a symmetrised KL, mixing D_KL(p || q) and "
                    "D_KL(q || p); JS compares p and q each with their average "
                    "m = (p + q) / 2.",
                    when=lambda got, expected, args: any(
                        got.shape == expected.shape and np.allclose(
                            got, k * (xl.kl_divergence(*args) + xl.kl_divergence(*args[::-1])),
                            rtol=1e-6) for k in (0.5, 1.0))),
            Mistake("kl_for_js", "That is D_KL(p || q); JS compares p and q each with their "
                    "average m = (p + q) / 2.",
                    returns=lambda expected, p, q: xl.kl_divergence(p, q)),
            Mistake("missing_half", "That is twice the answer: each D_KL(. || m) is weighted "
                    "by 0.5.", returns=lambda expected, p, q: 2 * expected),
            Mistake("sum_for_average", "That compares with p + q, not their average: "
                    "m = (p + q) / 2 (your result is ln 2 below the answer).",
                    returns=lambda expected, p, q: expected - np.log(2)),
            Mistake("one_side", "That is only 0.5 D_KL(p || m); JS adds q's side, "
                    "0.5 D_KL(q || m).",
                    returns=lambda expected, p, q: 0.5 * xl.kl_divergence(p, (p + q) / 2)),
            m.sign("The sign is flipped: each D_KL(. || m) = sum p log(p / m) is never "
                   "negative."),
        ],
    ),
    ValueQuestion(
        id="06.q4",
        prompt="A model's cross-entropy on a task is H(p, q) = 2.1 bits and the entropy of the "
               "data is H(p) = 1.5 bits. How many bits is D_KL(p || q)?",
        hints=["Cross-entropy is the entropy plus the extra cost of using q: "
               "H(p, q) = H(p) + D_KL(p || q).", "D_KL = ___ - ___"],
        solution_code="answer = 2.1 - 1.5",
        expected=0.6,
        close=0.0,
        mistakes=[Mistake("sum_for_difference", "KL is the difference of the two, not the "
                          "sum", value=3.6),
                  Mistake("sign_flipped", "KL is H(p, q) - H(p), which is never negative",
                          value=-0.6),
                  Mistake("ratio", "that is the ratio H(p, q) / H(p); KL is their difference",
                          value=2.1 / 1.5),
                  Mistake("cross_entropy_for_kl", "that is the cross-entropy H(p, q); D_KL "
                          "subtracts the entropy H(p)", value=2.1)],
    ),
)
