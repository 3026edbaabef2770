"""Tabulated samplers: exact to interpolation error, with the right moments."""

import numpy as np
import pytest
from scipy import special, stats

from sim import sampling
from sim.rng import stream

K = 4.5


@pytest.mark.parametrize("a", [3.19, 1.03, 12.0])
def test_gamma_table_matches_the_exact_quantile_function(a):
    z = stream(1, 0, 0).uniform(-8.4, 8.4, 20_000)
    exact = np.where(z <= 0, special.gammaincinv(a, special.ndtr(z)),
                     special.gammainccinv(a, special.ndtr(-z)))  # fmt: skip
    approx = sampling.transform(sampling.gamma_table(a), z)
    assert np.max(np.abs(approx / exact - 1)) < 1e-6


def test_beta_table_matches_the_exact_quantile_function():
    a, b = 30.4, 0.94  # the execution rate: mean 0.97, s.d. 0.03
    z = stream(2, 0, 0).uniform(-8.4, 8.4, 20_000)
    exact = np.where(z <= 0, special.betaincinv(a, b, special.ndtr(z)),
                     1 - special.betaincinv(b, a, special.ndtr(-z)))  # fmt: skip
    approx = sampling.transform(sampling.beta_table(a, b), z)
    assert np.max(np.abs(approx - exact)) < 1e-6


def test_sampled_distributions_pass_moment_and_ks_checks():
    n = 200_000
    z = stream(3, 0, 0).standard_normal(n)
    g = sampling.transform(sampling.gamma_table(3.19), z)
    assert abs(g.mean() - 3.19) < K * np.sqrt(3.19 / n)
    ks = stats.kstest(g, stats.gamma(3.19).cdf)
    assert ks.statistic < 1.63 / np.sqrt(n)  # 1% critical value
    x = sampling.transform(sampling.beta_table(30.4, 0.94), z)
    sd = np.sqrt(30.4 * 0.94 / (31.34**2 * 32.34))
    assert abs(x.mean() - 30.4 / 31.34) < K * sd / np.sqrt(n)
    assert x.max() <= 1.0
    assert stats.kstest(x, stats.beta(30.4, 0.94).cdf).statistic < 1.63 / np.sqrt(n)


@pytest.mark.parametrize(
    ("mean", "sd"), [(0.985, 0.085), (0.97, 0.119), (0.92, 0.186), (0.975, 0.156)]
)
def test_beta_tables_at_extreme_execution_settings_stay_in_range(mean, sd):
    """Execution settings the config allows whose Beta shapes are below 1 (infinite
    density at 0 or 1): the table is finite, its draws stay in [0, 1] (the slopes are
    limited) and keep their mean where the shapes are not degenerate."""
    from sim.shocks import beta_table

    n = 200_000
    z = np.concatenate([stream(5, 0, 0).standard_normal(n), [-8.5, 8.5]])
    x = sampling.transform(beta_table(mean, sd), z)
    assert np.isfinite(x).all() and x.min() >= 0.0 and x.max() <= 1.0
    if (mean, sd) != (0.975, 0.156):  # shapes 0.002 and 0.0002: two point masses
        assert abs(x[:n].mean() - mean) < K * sd / np.sqrt(n)
