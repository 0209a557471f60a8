"""Exercises of chapter 03, binary cross-entropy. Every expected answer comes from xentlearn."""

from __future__ import annotations

import math

import numpy as np

import xentlearn as xl

from . import cases
from . import mistakes as m
from .checker import TRUTH_VALUE_ERROR, Case, FunctionQuestion, Mistake, ValueQuestion

_MINUS = ("The sign is flipped: binary cross-entropy carries a minus sign, "
          "-[y log p + (1 - y) log(1 - p)] (the logs of probabilities are negative).")

#: softplus(t) written with a sign slip: exp(+|t|) inside, or log1p subtracted.
_SLIPPED_SOFTPLUS = (lambda t: np.maximum(t, 0) + np.log1p(np.exp(np.abs(t))),
                     lambda t: np.maximum(t, 0) - np.log1p(np.exp(-np.abs(t))))


def _max_of_array(t):
    """softplus with np.max(t, 0) (the largest entry along axis 0) for np.maximum(t, 0)."""
    return np.max(t, 0) + np.log1p(np.exp(-np.abs(t)))


def _loss(y, z, softplus):
    """The loss from logits with the given softplus (to recognise a slipped one)."""
    y, z = np.asarray(y, dtype=float), np.asarray(z, dtype=float)
    return y * softplus(-z) + (1 - y) * softplus(z)


