"""Exercises of chapter 07, training with cross-entropy. Expected answers come from xentlearn."""

from __future__ import annotations

import math

import numpy as np

import xentlearn as xl

from .checker import Case, FunctionQuestion, Mistake, ValueQuestion

_LN2 = math.log(2)
_PROBS = [0.9, 0.8, 0.5]


def _step(w, X, y, lr):
    g = xl.binary_cross_entropy_grad(y, X @ w)  # mean over samples: (sigmoid - y) / N
    return w - lr * (X.T @ g)


def _step_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for n, d in ((5, 2), (40, 6), (200, 10)):
        X = rng.normal(0, 1, (n, d))
        out.append(Case((rng.normal(0, 1, d), X, rng.integers(0, 2, n).astype(float), 0.1),
                        f"hidden, {n} samples, {d} features"))
    X = rng.normal(0, 1, (8, 3))
    out.append(Case((np.array([40.0, -40.0, 10.0]), X, rng.integers(0, 2, 8).astype(float), 0.5),
                    "hidden, large weights"))
    return out


def _perplexity_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for n, k in ((3, 2), (20, 27), (100, 5)):
        out.append(Case((rng.integers(0, k, n), rng.dirichlet(np.ones(k), n)),
                        f"hidden, {n} characters, alphabet of {k}"))
    k = 27
    out.append(Case((rng.integers(0, k, 10), np.full((10, k), 1 / k)), "hidden, uniform model"))
    return out


QUESTIONS = (
    FunctionQuestion(
        id="07.q1",
        prompt="Write `gd_step(w, X, y, lr)`: one step of gradient descent for logistic "
               "regression without an intercept (no b). The loss is the mean binary "
               "cross-entropy of `sigmoid(X @ w)` against labels `y` (shape N); its gradient is "
               "`X.T @ (sigmoid(X @ w) - y) / N`. Return the new weights; do not change `w` in "
               "place.",
        hints=["The gradient with respect to the logits is (sigmoid(logits) - y) / N; the chain "
               "rule through logits = X @ w multiplies by X.T.",
               "`p = 1 / (1 + np.exp(-(X @ w)))`, then `return w - lr * X.T @ (p - y) / len(y)`; "
               "for large weights compute the sigmoid without overflow (e.g. `xl.sigmoid`)."],
        solution_code="def gd_step(w, X, y, lr):\n    z = X @ w\n"
                      "    p = np.exp(-np.logaddexp(0, -z))  # sigmoid without overflow\n"
                      "    return w - lr * X.T @ (p - y) / len(y)",
        name="gd_step",
        arg_names=["w", "X", "y", "lr"],
        reference=_step,
        example=Case((np.array([0.5, -0.25]), np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 1.0]]),
                      np.array([1.0, 0.0, 1.0]), 0.1), "worked example"),
        hidden=_step_cases,
        seed=701,
        mistakes=[
            Mistake("That steps up the gradient: gradient descent subtracts, w - lr * gradient.",
                    returns=lambda expected, w, X, y, lr: 2 * w - expected),
            Mistake("That uses the gradient of the summed loss; the mean divides it by N "
                    "(len(y)).", returns=lambda expected, w, X, y, lr: w - len(y) * (w - expected)),
        ],
    ),
    FunctionQuestion(
        id="07.q2",
        prompt="Write `perplexity(labels, probs)`: the perplexity exp(cross-entropy in nats) of "
               "a language model that gave the probabilities `probs` (N x K, rows summing to 1) "
               "to the next character, where `labels` (shape N) holds the integer codes of the "
               "true next characters.",
        hints=["Perplexity is e to the mean negative log-probability of the true characters.",
               "`return np.exp(-np.mean(np.log(probs[np.arange(len(labels)), labels])))`"],
        solution_code="def perplexity(labels, probs):\n"
                      "    return np.exp(-np.mean(np.log(probs[np.arange(len(labels)), "
                      "labels])))",
        name="perplexity",
        arg_names=["labels", "probs"],
        reference=lambda labels, probs: np.exp(xl.sparse_categorical_cross_entropy(labels, probs)),
        example=Case((np.array([0, 1]), np.array([[0.5, 0.5], [0.25, 0.75]])), "worked example"),
        hidden=_perplexity_cases,
        seed=702,
        mistakes=[
            Mistake("That is the cross-entropy; perplexity is e to its power.",
                    returns=lambda expected, *args: np.log(expected)),
            Mistake("That is e to the cross-entropy in bits: use e ** nats, or 2 ** bits.",
                    returns=lambda expected, *args: np.exp(np.log(expected) / _LN2)),
            Mistake("That is e to the mean log-probability: the sign is flipped.",
                    returns=lambda expected, *args: 1 / expected),
            Mistake("That is e to the summed cross-entropy; perplexity uses the mean over the "
                    "characters.", returns=lambda expected, labels, probs: expected ** len(labels)),
        ],
    ),
    ValueQuestion(
        id="07.q3",
        prompt="A model gives the true labels of three samples the probabilities 0.9, 0.8 and "
               "0.5. What is the mean negative log-likelihood, in nats?",
        hints=["The negative log-likelihood of one sample is -ln p(true label).",
               "-(ln 0.9 + ln 0.8 + ln 0.5) / 3"],
        solution_code="answer = float(-np.mean(np.log([0.9, 0.8, 0.5])))",
        expected=float(-np.mean(np.log(_PROBS))),
        mistakes=[
            Mistake("that is the sum; the question asks for the mean",
                    value=float(-np.sum(np.log(_PROBS)))),
            Mistake("that is the likelihood itself, not its negative log",
                    value=float(np.prod(_PROBS))),
            Mistake("that is in bits; the question asks for nats",
                    value=float(-np.mean(np.log2(_PROBS)))),
        ],
    ),
    ValueQuestion(
        id="07.q4",
        prompt="The true label is 1 and the model's logit is -2. What is the derivative of the "
               "binary cross-entropy (nats) with respect to the logit?",
        hints=["For sigmoid + cross-entropy the derivative is sigmoid(z) - y.",
               "sigmoid(-2) - 1"],
        solution_code="answer = float(xl.sigmoid(-2.0) - 1)",
        expected=float(xl.sigmoid(-2.0) - 1),
        mistakes=[
            Mistake("the sign: the loss falls as the logit rises, so the derivative is negative",
                    value=float(1 - xl.sigmoid(-2.0))),
            Mistake("that is sigmoid(-2), the predicted probability; the derivative is "
                    "sigmoid(z) - y", value=float(xl.sigmoid(-2.0))),
        ],
    ),
    ValueQuestion(
        id="07.q5",
        prompt="A character model that spreads its probability evenly over an alphabet of 27 "
               "characters: what is its perplexity?",
        hints=["Its cross-entropy is ln 27 nats.", "exp(ln 27)"],
        solution_code="answer = float(np.exp(np.log(27)))",
        expected=27.0,
        close=0.0,
        mistakes=[
            Mistake("that is the cross-entropy; perplexity is e to that power",
                    value=math.log(27)),
            Mistake("that is the cross-entropy in bits", value=math.log2(27)),
            Mistake("that is the probability of each character; perplexity is its inverse",
                    value=1 / 27),
        ],
    ),
)
