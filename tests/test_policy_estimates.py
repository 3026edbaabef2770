"""The policy model's estimators recover known parameters from synthetic panels
(tolerances from their sampling s.e., fixed seeds)."""

import numpy as np
import pytest

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


def _scaled_panel(rng, n_years, sds, rate=None):
    """Shares whose log changes are N(0, sd_i^2) per member (or compound Poisson with
    that variance: ``rate`` jumps a year of s.d. sd_i / sqrt(rate))."""
    sds = np.asarray(sds, float)
    if rate is None:
        d = sds * rng.standard_normal((n_years, sds.size))
    else:
        k = rng.poisson(rate, (n_years, sds.size))
        d = sds / np.sqrt(rate) * np.sqrt(k) * rng.standard_normal(k.shape)
    return np.exp(np.log(2.0) + np.cumsum(np.vstack([np.zeros(sds.size), d]), axis=0))


def test_member_scales_recover_heterogeneous_scales_given_enough_years():
    rng = np.random.default_rng(11)
    sds = np.repeat([0.03, 0.05, 0.07, 0.09], 6)  # no change near a 0.4 spike
    share = _scaled_panel(rng, 400, sds)
    est = pe.member_scales(share, np.ones(401, bool), np.ones(sds.size, bool))
    assert abs(est["pooled_var"] / (sds**2).mean() - 1) < 0.05
    assert (est["weight"] > 0.95).all()  # 400 changes outweigh the prior
    sd = est["scale"] * np.sqrt(est["pooled_var"])  # each member's s.d.
    # the s.d. of 400 Gaussian changes has a relative s.e. of 1/sqrt(800) = 3.5%:
    # 4.5 s.e. is 16% per member, 6.5% for the mean of six
    assert np.all(np.abs(sd / sds - 1) < 0.16), sd
    assert np.all(np.abs((sd / sds).reshape(4, 6).mean(1) - 1) < 0.065)
    assert abs(est["kurtosis_factor"] - 1) < 0.15  # Gaussian changes: c = 1


def test_member_scales_shrink_toward_the_pool_with_few_years():
    """With 4 changes a member's own variance is mostly noise: the estimate moves
    little from the pool, and over many members it is closer to the truth than the
    member's own variance (what empirical Bayes is for)."""
    rng = np.random.default_rng(12)
    sds = np.repeat([0.05, 0.07, 0.09, 0.11], 100)
    share = _scaled_panel(rng, 4, sds)
    est = pe.member_scales(share, np.ones(5, bool), np.ones(sds.size, bool))
    assert (est["weight"] < 0.5).all()
    own = est["own_sd"] ** 2
    shrunk = est["scale"] ** 2 * est["pooled_var"]
    assert ((shrunk - sds**2) ** 2).mean() < 0.5 * ((own - sds**2) ** 2).mean()
    # each estimate lies between the member's own variance and the pool's
    lo, hi = np.minimum(own, est["pooled_var"]), np.maximum(own, est["pooled_var"])
    assert np.all((lo - 1e-15 <= shrunk) & (shrunk <= hi + 1e-15))


def test_member_scales_of_a_homogeneous_panel_are_the_pool():
    """Members with the same changes (in another order) differ by nothing beyond
    sampling noise: every member gets the pooled value, and so does a member
    without history."""
    rng = np.random.default_rng(13)
    d = rng.standard_normal(20) * 0.08
    changes = np.column_stack([rng.permutation(d) for _ in range(10)])
    share = np.exp(np.vstack([np.zeros(10), np.cumsum(changes, axis=0)]))
    share = np.column_stack([share, np.full(21, np.nan)])  # no history
    est = pe.member_scales(share, np.ones(21, bool), np.ones(11, bool))
    assert est["between_var"] <= 0
    np.testing.assert_array_equal(est["scale"], 1.0)
    np.testing.assert_array_equal(est["weight"], 0.0)
    assert est["n_changes"][-1] == 0 and np.isnan(est["dof"]).all()


def test_member_scales_hyperparameters_leave_out_who_is_not_pooled():
    """A member outside ``pooled`` moves no hyperparameter, only its own estimate,
    which uses its own changes with the others' prior."""
    rng = np.random.default_rng(14)
    sds = np.repeat([0.04, 0.08, 0.12], 5)
    share = _scaled_panel(rng, 20, sds)
    pooled = np.arange(sds.size) != 0
    odd = share.copy()
    odd[:, 0] = _scaled_panel(rng, 20, [0.5])[:, 0]  # a wild member 0
    a, b = (pe.member_scales(s, np.ones(21, bool), pooled) for s in (share, odd))
    for k in ("pooled_var", "within_var", "between_var", "prior_changes"):
        assert a[k] == b[k], k
    np.testing.assert_array_equal(a["scale"][1:], b["scale"][1:])
    assert b["scale"][0] > 2 * a["scale"][0]  # its own past counts
    w = b["weight"][0]
    assert w == 20 / (20 + b["prior_changes"])
    own = b["own_sd"][0] ** 2
    assert b["scale"][0] ** 2 * b["pooled_var"] == pytest.approx(
        w * own + (1 - w) * b["pooled_var"]
    )


def test_member_scales_count_fat_tails_within_members():
    """Compound-Poisson changes (rate 0.5: excess kurtosis 3 / 0.5 = 6) carry less
    information per change than Gaussian ones: c = (2 + 6) / 2 = 4."""
    rng = np.random.default_rng(15)
    share = _scaled_panel(rng, 2000, np.repeat([0.05, 0.1], 20), rate=0.5)
    est = pe.member_scales(share, np.ones(2001, bool), np.ones(40, bool))
    assert abs(est["kurtosis_factor"] - 4) < 0.6, est["kurtosis_factor"]
