"""entropy, cross_entropy and kl_divergence."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats as stats
from helpers import (
    SHAPES,
    assert_close_to_mp,
    distributions,
    fp_errors_raise,
    mp,
    mpf,
    random_distribution,
    seeds,
    shapes,
)
from hypothesis import given
from hypothesis import strategies as st

import xentlearn as xl

RTOL = 1e-12


def ref_cross_entropy(p, q, axis=-1):
    return -sp.xlogy(p, q).sum(axis=axis)


def mp_entropy(p):
    return -mp.fsum(mpf(x) * mp.log(mpf(x)) for x in p if x > 0)


def mp_cross_entropy(p, q):
    return -mp.fsum(mpf(x) * mp.log(mpf(y)) for x, y in zip(p, q, strict=True) if x > 0)


def mp_kl(p, q):
    return mp.fsum(mpf(x) * mp.log(mpf(x) / mpf(y)) for x, y in zip(p, q, strict=True) if x > 0)


# --- the course's worked examples ------------------------------------------------------------


def test_fair_coin_is_one_bit():
    assert xl.entropy([0.5, 0.5], base=2) == 1.0
    assert xl.entropy([0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-15)


@pytest.mark.parametrize(("cubes", "spheres", "bits"), [(26, 4, 0.567), (14, 16, 0.997),
                                                        (0, 30, 0.0), (30, 0, 0.0)])
def test_containers_of_thirty_objects(cubes, spheres, bits):
    counts = np.array([cubes, spheres])
    h = xl.entropy(counts / 30, base=2)
    assert round(float(h), 3) == bits
    assert h >= 0


def test_certain_outcome_has_zero_entropy_exactly():
    assert xl.entropy([0.0, 1.0, 0.0]) == 0.0
    assert xl.entropy([0, 0, 1], base=2) == 0.0


def test_zero_log_zero_is_zero():
    # 0 log 0 = 0 in every measure; and 0 log q = 0 even where q = 0.
    assert xl.cross_entropy([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert xl.kl_divergence([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert xl.kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-15)
    assert xl.cross_entropy([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == pytest.approx(math.log(2),
                                                                              rel=1e-15)
    assert not np.isnan(xl.entropy([0.0, 0.25, 0.75]))


def test_zero_model_probability_gives_inf_not_nan():
    assert xl.cross_entropy([1.0, 0.0], [0.0, 1.0]) == math.inf
    assert xl.kl_divergence([1.0, 0.0], [0.0, 1.0]) == math.inf
    assert xl.kl_divergence([0.5, 0.5], [1.0, 0.0], base=2) == math.inf
    out = xl.cross_entropy([[0.5, 0.5], [1.0, 0.0]], [0.0, 1.0])
    np.testing.assert_array_equal(out, [math.inf, math.inf])


def test_probability_1e300_costs_690_nats():
    assert round(float(xl.cross_entropy([1.0, 0.0], [1e-300, 1.0])), 1) == 690.8
    assert xl.cross_entropy([1.0, 0.0], [1e-300, 1.0]) == pytest.approx(300 * math.log(10),
                                                                        rel=1e-15)


def test_kl_is_cross_entropy_minus_entropy(rng):
    p = random_distribution(rng, (50, 6))
    q = random_distribution(rng, (50, 6))
    np.testing.assert_allclose(xl.kl_divergence(p, q),
                               xl.cross_entropy(p, q) - xl.entropy(p), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(xl.kl_divergence(p, q, base=2),
                               xl.cross_entropy(p, q, base=2) - xl.entropy(p, base=2),
                               rtol=1e-10, atol=1e-14)


def test_car_example_in_bits():
    truth = [1, 0, 0, 0]
    q = [0.775, 0.116, 0.039, 0.070]
    assert round(float(xl.cross_entropy(truth, q, base=2)), 4) == 0.3677
    assert round(float(xl.cross_entropy(truth, q)), 4) == 0.2549
    assert round(float(xl.kl_divergence(truth, q, base=2)), 4) == 0.3677


# --- agreement with scipy ------------------------------------------------------------------------


def _shape_axis():
    for shape in SHAPES:
        for axis in range(-len(shape), len(shape)):
            yield shape, axis


@pytest.mark.parametrize(("shape", "axis"), list(_shape_axis()))
@pytest.mark.parametrize("base", [None, 2, 10, 0.5])
def test_entropy_and_kl_match_scipy(rng, shape, axis, base):
    moved = shape[:axis] + shape[axis + 1:] + (shape[axis],) if axis != -1 else shape
    p = np.moveaxis(random_distribution(rng, moved), -1, axis)
    q = np.moveaxis(random_distribution(rng, moved), -1, axis)
    np.testing.assert_allclose(xl.entropy(p, base=base, axis=axis),
                               stats.entropy(p, base=base, axis=axis), rtol=RTOL)
    np.testing.assert_allclose(xl.kl_divergence(p, q, base=base, axis=axis),
                               stats.entropy(p, q, base=base, axis=axis), rtol=RTOL)
    ln_b = 1.0 if base is None else math.log(base)
    np.testing.assert_allclose(xl.cross_entropy(p, q, base=base, axis=axis),
                               ref_cross_entropy(p, q, axis) / ln_b, rtol=RTOL)


@pytest.mark.parametrize("shape", SHAPES)
def test_kl_matches_rel_entr_with_zeros(rng, shape):
    p = random_distribution(rng, shape, concentration=0.3)
    q = random_distribution(rng, shape, concentration=0.3)
    p[..., 0] = 0.0
    p /= p.sum(axis=-1, keepdims=True)
    q[..., 1] = 0.0  # p > 0 there: KL and cross-entropy are infinite
    q /= q.sum(axis=-1, keepdims=True)
    kl = xl.kl_divergence(p, q)
    ref = sp.rel_entr(p, q).sum(axis=-1)
    assert not np.isnan(kl).any()
    np.testing.assert_allclose(kl, ref, rtol=RTOL)
    np.testing.assert_allclose(xl.cross_entropy(p, q), ref_cross_entropy(p, q), rtol=RTOL)
    np.testing.assert_allclose(xl.entropy(p), -sp.xlogy(p, p).sum(axis=-1), rtol=RTOL)


# --- mpmath at the extremes -----------------------------------------------------------------------

HARD_PAIRS = [
    pytest.param([1.0, 0.0], [1e-300, 1.0], id="q-1e-300"),
    pytest.param([1e-300, 1.0], [1.0, 1e-300], id="both-1e-300"),
    pytest.param([1e-300, 1.0], [0.5, 0.5], id="p-1e-300"),
    pytest.param([5e-324, 1.0], [0.25, 0.75], id="subnormal"),
    pytest.param([0.3, 0.7], [1e-200, 1.0], id="q-1e-200"),
    pytest.param([1e-20, 1 - 1e-20], [1e-10, 1 - 1e-10], id="small-ratios"),
]


@pytest.mark.parametrize(("p", "q"), HARD_PAIRS)
def test_against_mpmath_at_extremes(p, q):
    assert_close_to_mp(xl.entropy(p), mp_entropy(p))
    assert_close_to_mp(xl.cross_entropy(p, q), mp_cross_entropy(p, q))
    assert_close_to_mp(xl.kl_divergence(p, q), mp_kl(p, q))
    assert_close_to_mp(xl.kl_divergence(p, q, base=2), mp_kl(p, q) / mp.log(2))


def test_kl_of_close_distributions_is_accurate():
    # Term by term the result keeps many digits; the difference of two entropies of size
    # 0.69 would be off by ~1e-16 absolutely, i.e. by a factor of 1e4 here.
    p = np.array([0.5 + 1e-10, 0.5 - 1e-10])
    q = np.array([0.5, 0.5])
    exact = mp_kl(p, q)
    assert float(exact) == pytest.approx(2e-20, rel=1e-5)
    assert_close_to_mp(xl.kl_divergence(p, q), exact, rtol=1e-5)


# --- properties ----------------------------------------------------------------------------------


@st.composite
def pairs(draw, *, allow_zero=True):
    k = draw(st.integers(2, 8))
    return draw(distributions(k, allow_zero=allow_zero)), draw(distributions(k,
                                                                             allow_zero=allow_zero))


@given(pairs())
def test_gibbs_inequality(pq):
    p, q = pq
    h = xl.entropy(p)
    hpq = xl.cross_entropy(p, q)
    assert hpq >= h - 1e-12 * (1 + h)


@given(pairs())
def test_kl_is_non_negative_and_pinsker(pq):
    p, q = pq
    kl = xl.kl_divergence(p, q)
    assert kl >= 0
    # Pinsker: KL >= ||p - q||_1^2 / 2, which makes KL > 0 by a margin when p != q.
    l1 = np.abs(p - q).sum()
    assert kl >= 0.5 * l1**2 * (1 - 1e-9) - 1e-15


@given(distributions())
def test_kl_of_a_distribution_with_itself_is_zero(p):
    assert xl.kl_divergence(p, p) == pytest.approx(0.0, abs=1e-15)
    assert xl.cross_entropy(p, p) == pytest.approx(xl.entropy(p), rel=1e-12, abs=1e-15)


@given(pairs(allow_zero=False))
def test_kl_equals_cross_entropy_minus_entropy(pq):
    p, q = pq
    hpq = xl.cross_entropy(p, q)
    assert xl.kl_divergence(p, q) == pytest.approx(hpq - xl.entropy(p), rel=1e-9,
                                                   abs=1e-13 * (1 + hpq))


@given(distributions())
def test_entropy_bounds(p):
    h = xl.entropy(p)
    assert 0 <= h <= math.log(p.size) * (1 + 1e-12)


@given(pairs(), st.sampled_from([2, 10, 0.5, math.e, 7.5]))
def test_base_is_nats_divided_by_log_base(pq, base):
    p, q = pq
    ln_b = math.log(base)
    for fn, args in [(xl.entropy, (p,)), (xl.cross_entropy, (p, q)),
                     (xl.kl_divergence, (p, q))]:
        nats = fn(*args)
        np.testing.assert_allclose(fn(*args, base=base), nats / ln_b, rtol=2e-16)


# --- broadcasting and axes -------------------------------------------------------------------


@pytest.mark.parametrize("fn", [xl.cross_entropy, xl.kl_divergence])
def test_one_p_against_a_stack_of_q(rng, fn):
    p = random_distribution(rng, (5,))
    q = random_distribution(rng, (8, 5))
    out = fn(p, q)
    assert out.shape == (8,)
    np.testing.assert_allclose(out, [fn(p, row) for row in q], rtol=1e-15)
    out_rev = fn(q, p)
    assert out_rev.shape == (8,)
    np.testing.assert_allclose(out_rev, [fn(row, p) for row in q], rtol=1e-15)


@pytest.mark.parametrize("fn", [xl.cross_entropy, xl.kl_divergence])
def test_leading_axes_broadcast(rng, fn):
    p = random_distribution(rng, (3, 1, 4))
    q = random_distribution(rng, (1, 5, 4))
    out = fn(p, q)
    assert out.shape == (3, 5)
    for i in range(3):
        for j in range(5):
            assert out[i, j] == pytest.approx(float(fn(p[i, 0], q[0, j])), rel=1e-15)


@given(seeds, shapes(max_lead_dims=2))
def test_axis_zero_equals_transposed(seed, shape):
    rng = np.random.default_rng(seed)
    p = random_distribution(rng, shape)
    q = random_distribution(rng, shape)
    pt, qt = np.moveaxis(p, -1, 0), np.moveaxis(q, -1, 0)
    np.testing.assert_allclose(xl.entropy(pt, axis=0), xl.entropy(p), rtol=1e-15)
    np.testing.assert_allclose(xl.cross_entropy(pt, qt, axis=0), xl.cross_entropy(p, q),
                               rtol=1e-15)
    np.testing.assert_allclose(xl.kl_divergence(pt, qt, axis=0), xl.kl_divergence(p, q),
                               rtol=1e-15)


def test_middle_axis(rng):
    p = random_distribution(rng, (2, 3, 4))
    q = random_distribution(rng, (2, 3, 4))
    pm, qm = np.moveaxis(p, -1, 1), np.moveaxis(q, -1, 1)  # shape (2, 4, 3)
    out = xl.kl_divergence(pm, qm, axis=1)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out, xl.kl_divergence(p, q), rtol=1e-15)


# --- dtypes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [xl.cross_entropy, xl.kl_divergence])
def test_float32_pair(rng, fn):
    p = random_distribution(rng, (10, 6), floor=1e-3)
    q = random_distribution(rng, (10, 6), floor=1e-3)
    p32, q32 = p.astype(np.float32), q.astype(np.float32)
    out = fn(p32, q32)
    assert out.dtype == np.float32
    assert fn(p32, q32, base=2).dtype == np.float32
    np.testing.assert_allclose(out, fn(p, q), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn", [xl.cross_entropy, xl.kl_divergence])
def test_mixed_precision_promotes_to_float64(rng, fn):
    # A distribution normalised in float32 sums to 1 only to float32 precision; paired with
    # a float64 one it is still a valid distribution (entropy(p32) accepts it).
    p = random_distribution(rng, (10, 6), floor=1e-3)
    q = random_distribution(rng, (10, 6), floor=1e-3)
    p32, q32 = p.astype(np.float32), q.astype(np.float32)
    p32 /= p32.sum(axis=-1, keepdims=True)
    q32 /= q32.sum(axis=-1, keepdims=True)
    xl.entropy(p32)  # accepted on its own
    out = fn(p32, q)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, fn(p, q), rtol=1e-5, atol=1e-6)
    assert fn(p, q32).dtype == np.float64


def test_float32_entropy(rng):
    p = random_distribution(rng, (10, 6))
    p32 = p.astype(np.float32)
    out = xl.entropy(p32)
    assert out.dtype == np.float32
    assert xl.entropy(p32, base=2).dtype == np.float32
    np.testing.assert_allclose(out, xl.entropy(p), rtol=1e-5, atol=1e-6)


def test_lists_and_ints_give_float64():
    assert xl.entropy([0.5, 0.5]).dtype == np.float64
    assert xl.entropy(np.array([0, 1], dtype=np.int32)).dtype == np.float64
    assert xl.cross_entropy([1, 0], [0.5, 0.5]).dtype == np.float64
    assert xl.kl_divergence(np.array([1, 0]), np.array([0.25, 0.75], dtype=np.float16)).dtype \
        == np.float64


# --- Huffman's code --------------------------------------------------------------------------


def test_huffman_merges_of_the_five_letter_alphabet():
    steps = xl.information.huffman_merges([0.35, 0.25, 0.2, 0.12, 0.08])
    assert [(s.first, s.second) for s in steps] == [((4,), (3,)), ((2,), (3, 4)), ((1,), (0,)),
                                                    ((2, 3, 4), (0, 1))]
    np.testing.assert_allclose([(s.p_first, s.p_second, s.p_merged) for s in steps],
                               [(0.08, 0.12, 0.2), (0.2, 0.2, 0.4), (0.25, 0.35, 0.6),
                                (0.4, 0.6, 1.0)])


@pytest.mark.parametrize(("p", "lengths"), [([0.35, 0.25, 0.2, 0.12, 0.08], [2, 2, 2, 3, 3]),
                                            ([0.5, 0.25, 0.125, 0.125], [1, 2, 3, 3]),
                                            ([0.125, 0.125, 0.25, 0.5], [3, 3, 2, 1]),
                                            ([0.25] * 4, [2, 2, 2, 2]),
                                            ([0.5, 0.5, 0.0], [2, 1, 2]),
                                            ([1.0], [0])])
def test_huffman_code_lengths_of_the_course_examples(p, lengths):
    assert xl.information.huffman_code_lengths(p).tolist() == lengths


def test_huffman_refuses_more_than_one_distribution():
    with pytest.raises(xl.InvalidInputError, match="one distribution"):
        xl.information.huffman_merges([[0.5, 0.5], [0.5, 0.5]])
    assert xl.information.huffman_merges([1.0]) == []


@given(distributions())
def test_huffman_merges_the_two_least_likely_groups_each_time(p):
    steps = xl.information.huffman_merges(p)
    assert len(steps) == p.size - 1
    groups = {(k,): float(pk) for k, pk in enumerate(p)}
    for step in steps:
        assert groups.pop(step.first) == step.p_first
        assert groups.pop(step.second) == step.p_second
        assert step.p_first <= step.p_second <= min(groups.values(), default=math.inf)
        assert step.p_merged == step.p_first + step.p_second
        groups[tuple(sorted(step.first + step.second))] = step.p_merged
    assert list(groups) == [tuple(range(p.size))]


@given(distributions(allow_zero=False))
def test_huffman_lengths_count_merges_satisfy_kraft_and_the_source_coding_theorem(p):
    lengths = xl.information.huffman_code_lengths(p)
    counts = np.zeros(p.size, dtype=int)
    for step in xl.information.huffman_merges(p):
        counts[list(step.first + step.second)] += 1
    np.testing.assert_array_equal(lengths, counts)
    assert np.sum(2.0 ** -lengths) == 1.0  # Kraft: a complete prefix code
    h = float(xl.entropy(p, base=2))
    avg = float(np.sum(p * lengths))
    assert h <= avg + 1e-12 and avg < h + 1


# --- floating-point errors raised by the caller ---------------------------------------------------




TINY = 1e-310  # subnormal
UNDERFLOWING = [
    (xl.kl_divergence, ([0.5, 0.5], [1 - TINY, TINY]), {}),
    (xl.kl_divergence, ([TINY, 1 - TINY], [0.5, 0.5]), {}),
    (xl.kl_divergence, ([TINY, 1 - TINY], [2 * TINY, 1 - 2 * TINY]), {"base": 2}),
    (xl.kl_divergence, ([0.5, 0.5], [1.0, 0.0]), {}),                       # inf
    (xl.entropy, ([TINY, 1 - TINY],), {"base": 2}),
    (xl.entropy, ([[TINY, 0.0], [1 - TINY, 1.0]],), {"axis": 0}),
    (xl.cross_entropy, ([TINY, 1 - TINY], [0.5, 0.5]), {"base": 10}),
    (xl.cross_entropy, ([0.5, 0.5], [1 - TINY, TINY]), {}),
    (xl.cross_entropy, ([0.5, 0.5], [1.0, 0.0]), {}),                       # inf
    (xl.information.huffman_code_lengths, ([TINY, 1 - TINY],), {}),
]


@pytest.mark.parametrize("how", ["errstate", "seterr"])
@pytest.mark.parametrize(("fn", "args", "kw"), UNDERFLOWING)
def test_benign_underflow_does_not_raise_for_the_caller(how, fn, args, kw):
    expected = fn(*args, **kw)
    with fp_errors_raise(how):
        with pytest.raises(FloatingPointError):  # the caller's setting is in force
            np.float64(TINY) * 0.5
        out = fn(*args, **kw)
    np.testing.assert_array_equal(out, expected)
    assert np.geterr()["under"] != "raise"


def test_kl_with_a_subnormal_model_probability_against_mpmath():
    with np.errstate(all="raise"):
        d = float(xl.kl_divergence([0.5, 0.5], [1 - TINY, TINY]))
    p, q = [mpf(0.5), mpf(0.5)], [mpf(1 - TINY), mpf(TINY)]  # 1 - TINY is 1.0
    assert_close_to_mp(d, mp_kl(p, q), RTOL)


# --- the precision the caller's probabilities arrived in ------------------------------------------


P16 = np.array([0.1, 0.2, 0.7], dtype=np.float16)  # sums to 1.00012 after rounding to float16


def test_float16_probabilities_are_judged_by_float16s_tolerance():
    exact = -np.sum(P16.astype(np.float64) * np.log(P16.astype(np.float64)))
    assert float(xl.entropy(P16)) == pytest.approx(exact, rel=1e-15)
    assert xl.entropy(P16).dtype == np.float64
    q = np.array([0.2, 0.2, 0.6])
    assert float(xl.cross_entropy(P16, q)) == pytest.approx(
        -np.sum(P16.astype(np.float64) * np.log(q)), rel=1e-15)
    assert float(xl.kl_divergence(q, P16)) >= 0
    assert xl.information.huffman_code_lengths(P16).tolist() == [2, 2, 1]


def test_float16_tolerance_is_float16s_and_no_looser():
    with pytest.raises(xl.InvalidInputError, match=r"^p must sum to 1.*tolerance 3\.1e-02"):
        xl.entropy(np.array([0.5, 0.6], dtype=np.float16))
    # float64 probabilities are still held to float64's tolerance next to a float16 one
    with pytest.raises(xl.InvalidInputError, match=r"^q must sum to 1.*tolerance 1\.5e-08"):
        xl.kl_divergence(P16, P16.astype(np.float64))
