"""The step functions of sim/model against hand computations, on scalars (as the
kernel calls them) and on arrays over paths (as the reference does), bit for bit."""

import numpy as np
import pytest

from sim.model import fiscal, macro, plan, reporting, resilience, will

CASES = [  # (function, scalar arguments, value by hand)
    (macro.expected, (0.03, 0.02, 0.5), 0.025),
    (macro.growth, (0.02, 0.01, -2.0, -0.01), -0.01),
    (macro.growth, (0.02, 0.1, -9.0, 0.0), macro.RATE_FLOOR),
    (macro.inflation, (0.02, 0.01, 1.0), 0.03),
    (macro.nominal, (100.0, 0.1, 0.1), 121.0),
    (will.state, (1.0, 0.2, 0.0, 0.5, 2.0, 0.3), 1.0 - 0.2 + 1.0 + 0.3),
    (will.level, (0.5, 0.5, 1.0), 0.5),
    (fiscal.drag, (0.4, 110.0, 90.0, 1.0), 0.8),
    (fiscal.drag, (0.4, 80.0, 90.0, 1.0), 0.0),
    (fiscal.drag, (0.4, 110.0, 90.0, 0.0), 0.0),
    (fiscal.debt, (60.0, 0.0, 0.0, 0.0, 2.0, 0.5, 3.0, 2.0), 62.5),
    (plan.toward, (2.0, 1.0, 0.5, 3.0, 0.0, 10.0), 2.5),
    (plan.toward, (2.0, 1.0, 0.5, 3.0, 0.0, 0.3), 2.3),  # capped at dmax
    (plan.toward, (2.0, 1.0, 1.0, 3.0, 1.0, 10.0), 2.0),  # reclassified: no gap
    (plan.toward, (0.1, 1.0, 1.0, -5.0, 0.0, 10.0), 0.0),  # never below 0
    (plan.fixed, (2.0, 0.2, 2), 2.6),
    (plan.budget, (3.0, 0.5, 200.0, 1.0), 5.0),
    (plan.budget, (0.2, 0.5, 200.0, 1.0), 0.0),
    (reporting.genuine, (5.0, 0.9, 150.0), 3.0),
    (reporting.core, (3.0, 0.5, -0.1), 3.4),
    (resilience.spending, (1.0, 0.5, 0.2, 1.5, 0.0), 1.05),
    (resilience.spending, (0.01, 0.0, 0.2, 1.5, -0.5), 0.0),
    (resilience.counted, (1.7, 1.5, 0.0), 1.5),
    (resilience.counted, (1.7, 1.5, 0.2), 1.2),  # a fifth ruled out: 1.5 * 0.8
    (resilience.counted, (1.0, 1.5, 0.5), 0.5),
    (resilience.counted, (1.0, 1.5, 1.0), 0.0),
]


@pytest.mark.parametrize(("fn", "args", "want"), CASES)
def test_step_by_hand_on_scalars_and_arrays(fn, args, want):
    got = fn(*args)
    assert got == pytest.approx(want, rel=1e-14, abs=1e-15)
    # first argument over 3 paths, as the reference calls it: the same numbers
    arr = fn(np.full(3, args[0]), *args[1:])
    np.testing.assert_array_equal(arr, np.full(3, got))


@pytest.mark.parametrize(
    ("x", "pre", "p"),
    [(3.5, 3.42, 0.6), (3.4, 3.42, 0.6), (3.2, 3.1, 0.6), (3.6, 3.45, 0.6),
     (3.5, 3.42, 0.0), (3.5, 3.0, 0.9)],
)  # fmt: skip
def test_conditional_probability_equals_simulated_noise_and_top_ups(x, pre, p):
    """landing.p_at_least integrates the reporting noise and the top-up: it equals
    the share of a million simulated (noise, top-up) draws, within 4.5 s.e.; and by
    hand, 1 - Phi(z) + p (Phi(z) - Phi(z_lo)) for a threshold at the level."""
    from scipy.special import ndtr

    from sim.model import landing

    sd, level, band, n = 0.05, 3.5, 0.25, 1_000_000
    rng = np.random.default_rng(7)
    core = pre + sd * rng.standard_normal(n)
    top = landing.topped_up(core, level, band, 3.5, rng.random(n), p)
    share = (top >= x).mean()
    q = float(landing.p_at_least(x, pre, sd, p, level, band))
    assert abs(q - share) < 4.5 * np.sqrt(q * (1 - q) / n) + 1e-12
    if x == level:
        z, z_lo = (x - pre) / sd, (level - band - pre) / sd
        by_hand = 1 - ndtr(z) + p * (ndtr(z) - ndtr(z_lo))
        assert q == pytest.approx(by_hand, abs=1e-12)
    assert float(landing.p_at_least(x, pre, 0.0, 0.0, level, band)) == float(pre >= x)


def test_conditional_estimator_is_unbiased_and_has_less_variance():
    """P(met | path up to the year's noise and top-up) has the same expectation as
    the 0/1 "met" of the same path (their difference has mean 0 within 4.5 s.e.
    in every cell, and the cells' z-scores have variance 1), and never more
    variance (Jensen: E[q^2] <= E[q])."""
    from sim.engine import project_chunk
    from sim.model import landing
    from sim.params import build_inputs, scalars
    from sim.shocks import draw

    from .conftest import make_config

    n = 20_000
    cfg = make_config(members="all", paths=n, chunk_size=n, reporting={"noise_sd": 0.1})
    mi = build_inputs(cfg)
    o = project_chunk(cfg, mi, draw(cfg, mi, 0, n))
    sc = scalars(cfg, mi)
    c, zs, ratios = mi.counted, [], []
    for tgt in cfg.targets:
        extra = o.res if tgt.measure == "total" else 0.0
        at = tgt.level - cfg.meet_tolerance - extra
        q = landing.p_at_least(at, o.pre, 0.1, o.land, sc.core_level,
                               sc.landing_band)[c]  # fmt: skip
        hit = (o.core + extra >= tgt.level - cfg.meet_tolerance)[c]
        d = q - hit
        ok = (hit.mean(1) > 0.02) & (hit.mean(1) < 0.98)
        zs.append(d.mean(1)[ok] / (d.std(1)[ok] / np.sqrt(n)))
        ratios.append(hit.var(1)[ok] / q.var(1)[ok])
        assert (q.var(1) <= hit.var(1) + 1e-12)[ok].all()
    z, vr = np.concatenate(zs), np.concatenate(ratios)
    assert len(z) > 20 and np.abs(z).max() < 4.5
    assert abs((z**2).mean() - 1) < 4.5 * np.sqrt(2 / len(z))
    assert np.median(vr) > 1.0
