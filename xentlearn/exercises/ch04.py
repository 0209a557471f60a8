"""Exercises of chapter 04, categorical cross-entropy. Expected answers come from xentlearn."""

from __future__ import annotations

import math

import numpy as np

import xentlearn as xl

from . import cases
from . import mistakes as m
from .checker import BROADCAST_ERROR, Case, FunctionQuestion, Mistake, ValueQuestion

_CAR = [0.775, 0.116, 0.039, 0.070]
_Z = np.array([2.0, 1.0, 0.1])
_LOG_OF_SOFTMAX = ("Your result has inf or nan where the answer is finite. Either exp of a large "
                   "logit overflowed to inf (subtract each row's maximum before np.exp), or a "
                   "softmax probability rounded to 0 and its log is -inf (and 0 * -inf is nan). "
                   "Never take the log of the softmax: compute log-softmax directly with the "
                   "log-sum-exp trick, z - m - log(sum(exp(z - m))) with m each row's own "
                   "maximum.")


def _temperature_nudge(t: float) -> str:
    """Where a learner's T lands and which way to move it (04.q3)."""
    if not t > 0:
        return "a temperature is above 0"
    first = float(xl.softmax(_Z, temperature=t)[0])
    way = "lower T" if first < 0.9 else "raise T"
    return (f"at T = {t:.6g} the first probability is {first:.6f}, not 0.9; it falls as T "
            f"rises, so {way}")


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


def _softmax_cases(rng: np.random.Generator) -> list[Case]:
    """1-D and 2-D logits, integer and float32 ones, T above and below 1, an overflow test."""
    return [
        Case((rng.normal(0, 3, (4, 5)), 2.0), "hidden, 4x5, T = 2"),
        Case((rng.normal(0, 3, 6), 0.5), "hidden, T = 0.5"),
        Case((np.array([1000.0, 999.0, 0.0]), 1.0), "hidden, logits 1000 (overflow test)"),
        Case((rng.normal(0, 1, (3, 10)), 10.0), "hidden, T = 10"),
        Case((np.array([[2.0, 1000.0, 0.0], [-1000.0, 0.0, 3.0]]), 1.0),
             "hidden, 2-D, logits +-1000 (overflow test)"),
        Case((np.array([3, 1, 0, 2]), 2), "hidden, integer logits, T = 2"),
        Case((rng.normal(0, 30, (5, 4)).astype(np.float32), 0.5), "hidden, float32, T = 0.5",
             **cases.FLOAT32),
        Case((rng.normal(0, 2, (1, 7)), 1.5), "hidden, one row"),
        Case((rng.normal(0, 2, (500, 20)), 3.0), "hidden, 500 rows"),
    ]


