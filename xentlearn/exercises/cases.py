"""Hidden cases shared by several questions: seeded, and covering all that each prompt allows.

A prompt that says "a 1-D distribution" allows any length and any float dtype,
so the cases include long inputs and float32; one that says "arrays of the same
shape" includes 2-D and 3-D inputs and integer labels. Every function takes the
question's seeded generator and returns a list of :class:`~xentlearn.exercises.Case`.
"""

from __future__ import annotations

import numpy as np

from .checker import Case

__all__ = ["dirichlet", "distributions", "pairs", "binary", "binary_logits", "logit_matrices",
           "FLOAT32"]

#: Tolerance of a float32 case: float32 keeps about 7 significant figures.
FLOAT32 = {"rtol": 1e-5, "atol": 1e-6}

#: Length of the long cases: answers that only work for short inputs fail there.
LONG = 20_000


def dirichlet(rng: np.random.Generator, k: int, zeros: int = 0, dtype=np.float64) -> np.ndarray:
    """A random distribution over ``k`` outcomes with ``zeros`` of them exactly 0.

    Examples
    --------
    >>> p = dirichlet(np.random.default_rng(0), 5, zeros=2)
    >>> int((p == 0).sum()), bool(np.isclose(p.sum(), 1))
    (2, True)
    """
    p = rng.dirichlet(np.ones(k))
    if zeros:
        p[rng.choice(k, size=zeros, replace=False)] = 0.0
        p /= p.sum()
    p = p.astype(dtype)
    return p / p.sum(dtype=dtype)


