"""The numba kernel against the slow reference loop and against hand computations."""

import numpy as np
import pytest

from sim import kernel, reference
from sim.engine import kernel_inputs
from sim.model.inputs import Draws, Members, Outputs, Scalars
from sim.params import build_inputs
from sim.shocks import draw

from .conftest import make_config


def _run_both(args):
    """(core, res, gdp, debt) of the kernel and of the reference."""
    out = Outputs.empty(args[2].u_g.shape)
    kernel.project(*args, out)
    return tuple(out[:4]), tuple(reference.project(*args)[:4])


@pytest.mark.parametrize("df", [5.0, None])
def test_kernel_equals_reference_on_same_shocks(df):
    """Same step functions, so the two loops agree bit for bit: a wrong state carried
    over a year, a step out of order or a draw fed to the wrong step shows here."""
    cfg = make_config(macro={"shock_df": df}, paths=300)
    mi = build_inputs(cfg)
    sh = draw(cfg, mi, 0, cfg.paths)
    args = kernel_inputs(cfg, mi, sh)
    fast = Outputs.empty(sh.u_g.shape)
    kernel.project(*args, fast)
    slow = reference.project(*args)
    for name, a, b in zip(Outputs._fields, fast, slow, strict=True):
        np.testing.assert_array_equal(a, b, err_msg=name)
    assert (fast.land > 0).any() and (fast.pre != fast.core).all()


def _one_member(**kw):
    """Kernel inputs for one member and one path with everything switched off."""
    n_years = kw.pop("n_years", 3)
    a = dict(
        g0=0.02, pi0=0.01, mu_g=0.02, mu_pi=0.01, phi_g=0.0, phi_pi=0.0,
        sig_g=0.0, sig_pi=0.0, gdp0=100.0, s0=2.0, path=3.0, dmax=10.0, wbar=0.0,
        will_reversion=0.2, will_vol=0.0, will_speed=1.0, budget_scale=1.0,
        resilience_cap=1.5, resilience_speed=0.2,
        debt0=60.0, deficit=0.0, drag_mask=0.0, drag_per_10pp=0.0, threshold=90.0,
        debt_financed=0.0, interest=0.0, dip=0.0, pool=0.0, g_shock=0.0,
        fixed_rate=np.nan, consolidation_pp=0.0, recession_growth=-1.0, momentum=0.0,
        core_level=3.5, landing_band=0.25,
        c_offset=0.0, rev=0.0, u_land=1.0, p_land=0.0,
        u_g=0.0, u_pi=0.0, u_w=0.0, eta=1.0, zeta=0.0, w0=0.0, r0=1.0,
        w_offset=0.0, w_jump=0.0, variant=0, haircut=0.0, reclass_start=n_years,
        noise=0.0,
    )  # fmt: skip
    a.update(kw)
    for k in ("g0", "pi0", "mu_g", "mu_pi", "phi_g", "phi_pi", "sig_g", "sig_pi",
              "gdp0", "s0", "dmax", "wbar", "debt0", "deficit", "pool", "fixed_rate"):  # fmt: skip
        a[k] = np.array([a[k]], float)
    a["path"] = np.broadcast_to(np.asarray(a["path"], float), (1, 3, n_years)).copy()
    for k in ("drag_mask", "dip"):
        a[k] = np.broadcast_to(np.asarray(a[k], float), (1, n_years)).copy()
    a["g_shock"] = np.full(n_years, a["g_shock"], float)
    for k in ("u_g", "u_pi", "u_w", "eta", "zeta", "w_offset", "w_jump", "noise",
              "c_offset", "rev", "u_land"):  # fmt: skip
        a[k] = np.broadcast_to(np.asarray(a[k], float), (1, 1, n_years)).copy()
    for k in ("w0", "r0", "p_land"):
        a[k] = np.full((1, 1), a[k], float)
    a["variant"] = np.array([[a["variant"]]], np.int64)
    a["haircut"] = np.broadcast_to(np.asarray(a["haircut"], float), (1, n_years)).copy()
    a["reclass_start"] = np.full((1, 1), a["reclass_start"], np.int64)
    return tuple(
        cls(**{k: a[k] for k in cls._fields}) for cls in (Members, Scalars, Draws)
    )


def test_deterministic_path_by_hand():
    # will = logistic(0) = 0.5: the plan closes half the gap to 3.0 each year.
    (core, res, gdp, _), ref = _run_both(_one_member())
    np.testing.assert_allclose(core[0, 0], [2.5, 2.75, 2.875], rtol=1e-14)
    # resilience: r += 0.5 * 0.2 * (1.5 - r)
    np.testing.assert_allclose(res[0, 0], [1.05, 1.095, 1.1355], rtol=1e-14)
    np.testing.assert_allclose(gdp[0, 0], 100 * 1.02 ** np.arange(1, 4))  # real GDP
    np.testing.assert_array_equal(core, ref[0])


def test_absorption_limit_caps_the_planned_step():
    (core, _, _, _), _ = _run_both(_one_member(dmax=0.3))
    np.testing.assert_allclose(core[0, 0], [2.3, 2.6, 2.8], rtol=1e-14)


def test_gdp_surprise_moves_the_share_through_the_denominator():
    # Budget fixed on expected GDP; a 3 pp growth shortfall raises the share.
    (core, _, _, _), _ = _run_both(_one_member(n_years=1, sig_g=0.01, u_g=-3.0))
    expected = 2.5 * (1.02 * 1.01) / ((1.02 - 0.03) * 1.01)
    np.testing.assert_allclose(core[0, 0, 0], expected, rtol=1e-14)


