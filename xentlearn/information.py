"""Information measures between discrete distributions: entropy, cross-entropy, KL divergence.

Distributions lie along ``axis`` (default the last) and must be probabilities
summing to 1; leading axes broadcast, so one ``p`` can be compared with a stack
of ``q``. Units are nats (natural log) by default, ``base=2`` gives bits.
``0 log 0`` is taken as 0, as in :func:`scipy.special.xlogy`.
"""

from __future__ import annotations

import heapq
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _validation as v

__all__ = ["entropy", "cross_entropy", "kl_divergence", "HuffmanMerge", "huffman_merges",
           "huffman_code_lengths"]


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x * log(y)`` with ``0 * log(y) = 0`` for every ``y`` (``0 log 0 = 0``)."""
    x, y = np.broadcast_arrays(x, y)
    out = np.zeros(x.shape, dtype=np.result_type(x, y))
    mask = x != 0
    with np.errstate(divide="ignore", under="ignore"):
        np.log(y, out=out, where=mask)
        out *= x  # a subnormal x times log(y) underflows: the term is negligible
    return out


def _rel_entr(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Elementwise ``p * log(p / q)``: 0 where ``p = 0``, inf where ``q = 0 < p``.

    ``log(p / q)`` is taken as ``log1p((p - q) / q)`` when ``p`` and ``q`` are close
    (``p - q`` is then exact), as ``log(p / q)`` when the ratio is a normal number,
    and as ``log(p) - log(q)`` when the ratio would overflow or underflow.
    """
    p, q = np.broadcast_arrays(p, q)
    dtype = np.result_type(p, q)
    out = np.zeros(p.shape, dtype=dtype)
    pos = p > 0
    pp, qq = p[pos], q[pos]
    with np.errstate(divide="ignore", over="ignore", under="ignore", invalid="ignore"):
        ratio = pp / qq
        log_ratio = np.log(ratio)
        near = np.abs(pp - qq) <= 0.5 * qq
        log_ratio[near] = np.log1p((pp[near] - qq[near]) / qq[near])
        tiny = np.finfo(dtype).tiny
        extreme = (qq > 0) & ~near & ((ratio < tiny) | ~np.isfinite(ratio))
        log_ratio[extreme] = np.log(pp[extreme]) - np.log(qq[extreme])
        out[pos] = pp * log_ratio
    return out


# f(d) = (1 + d) log1p(d) - d = sum_{n>=2} (-1)^n d^n / (n (n - 1)), as d^2 * poly(d)
_F_SERIES = np.array([(-1) ** k / ((k + 2) * (k + 1)) for k in range(16)][::-1])


def _f_near(d: np.ndarray) -> np.ndarray:
    """``(1 + d) log1p(d) - d`` without cancellation for small ``|d|`` (a series below 0.05)."""
    out = (1 + d) * np.log1p(d) - d
    small = np.abs(d) < 0.05
    if small.any():
        ds = d[small]
        out[small] = ds * ds * np.polyval(_F_SERIES.astype(d.dtype), ds)
    return out


