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
        hints=["The probabilities are 26/30 and 4/30.",
               "H = -(26/30) log2(26/30) - (4/30) log2(4/30); or "
               "xl.entropy([26/30, 4/30], base=2)"],
        solution_code="answer = float(xl.entropy([26 / 30, 4 / 30], base=2))",
        expected=float(xl.entropy([26 / 30, 4 / 30], base=2)),
        mistakes=[
            Mistake(_BITS_NOT_NATS, value=float(xl.entropy([26 / 30, 4 / 30]))),
            Mistake("entropy is never negative: H = -sum p log2 p, and the logs of "
                    "probabilities are negative", value=-float(xl.entropy([26 / 30, 4 / 30],
                                                                          base=2))),
            Mistake("that is only the cubes' term; add the spheres' -(4/30) log2(4/30)",
                    value=-(26 / 30) * math.log2(26 / 30)),
        ],
    ),
    ValueQuestion(
        id="01.q2",
        prompt="How many bits of entropy does one roll of a fair 8-sided die have?",
        hints=["Eight equally likely outcomes, each with surprise -log2(1/8).",
               "For a uniform distribution over K outcomes, H = log2 K."],
        solution_code="answer = 3.0",
        expected=3.0,
        close=0.0,  # log2 8 is exact: any other number is another idea
        mistakes=[Mistake(_BITS_NOT_NATS, value=math.log(8)),
                  Mistake("that is the number of outcomes; the entropy is log2 of it",
                          value=8.0)],
    ),
    FunctionQuestion(
        id="01.q3",
        prompt="Write `entropy_bits(p)`: the entropy in bits of a 1-D distribution `p` (a NumPy "
               "array). Some probabilities may be exactly 0, and 0 log 0 counts as 0.",
        hints=["Select the non-zero entries first: `nz = p[p > 0]`.",
               "`return -np.sum(nz * np.log2(nz))`"],
        solution_code="def entropy_bits(p):\n    nz = p[p > 0]\n"
                      "    return -np.sum(nz * np.log2(nz))",
        name="entropy_bits",
        arg_names=["p"],
        reference=lambda p: xl.entropy(p, base=2),
        example=Case((np.array([0.5, 0.25, 0.25]),), "worked example"),
        hidden=cases.distributions,
        seed=101,
        mistakes=[
            m.unit("bits"),
            m.zero_log_zero(),
            m.sign("The sign is flipped: entropy is H = -sum p log2 p; the minus sign makes it "
                   "positive, because the log of a probability is negative."),
        ],
    ),
    FunctionQuestion(
        id="01.q4",
        prompt="Write `surprise_bits(p)`: the surprise -log2 p of each outcome of a 1-D array of "
               "probabilities (all > 0), as an array of the same shape.",
        hints=["Surprise is the negative logarithm of the probability.",
               "`return -np.log2(p)`"],
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
        mistakes=[
            m.unit("bits"),
            m.sign("The sign is flipped: surprise is -log2 p, which is positive; log2 p alone "
                   "is negative."),
            Mistake("That is one number for all outcomes; return one surprise per outcome "
                    "(an array of the same shape as p, no sum).",
                    when=lambda got, expected, args: got.ndim == 0 and expected.ndim == 1),
        ],
    ),
    ValueQuestion(
        id="01.q5",
        prompt="An optimal (Huffman) code for symbols with probabilities 0.5, 0.25, 0.125, 0.125 "
               "uses how many bits per symbol on average?",
        hints=["Huffman gives code words of lengths 1, 2, 3, 3 here.",
               "Average length = sum of p times length; for this p it equals the entropy."],
        solution_code="p = np.array([0.5, 0.25, 0.125, 0.125])\n"
                      "answer = float(np.sum(p * xl.information.huffman_code_lengths(p)))",
        expected=1.75,
        close=0.0,
        mistakes=[Mistake(_BITS_NOT_NATS, value=1.75 * math.log(2)),
                  Mistake("that is the plain average of the code lengths 1, 2, 3, 3; weight "
                          "each by its symbol's probability", value=2.25),
                  Mistake("that is the length of a fixed code (2 bits for 4 symbols); Huffman "
                          "gives frequent symbols shorter words", value=2.0)],
    ),
)
