"""Grid distributions and the forward/reverse KL fit."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import fp_errors_raise

import xentlearn as xl
from xentlearn.distributions import (
    _first_min,
    discretized_gaussian,
    fit_gaussian_kl,
    gaussian_mixture,
)


def test_discretized_gaussian_is_a_distribution_centred_on_its_mean():
    grid = np.linspace(-5, 5, 101)
    q = discretized_gaussian(grid, 1.0, 0.7)
    assert q.sum() == pytest.approx(1.0)
    assert grid[np.argmax(q)] == pytest.approx(1.0)
    assert (grid * q).sum() == pytest.approx(1.0, abs=1e-6)
    assert np.sqrt(((grid - 1) ** 2 * q).sum()) == pytest.approx(0.7, rel=1e-3)


def test_gaussian_mixture_weights():
    grid = np.linspace(-6, 6, 241)
    p = gaussian_mixture(grid, [-2, 2], [0.5, 0.5], weights=[3, 1])
    assert p.sum() == pytest.approx(1.0)
    assert p[grid < 0].sum() == pytest.approx(0.75, abs=1e-4)


@pytest.mark.parametrize("bad", [dict(std=0.0), dict(std=-1.0), dict(mean=np.nan)])
def test_discretized_gaussian_rejects_bad_parameters(bad):
    args = dict(mean=0.0, std=1.0) | bad
    with pytest.raises(xl.InvalidInputError, match="std|mean"):
        discretized_gaussian(np.linspace(-1, 1, 5), **args)


def test_mixture_rejects_mismatched_parameters():
    with pytest.raises(xl.InvalidInputError, match="shape"):
        gaussian_mixture(np.linspace(-1, 1, 5), [0, 1], [1])
    with pytest.raises(xl.InvalidInputError, match="weights"):
        gaussian_mixture(np.linspace(-1, 1, 5), [0, 1], [1, 1], weights=[-1, 2])
    with pytest.raises(xl.InvalidInputError, match=r"^means must be 1-D"):
        gaussian_mixture(np.linspace(-1, 1, 5), [[0, 1]], [[1, 1]])


def test_fit_surfaces_are_the_kl_divergences():
    grid = np.linspace(-6, 6, 61)
    p = gaussian_mixture(grid, [-3, 3], [0.6, 0.6])
    means, stds = np.array([-3.0, 0.0, 3.0]), np.array([0.6, 3.0])
    fit = fit_gaussian_kl(p, grid, means, stds)
    for i, m in enumerate(means):
        for j, s in enumerate(stds):
            q = discretized_gaussian(grid, m, s)
            assert fit.forward[i, j] == pytest.approx(float(xl.kl_divergence(p, q)))
            assert fit.reverse[i, j] == pytest.approx(float(xl.kl_divergence(q, p)))
    assert fit.forward_best == (0.0, 3.0)
    assert fit.reverse_best[1] == 0.6 and abs(fit.reverse_best[0]) == 3.0



def test_mirror_image_minimisers_go_to_the_first_candidate_however_the_cpu_rounds():
    """A symmetric p has two best reverse fits whose divergences differ in the last bits only,
    one way or the other depending on the CPU's exp and log: the first candidate wins."""
    grid = np.linspace(-6, 6, 241)
    p = gaussian_mixture(grid, [-2, 2], [0.6, 0.6])
    means, stds = np.linspace(-6, 6, 61), np.linspace(0.2, 4.0, 39)
    fit = fit_gaussian_kl(p, grid, means, stds)
    i, j = np.flatnonzero(np.isclose(means, -2.0))[0], np.flatnonzero(np.isclose(stds, 0.6))[0]
    mirror = np.flatnonzero(np.isclose(means, 2.0))[0]
    assert fit.reverse[mirror, j] == pytest.approx(fit.reverse[i, j], rel=1e-12)
    assert fit.reverse_best == (means[i], stds[j])
    backwards = fit_gaussian_kl(p, grid, means[::-1], stds)
    assert backwards.reverse_best == (means[mirror], stds[j])
    # the tie tipped by a few ulps either way, and a real difference
    d = np.array([[1.0, 0.5], [0.5, 2.0]])
    for tip in (np.nextafter(0.5, 0.0), np.nextafter(0.5, 1.0), 0.5 * (1 - 1e-12)):
        d[1, 0] = tip
        assert _first_min(d) == (0, 1)
    d[1, 0] = 0.5 * (1 - 1e-6)
    assert _first_min(d) == (1, 0)
    assert _first_min(np.array([np.inf, np.inf])) == (0,)
    assert _first_min(np.array([1.0, np.nan, 0.5])) == (1,)