def test_execution_rate_and_underspend_budgeting():
    (core, _, _, _), _ = _run_both(
        _one_member(n_years=1, eta=0.9, budget_scale=1 / 0.9)
    )
    np.testing.assert_allclose(core[0, 0, 0], 2.5, rtol=1e-14)
    (core, _, _, _), _ = _run_both(_one_member(n_years=1, eta=0.9))
    np.testing.assert_allclose(core[0, 0, 0], 2.25, rtol=1e-14)


def test_resilience_counts_at_most_the_cap():
    (_, res, _, _), _ = _run_both(_one_member(r0=1.4, zeta=0.5))
    assert res.max() == 1.5


# ---- the policy model: revisions, momentum, consolidation, floor, landing --------


def test_a_revision_cuts_the_commitment_and_the_plan_follows():
    # will 1 (w0 = 40 logit): the plan jumps to the committed share each year.  A cut
    # of 10% of last year's plan (2.0) in year 0 lowers the commitment 3.0 -> 2.8.
    rev = np.array([[[-0.1, 0.0, 0.0]]])
    (core, *_), ref = _run_both(_one_member(w0=40.0, wbar=40.0, rev=rev))
    np.testing.assert_allclose(core[0, 0], [2.8, 2.8, 2.8], rtol=1e-12)
    np.testing.assert_array_equal(core, ref[0])


def test_momentum_carries_a_revision_into_later_years():
    # a rise of 10% of 2.0 = 0.2 pp, then 0.5 x 0.2 and 0.25 x 0.2 in the next years.
    rev = np.array([[[0.1, 0.0, 0.0]]])
    (core, *_), ref = _run_both(_one_member(w0=40.0, wbar=40.0, rev=rev, momentum=0.5))
    np.testing.assert_allclose(core[0, 0], [3.2, 3.3, 3.35], rtol=1e-12)
    np.testing.assert_array_equal(core, ref[0])


def test_an_overshoot_above_the_path_is_possible():
    # a rise of 50% of 2.0 = 1 pp on a path at 3.0: the plan goes to 4.0, above it.
    rev = np.array([[[0.5, 0.0, 0.0]]])
    (core, *_), _ = _run_both(_one_member(w0=40.0, wbar=40.0, rev=rev))
    assert core[0, 0, 0] == pytest.approx(4.0)


def test_consolidation_the_year_after_a_recession():
    # growth -5% in year 0 against +2% expected (a recession: below -1%): that year
    # the share rises by the denominator, 3.0 x 1.02 / 0.95; then 0.2 pp cut.
    u_g = np.array([[[-0.07 / 0.01, 0.0, 0.0]]])
    kw = dict(w0=40.0, wbar=40.0, sig_g=0.01, u_g=u_g, consolidation_pp=0.2,
              recession_growth=-0.01)  # fmt: skip
    (core, *_), ref = _run_both(_one_member(**kw))
    np.testing.assert_allclose(core[0, 0], [3.0 * 1.02 / 0.95, 2.8, 2.8], rtol=1e-12)
    np.testing.assert_array_equal(core, ref[0])


def test_a_due_commitment_is_a_floor():
    # path at the level 3.0 (due): a cut of 20% of the plan (0.6 pp) cannot take the
    # commitment below 3.0; a later rise of 10% (0.3 pp) starts from where the cut
    # left the member's own shift (-0.3: still held at 3.0); a further 0.2 of the
    # 3.0 plan (0.6 pp) lifts it to 3.3.
    rev = np.array([[[-0.2, 0.1, 0.2]]])
    kw = dict(w0=40.0, wbar=40.0, s0=3.0, core_level=3.0, rev=rev)
    (core, *_), ref = _run_both(_one_member(**kw))
    np.testing.assert_allclose(core[0, 0], [3.0, 3.0, 3.3], rtol=1e-12)
    np.testing.assert_array_equal(core, ref[0])


@pytest.mark.parametrize(
    ("eta", "u", "expected"),
    [
        (0.95, 0.1, 3.0),  # short by 0.15 pp <= band 0.25, u < p: topped up
        (0.95, 0.9, 2.85),  # u >= p: not topped up
        (0.90, 0.1, 2.7),  # short by 0.3 pp > band: not topped up
    ],
)
def test_landing_tops_up_a_near_miss_of_a_due_commitment(eta, u, expected):
    kw = dict(w0=40.0, wbar=40.0, s0=3.0, core_level=3.0, eta=eta, u_land=u,
              p_land=0.5)  # fmt: skip
    (core, *_), ref = _run_both(_one_member(**kw))
    np.testing.assert_allclose(core[0, 0], expected, rtol=1e-12)
    np.testing.assert_array_equal(core, ref[0])


def test_landing_needs_a_due_commitment():
    # the path (3.0) is below the level 3.5: nothing is due, nothing is topped up.
    kw = dict(w0=40.0, wbar=40.0, s0=3.0, core_level=3.5, eta=0.95, u_land=0.0,
              p_land=1.0, path=3.4)  # fmt: skip
    (core, *_), _ = _run_both(_one_member(**kw))
    np.testing.assert_allclose(core[0, 0], 3.4 * 0.95, rtol=1e-12)


def test_kernel_equals_reference_with_us_regimes_and_the_ruling():
    """The per-member path variant (US regime sequences beyond the three review
    outcomes) and the resilience haircut, in both loops."""
    cfg = make_config(members=["USA", "CAN", "ITA", "DEU"], paths=300,
                      resilience={"p_ruling": 0.5, "ruling_year": 2028})  # fmt: skip
    mi = build_inputs(cfg)
    sh = draw(cfg, mi, 0, cfg.paths)
    us = mi.iso3.index("USA")
    assert sh.variant[us].max() >= 3 and (sh.variant[1:] == sh.review).all()
    assert 0 < (sh.haircut[:, -1] > 0).mean() < 1
    fast, slow = _run_both(kernel_inputs(cfg, mi, sh))
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a, b)
