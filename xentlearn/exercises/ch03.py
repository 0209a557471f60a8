"""Exercises of chapter 03, binary cross-entropy. Every expected answer comes from xentlearn."""

from __future__ import annotations

import math

import numpy as np

import xentlearn as xl

from . import cases
from . import mistakes as m
from .checker import Case, FunctionQuestion, Mistake, ValueQuestion

_MINUS = ("The sign is flipped: binary cross-entropy carries a minus sign, "
          "-[y log p + (1 - y) log(1 - p)] (the logs of probabilities are negative).")

QUESTIONS = (
    ValueQuestion(
        id="03.q1",
        prompt="The true label is 1 and the model predicts p = 0.8. What is the binary "
               "cross-entropy in nats?",
        hints=["For y = 1 the loss is -log p.", "-ln(0.8)"],
        solution_code="answer = float(xl.binary_cross_entropy([1], [0.8]))",
        expected=float(xl.binary_cross_entropy([1], [0.8])),
        mistakes=[
            Mistake("that is the loss for label 0", value=float(xl.binary_cross_entropy([0],
                                                                                        [0.8]))),
            Mistake("that is in bits; the question asks for nats",
                    value=float(xl.binary_cross_entropy([1], [0.8], base=2))),
            Mistake("the loss is -ln p, positive: mind the minus sign", value=math.log(0.8)),
        ],
    ),
    FunctionQuestion(
        id="03.q2",
        prompt="Write `bce(y, p)`: the mean binary cross-entropy in nats of labels `y` (0 or 1) "
               "and predicted probabilities `p` (arrays of the same shape). A prediction of "
               "exactly 0 or 1 on the right label costs 0, not nan.",
        hints=["Compute -log p where y is 1 and -log(1 - p) where y is 0, then average.",
               "`p_true = np.where(y == 1, p, 1 - p)` is the probability given to the true "
               "label; return the mean of -log(p_true)."],
        solution_code="def bce(y, p):\n    p_true = np.where(y == 1, p, 1 - p)\n"
                      "    return -np.mean(np.log(p_true))",
        name="bce",
        arg_names=["y", "p"],
        reference=lambda y, p: xl.binary_cross_entropy(y, p),
        example=Case((np.array([1.0, 1.0]), np.array([0.9, 0.1])), "worked example"),
        hidden=cases.binary,
        seed=301,
        mistakes=[
            m.unit("nats"),
            m.zero_log_zero("Your result has nan: a prediction of exactly 0 or 1 on the right "
                            "label costs 0, but y * log(p) gives 0 * log(0) = nan. Take the log "
                            "of the probability of the true label only: "
                            "np.where(y == 1, p, 1 - p)."),
            m.summed(lambda y, p: y.size),
            m.sign(_MINUS),
        ],
    ),
    FunctionQuestion(
        id="03.q3",
        prompt="Write `bce_from_logits(y, z)`: the binary cross-entropy in nats of each logit "
               "`z` (an array of any shape, one loss per element, no averaging) with labels `y` "
               "of the same shape. It must not overflow or return inf/nan at logits of +-1000.",
        hints=["log sigmoid(z) = -softplus(-z) and log(1 - sigmoid(z)) = -softplus(z), where "
               "softplus(z) = log(1 + e^z).",
               "softplus(z) = max(z, 0) + log1p(exp(-|z|)); the loss is "
               "y * softplus(-z) + (1 - y) * softplus(z)."],
        solution_code="def bce_from_logits(y, z):\n"
                      "    softplus = lambda t: np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t)))\n"
                      "    return y * softplus(-z) + (1 - y) * softplus(z)",
        name="bce_from_logits",
        arg_names=["y", "z"],
        reference=lambda y, z: xl.binary_cross_entropy(y, z, from_logits=True, reduction="none"),
        example=Case((np.array([1.0, 0.0]), np.array([2.0, -1.0])), "worked example"),
        hidden=cases.binary_logits,
        seed=302,
        mistakes=[
            m.unit("nats"),
            m.overflow("Your result has inf or nan where the loss is finite: for logits like "
                       "+-1000, sigmoid(z) rounds to exactly 0 or 1 (or exp(-z) overflows), and "
                       "the log of 0 is -inf. Compute the loss from z directly with softplus: "
                       "log(1 + e^z) = max(z, 0) + log1p(exp(-|z|))."),
            m.sign(_MINUS),
            Mistake("That is one number: return one loss per logit (same shape as z), "
                    "without averaging.", when=lambda got, expected, args: got.ndim == 0
                    and expected.ndim > 0),
        ],
    ),
    ValueQuestion(
        id="03.q4",
        prompt="With label smoothing 0.1 (two classes), what target value replaces the label 1?",
        hints=["Smoothed targets are y (1 - eps) + eps / 2.", "1 * 0.9 + 0.05"],
        solution_code="answer = 1 * (1 - 0.1) + 0.1 / 2",
        expected=0.95,
        rtol=1e-9,
        close=0.0,  # exact arithmetic: a different number is a different idea
        mistakes=[
            Mistake("the smoothing mass eps is shared by both classes: add eps / 2", value=0.9),
            Mistake("that shares eps among 10 classes (1 - eps + eps / 10); here there are two "
                    "classes: 1 - eps + eps / 2", value=0.91),
            Mistake("that is the target of the label 0 (eps / 2); the label 1 becomes "
                    "1 - eps + eps / 2", value=0.05),
        ],
    ),
    ValueQuestion(
        id="03.q5",
        prompt="For the label 1, which predicted probability p gives a loss of exactly 1 nat?",
        hints=["Solve -ln p = 1.", "p = e^(-1)"],
        solution_code="answer = float(np.exp(-1))",
        expected=math.exp(-1),
        mistakes=[Mistake("-ln 0.5 is 0.693 nats (1 bit), not 1 nat", value=0.5),
                  Mistake("that is e; a probability is at most 1: p = e^(-1)", value=math.e)],
    ),
)