def _kl(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``sum p log(p / q)`` along the last axis, accurate even when ``q`` is close to ``p``.

    Where ``|p - q| <= q / 2`` a term is split as ``p log(p/q) = q f(d) + (p - q)`` with
    ``d = (p - q) / q`` (``p - q`` is exact there): the ``q f(d)`` are non-negative and
    the differences are summed on their own, so nothing cancels between large terms.
    """
    p, q = np.broadcast_arrays(p, q)
    terms = _rel_entr(p, q)
    # Terms of subnormal size underflow; they are negligible, and not an error.
    with np.errstate(invalid="ignore", under="ignore"):
        diff = p - q
        near = (p > 0) & (np.abs(diff) <= 0.5 * q)
        if not near.any():
            return terms.sum(axis=-1)
        qn = q[near]
        terms[near] = qn * _f_near(diff[near] / qn)
        return terms.sum(axis=-1) + np.where(near, diff, 0).sum(axis=-1)


def _distribution(x, name: str, axis: int, dtype=None) -> np.ndarray:
    arr, tol = v.as_float_with_tol(x, name, dtype=dtype)
    arr = v.move_axis_last(arr, axis, name)
    v.check_probabilities(arr, name)
    v.check_rows_sum_to_one(arr, name, tol_dtype=tol)
    return arr


def _pair(p, q, axis: int) -> tuple[np.ndarray, np.ndarray]:
    dtype = v.float_dtype(v.as_array(p, "p"), v.as_array(q, "q"))
    pa = _distribution(p, "p", axis, dtype)
    qa = _distribution(q, "q", axis, dtype)
    v.broadcast_shapes(pa, qa, "p", "q")
    return pa, qa


def in_base(nats: np.ndarray, ln_b: float | None) -> np.ndarray:
    """Convert nats to the unit whose log-base is ``ln_b`` (``None`` keeps nats)."""
    if ln_b is None:
        return nats
    with np.errstate(under="ignore"):  # a subnormal number of nats stays negligible
        return nats / nats.dtype.type(ln_b)


def entropy(p: ArrayLike, *, base: float | None = None, axis: int = -1) -> np.ndarray:
    r"""Shannon entropy :math:`H(p) = -\sum_k p_k \log p_k`.

    The average surprise :math:`-\log p_k` of an outcome drawn from ``p``; the
    fewest nats (bits with ``base=2``) per symbol any code for ``p`` can average.

    Parameters
    ----------
    p : array_like, shape (..., K, ...)
        Probabilities in [0, 1] summing to 1 along ``axis``. Zeros are allowed
        (``0 log 0 = 0``). Counts must be normalised first: ``p / p.sum()``.
    base : float, optional
        Logarithm base; ``None`` (default) gives nats, 2 gives bits.
    axis : int
        The axis of outcomes.

    Returns
    -------
    ndarray
        ``p``'s shape without ``axis``; in nats (bits with ``base=2``), between 0 and
        :math:`\log K`.

    Examples
    --------
    >>> round(float(entropy([0.5, 0.5], base=2)), 12)  # a fair coin: 1 bit, to rounding
    1.0
    >>> round(float(entropy([26 / 30, 4 / 30], base=2)), 3)
    0.567
    """
    ln_b = v.log_base(base)
    pa = _distribution(p, "p", axis)
    h = -_xlogy(pa, pa).sum(axis=-1)
    h = np.maximum(h, 0)  # -0.0 -> 0.0 for a certain outcome
    return in_base(h, ln_b)


def cross_entropy(p: ArrayLike, q: ArrayLike, *, base: float | None = None,
                  axis: int = -1) -> np.ndarray:
    r"""Cross-entropy :math:`H(p, q) = -\sum_k p_k \log q_k` between two distributions.

    The average cost of coding outcomes drawn from ``p`` with the code that is
    optimal for ``q``. By Gibbs' inequality :math:`H(p, q) \ge H(p)`, with equality
    only at ``q = p``; the excess is :func:`kl_divergence`. It is infinite where
    ``q`` gives probability 0 to an outcome ``p`` can produce.

    Parameters
    ----------
    p : array_like, shape (..., K)
        The true (target) distribution along ``axis``.
    q : array_like, shape (..., K)
        The model's distribution; broadcasts against ``p`` over leading axes.
    base : float, optional
        ``None`` for nats, 2 for bits.
    axis : int
        The axis of outcomes in both.

    Returns
    -------
    ndarray
        The broadcast shape without ``axis``; in nats (bits with ``base=2``), at least
        :math:`H(p)`.

    See Also
    --------
    categorical_cross_entropy : the same quantity as a loss, with reductions and logits.

    Examples
    --------
    >>> car = [1, 0, 0, 0]                       # car, bike, plane, boat
    >>> round(float(cross_entropy(car, [0.775, 0.116, 0.039, 0.070], base=2)), 4)
    0.3677
    >>> round(float(cross_entropy([0.5, 0.5], [0.9, 0.1])), 4)  # nats
    1.204
    >>> float(cross_entropy([0.5, 0.5], [1.0, 0.0]))
    inf
    """
    ln_b = v.log_base(base)
    pa, qa = _pair(p, q, axis)
    h = -_xlogy(pa, qa).sum(axis=-1)
    h = np.maximum(h, 0)
    return in_base(h, ln_b)


def kl_divergence(p: ArrayLike, q: ArrayLike, *, base: float | None = None,
                  axis: int = -1) -> np.ndarray:
    r"""Kullback-Leibler divergence :math:`D_{KL}(p \| q) = \sum_k p_k \log(p_k / q_k)`.

    Equal to :math:`H(p, q) - H(p)`: the extra cost of coding ``p`` with ``q``'s code.
    Non-negative, zero only when ``p = q``, not symmetric, and ``inf`` where
    ``q_k = 0 < p_k``. Computed term by term (not as the difference of two
    entropies), so it stays accurate when ``q`` is close to ``p``.

    Parameters
    ----------
    p, q : array_like, shape (..., K)
        Distributions along ``axis``; they broadcast over leading axes.
    base : float, optional
        ``None`` for nats, 2 for bits.
    axis : int
        The axis of outcomes.

    Returns
    -------
    ndarray
        The broadcast shape without ``axis``; in nats (bits with ``base=2``), at least 0.

    Examples
    --------
    >>> round(float(kl_divergence([0.5, 0.5], [0.9, 0.1], base=2)), 4)
    0.737
    >>> round(float(kl_divergence([0.9, 0.1], [0.5, 0.5], base=2)), 4)  # not symmetric
    0.531
    >>> round(float(kl_divergence([0.5, 0.5], [0.9, 0.1])), 4)  # nats: 0.737 * ln 2
    0.5108
    """
    ln_b = v.log_base(base)
    pa, qa = _pair(p, q, axis)
    d = _kl(pa, qa)
    d = np.maximum(d, 0)  # rounding can leave -1e-17 when q == p up to the last bit
    return in_base(d, ln_b)


class HuffmanMerge(NamedTuple):
    r"""One step of Huffman's method: two groups of outcomes joined into one.

    The new group's probability is
    :math:`p_\mathrm{merged} = p_\mathrm{first} + p_\mathrm{second}` (no unit).

    Attributes
    ----------
    first, second : tuple of int
        The outcomes (indices into ``p``, in increasing order) of the two least likely
        groups; ``first`` is the less (or equally) likely one. Their code words get one more leading
        bit: 0 for ``first``, 1 for ``second``.
    p_first, p_second : float
        The two groups' probabilities.
    p_merged : float
        The new group's probability, ``p_first + p_second``.

    Examples
    --------
    >>> huffman_merges([0.5, 0.25, 0.25])[0]
    HuffmanMerge(first=(1,), second=(2,), p_first=0.25, p_second=0.25, p_merged=0.5)
    """

    first: tuple[int, ...]
    second: tuple[int, ...]
    p_first: float
    p_second: float
    p_merged: float


def huffman_merges(p: ArrayLike) -> list[HuffmanMerge]:
    r"""The merge steps of Huffman's method for a binary code for ``p``.

    Start with one group per outcome. Repeatedly take the two least likely groups and
    join them into one whose probability is their sum,
    :math:`p_\mathrm{merged} = p_\mathrm{first} + p_\mathrm{second}`, until one group is
    left. Each time a group takes part in a merge, the code words of its outcomes grow by
    one bit, so an outcome's code length is the number of merges it takes part in
    (:func:`huffman_code_lengths`).

    Ties are broken in a fixed order: single outcomes before merged groups, outcomes by
    index, merged groups by the step that formed them. Any choice among tied groups
    gives a code of the same, shortest, average length.

    Parameters
    ----------
    p : array_like, shape (K,)
        One distribution, ``K >= 1``.

    Returns
    -------
    list of HuffmanMerge
        ``K - 1`` steps in the order they are made; none for a single outcome.

    Examples
    --------
    >>> for step in huffman_merges([0.35, 0.25, 0.2, 0.12, 0.08]):
    ...     print(step.first, step.second, round(step.p_merged, 2))
    (4,) (3,) 0.2
    (2,) (3, 4) 0.4
    (1,) (0,) 0.6
    (2, 3, 4) (0, 1) 1.0
    """
    pa = _distribution(p, "p", -1)
    v.check_one_distribution(pa, "p")
    # heap of (probability, tie-break, member outcomes)
    heap = [(float(pk), k, (k,)) for k, pk in enumerate(pa)]
    heapq.heapify(heap)
    steps: list[HuffmanMerge] = []
    counter = pa.size
    while len(heap) > 1:
        p1, _, m1 = heapq.heappop(heap)
        p2, _, m2 = heapq.heappop(heap)
        steps.append(HuffmanMerge(m1, m2, p1, p2, p1 + p2))
        heapq.heappush(heap, (p1 + p2, counter, tuple(sorted(m1 + m2))))
        counter += 1
    return steps


def huffman_code_lengths(p: ArrayLike) -> np.ndarray:
    r"""Code word lengths, in bits, of a binary Huffman code for the distribution ``p``.

    Huffman's code has the shortest average length :math:`\bar n = \sum_k p_k n_k`
    among prefix codes, and :math:`H_2(p) \le \bar n < H_2(p) + 1` when every :math:`p_k > 0`
    (the bound for symbol codes, one code word per outcome): entropy is the average length of
    the best such code to within one bit. Coding long blocks of outcomes brings the bits per
    outcome as close to :math:`H_2(p)` as one likes (Shannon's source coding theorem).
    Each length counts the merges of :func:`huffman_merges` that the outcome takes part in.

    Parameters
    ----------
    p : array_like, shape (K,)
        One distribution, ``K >= 1``. An outcome of probability 0 still gets a code word.

    Returns
    -------
    ndarray of int, shape (K,)
        :math:`n_k`; a single outcome gets length 0 (nothing needs sending).

    Examples
    --------
    >>> huffman_code_lengths([0.35, 0.25, 0.2, 0.12, 0.08]).tolist()
    [2, 2, 2, 3, 3]
    """
    steps = huffman_merges(p)
    lengths = np.zeros(len(steps) + 1, dtype=np.int64)
    for step in steps:
        lengths[list(step.first + step.second)] += 1
    return lengths
