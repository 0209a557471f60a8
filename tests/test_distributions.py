"""Grid distributions and the forward/reverse KL fit."""

from __future__ import annotations

import numpy as np
import pytest

import xentlearn as xl
from xentlearn.distributions import discretized_gaussian, fit_gaussian_kl, gaussian_mixture


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