QUESTIONS = (
    ValueQuestion(
        id="03.q1",
        prompt="The true label is 1 and the model predicts p = 0.8. What is the binary "
               "cross-entropy in nats?",
        hints=["For y = 1 the loss is the surprise of p: only the first term of the "
               "binary cross-entropy remains.", "-ln(___), in nats"],
        solution_code="answer = float(xl.binary_cross_entropy([1], [0.8]))",
        expected=float(xl.binary_cross_entropy([1], [0.8])),
        mistakes=[
            Mistake("wrong_label", "that is the loss for label 0, -ln(1 - p)",
                    value=float(xl.binary_cross_entropy([0], [0.8]))),
            Mistake("wrong_log_base", "that is in bits; the question asks for nats",
                    value=float(xl.binary_cross_entropy([1], [0.8], base=2))),
            Mistake("sign_flipped", "the loss is -ln p, positive: mind the minus sign",
                    value=math.log(0.8)),
            Mistake("probability_for_loss", "that is the probability itself; the loss is its "
                    "surprise, -ln p", value=0.8),
        ],
    ),
    FunctionQuestion(
        id="03.q2",
        prompt="Write `bce(y, p)`: the mean binary cross-entropy in nats of labels `y` (0 or 1) "
               "and predicted probabilities `p`, arrays of the same shape: 1-D, 2-D (several "
               "labels per sample, e.g. one row per sample, one column per yes/no question) "
               "or more, the mean taken over every entry. A prediction of "
               "exactly 0 or 1 on the right label costs 0, not nan; on the wrong label it "
               "costs inf, and p = 1e-300 on the right label costs -ln(1e-300) = 690.8 nats: "
               "do not clip.",
        hints=["Each entry costs the surprise of the probability given to its true label: "
               "-log p where y is 1, -log(1 - p) where y is 0. No clipping, no eps.",
               "`p_true = np.where(y == 1, ___, ___)` is the probability given to the true "
               "label; the loss is the mean of its surprise."],
        solution_code="def bce(y, p):\n    p_true = np.where(y == 1, p, 1 - p)\n"
                      "    with np.errstate(divide='ignore'):  # log(0) = -inf: the loss is inf\n"
                      "        return -np.mean(np.log(p_true))",
        name="bce",
        arg_names=["y", "p"],
        reference=lambda y, p: xl.binary_cross_entropy(y, p),
        example=Case((np.array([1.0, 1.0]), np.array([0.9, 0.1])), "worked example"),
        hidden=cases.binary,
        seed=301,
        # every case: unit, sign, swapped_labels; cases with more than one entry: sum_for_mean;
        # "perfect predictions": zero_log_zero; "p = 1e-300 on the true label" and "p = 0 on
        # the true label": clipped (np.clip at 1e-15 or 1e-12, or log(p + eps))
        mistakes=[
            m.unit("nats"),
            m.zero_log_zero("Your result has nan: a prediction of exactly 0 or 1 on the right "
                            "label costs 0, but y * log(p) gives 0 * log(0) = nan. Take the log "
                            "of the probability of the true label only: "
                            "np.where(y == 1, p, 1 - p)."),
            m.summed(lambda y, p: y.size),
            m.sign(_MINUS),
            m.clipped("Your loss is capped: it clips p (np.clip, or log(p + eps)), and chapter "
                      "03's point is never to clip. p = 1e-300 on the true label should cost "
                      "-ln(1e-300) = 690.8 nats (clipping at 1e-7, as Keras does, gives 16.118), "
                      "and p = 0 on "
                      "the true label costs inf. Take the log of the true label's probability "
                      "as it is."),
            Mistake("swapped_labels", "The two terms are swapped: y = 1 costs -log p and "
                    "y = 0 costs -log(1 - p), not the other way round.",
                    returns=lambda expected, y, p: xl.binary_cross_entropy(1 - y, p)),
        ],
    ),
    FunctionQuestion(
        id="03.q3",
        prompt="Write `bce_from_logits(y, z)`: the binary cross-entropy in nats of each logit "
               "`z` (an array of any shape, one loss per element, no averaging) with labels `y` "
               "(0 or 1, floats or integers) of the same shape. It must not overflow or return "
               "inf/nan at logits of +-1000.",
        hints=["Never compute sigmoid(z) and then its log: log sigmoid(z) = -softplus(-z) "
               "and log(1 - sigmoid(z)) = -softplus(z), where softplus(t) = log(1 + e^t).",
               "softplus(t) = max(t, 0) + log1p(exp(-|t|)) never overflows (np.log1p(x) is "
               "log(1 + x)); max(t, 0) entry by entry is np.maximum(t, 0), not Python's max "
               "or np.max, which look for the largest entry. The loss is "
               "y * softplus(___) + (1 - y) * softplus(___)."],
        solution_code="def bce_from_logits(y, z):\n"
                      "    softplus = lambda t: np.maximum(t, 0) + np.log1p(np.exp(-np.abs(t)))\n"
                      "    return y * softplus(-z) + (1 - y) * softplus(z)",
        name="bce_from_logits",
        arg_names=["y", "z"],
        reference=lambda y, z: xl.binary_cross_entropy(y, z, from_logits=True, reduction="none"),
        example=Case((np.array([1.0, 0.0]), np.array([2.0, -1.0])), "worked example"),
        hidden=cases.binary_logits,
        seed=302,
        # every case: unit, sign, one_number, swapped_labels, softplus_sign,
        # plus_minus_labels; cases of more than one logit: max_for_maximum and python_max;
        # "logits +-1000 (overflow test)", "integer labels, logits +-1000": overflow (sigmoid,
        # then its log)
        mistakes=[
            m.unit("nats"),
            m.overflow("Your result has inf or nan where the loss is finite: for logits like "
                       "+-1000, sigmoid(z) rounds to exactly 0 or 1 and the log of 0 is -inf, "
                       "or exp(1000) overflows to inf. Compute the loss from z directly with a "
                       "softplus that never overflows: log(1 + e^t) = max(t, 0) + "
                       "log(1 + e^(-|t|)), whose exponent is never positive."),
            m.sign(_MINUS),
            Mistake("one_number", "That is one number: return one loss per logit (same shape "
                    "as z), without averaging.", when=lambda got, expected, args: got.ndim == 0
                    and expected.ndim > 0),
            Mistake("swapped_labels", "The labels are swapped: y = 1 costs softplus(-z) "
                    "(= -log sigmoid(z)) and y = 0 costs softplus(z), not the other way round.",
                    returns=lambda expected, y, z: xl.binary_cross_entropy(
                        1 - y, z, from_logits=True, reduction="none")),
            Mistake("softplus_sign", "Your softplus has a sign slip: softplus(t) = max(t, 0) + "
                    "log1p(exp(-|t|)), a plus before log1p and a minus inside the exp.",
                    when=lambda got, expected, args: any(
                        got.shape == expected.shape and np.allclose(
                            got, _loss(args[0], args[1], sp), rtol=1e-6, equal_nan=True)
                        for sp in _SLIPPED_SOFTPLUS)),
            Mistake("max_for_maximum", "np.max(t, 0) is the largest entry of t along axis 0, "
                    "one number for the whole array; softplus needs the larger of t and 0 for "
                    "each entry: np.maximum(t, 0).",
                    returns=lambda expected, y, z: _loss(y, z, _max_of_array)),
            Mistake("python_max", "Python's max(t, 0) asks whether the whole array t is "
                    "larger than 0, one yes/no, which NumPy refuses for more than one entry; "
                    "the larger of t and 0 entry by entry is np.maximum(t, 0)",
                    raises=TRUTH_VALUE_ERROR),
            Mistake("plus_minus_labels", "That is log(1 + e^(-y z)), the formula for labels "
                    "-1 and +1; here y is 0 or 1 (use 2y - 1 there, or the softplus form).",
                    returns=lambda expected, y, z: np.logaddexp(0, -y * z)),
        ],
    ),
    ValueQuestion(
        id="03.q4",
        prompt="With label smoothing 0.1 (two classes), what target value replaces the label 1?",
        hints=["Smoothing moves the mass eps from the label and shares it equally among "
               "the classes.", "y (1 - eps) + eps / ___, with y = 1 and eps = 0.1"],
        solution_code="answer = 1 * (1 - 0.1) + 0.1 / 2",
        expected=0.95,
        rtol=1e-9,
        close=0.0,  # exact arithmetic: a different number is a different idea
        mistakes=[
            Mistake("eps_not_shared", "the smoothing mass eps is shared by both classes: add "
                    "eps / 2", value=0.9),
            Mistake("ten_classes", "that shares eps among 10 classes (1 - eps + eps / 10); "
                    "here there are two classes: 1 - eps + eps / 2", value=0.91),
            Mistake("label_0_target", "that is the target of the label 0 (eps / 2); the label "
                    "1 becomes 1 - eps + eps / 2", value=0.05),
            Mistake("unsmoothed", "that is the label without smoothing; smoothing 0.1 moves "
                    "some of its mass to the other class", value=1.0),
        ],
    ),
    ValueQuestion(
        id="03.q5",
        prompt="For the label 1, which predicted probability p gives a loss of exactly 1 nat?",
        hints=["Solve -ln p = 1.", "Undo the log: p = e^(___)"],
        solution_code="answer = float(np.exp(-1))",
        expected=math.exp(-1),
        mistakes=[Mistake("one_bit", "-ln 0.5 is 0.693 nats (1 bit), not 1 nat", value=0.5),
                  Mistake("e_for_inverse", "that is e; a probability is at most 1: p = e^(-1)",
                          value=math.e),
                  Mistake("sign_flipped", "a probability is never negative; -ln p = 1 gives "
                          "p = e^(-1)", value=-math.exp(-1))],
    ),
)