# --- floating-point errors raised by the caller, and far grids ------------------------------------




WIDE = np.linspace(-100, 100, 201)  # the tails underflow to 0


@pytest.mark.parametrize("how", ["errstate", "seterr"])
@pytest.mark.parametrize(("fn", "args"), [
    (discretized_gaussian, (WIDE, 0.0, 1.0)),
    (discretized_gaussian, (np.array([0.0, 1e-310, 1.0]), 0.0, 1e-300)),
    (gaussian_mixture, (WIDE, [-50.0, 50.0], [1.0, 0.5], [1e-300, 1.0])),
    (gaussian_mixture, (WIDE, [-50.0, 50.0], [1.0, 0.5], [1e-310, 1.0])),
    (lambda g, *a: fit_gaussian_kl(gaussian_mixture(g, [-2, 2], [0.6, 0.6]), g, *a),
     (WIDE, [-2.0, 0.0], [0.5, 3.0])),
])
def test_benign_underflow_does_not_raise_for_the_caller(how, fn, args):
    expected = fn(*args)
    with fp_errors_raise(how):
        with pytest.raises(FloatingPointError):  # the caller's setting is in force
            np.exp(np.float64(-1000.0))
        out = fn(*args)
    if isinstance(out, np.ndarray):
        np.testing.assert_array_equal(out, expected)
        assert out.sum() == pytest.approx(1.0)
    else:
        np.testing.assert_array_equal(out.forward, expected.forward)
        np.testing.assert_array_equal(out.reverse, expected.reverse)


def test_points_too_far_to_square_get_weight_zero():
    # (1e200 / 1)^2 overflows; the nearer point still takes all the mass
    np.testing.assert_array_equal(discretized_gaussian([2e200, 1e200], 0.0, 1.0), [0.0, 1.0])
    np.testing.assert_array_equal(discretized_gaussian([1e300, -1e300], 1e300, 1e-10), [1.0, 0.0])
    q = discretized_gaussian([-1e200, 0.0, 1.0, 1e200], 0.0, 1.0)
    np.testing.assert_allclose(q, [0.0, 1, np.exp(-0.5), 0.0] / (1 + np.exp(-0.5)), rtol=1e-15)


def test_a_grid_beyond_float_range_in_stds_is_refused():
    with pytest.raises(xl.InvalidInputError, match=r"std.*from the mean"):
        discretized_gaussian([1e300, 2e300], 0.0, 1e-10)


def test_mixture_weights_near_the_float_maximum():
    grid = np.linspace(-6, 6, 241)
    np.testing.assert_allclose(gaussian_mixture(grid, [-2, 2], [0.5, 0.5], [1e308, 1e308]),
                               gaussian_mixture(grid, [-2, 2], [0.5, 0.5]), rtol=1e-15)


def test_fit_takes_float16_p_and_checks_its_shape():
    grid = np.linspace(-3, 3, 7)
    p16 = discretized_gaussian(grid, 0.0, 1.0).astype(np.float16)
    assert abs(float(p16.astype(np.float64).sum()) - 1) > 1e-8  # float16 rounding
    fit = fit_gaussian_kl(p16, grid, [0.0, 1.0], [1.0])
    assert fit.forward_best == (0.0, 1.0)
    with pytest.raises(xl.InvalidInputError, match=r"^p has shape \(7,\) but grid has shape"):
        fit_gaussian_kl(p16, np.linspace(-3, 3, 8), [0.0], [1.0])
    with pytest.raises(xl.InvalidInputError, match=r"^p must be one distribution"):
        fit_gaussian_kl(np.tile(p16, (2, 1)), grid, [0.0], [1.0])
