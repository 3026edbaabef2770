"""Draw the standardised shocks of one chunk of paths (numpy only, outside the kernel)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from . import politics
from .config import REVIEW_OUTCOMES, THREAT_STATES, US_STANCES, Config
from .params import ModelInputs
from .rng import COMMON_STREAM, stream


@dataclass(frozen=True)
class Shocks:
    """Shocks for one chunk; arrays are [member, path, year] unless stated."""

    u_g: np.ndarray  # growth shock, unit variance
    u_pi: np.ndarray  # inflation shock, unit variance
    u_w: np.ndarray  # will shock, unit variance
    eta: np.ndarray  # execution rate (outturn / budget)
    zeta: np.ndarray  # resilience noise [pp]
    w0: np.ndarray  # [member, path] initial will [logit]
    r0: np.ndarray  # [member, path] base-year resilience spending [pp]
    regime: np.ndarray  # [path, year] threat regime index (config.THREAT_STATES)
    stance: np.ndarray  # [path, year] US stance index (config.US_STANCES)
    review: np.ndarray  # [path] review outcome: 0 keep, 1 relax, 2 tighten
    w_offset: np.ndarray  # persistent will shift from threat and US stance [logit]
    w_jump: np.ndarray  # one-off will jumps: elections, punctuated budgets [logit]
    reclass_start: np.ndarray  # [member, path] year index of reclassification
    noise: np.ndarray  # reporting noise [pp]


def standard_draws(rng: np.random.Generator, df: float | None, size) -> np.ndarray:
    """Unit-variance draws: Student-t with ``df`` degrees of freedom, or Gaussian."""
    if df is None:
        return rng.standard_normal(size)
    return rng.standard_t(df, size) * np.sqrt((df - 2.0) / df)


def beta_mean_sd(rng: np.random.Generator, mean: float, sd: float, size) -> np.ndarray:
    """Beta draws with the given mean and standard deviation (constant if sd == 0)."""
    if sd == 0:
        return np.full(size, mean)
    k = mean * (1 - mean) / sd**2 - 1
    return rng.beta(mean * k, (1 - mean) * k, size)


def bootstrap_years(
    rng: np.random.Generator, z_growth: np.ndarray, shape: tuple[int, int], block: int
) -> np.ndarray:
    """Row indices [path, year] into the residual panel: blocks of ``block``
    consecutive usable historical years, drawn uniformly, common to all members.

    A year is usable when at least half the selected members have a residual.
    """
    usable = np.flatnonzero(np.isfinite(z_growth).mean(axis=1) >= 0.5)
    n, n_years = shape
    block = min(block, usable.size)
    n_blocks = -(-n_years // block)
    starts = rng.integers(0, usable.size - block + 1, size=(n, n_blocks))
    pos = (starts[:, :, None] + np.arange(block)).reshape(n, -1)[:, :n_years]
    return usable[pos]


def _matrix(m) -> np.ndarray:
    rows = [getattr(m, f.name) for f in dataclasses.fields(m)]
    return np.array([dataclasses.astuple(r) for r in rows])


def _pins(pinned, states, years) -> dict[int, int]:
    y = list(years)
    return {y.index(year): states.index(s) for year, s in (pinned or {}).items()}


def draw(cfg: Config, mi: ModelInputs, chunk: int, n: int) -> Shocks:
    """All random inputs of chunk ``chunk`` (``n`` paths) for the selected members.

    Common factors and states come from the common stream, each member's draws from
    its own; every mechanism has its own sub-stream (see :mod:`sim.rng`), so a
    member's or a mechanism's draws do not depend on what else is selected or on.
    """
    m = cfg.macro
    df = None if m.shock_model == "normal" else mi.common["shock_df"]
    n_years = len(mi.years)
    shape = (n, n_years)
    seed = cfg.seed
    common = stream(seed, chunk, COMMON_STREAM)
    f_g = standard_draws(common, df, shape)
    f_pi = standard_draws(common, df, shape)
    f_w = common.standard_normal(shape)

    th, us, rv, jp = cfg.threat, cfg.us_stance, cfg.review, cfg.jumps
    regime = politics.markov_chain(
        stream(seed, chunk, COMMON_STREAM, "threat").random(shape),
        _matrix(th.transition), THREAT_STATES.index(th.start),
        _pins(th.pinned, THREAT_STATES, mi.years),
    )  # fmt: skip
    stance = politics.markov_chain(
        stream(seed, chunk, COMMON_STREAM, "us_stance").random(shape),
        _matrix(us.transition), US_STANCES.index(us.start),
        _pins(us.pinned, US_STANCES, mi.years), active=mi.us_switch,
    )  # fmt: skip
    u_review = stream(seed, chunk, COMMON_STREAM, "review").random(n)
    if rv.pinned is not None:
        review = np.full(n, REVIEW_OUTCOMES.index(rv.pinned), dtype=np.int64)
    elif rv.enabled:
        review = politics.review_outcome(u_review, rv.p_relax, rv.p_tighten)
    else:
        review = np.zeros(n, dtype=np.int64)
    rng = stream(seed, chunk, COMMON_STREAM, "jumps")
    common_jump = politics.compound_poisson(
        rng.poisson(jp.rate_common, shape), rng.standard_normal(shape), jp.mean, jp.sd
    )

    level = np.array(dataclasses.astuple(th.level))
    threat_shift = th.effect * (level[regime] - level[THREAT_STATES.index(th.start)])
    start = US_STANCES.index(us.start)
    allies = np.array(dataclasses.astuple(us.effect_allies))
    own_us = np.array(dataclasses.astuple(us.effect_us))
    allies_shift = allies[stance] - allies[start]
    us_shift = own_us[stance] - own_us[start]
    rc = cfg.reclass
    reclass_rate = np.minimum(
        rc.rate
        * np.where(stance == US_STANCES.index("pressure"), rc.pressure_multiplier, 1.0),
        1.0,
    )

    a_g, a_pi, a_w = (
        np.sqrt(mi.common["growth_common_corr"]),
        np.sqrt(mi.common["inflation_common_corr"]),
        np.sqrt(cfg.will.common_corr),
    )
    c = mi.common["growth_inflation_corr"]
    boot = None
    if m.shock_model == "bootstrap":
        boot = bootstrap_years(
            stream(seed, chunk, COMMON_STREAM, "bootstrap"), mi.z_growth, shape,
            m.bootstrap_block,
        )  # fmt: skip
    k = len(mi.stream_ids)
    names = ("u_g", "u_pi", "u_w", "eta", "zeta", "w_offset", "w_jump", "noise")
    out = {name: np.empty((k, n, n_years)) for name in names}
    w0 = np.empty((k, n))
    r0 = np.empty((k, n))
    reclass_start = np.empty((k, n), dtype=np.int64)
    res = cfg.resilience
    el = cfg.elections
    for j, sid in enumerate(mi.stream_ids):
        sid = int(sid) + 1
        rng = stream(seed, chunk, sid)
        z_g = standard_draws(rng, df, shape)
        z_pi = standard_draws(rng, df, shape)
        z_w = rng.standard_normal(shape)
        u_g = a_g * f_g + np.sqrt(1 - a_g**2) * z_g
        own_pi = a_pi * f_pi + np.sqrt(1 - a_pi**2) * z_pi
        out["u_g"][j] = u_g
        out["u_pi"][j] = c * u_g + np.sqrt(1 - c**2) * own_pi
        if boot is not None:  # whole historical years, jointly across members
            fill = stream(seed, chunk, sid, "bootstrap")
            for name, hist in (("u_g", mi.z_growth), ("u_pi", mi.z_inflation)):
                picked = hist[boot, j]
                gap = ~np.isfinite(picked)
                picked[gap] = fill.standard_normal(gap.sum())
                out[name][j] = picked
        out["u_w"][j] = a_w * f_w + np.sqrt(1 - a_w**2) * z_w
        out["eta"][j] = beta_mean_sd(rng, cfg.execution.mean, cfg.execution.sd, shape)
        out["zeta"][j] = res.noise_sd * rng.standard_normal(shape)
        w0[j] = mi.wbar[j] + cfg.will.initial_sd * rng.standard_normal(n)
        r0[j] = np.maximum(res.prior_mean + res.prior_sd * rng.standard_normal(n), 0.0)

        offset = np.zeros(shape)
        if th.enabled:
            offset += mi.exposure[j] * threat_shift
        if us.enabled:
            offset += us_shift if mi.is_us[j] else allies_shift
        out["w_offset"][j] = offset

        jump = np.zeros(shape)
        rng = stream(seed, chunk, sid, "jumps")
        own_jump = politics.compound_poisson(
            rng.poisson(jp.rate_member, shape),
            rng.standard_normal(shape),
            jp.mean,
            jp.sd,
        )
        if jp.enabled:
            jump += common_jump + own_jump
        rng = stream(seed, chunk, sid, "elections")
        u_change, u_sign = rng.random(shape), rng.random(shape)
        if el.enabled:
            jump += politics.election_jumps(
                mi.election[j], u_change, u_sign, el.p_change, el.p_up, el.jump
            )
        out["w_jump"][j] = jump

        u = stream(seed, chunk, sid, "reclass").random(shape)
        reclass_start[j] = (
            politics.first_success(u, reclass_rate) if rc.enabled else n_years
        )
        z = stream(seed, chunk, sid, "reporting").standard_normal(shape)
        rp = cfg.reporting
        out["noise"][j] = rp.noise_sd * z if rp.enabled else 0.0
    return Shocks(
        w0=w0, r0=r0, regime=regime, stance=stance, review=review,
        reclass_start=reclass_start, **out,
    )  # fmt: skip