def distributions(rng: np.random.Generator) -> list[Case]:
    """One 1-D distribution per case: lengths 2 to 20,000, zeros, a certain outcome, float32.

    Examples
    --------
    >>> [c.label for c in distributions(np.random.default_rng(0))][-2:]
    ['hidden, 20000 outcomes, 200 of them 0', 'hidden, 10000 outcomes, float32']
    """
    cases = [Case((dirichlet(rng, k),), f"hidden, {k} outcomes") for k in (2, 3, 5, 8, 20)]
    cases.append(Case((dirichlet(rng, 6, zeros=2),), "hidden, with zero probabilities"))
    cases.append(Case((np.array([0.0, 1.0, 0.0]),), "hidden, a certain outcome"))
    cases.append(Case((dirichlet(rng, 7, dtype=np.float32),), "hidden, float32", **FLOAT32))
    cases.append(Case((dirichlet(rng, LONG, zeros=LONG // 100),),
                      f"hidden, {LONG} outcomes, {LONG // 100} of them 0"))
    cases.append(Case((dirichlet(rng, 10_000, dtype=np.float32),),
                      "hidden, 10000 outcomes, float32", **FLOAT32))
    return cases


def pairs(rng: np.random.Generator) -> list[Case]:
    """Two 1-D distributions p and q per case: zeros in p, in q, in both; long; float32.

    Examples
    --------
    >>> len(pairs(np.random.default_rng(0)))
    10
    """
    cases = [Case((dirichlet(rng, k), dirichlet(rng, k)), f"hidden, {k} outcomes")
             for k in (2, 4, 10)]
    cases.append(Case((dirichlet(rng, 5, zeros=2), dirichlet(rng, 5)), "hidden, p has zeros"))
    cases.append(Case((np.array([0.5, 0.5, 0.0]), np.array([0.25, 0.25, 0.5])),
                      "hidden, p has a zero where q does not"))
    cases.append(Case((np.array([0.5, 0.5]), np.array([1.0, 0.0])), "hidden, q = 0 where p > 0"))
    cases.append(Case((np.array([0.5, 0.5, 0.0]), np.array([0.5, 0.5, 0.0])),
                      "hidden, p = q = 0 for one outcome"))
    cases.append(Case((dirichlet(rng, 6, dtype=np.float32), dirichlet(rng, 6, dtype=np.float32)),
                      "hidden, float32", **FLOAT32))
    cases.append(Case((dirichlet(rng, LONG, zeros=LONG // 100), dirichlet(rng, LONG)),
                      f"hidden, {LONG} outcomes, some p = 0"))
    cases.append(Case((dirichlet(rng, 10_000, zeros=100, dtype=np.float32),
                       dirichlet(rng, 10_000, dtype=np.float32)),
                      "hidden, 10000 outcomes, float32", **FLOAT32))
    return cases


def binary(rng: np.random.Generator) -> list[Case]:
    """Labels y (0 or 1) and probabilities p of the same shape: 1-D to 3-D, int labels, float32,
    and p = 1e-300 and 0 on the true label (a loss that clips fails there).

    Examples
    --------
    >>> [c.args[1].shape for c in binary(np.random.default_rng(0))][-4:]
    [(20000,), (6,), (1,), (2,)]
    """
    cases = []
    for n in (1, 5, 50):
        y = rng.integers(0, 2, n).astype(float)
        cases.append(Case((y, rng.uniform(0.01, 0.99, n)), f"hidden, {n} samples"))
    cases.append(Case((np.array([1.0, 0.0]), np.array([1.0, 0.0])), "hidden, perfect predictions"))
    cases.append(Case((np.array([1.0, 0.0, 1.0]), np.array([0.999999, 1e-6, 0.5])),
                      "hidden, confident predictions"))
    y2 = rng.integers(0, 2, (4, 3)).astype(float)
    cases.append(Case((y2, rng.uniform(0.05, 0.95, (4, 3))), "hidden, 2-D (multi-label)"))
    cases.append(Case((rng.integers(0, 2, (2, 3, 4)), rng.uniform(0.05, 0.95, (2, 3, 4))),
                      "hidden, 3-D, integer labels"))
    cases.append(Case((rng.integers(0, 2, LONG).astype(float), rng.uniform(0.01, 0.99, LONG)),
                      f"hidden, {LONG} samples"))
    cases.append(Case((rng.integers(0, 2, 6),
                       rng.uniform(0.05, 0.95, 6).astype(np.float32)),
                      "hidden, float32 probabilities, integer labels", **FLOAT32))
    # where clipping shows: the answer is 690.8 and inf, a clip at 1e-15 gives 34.5
    cases.append(Case((np.array([1.0]), np.array([1e-300])), "hidden, p = 1e-300 on the true "
                      "label"))
    cases.append(Case((np.array([1.0, 0.0]), np.array([0.0, 0.5])), "hidden, p = 0 on the true "
                      "label"))
    return cases


def binary_logits(rng: np.random.Generator) -> list[Case]:
    """Labels and logits of the same shape, from small to +-1000, 1-D and 2-D.

    Examples
    --------
    >>> [c.args[1].ndim for c in binary_logits(np.random.default_rng(0))]
    [1, 1, 1, 1, 1, 2, 2]
    """
    cases = []
    for n, scale in ((4, 1.0), (20, 5.0), (10, 30.0)):
        cases.append(Case((rng.integers(0, 2, n).astype(float), rng.normal(0, scale, n)),
                          f"hidden, {n} logits of size ~{scale:g}"))
    cases.append(Case((np.array([0.0, 1.0, 1.0, 0.0]), np.array([1000.0, -1000.0, 1000.0, -800.0])),
                      "hidden, logits +-1000 (overflow test)"))
    cases.append(Case((np.array([1.0, 0.0]), np.array([40.0, -40.0])), "hidden, logits +-40"))
    cases.append(Case((rng.integers(0, 2, (3, 4)).astype(float), rng.normal(0, 5, (3, 4))),
                      "hidden, 2-D, 3x4 logits"))
    cases.append(Case((np.array([[1, 0], [0, 1]]), np.array([[-1000.0, 3.0], [1000.0, -2.0]])),
                      "hidden, 2-D, integer labels, logits +-1000"))
    return cases


def logit_matrices(rng: np.random.Generator, with_labels: bool) -> list[Case]:
    """Targets (integer labels or one-hot rows) and N x K logits, up to +-1000, rows far apart.

    Examples
    --------
    >>> [c.args[1].shape for c in logit_matrices(np.random.default_rng(0), True)]
    [(3, 4), (10, 5), (6, 10), (2, 3), (2, 3)]
    """
    cases = []
    for n, k, scale in ((3, 4, 1.0), (10, 5, 4.0), (6, 10, 20.0)):
        z = rng.normal(0, scale, (n, k))
        y = rng.integers(0, k, n)
        cases.append(Case((y if with_labels else np.eye(k)[y], z), f"hidden, {n}x{k} logits"))
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0]])
    y = np.array([1, 2])
    cases.append(Case((y if with_labels else np.eye(3)[y], z),
                      "hidden, logits 1000 (overflow test)"))
    # a row far below the array's maximum: shifting by the whole array's maximum fails here
    z = np.array([[1000.0, 999.0, 0.0], [-1000.0, -1001.0, -1002.0]])
    y = np.array([0, 1])
    cases.append(Case((y if with_labels else np.eye(3)[y], z),
                      "hidden, one row of logits 1000, one of -1000"))
    return cases
