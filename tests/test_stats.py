"""Monte Carlo statistics: histogram quantiles and scores, binomial s.e."""

import numpy as np
import pytest

from sim import reduce, stats
from sim.rng import stream


def test_histogram_quantiles_are_within_0_01_pp_of_exact():
    x = 2.5 + 0.4 * stream(3, 0, 0).standard_t(5, (2, 200_000))
    hist = reduce._hist(x[:, :, None], "core")[:, 0]  # [series, bin]
    q = np.array([0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95])
    approx = stats.hist_quantiles(hist, "core", q)
    exact = np.quantile(x, q, axis=1).T
    assert np.abs(approx - exact).max() < 0.01
    assert np.abs(approx - exact).max() <= stats.HISTOGRAMS["core"][1] + 1e-3


def test_hist_crps_matches_sample_crps():
    from sim.analyses import scores

    x = 2.0 + 0.3 * stream(8, 0, 0).standard_normal(100_000)
    hist = reduce._hist(x[:, None], "core")[0]
    assert stats.hist_crps(hist, "core", 2.4) == pytest.approx(
        scores.crps_sample(x, 2.4), abs=0.003
    )


def test_binomial_se_matches_the_sd_of_simulated_frequencies():
    n, p = 400, 0.3
    freqs = stream(9, 0, 0).binomial(n, p, 20_000) / n
    assert stats.binomial_se(p, n) == pytest.approx(freqs.std(), rel=0.02)
    assert stats.worst_se(n) == pytest.approx(stats.binomial_se(0.5, n))
    assert stats.unpaired_se(0.03, 0.04) == pytest.approx(0.05)
