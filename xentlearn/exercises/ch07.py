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
    # the chapter's own warning: the product of 20,000 probabilities underflows to 0
    n = 20_000
    out.append(Case((rng.integers(0, k, n), rng.dirichlet(np.ones(k), n)),
                    f"hidden, {n} characters, alphabet of {k}"))
    return out


def _true_probs(labels, probs):
    return probs[np.arange(len(labels)), labels]


def _product_underflow(got, expected, args):
    """inf where the perplexity is finite, over a text long enough for the product to be 0."""
    return (got.shape == expected.shape and bool(np.isinf(got).all())
            and bool(np.isfinite(expected).all())
            and np.prod(_true_probs(*args)) == 0.0)


QUESTIONS = (
    FunctionQuestion(
        id="07.q1",
        prompt="Write `gd_step(w, X, y, lr)`: one step of gradient descent for logistic "
               "regression without an intercept (no b), for inputs `X` (N rows, one per "
               "example, each of d measurements), weights `w` (shape d), labels `y` (0 or 1, "
               "shape N) and learning rate `lr`. The loss is the "
               "mean binary cross-entropy of `sigmoid(X @ w)` against `y`; its gradient is "
               "`X.T @ (sigmoid(X @ w) - y) / N`. Return the new weights; do not change `w` in "
               "place.",
        hints=["The gradient with respect to the logits is (sigmoid(logits) - y) / N; the chain "
               "rule through logits = X @ w multiplies by X.T. Descent steps against it.",
               "`p = xl.sigmoid(X @ w)` (no overflow for large weights), `grad = X.T @ (___) "
               "/ len(y)`, and the new weights are w ___ lr * grad (a new array)."],
        solution_code="def gd_step(w, X, y, lr):\n"
                      "    p = xl.sigmoid(X @ w)  # no overflow for large weights\n"
                      "    return w - lr * X.T @ (p - y) / len(y)",
        name="gd_step",
        arg_names=["w", "X", "y", "lr"],
        reference=_step,
        example=Case((np.array([0.5, -0.25]), np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, 1.0]]),
                      np.array([1.0, 0.0, 1.0]), 0.1), "worked example"),
        hidden=_step_cases,
        seed=701,
        # every case: ascent, summed_gradient, no_learning_rate, no_sigmoid
        mistakes=[
            Mistake("ascent", "That steps up the gradient: gradient descent subtracts, "
                    "w - lr * gradient (with the gradient X.T @ (p - y) / N, not y - p).",
                    returns=lambda expected, w, X, y, lr: 2 * w - expected),
            Mistake("summed_gradient", "That uses the gradient of the summed loss; the mean "
                    "divides it by N (len(y)).",
                    returns=lambda expected, w, X, y, lr: w - len(y) * (w - expected)),
            Mistake("no_learning_rate", "That steps by the whole gradient: multiply it by the "
                    "learning rate lr.", returns=lambda expected, w, X, y, lr: w - (w - expected)
                    / lr),
            Mistake("no_sigmoid", "That uses the logits X @ w where the gradient needs the "
                    "probabilities sigmoid(X @ w): the gradient is X.T @ (sigmoid(X @ w) - y) / N.",
                    returns=lambda expected, w, X, y, lr: w - lr * X.T @ (X @ w - y) / len(y)),
            Mistake("no_chain_rule", "That moves every weight by the mean error; the chain "
                    "rule through X @ w multiplies by X.T: X.T @ (sigmoid(X @ w) - y) / N.",
                    returns=lambda expected, w, X, y, lr: w - lr * np.mean(
                        xl.sigmoid(X @ w) - y)),
        ],
    ),
    FunctionQuestion(
        id="07.q2",
        prompt="Write `perplexity(labels, probs)`: the perplexity exp(cross-entropy in nats) of "
               "a language model that gave the probabilities `probs` (N x K, rows summing to 1) "
               "to the next character, where `labels` (shape N) holds the integer codes of the "
               "true next characters. Texts may be 20,000 characters long.",
        hints=["Perplexity is e to the mean negative log-probability of the true characters. "
               "Average logs, never multiply probabilities: the product of thousands of them "
               "underflows to 0.",
               "Pick the true characters' probabilities with `probs[np.arange(len(labels)), "
               "labels]`, then `np.exp(___)` of their mean surprise."],
        solution_code="def perplexity(labels, probs):\n"
                      "    return np.exp(-np.mean(np.log(probs[np.arange(len(labels)), "
                      "labels])))",
        name="perplexity",
        arg_names=["labels", "probs"],
        reference=lambda labels, probs: np.exp(xl.sparse_categorical_cross_entropy(labels, probs)),
        example=Case((np.array([0, 1]), np.array([[0.5, 0.5], [0.25, 0.75]])), "worked example"),
        hidden=_perplexity_cases,
        seed=702,
        # every case: cross_entropy_for_perplexity, bits_exponent, two_to_nats,
        # sign_flipped, inverse_mean_probability; every case but the uniform model (where
        # the sum still overflows to inf): sum_for_mean; "20000 characters":
        # product_underflow (the product of the probabilities to the power -1/N)
        mistakes=[
            Mistake("cross_entropy_for_perplexity", "That is the cross-entropy; perplexity is "
                    "e to its power.", returns=lambda expected, *args: np.log(expected)),
            Mistake("bits_exponent", "That is e to the cross-entropy in bits: use e ** nats, "
                    "or 2 ** bits.",
                    returns=lambda expected, *args: np.exp(np.log(expected) / _LN2)),
            Mistake("two_to_nats", "That is 2 to the cross-entropy in nats: use e ** nats "
                    "(np.exp), or 2 ** bits.",
                    returns=lambda expected, *args: expected ** _LN2),
            Mistake("sign_flipped", "That is e to the mean log-probability: the sign is "
                    "flipped.", returns=lambda expected, *args: 1 / expected),
            Mistake("product_underflow", "You multiplied the probabilities: over 20,000 "
                    "characters their product underflows to 0 (chapter 07 shows it), and "
                    "0 ** (-1/N) is inf. Average the logs instead: exp(-mean(log p)).",
                    when=_product_underflow),
            Mistake("sum_for_mean", "That is e to the summed cross-entropy; perplexity uses "
                    "the mean over the characters.",
                    returns=lambda expected, labels, probs: expected ** len(labels)),
            Mistake("inverse_mean_probability", "That is 1 / (mean probability of the true "
                    "characters); perplexity is e to the mean surprise, the inverse of their "
                    "geometric mean.",
                    returns=lambda expected, labels, probs: 1 / _true_probs(labels, probs).mean()),
            Mistake("all_probabilities", "That averages the log of every probability in probs; "
                    "only each character's true one counts: probs[np.arange(N), labels].",
                    returns=lambda expected, labels, probs: np.exp(-np.mean(np.log(probs)))),
        ],
    ),
    ValueQuestion(
        id="07.q3",
        prompt="A model gives the true labels of three samples the probabilities 0.9, 0.8 and "
               "0.5. What is the mean negative log-likelihood, in nats?",
        hints=["The negative log-likelihood of one sample is -ln p(true label).",
               "-(ln 0.9 + ln 0.8 + ln 0.5) / ___"],
        solution_code="answer = float(-np.mean(np.log([0.9, 0.8, 0.5])))",
        expected=float(-np.mean(np.log(_PROBS))),
        mistakes=[
            Mistake("sum_for_mean", "that is the sum; the question asks for the mean",
                    value=float(-np.sum(np.log(_PROBS)))),
            Mistake("likelihood_for_nll", "that is the likelihood itself, not its negative "
                    "log", value=float(np.prod(_PROBS))),
            Mistake("wrong_log_base", "that is in bits; the question asks for nats",
                    value=float(-np.mean(np.log2(_PROBS)))),
            Mistake("sign_flipped", "that is the mean log-likelihood; its negative is the "
                    "loss, positive", value=float(np.mean(np.log(_PROBS)))),
        ],
    ),
    ValueQuestion(
        id="07.q4",
        prompt="The true label is 1 and the model's logit is z = -2. What is the slope ∂ℓ/∂z "
               "of the binary cross-entropy ℓ (nats) by the logit?",
        hints=["For sigmoid + cross-entropy the slope of the loss by the logit is "
               "prediction minus label.", "sigmoid(___) - ___"],
        solution_code="answer = float(xl.sigmoid(-2.0) - 1)",
        expected=float(xl.sigmoid(-2.0) - 1),
        mistakes=[
            Mistake("sign_flipped", "the sign: the loss falls as the logit rises, so the "
                    "slope is negative", value=float(1 - xl.sigmoid(-2.0))),
            Mistake("probability_for_gradient", "that is sigmoid(-2), the predicted "
                    "probability; the slope is sigmoid(z) - y",
                    value=float(xl.sigmoid(-2.0))),
            Mistake("sigmoid_of_minus_z", "that is sigmoid(2) - 1: the logit is -2, so the "
                    "prediction is sigmoid(-2)", value=float(xl.sigmoid(2.0) - 1)),
        ],
    ),
    ValueQuestion(
        id="07.q5",
        prompt="A character model that spreads its probability evenly over an alphabet of 27 "
               "characters: what is its perplexity?",
        hints=["Its cross-entropy is ln 27 nats.", "Perplexity is e to the cross-entropy: "
               "exp(___)"],
        solution_code="answer = float(np.exp(np.log(27)))",
        expected=27.0,
        close=0.0,
        mistakes=[
            Mistake("cross_entropy_for_perplexity", "that is the cross-entropy; perplexity is "
                    "e to that power", value=math.log(27)),
            Mistake("bits_for_perplexity", "that is the cross-entropy in bits",
                    value=math.log2(27)),
            Mistake("probability_for_perplexity", "that is the probability of each character; "
                    "perplexity is its inverse", value=1 / 27),
        ],
    ),
)
