"""The policy model's estimators recover known parameters from synthetic panels
(tolerances from their sampling s.e., fixed seeds)."""

import numpy as np

from sim.analyses import policy_estimates as pe


def _compound_poisson_panel(rng, n_years, n_members, rate, sd, momentum=0.0):
    """Log shares whose yearly change follows v_t = momentum v_t-1 + sum of
    Poisson(rate) N(0, sd^2) jumps."""
    k = rng.poisson(rate, (n_years, n_members))
    jumps = sd * np.sqrt(k) * rng.standard_normal((n_years, n_members))
    v = np.zeros_like(jumps)
    for t in range(n_years):
        v[t] = (momentum * v[t - 1] if t else 0.0) + jumps[t]
    return np.exp(np.log(2.0) + np.cumsum(v, axis=0))


def test_revisions_recovers_rate_and_size_of_jumps():
    rng = np.random.default_rng(1)
    share = _compound_poisson_panel(rng, 400, 30, rate=0.5, sd=0.1)
    est = pe.revisions(share, np.ones(400, bool), rate_common=0.0)
    # rate from the fourth cumulant: relative s.e. about 15% with 12,000 changes
    assert abs(est["rate_member"] - 0.5) < 0.15, est
    assert abs(est["sd"] - 0.1) < 0.02, est
    assert est["momentum"] < 0.03  # none in the data


def test_revisions_recovers_momentum():
    rng = np.random.default_rng(2)
    share = _compound_poisson_panel(rng, 400, 30, rate=2.0, sd=0.05, momentum=0.4)
    est = pe.revisions(share, np.ones(400, bool), rate_common=0.0)
    assert abs(est["momentum"] - 0.4) < 0.04, est  # s.e. about 1/sqrt(12,000)


def test_a_one_year_spike_is_left_out():
    share = np.full((6, 2), 2.0)
    share[3, 0] = 4.0  # +0.69 then -0.69 in log terms: a spike
    d = pe.without_spikes(np.diff(np.log(share), axis=0))
    assert np.isnan(d[2, 0]) and np.isnan(d[3, 0]) and np.isfinite(d[:, 1]).all()


def test_landing_measures_the_share_of_near_misses_topped_up():
    rng = np.random.default_rng(3)
    x = rng.uniform(1.5, 2.5, 40_000)  # flat density around the level
    near = (x >= 1.75) & (x < 2.0)
    topped = near & (rng.random(x.size) < 0.6)
    x[topped] = 2.0 + (x[topped] - 1.75)  # moved just above, inside the band
    est = pe.landing(x[:, None], 2.0, 0.25)
    se = np.sqrt(0.25 / (est["above"] + est["below"]))
    assert abs(est["p_topup"] - 0.6) < 4 * 2 * se, est
    flat = pe.landing(rng.uniform(1.5, 2.5, (4000, 1)), 2.0, 0.25)
    assert flat["p_topup"] < 0.05  # no bunching: about 0 (the posterior is clipped)


def test_consolidation_finds_a_cut_after_recessions():
    rng = np.random.default_rng(4)
    n_years, n_members = 60, 30
    growth = rng.normal(2.0, 2.0, (n_years, n_members))
    share = np.full((n_years, n_members), 2.0) + rng.normal(
        0, 0.02, (n_years, n_members)
    )
    rec = growth < 0
    for t, m in zip(*np.nonzero(rec[:-1]), strict=True):
        share[t + 1 :, m] -= 0.1  # a lasting cut the year after each recession
    est = pe.consolidation(share, growth, np.ones(n_years, bool), 0.0)
    # the t-1 -> t+2 window sees the cut; later cuts of other recessions add noise
    assert 0.06 < est["consolidation_pp"] < 0.14, est
    none = pe.consolidation(
        np.full((n_years, n_members), 2.0) + rng.normal(0, 0.02, (n_years, n_members)),
        growth, np.ones(n_years, bool), 0.0,
    )  # fmt: skip
    assert none["consolidation_pp"] < 0.02, none


def test_gap_closing_recovers_the_speed_per_group():
    years = np.arange(2014, 2025)
    groups = ["a"] * 20 + ["b"] * 20
    speed = {"a": 0.6, "b": 0.15}
    s0 = np.linspace(1.0, 1.6, 40)
    share = np.empty((len(years), 40))
    share[0] = s0
    for k in range(1, len(years)):
        frac = min((years[k] - 2014) / 10, 1.0)
        path = s0 + (2.0 - s0) * frac
        step = np.array([speed[g] for g in groups]) * (path - share[k - 1])
        share[k] = share[k - 1] + step
    est = pe.gap_closing(share, years, groups, (2016, 2024))
    assert abs(est["a"]["closed_per_year"] - 0.6) < 1e-9
    assert abs(est["b"]["closed_per_year"] - 0.15) < 1e-9
    assert est["b"]["mean_logit"] == round(float(np.log(0.15 / 0.85)), 2)


def test_threat_step_is_the_slope_on_exposure():
    exposure = np.array([0.1, 0.3, 0.6, 1.0, 0.1, 1.0])
    before = np.array([1.0, 1.2, 1.1, 0.9, 2.0, 1.5])
    after = before + 0.05 + 0.4 * exposure
    est = pe.threat_step(before, after, exposure)
    assert est["commitment_pp"] == 0.4 and est["se"] == 0.0 and est["n"] == 6


def test_debt_stress_slope_recovers_a_known_cut():
    rng = np.random.default_rng(5)
    n_years, n_members = 40, 30
    debt = rng.uniform(40, 150, (n_years, n_members))
    change = -0.05 * np.maximum(debt[:-1] - 90, 0) / 10 + rng.normal(
        0, 0.05, (n_years - 1, n_members)
    )
    share = 2.0 + np.vstack([np.zeros(n_members), np.cumsum(change, axis=0)])
    est = pe.debt_stress(share, debt, np.ones(n_years, bool), 90.0)
    assert abs(est["slope_pp_per_10pp"] + 0.05) < 4 * est["se"], est
    assert est["n"] == (n_years - 1) * n_members
