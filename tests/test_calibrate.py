"""Calibration: estimators recover known parameters; the bundled file is reproducible."""

import numpy as np
import pytest
import yaml

from sim.analyses import calibrate as cal
from sim.errors import ConfigError
from sim.rng import stream

K = 4.5


def _synthetic(n_years, n_members, phi, sigma, rho, c, seed=3):
    """Panels [year, member] of AR(1) growth and inflation with a common factor."""
    rng = stream(seed, 0, 0)
    f_g = rng.standard_normal(n_years)
    f_p = rng.standard_normal(n_years)
    e_g = rng.standard_normal((n_years, n_members))
    e_p = rng.standard_normal((n_years, n_members))
    u_g = np.sqrt(rho) * f_g[:, None] + np.sqrt(1 - rho) * e_g
    own = np.sqrt(rho) * f_p[:, None] + np.sqrt(1 - rho) * e_p
    u_p = c * u_g + np.sqrt(1 - c**2) * own
    g = np.zeros((n_years, n_members))
    p = np.zeros((n_years, n_members))
    for t in range(1, n_years):
        g[t] = 2.0 + phi * (g[t - 1] - 2.0) + sigma * u_g[t]
        p[t] = 2.0 + phi * (p[t - 1] - 2.0) + sigma * u_p[t]
    return g[50:], p[50:]  # drop the burn-in


def test_macro_estimator_recovers_known_parameters():
    phi, sigma, rho, c = 0.4, 2.0, 0.6, 0.3
    T, M = 400, 12
    g, p = _synthetic(T + 50, M, phi, sigma, rho, c)
    est = cal.estimate_macro(g, p, np.ones(T, bool))
    n = T - 1
    se_phi = np.sqrt((1 - phi**2) / n)
    se_sd = sigma / np.sqrt(2 * n)
    # member estimates: each within K s.e.; their mean within K s.e. / sqrt(M)... the
    # members share a common factor, so only the per-member bound is claimed
    assert np.all(np.abs(est["g_ar"] - phi) < K * se_phi)
    assert np.all(np.abs(est["g_sd"] - sigma) < K * se_sd)
    assert np.all(np.abs(est["pi_ar"] - phi) < K * se_phi)
    se_corr = (1 - rho**2) / np.sqrt(n)
    assert abs(est["growth_common_corr"] - rho) < K * se_corr
    assert (
        abs(est["inflation_common_corr"] - (c**2 * rho + (1 - c**2) * rho))
        < K * se_corr
    )
    assert abs(est["growth_inflation_corr"] - c) < K * (1 - c**2) / np.sqrt(n)
    assert np.nanstd(est["z_growth"]) == pytest.approx(1.0, abs=K / np.sqrt(2 * n * M))


def test_student_t_df_recovered_from_kurtosis():
    nu, n = 10.0, 400_000
    z = stream(4, 0, 0).standard_t(nu, n)
    # s.e. of the sample kurtosis sqrt((m8 - m4^2)/n) for standardised t, then delta
    # method through nu = 4 + 6 / excess
    m4 = 3 * (nu - 2) / (nu - 4)
    m8 = 105 * (nu - 2) ** 3 / ((nu - 4) * (nu - 6) * (nu - 8))
    se_excess = np.sqrt((m8 - m4**2) / n)
    excess = m4 - 3
    se_nu = 6 / excess**2 * se_excess
    assert abs(cal.t_df_from_kurtosis(z) - nu) < K * se_nu
    gauss = stream(4, 0, 1).standard_normal(n)
    assert cal.t_df_from_kurtosis(gauss) > 30


def test_share_estimator():
    rng = stream(6, 0, 0)
    T, M, phi = 300, 10, 0.9
    x = np.zeros((T, M))
    for t in range(1, T):
        x[t] = 2 + phi * (x[t - 1] - 2) + 0.1 * rng.standard_normal(M)
    est = cal.estimate_share(x, np.arange(T), np.ones(T, bool))
    n = (T - 1) * M
    assert abs(est["persistence"] - phi) < K * np.sqrt((1 - phi**2) / n) + 1e-4
    sd_change = 0.1 * np.sqrt(2 / (1 + phi))  # s.d. of x_t - x_{t-1} for an AR(1)
    assert abs(est["change_sd_pp"] - sd_change) < K * sd_change / np.sqrt(2 * n) + 1e-4
    # a surge in years marked not normal (levels x 1.1 a year) leaves the fit alone
    surge = np.vstack([x, x[-1] * 1.1 ** np.arange(1, 6)[:, None]])
    normal = np.arange(T + 5) < T
    assert cal.estimate_share(surge, np.arange(T + 5), normal) == est | {
        "years": [0, T + 4]
    }
    with_surge = cal.estimate_share(surge, np.arange(T + 5), np.ones(T + 5, bool))
    assert with_surge["persistence"] > est["persistence"] + 0.01


def test_ar1_needs_enough_years():
    x = np.arange(6.0)
    with pytest.raises(ValueError, match="usable year pairs"):
        cal.ar1_residuals(x, np.ones(6, bool))


def test_bundled_calibration_is_reproducible():
    fresh = cal.calibrate()
    bundled = yaml.safe_load(cal.DEFAULT_FILE.read_text())
    assert yaml.safe_load(yaml.safe_dump(fresh)) == bundled


def test_asof_calibration_uses_only_earlier_data():
    c14 = cal.calibrate(asof=2014, means="history")
    assert c14["residuals"]["years"][-1] == 2014
    assert "nato_jun2024" not in c14["share"]  # NATO series starts in 2014
    with pytest.raises(ConfigError, match="outlook"):
        cal.calibrate(asof=2014, means="outlook")
    with pytest.raises(ConfigError, match="calibration years"):
        cal.calibrate(asof=2030)


