"""The numba kernel against the numpy reference and against hand computations."""

import inspect

import numpy as np
import pytest

from sim import kernel, reference
from sim.engine import kernel_args
from sim.params import build_inputs
from sim.shocks import draw

from .conftest import make_config

NAMES = list(inspect.signature(reference.project).parameters)


def _run_both(args):
    shape = args[NAMES.index("u_g")].shape
    out = tuple(np.empty(shape) for _ in range(4))
    kernel.project(*args, *out)
    return out, reference.project(*args)


@pytest.mark.parametrize("df", [5.0, None])
def test_kernel_equals_reference_on_same_shocks(df):
    cfg = make_config(macro={"shock_df": df}, paths=300)
    mi = build_inputs(cfg)
    sh = draw(cfg, mi, 0, cfg.paths)
    fast, slow = _run_both(kernel_args(cfg, mi, sh))
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


def _one_member(**kw):
    """Kernel arguments for one member and one path with everything switched off."""
    n_years = kw.pop("n_years", 3)
    a = dict(
        g0=0.02, pi0=0.01, mu_g=0.02, mu_pi=0.01, phi_g=0.0, phi_pi=0.0,
        sig_g=0.0, sig_pi=0.0, gdp0=100.0, s0=2.0, path=3.0, dmax=10.0, wbar=0.0,
        kappa=0.2, sig_w=0.0, speed=1.0, budget_scale=1.0, res_cap=1.5, res_speed=0.2,
        debt0=60.0, deficit=0.0, drag_mask=0.0, drag_coef=0.0, threshold=90.0,
        debt_financed=0.0, interest=0.0, dip=0.0, pool=0.0, g_shock=0.0,
        fixed_rate=np.nan,
        u_g=0.0, u_pi=0.0, u_w=0.0, eta=1.0, zeta=0.0, w0=0.0, r0=1.0,
        w_offset=0.0, w_jump=0.0, review=0, reclass_start=n_years, noise=0.0,
    )  # fmt: skip
    a.update(kw)
    for k in ("g0", "pi0", "mu_g", "mu_pi", "phi_g", "phi_pi", "sig_g", "sig_pi",
              "gdp0", "s0", "dmax", "wbar", "debt0", "deficit", "pool", "fixed_rate"):  # fmt: skip
        a[k] = np.array([a[k]], float)
    a["path"] = np.broadcast_to(np.asarray(a["path"], float), (1, 3, n_years)).copy()
    for k in ("drag_mask", "dip"):
        a[k] = np.broadcast_to(np.asarray(a[k], float), (1, n_years)).copy()
    a["g_shock"] = np.full(n_years, a["g_shock"], float)
    for k in ("u_g", "u_pi", "u_w", "eta", "zeta", "w_offset", "w_jump", "noise"):
        a[k] = np.broadcast_to(np.asarray(a[k], float), (1, 1, n_years)).copy()
    for k in ("w0", "r0"):
        a[k] = np.full((1, 1), a[k], float)
    a["review"] = np.array([a["review"]], np.int64)
    a["reclass_start"] = np.full((1, 1), a["reclass_start"], np.int64)
    return tuple(a[k] for k in NAMES)


def test_deterministic_path_by_hand():
    # will = logistic(0) = 0.5: the plan closes half the gap to 3.0 each year.
    (core, res, gdp, _), ref = _run_both(_one_member())
    np.testing.assert_allclose(core[0, 0], [2.5, 2.75, 2.875], rtol=1e-14)
    # resilience: r += 0.5 * 0.2 * (1.5 - r)
    np.testing.assert_allclose(res[0, 0], [1.05, 1.095, 1.1355], rtol=1e-14)
    np.testing.assert_allclose(gdp[0, 0], 100 * 1.02 ** np.arange(1, 4))  # real GDP
    np.testing.assert_allclose(core, ref[0], rtol=1e-14)


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
