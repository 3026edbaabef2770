"""Shock moments (tolerances from the Monte Carlo standard error) and stream keys."""

import numpy as np
import pytest

from sim.params import build_inputs
from sim.rng import chunks, stream
from sim.sampling import transform
from sim.shocks import beta_table, bivariate_draws, draw

from .conftest import make_config

K = 4.5  # tolerance in standard errors; fixed seeds make each check deterministic


@pytest.mark.parametrize("df", [8.0, None])
def test_bivariate_draws_have_unit_variance_and_t_marginals(df):
    n = 200_000
    x, y = bivariate_draws(stream(1, 0, 0), df, n)
    kurt = 3 + (6 / (df - 4) if df else 0)  # population kurtosis of each marginal
    se_var = np.sqrt((kurt - 1) / n)
    for z in (x, y):
        assert abs(z.var() - 1) < K * se_var
        assert abs(z.mean()) < K / np.sqrt(n)
    assert abs(np.corrcoef(x, y)[0, 1]) < K / np.sqrt(n)
    # one shared mixing variable makes the squares correlated: (kurt/3-1)/(kurt-1)
    # = 0.14 for df 8 (heavy tails: checked loosely), 0 for Gaussian shocks
    r = np.corrcoef(x**2, y**2)[0, 1]
    if df:
        assert 0.07 < r < 0.25
    else:
        assert abs(r) < K * np.sqrt(2 / n)


def test_beta_execution_rate_mean_and_sd():
    n = 100_000
    x = transform(beta_table(0.97, 0.03), stream(2, 0, 0).standard_normal(n))
    assert abs(x.mean() - 0.97) < K * 0.03 / np.sqrt(n)
    assert abs(x.std() - 0.03) < K * 0.03 / np.sqrt(2 * n) * 1.5
    assert x.max() <= 1.0
    cfg = make_config(members=["DEU"], execution={"mean": 0.9, "sd": 0.0})
    assert np.all(draw(cfg, build_inputs(cfg), 0, 5).eta == 0.9)


def _corr_se(rho, n):
    return (1 - rho**2) / np.sqrt(n)


def test_correlations_match_config():
    cfg = make_config(
        macro={
            "growth_common_corr": 0.6,
            "growth_inflation_corr": 0.3,
            "shock_df": None,
        },
        will={"common_corr": 0.5},
    )
    mi = build_inputs(cfg)
    n, ny = 20_000, len(mi.years)
    sh = draw(cfg, mi, 0, n)
    g = sh.u_g.reshape(len(mi.iso3), -1)
    pi = sh.u_pi.reshape(len(mi.iso3), -1)
    w = sh.u_w.reshape(len(mi.iso3), -1)
    m = n * ny
    assert abs(np.corrcoef(g[0], g[1])[0, 1] - 0.6) < K * _corr_se(0.6, m)
    assert abs(np.corrcoef(g[0], pi[0])[0, 1] - 0.3) < K * _corr_se(0.3, m)
    assert abs(np.corrcoef(w[0], w[2])[0, 1] - 0.5) < K * _corr_se(0.5, m)
    assert abs(g[1].std() - 1) < K / np.sqrt(2 * m)
    assert abs(pi[1].std() - 1) < K / np.sqrt(2 * m)


def test_member_draws_do_not_depend_on_the_selection():
    both = make_config(members=["DEU", "POL"])
    alone = make_config(members=["POL"])
    a = build_inputs(both)
    b = build_inputs(alone)
    sa = draw(both, a, 3, 50)
    sb = draw(alone, b, 3, 50)
    np.testing.assert_array_equal(sa.u_g[1], sb.u_g[0])
    np.testing.assert_array_equal(sa.eta[1], sb.eta[0])


def test_chunks_cover_all_paths():
    assert chunks(10, 4) == [(0, 4), (1, 4), (2, 2)]
    assert chunks(8, 4) == [(0, 4), (1, 4)]
    assert sum(n for _, n in chunks(1001, 7)) == 1001


def test_streams_differ_by_every_key():
    base = stream(1, 0, 0).random(4)
    for other in (stream(2, 0, 0), stream(1, 1, 0), stream(1, 0, 1)):
        assert not np.array_equal(base, other.random(4))
    np.testing.assert_array_equal(base, stream(1, 0, 0).random(4))


def test_bootstrap_draws_whole_historical_years_jointly():
    from sim.shocks import bootstrap_years

    cfg = make_config(macro={"shock_model": "bootstrap", "bootstrap_block": 2})
    mi = build_inputs(cfg)
    sh = draw(cfg, mi, 0, 300)
    zg = mi.z_growth
    # every path-year's growth shocks equal one historical year's residuals for all
    # members with data
    ok = np.isfinite(zg).all(axis=1)
    j = [mi.iso3.index("DEU"), mi.iso3.index("POL")]
    for p in range(0, 300, 37):
        for t in range(len(mi.years)):
            rows = np.flatnonzero(ok & (zg[:, j[0]] == sh.u_g[j[0], p, t]))
            assert rows.size >= 1
            assert zg[rows[0], j[1]] == sh.u_g[j[1], p, t]
    idx = bootstrap_years(stream(1, 0, 0), zg, (50, 6), 3)
    usable = np.flatnonzero(np.isfinite(zg).mean(axis=1) >= 0.5)
    assert np.isin(idx, usable).all()
    pos = np.searchsorted(usable, idx)
    assert (np.diff(pos[:, :3], axis=1) == 1).all()  # one block = consecutive years