def test_bad_calibration_file(tmp_path):
    p = tmp_path / "cal.yaml"
    p.write_text("common: {}\n")
    with pytest.raises(ConfigError, match="needs sections"):
        cal.load(str(p), 2025)
    with pytest.raises(ConfigError, match="not found"):
        cal.load(str(tmp_path / "none.yaml"), 2025)


def test_share_dynamics_on_the_2014_2026_core_series_only_as_of_today():
    core = cal.calibrate()["share"]["nato_core_jul2026"]
    assert core["years"] == [2014, 2026]
    # changes into the years before Covid and the 2022 surge (Luxembourg's 2023
    # denominator break lies outside them), for the 31 Allies with armed forces
    assert core["fit_years"] == [2015, 2016, 2017, 2018, 2019]
    assert core["n_changes"] == 31 * 5
    assert 0.9 < core["persistence"] < 1
    backtest = cal.calibrate(asof=2018, means="history")["share"]
    assert "nato_core_jul2026" not in backtest  # published in 2026


def _with_outlier(monkeypatch, code="DEU"):
    """The bundled sources with ``code`` an outlier: its growth history reversed and
    scaled, its SIPRI and NATO shares jumping by 1 pp every other year."""
    members, hist, outl, shares, core = cal._sources()
    hist, shares = hist.copy(), shares.copy()
    h = hist.iso3 == code
    hist.loc[h, "real_gdp_growth_pct"] *= -4.0
    s = (shares.iso3 == code) & (shares.year % 2 == 0)
    shares.loc[s, "value_pct_gdp"] += 1.0
    monkeypatch.setattr(cal, "_sources", lambda: (members, hist, outl, shares, core))


def test_left_out_member_is_out_of_every_pooled_estimate(monkeypatch):
    """An outlier member moves the pooled estimates (common correlations, t df,
    share dynamics) only when it is not left out; its own fits are kept."""
    kw = dict(asof=2018, means="history")
    clean, clean_loo = cal.calibrate(**kw), cal.calibrate(**kw, leave_out=("DEU",))
    _with_outlier(monkeypatch)
    odd, odd_loo = cal.calibrate(**kw), cal.calibrate(**kw, leave_out=("DEU",))
    assert odd["common"]["growth_common_corr"] != clean["common"]["growth_common_corr"]
    for series in ("nato_jun2024", "sipri"):
        assert odd["share"][series] != clean["share"][series]
    # left out: every pooled estimate is blind to the outlier, exactly
    assert odd_loo["common"] == clean_loo["common"]
    assert odd_loo["share"] == clean_loo["share"]
    assert odd_loo["common"] != clean["common"]  # and differs from the full pool
    # its own per-member fits and residuals are its own past, left out or not
    assert odd_loo["members"]["DEU"] == odd["members"]["DEU"]
    assert odd["members"]["DEU"] != clean["members"]["DEU"]
    assert odd_loo["residuals"] == odd["residuals"]
    assert odd_loo["provenance"]["left_out_members"] == ["DEU"]
    assert "left_out_members" not in odd["provenance"]
    # one fewer member's changes behind the share estimates
    n, n_loo = (c["share"]["sipri"]["n_changes"] for c in (clean, clean_loo))
    assert 0 < n - n_loo < 20


def test_member_scales_use_the_members_own_past_and_the_others_pool(monkeypatch):
    """Revision scales: a member's own row uses its own SIPRI changes (its past is
    known at the origin), but left out, nothing pooled sees it: the pooled variance,
    the prior and every other member's scale are as if it had no data."""
    kw = dict(asof=2018, means="history")
    clean_loo = cal.calibrate(**kw, leave_out=("DEU",))
    members, hist, outl, shares, core = cal._sources()
    shares = shares.copy()
    s = (shares.iso3 == "DEU") & (shares.source_id == "SIPRI_MILEX_1949_2024")
    # log changes +0.22, +0.22, +0.22, -0.67: volatile, and no one-year spikes
    shares.loc[s, "value_pct_gdp"] *= 1.25 ** (shares.loc[s, "year"] % 4)
    monkeypatch.setattr(cal, "_sources", lambda: (members, hist, outl, shares, core))
    odd, odd_loo = cal.calibrate(**kw), cal.calibrate(**kw, leave_out=("DEU",))

    def rest(c):
        ms = c["policy"]["revisions"]["member_scale"]
        return {k: v for k, v in ms.items() if k != "members"}, {
            k: v for k, v in ms["members"].items() if k != "DEU"
        }

    assert rest(odd_loo) == rest(clean_loo)  # blind to the outlier
    assert rest(odd) != rest(clean_loo)  # which moves them when pooled
    deu = odd_loo["policy"]["revisions"]["member_scale"]["members"]["DEU"]
    clean_row = clean_loo["policy"]["revisions"]["member_scale"]["members"]["DEU"]
    assert deu["scale"] > 2 * clean_row["scale"]  # its own jumps count
    assert deu["n_changes"] == clean_row["n_changes"] == 18  # 2001-2018


def test_bundled_member_scales_cover_every_member():
    ms = cal.calibrate()["policy"]["revisions"]["member_scale"]
    rows = ms["members"]
    assert set(rows) == set(cal._sources()[0]["iso3"])
    assert rows["ISL"]["n_changes"] == 0 and rows["ISL"]["scale"] == 1.0  # no data
    assert rows["DEU"]["n_changes"] == 19  # SIPRI changes into 2001-2019
    assert 0 < rows["DEU"]["weight"] < 1 and rows["DEU"]["scale"] < 1
    assert rows["LVA"]["scale"] > 1.5  # the most volatile history
