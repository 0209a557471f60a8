"""Exercises of chapter 01, Shannon entropy. Every expected answer is computed with xentlearn."""

from __future__ import annotations

import math

import numpy as np

import xentlearn as xl

from . import cases
from . import mistakes as m
from .checker import Case, FunctionQuestion, Mistake, ValueQuestion

_BITS_NOT_NATS = "that is in nats; the question asks for bits"

QUESTIONS = (
    ValueQuestion(
        id="01.q1",
        prompt="A container holds 26 cubes and 4 spheres. What is the entropy of the shape of an "
               "object drawn at random, in bits?",
        hints=["The probabilities are 26/30 and 4/30; entropy adds each outcome's "
               "probability times its surprise.",
               "H = -(26/30) log2(26/30) - ___, the second term for the spheres; or "
               "xl.entropy with base=2."],
        solution_code="answer = float(xl.entropy([26 / 30, 4 / 30], base=2))",
        expected=float(xl.entropy([26 / 30, 4 / 30], base=2)),
        mistakes=[
            Mistake("wrong_log_base", _BITS_NOT_NATS,
                    value=float(xl.entropy([26 / 30, 4 / 30]))),
            Mistake("sign_flipped", "entropy is never negative: H = -sum p log2 p, and the "
                    "logs of probabilities are negative",
                    value=-float(xl.entropy([26 / 30, 4 / 30], base=2))),
            Mistake("one_term_only", "that is only the cubes' term; add the spheres' "
                    "-(4/30) log2(4/30)", value=-(26 / 30) * math.log2(26 / 30)),
            Mistake("mean_for_sum", "that is the mean of the two terms; entropy is their sum",
                    value=float(xl.entropy([26 / 30, 4 / 30], base=2)) / 2),
        ],
    ),
    ValueQuestion(
        id="01.q2",
        prompt="How many bits of entropy does one roll of a fair 8-sided die have?",
        hints=["Eight equally likely outcomes, each with the same surprise.",
               "Each of K equally likely outcomes adds (1/K) log2 K: H = log2 ___."],
        solution_code="answer = 3.0",
        expected=3.0,
        close=0.0,  # log2 8 is exact: any other number is another idea
        mistakes=[Mistake("wrong_log_base", _BITS_NOT_NATS, value=math.log(8)),
                  Mistake("count_for_entropy", "that is the number of outcomes; the entropy "
                          "is log2 of it", value=8.0),
                  Mistake("probability_for_entropy", "that is the probability of one outcome; "
                          "the entropy is the mean surprise, log2 8", value=1 / 8),
                  Mistake("one_term_only", "that is one outcome's term, (1/8) log2 8; there "
                          "are eight such terms", value=3 / 8)],
    ),
    FunctionQuestion(
        id="01.q3",
        prompt="Write `entropy_bits(p)`: the entropy in bits of a 1-D distribution `p` (a NumPy "
               "array of any length). Some probabilities may be exactly 0, and 0 log 0 counts "
               "as 0.",
        hints=["Entropy is the probability-weighted mean surprise, -sum p log2 p; an "
               "outcome with p = 0 adds nothing, but log2(0) is -inf and 0 * -inf is nan.",
               "Keep the non-zero entries, `nz = p[p > 0]`, then `return -np.sum(___)` with "
               "the terms of those entries only."],
        solution_code="def entropy_bits(p):\n    nz = p[p > 0]\n"
                      "    return -np.sum(nz * np.log2(nz))",
        name="entropy_bits",
        arg_names=["p"],
        reference=lambda p: xl.entropy(p, base=2),
        example=Case((np.array([0.5, 0.25, 0.25]),), "worked example"),
        hidden=cases.distributions,
        seed=101,
        # case 1 (worked example) and every case: unit, sign, mean_for_sum, unweighted,
        # per_outcome; "with zero probabilities", "a certain outcome", "20000 outcomes,
        # 200 of them 0": zero_log_zero
        mistakes=[
            m.unit("bits"),
            m.zero_log_zero(),
            m.sign("The sign is flipped: entropy is H = -sum p log2 p; the minus sign makes it "
                   "positive, because the log of a probability is negative."),
            m.averaged(lambda p: (p.size, int(np.count_nonzero(p))), "That is the mean of the "
                       "terms -p log2 p; entropy is their sum (np.sum, not np.mean)."),
            Mistake("unweighted_surprise", "That adds the surprises -log2 p without weighting "
                    "them: each outcome's surprise counts with its probability, -sum p log2 p.",
                    returns=lambda expected, p: -np.sum(np.log2(p[p > 0]))),
            Mistake("per_outcome", "That is one term per outcome; entropy is one number, the "
                    "sum of the terms -p log2 p.",
                    when=lambda got, expected, args: got.ndim == 1 and expected.ndim == 0),
            Mistake("uniform_entropy", "That is log2 of the number of outcomes, the entropy "
                    "of a uniform distribution; weight each outcome's surprise by its "
                    "probability.", returns=lambda expected, p: np.log2(p.size)),
        ],
    ),
    FunctionQuestion(
        id="01.q4",
        prompt="Write `surprise_bits(p)`: the surprise -log2 p of each outcome of a 1-D array of "
               "probabilities (all > 0), as an array of the same shape.",
        hints=["Surprise is the negative logarithm of the probability: rare outcomes "
               "surprise more, a certain one not at all.",
               "Apply the base-2 log elementwise and mind the sign: `return ___ np.log2(___)` "
               "(no sum)."],
        solution_code="def surprise_bits(p):\n    return -np.log2(p)",
        name="surprise_bits",
        arg_names=["p"],
        reference=lambda p: -np.log2(p),
        example=Case((np.array([0.5, 0.25, 0.125]),), "worked example"),
        hidden=lambda rng: [
            *[Case((rng.uniform(1e-3, 1, n),), f"hidden, {n} probabilities") for n in (1, 4, 30)],
            Case((np.array([1.0, 1e-300]),), "hidden, certain and nearly impossible"),
            Case((rng.uniform(1e-3, 1, cases.LONG),), f"hidden, {cases.LONG} probabilities"),
            Case((rng.uniform(1e-3, 1, 9).astype(np.float32),), "hidden, float32",
                 **cases.FLOAT32)],
        seed=102,
        # every case: unit, sign, one_number, weighted_by_p, no_log
        mistakes=[
            m.unit("bits"),
            m.sign("The sign is flipped: surprise is -log2 p, which is positive; log2 p alone "
                   "is negative."),
            Mistake("one_number", "That is one number for all outcomes; return one surprise "
                    "per outcome (an array of the same shape as p, no sum).",
                    when=lambda got, expected, args: got.ndim == 0 and expected.ndim == 1),
            Mistake("weighted_by_p", "That is -p log2 p, each outcome's term of the entropy; "
                    "the surprise is -log2 p alone, not weighted by p.",
                    returns=lambda expected, p: -p * np.log2(p)),
            Mistake("no_log", "That is 1 / p; the surprise is its logarithm, "
                    "log2(1 / p) = -log2 p.", returns=lambda expected, p: 1 / p),
            Mistake("common_log", "That is the base-10 log; surprise in bits uses log base 2, "
                    "np.log2.", returns=lambda expected, p: -np.log10(p)),
            Mistake("complement", "That is the surprise of 1 - p, of the outcome not "
                    "happening; the surprise of an outcome is -log2 of its own probability.",
                    returns=lambda expected, p: -np.log2(1 - p)),
        ],
    ),
    ValueQuestion(
        id="01.q5",
        prompt="An optimal (Huffman) code for symbols with probabilities 0.5, 0.25, 0.125, 0.125 "
               "uses how many bits per symbol on average?",
        hints=["Huffman gives code words of lengths 1, 2, 3, 3 here.",
               "Average length = sum of p times length: 0.5 * 1 + 0.25 * 2 + ___."],
        solution_code="p = np.array([0.5, 0.25, 0.125, 0.125])\n"
                      "answer = float(np.sum(p * xl.information.huffman_code_lengths(p)))",
        expected=1.75,
        close=0.0,
        mistakes=[Mistake("wrong_log_base", _BITS_NOT_NATS, value=1.75 * math.log(2)),
                  Mistake("unweighted_lengths", "that is the plain average of the code lengths "
                          "1, 2, 3, 3; weight each by its symbol's probability", value=2.25),
                  Mistake("fixed_length", "that is the length of a fixed code (2 bits for 4 "
                          "symbols); Huffman gives frequent symbols shorter words", value=2.0),
                  Mistake("total_length", "that is the sum of the code lengths 1, 2, 3, 3; "
                          "the average weights each by its symbol's probability", value=9.0)],
    ),
)