QUESTIONS = (
    ValueQuestion(
        id="04.q1",
        prompt="Four classes car, bike, plane, boat; the truth is car and the model predicts "
               "[0.775, 0.116, 0.039, 0.070]. What is the categorical cross-entropy in bits?",
        hints=["Only the true class's probability matters for a one-hot target.",
               "-log2(___), the probability given to car"],
        solution_code="answer = float(xl.categorical_cross_entropy([1, 0, 0, 0], "
                      "[0.775, 0.116, 0.039, 0.070], base=2))",
        expected=float(xl.categorical_cross_entropy([1, 0, 0, 0], _CAR, base=2)),
        mistakes=[
            Mistake("wrong_log_base", "that is in nats; the question asks for bits",
                    value=float(xl.categorical_cross_entropy([1, 0, 0, 0], _CAR))),
            Mistake("entropy_of_prediction", "that adds every class's -p log2 p (an entropy of "
                    "the prediction); a one-hot target keeps only the true class's -log2 p",
                    value=float(xl.entropy(_CAR, base=2))),
            Mistake("probability_for_loss", "that is the probability of car; the loss is its "
                    "surprise, -log2 p", value=0.775),
            Mistake("all_classes", "that adds the surprise of every class; the one-hot target "
                    "weights only the true class's", value=float(-np.sum(np.log2(_CAR)))),
        ],
    ),
    FunctionQuestion(
        id="04.q2",
        prompt="Write `softmax_t(z, T)`: the softmax of the logits `z / T` along the last axis, "
               "for 1-D or 2-D `z` (a 2-D `z` has one sample per row) and a temperature T > 0. "
               "It must not overflow for logits of 1000. (`axis=-1` is the last axis of an array "
               "of any dimension.)",
        hints=["Divide by T first; then subtract the maximum of each row (not of the whole "
               "array) before exponentiating: softmax does not change, and exp never "
               "overflows.",
               "`s = z / T`, `e = np.exp(s - s.max(axis=___, keepdims=True))`, then divide e "
               "by its sum along the same axis (axis=1 fails on 1-D z: which axis number means "
               "the last one for both?)."],
        solution_code="def softmax_t(z, T):\n    s = z / T\n"
                      "    e = np.exp(s - s.max(axis=-1, keepdims=True))\n"
                      "    return e / e.sum(axis=-1, keepdims=True)",
        name="softmax_t",
        arg_names=["z", "T"],
        reference=lambda z, t: xl.softmax(z, temperature=t),
        example=Case((np.array([2.0, 1.0, 0.1]), 1.0), "worked example"),
        hidden=_softmax_cases,
        seed=401,
        # "4x5, T = 2" and every case with T != 1: times_t, ignored_t; 2-D cases: whole_array,
        # axis_0; "logits 1000 (overflow test)": overflow; "2-D, logits +-1000": overflow
        # and global_max_shift (its second row lies 997 below the array's maximum); the worked
        # example (1-D): axis_1_on_1d; 2-D cases: keepdims_forgotten
        mistakes=[
            m.global_max_shift("You subtracted the maximum of the whole array, not of each "
                               "row: a row far below the largest logit then has exp(s - max) = 0 "
                               "for every entry, and 0 / 0 is nan. Subtract each row's own "
                               "maximum: s.max(axis=-1, keepdims=True)."),
            m.overflow("Your result has inf or nan where the answer is finite: exp(1000) "
                       "overflows to inf, and inf / inf is nan. Subtract each row's maximum from "
                       "z / T before np.exp (the shift of the log-sum-exp trick): the softmax "
                       "does not change, and the largest exponent becomes 0."),
            Mistake("times_t", "That multiplies the logits by T; the temperature divides them: "
                    "z / T.", returns=lambda expected, z, t: xl.softmax(
                        np.asarray(z, float) * t * t, temperature=t)),
            Mistake("ignored_t", "That leaves T out: it is the plain softmax of z; divide the "
                    "logits by T first.", returns=lambda expected, z, t: xl.softmax(z)),
            Mistake("whole_array", "That normalises over the whole array; normalise each row: "
                    "sums along axis=-1 with keepdims=True.",
                    when=lambda got, expected, args: expected.ndim == 2 and expected.shape[0] > 1
                    and got.shape == expected.shape and np.isclose(got.sum(), 1.0)),
            Mistake("axis_0", "That normalises each column (axis=0); a row of logits is one "
                    "sample: normalise along the last axis, axis=-1.",
                    when=lambda got, expected, args: expected.ndim == 2 and expected.shape[0] > 1
                    and got.shape == expected.shape
                    and np.allclose(got.sum(axis=0), 1.0)),
            Mistake("keepdims_forgotten", "A row's maximum or sum taken without "
                    "keepdims=True has shape (N,), which does not line up with the N x K rows: "
                    "keep the axis, s.max(axis=-1, keepdims=True), and the same for the sum",
                    raises=BROADCAST_ERROR),
            Mistake("axis_1_on_1d", "axis=1 does not exist on 1-D logits (a 1-D array has only "
                    "axis 0): axis=-1 is the last axis of both 1-D and 2-D arrays",
                    raises=r"axis 1 is out of bounds for array of dimension 1"),
            Mistake("negated_logits", "That is the softmax of -z / T: the largest logit must "
                    "get the largest probability, exp(z / T), no minus.",
                    returns=lambda expected, z, t: xl.softmax(-np.asarray(z, float),
                                                              temperature=t)),
        ],
    ),
    ValueQuestion(
        id="04.q3",
        prompt="For the logits [2.0, 1.0, 0.1], which temperature T makes the probability of the "
               "first class exactly 0.9? No formula gives T directly: try values with "
               "`xl.softmax([2.0, 1.0, 0.1], temperature=T)[0]` (it falls as T rises) and narrow "
               "in until it is 0.9 to four significant figures.",
        hints=["A temperature below 1 sharpens the distribution, so T is below 1.",
               "Bisection: keep lo and hi with softmax(z / lo)[0] > 0.9 > softmax(z / hi)[0], "
               "and replace one of them by mid = (lo + hi) / 2 each step."],
        solution_code="lo, hi = 0.01, 1.0\nfor _ in range(60):\n    mid = (lo + hi) / 2\n"
                      "    if xl.softmax([2.0, 1.0, 0.1], temperature=mid)[0] > 0.9:\n"
                      "        lo = mid\n    else:\n        hi = mid\nanswer = mid",
        expected=_top_class_temperature(_Z, 0.9),
        close=0.05,  # found by search: a coarse search lands close
        mistakes=[Mistake("plain_softmax", "T = 1 gives the plain softmax, whose first "
                          "probability is 0.66; 0.9 needs a sharper distribution, T below 1",
                          value=1.0),
                  Mistake("inverse_t", "that is 1/T, the factor the logits are multiplied by; "
                          "the question asks for T, which divides them",
                          value=1 / _top_class_temperature(_Z, 0.9)),
                  Mistake("probability_for_t", "0.9 is the probability to reach; the answer is "
                          "the temperature that gives it", value=0.9)],
        nudge=_temperature_nudge,
    ),
    FunctionQuestion(
        id="04.q4",
        prompt="Write `cce_from_logits(Y, Z)`: the mean categorical cross-entropy in nats of "
               "one-hot targets `Y` and logits `Z` (both N x K). Work with log-softmax, computed "
               "with chapter 04's log-sum-exp shift (calling `xl.log_softmax` is accepted too), "
               "so logits of 1000 work.",
        hints=["Work with log-probabilities, never probabilities: log softmax(z) = "
               "z - logsumexp(z), and logsumexp(z) = m + log(sum(exp(z - m))) with m each "
               "row's own maximum.",
               "`m = Z.max(axis=1, keepdims=True)`, `logq = Z - m - np.log(___)`; each row's "
               "loss is -sum(Y * logq) along the row, and the answer their mean."],
        solution_code="def cce_from_logits(Y, Z):\n    m = Z.max(axis=1, keepdims=True)\n"
                      "    logq = Z - m - np.log(np.exp(Z - m).sum(axis=1, keepdims=True))\n"
                      "    return -np.mean(np.sum(Y * logq, axis=1))",
        name="cce_from_logits",
        arg_names=["Y", "Z"],
        reference=lambda y, z: xl.categorical_cross_entropy(y, z, from_logits=True),
        example=Case((np.eye(3)[[0, 2]], np.array([[2.0, 1.0, 0.1], [0.5, 0.5, 3.0]])),
                     "worked example"),
        hidden=lambda rng: cases.logit_matrices(rng, with_labels=False),
        seed=402,
        # every case: unit, sign, sum_for_mean, mean_for_sum, per_sample; "logits 1000
        # (overflow test)": overflow, clipped; "one row of logits 1000, one of -1000":
        # global_max_shift (and overflow)
        mistakes=[
            m.unit("nats"),
            m.global_max_shift(),
            m.overflow(_LOG_OF_SOFTMAX),
            m.summed(lambda y, z: y.shape[0], "That is the sum over the samples (rows); the "
                     "question asks for the mean."),
            m.averaged(lambda y, z: (y.shape[1],), "That is the mean over every entry of "
                       "Y * log-softmax, which divides by K as well: sum along each row, then "
                       "take the mean over the rows."),
            m.sign("The sign is flipped: the cross-entropy is minus the mean of Y * log-softmax "
                   "(log-probabilities are negative)."),
            Mistake("per_sample", "That is one loss per sample; the question asks for their "
                    "mean, one number.",
                    when=lambda got, expected, args: got.shape == (args[0].shape[0],)
                    and expected.ndim == 0),
            m.clipped("Your loss is capped: it takes the log of a softmax that rounded to 0 and "
                      "clips it (or adds an eps). A true class 1000 below the top logit costs "
                      "1000 nats; use log-softmax, z - logsumexp(z), and never clip."),
        ],
    ),
    ValueQuestion(
        id="04.q5",
        prompt="A model that guesses uniformly over 10 classes: what is its cross-entropy in "
               "nats?",
        hints=["Every class gets 1/10, the true one included.", "-ln(___)"],
        solution_code="answer = float(np.log(10))",
        expected=math.log(10),
        mistakes=[Mistake("wrong_log_base", "that is in bits; the question asks for nats",
                          value=math.log2(10)),
                  Mistake("probability_for_loss", "that is the probability of each class; the "
                          "cross-entropy is -ln of it", value=0.1),
                  Mistake("one_term_only", "that is one class's -0.1 ln 0.1; a one-hot target "
                          "costs the whole -ln 0.1", value=0.1 * math.log(10))],
    ),
)
