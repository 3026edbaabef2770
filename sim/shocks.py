"""Draw the shocks of one chunk of paths: the alliance-wide draws and political states
with numpy (:func:`draw_common`), each member's own draws in numba
(:func:`sim.kernel.draw_member`, fed by :func:`draw_params`)."""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

import numpy as np

from . import kernel, politics, sampling
from .config import REVIEW_OUTCOMES, THREAT_STATES, US_STANCES, Config
from .inputs import us_budget
from .model.inputs import DrawParams, Draws
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
    variant: np.ndarray  # [member, path] target-path row (review outcome; US regimes)
    haircut: np.ndarray  # [path, year] fraction of resilience NATO does not count
    w_offset: np.ndarray  # persistent will shift from threat and US stance [logit]
    w_jump: np.ndarray  # one-off will jumps: elections [logit]
    c_offset: np.ndarray  # commitment shift from threat and US stance [pp]
    rev: np.ndarray  # commitment revisions [fraction of the planned share]
    u_land: np.ndarray  # uniform deciding the top-up of a near miss
    p_land: np.ndarray  # [member, path] probability of a top-up
    reclass_start: np.ndarray  # [member, path] year index of reclassification
    noise: np.ndarray  # reporting noise [pp]


def bivariate_draws(rng: np.random.Generator, df: float | None, size):
    """Two unit-variance shock arrays (growth, inflation) sharing one chi-square mixing
    variable per element: a bivariate Student-t (domain.md 6.3), or Gaussian.

    Draw order: all first normals, all second normals, then the gamma variates.
    """
    z1 = rng.standard_normal(size)
    z2 = rng.standard_normal(size)
    if df is None:
        return z1, z2
    gam = sampling.transform(sampling.gamma_table(0.5 * df), rng.standard_normal(size))
    mix = np.sqrt((df - 2.0) / (2.0 * gam))
    return z1 * mix, z2 * mix


def beta_table(mean: float, sd: float) -> np.ndarray:
    """Sampling table of the Beta distribution with this mean and s.d."""
    k = mean * (1 - mean) / sd**2 - 1
    return sampling.beta_table(mean * k, (1 - mean) * k)


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


@dataclass(frozen=True)
class Common:
    """Alliance-wide draws of one chunk, [path, year] unless stated."""

    f_g: np.ndarray
    f_pi: np.ndarray
    f_w: np.ndarray
    regime: np.ndarray
    stance: np.ndarray
    review: np.ndarray  # [path]
    us_variant: np.ndarray  # [path] the USA's regime sequence (us_budget; 0 if off)
    haircut: np.ndarray  # [path, year] resilience ruled out (resilience.p_ruling)
    jump: np.ndarray  # alliance-wide commitment revisions [fraction of the plan]
    threat_shift: np.ndarray  # will shift per unit exposure [logit]
    allies_shift: np.ndarray
    us_shift: np.ndarray
    threat_commit: np.ndarray  # commitment shift per unit exposure [pp]
    allies_commit: np.ndarray  # commitment shift of members other than the US [pp]
    reclass_hazard: np.ndarray  # [path, year] cumulative hazard of reclassification
    boot: np.ndarray  # rows of the residual panels; -1 everywhere without bootstrap
    df: float | None
    a_g: float
    a_pi: float
    a_w: float
    c: float


def draw_common(cfg: Config, mi: ModelInputs, chunk: int, n: int) -> Common:
    """The common stream's draws and the common political states of one chunk."""
    m = cfg.macro
    df = None if m.shock_model == "normal" else mi.common["shock_df"]
    shape = (n, len(mi.years))
    seed = cfg.seed
    common = stream(seed, chunk, COMMON_STREAM)
    f_g, f_pi = bivariate_draws(common, df, shape)
    f_w = common.standard_normal(shape)

    th, us, rv, pol = cfg.threat, cfg.us_stance, cfg.review, mi.policy
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
    us_variant = np.zeros(n, dtype=np.int64)
    if mi.us_budget is not None:  # one uniform per path and decision, column by column
        g = stream(seed, chunk, COMMON_STREAM, "us_budget")
        u = np.column_stack([g.random(n) for _ in mi.us_budget["decisions"]])
        ub = cfg.us_budget
        us_variant = us_budget.draw_variant(u, ub.p_build_up, ub.p_switch)
    rs = cfg.resilience
    ruled = stream(seed, chunk, COMMON_STREAM, "ruling").random(n) < rs.p_ruling
    haircut = np.where(ruled[:, None] & (mi.years >= rs.ruling_year), rs.haircut, 0.0)
    rng = stream(seed, chunk, COMMON_STREAM, "jumps")
    jump = politics.compound_poisson(
        rng.poisson(cfg.revisions.rate_common, shape), rng.standard_normal(shape),
        cfg.revisions.mean, pol["rev_sd"],
    )  # fmt: skip
    level = np.array(dataclasses.astuple(th.level))
    start = US_STANCES.index(us.start)
    allies = np.array(dataclasses.astuple(us.effect_allies))
    own_us = np.array(dataclasses.astuple(us.effect_us))
    commit_allies = np.array(dataclasses.astuple(us.commitment_allies))
    rc = cfg.reclass
    pressure = stance == US_STANCES.index("pressure")
    boot = np.full(shape, -1, dtype=np.int64)
    if m.shock_model == "bootstrap":
        boot = bootstrap_years(
            stream(seed, chunk, COMMON_STREAM, "bootstrap"), mi.z_growth, shape,
            m.bootstrap_block,
        )  # fmt: skip
    return Common(
        f_g=f_g, f_pi=f_pi, f_w=f_w, regime=regime, stance=stance, review=review,
        us_variant=us_variant, haircut=haircut, jump=jump,
        threat_shift=th.effect * (level[regime] - level[THREAT_STATES.index(th.start)]),
        allies_shift=allies[stance] - allies[start],
        us_shift=own_us[stance] - own_us[start],
        threat_commit=th.commitment_pp * (level[regime] - level[THREAT_STATES.index(th.start)]),
        allies_commit=commit_allies[stance] - commit_allies[start],
        reclass_hazard=politics.cumulative_hazard(
            np.minimum(rc.rate * np.where(pressure, rc.pressure_multiplier, 1.0), 1.0)),
        boot=boot, df=df,
        a_g=float(np.sqrt(mi.common["growth_common_corr"])),
        a_pi=float(np.sqrt(mi.common["inflation_common_corr"])),
        a_w=float(np.sqrt(cfg.will.common_corr)),
        c=float(mi.common["growth_inflation_corr"]),
    )  # fmt: skip


def member_shifts(cfg: Config, mi: ModelInputs, cm: Common, j: int) -> dict:
    """What member j's alliance-wide shifts are made of (:func:`sim.kernel.
    draw_member` builds them path by path): will shift [logit] = exposure x the
    threat's + the US stance's (the US's own, or the allies'); commitment shift [pp]
    = exposure x the threat's + the allies' under the US stance (not the US)."""
    th, us = cfg.threat.enabled, cfg.us_stance.enabled
    return dict(
        exposure=float(mi.exposure[j]) if th else 0.0,
        threat_shift=cm.threat_shift, threat_commit=cm.threat_commit,
        stance_shift=cm.us_shift if mi.is_us[j] else cm.allies_shift,
        stance_on=float(us), allies_commit=cm.allies_commit,
        allies_on=float(us and not mi.is_us[j]),
    )  # fmt: skip


def member_generators(seed: int, chunk: int, stream_id: int) -> tuple:
    """Generators of member ``stream_id`` (row + 1) in the order
    :func:`sim.kernel.draw_member` takes them."""
    sid = int(stream_id) + 1
    return tuple(
        stream(seed, chunk, sid, mech)
        for mech in (
            "macro",
            "jumps",
            "elections",
            "reclass",
            "reporting",
            "bootstrap",
            "execution",
            "landing",
            "uncertainty",
            "landing_p",
        )
    )


def draw(cfg: Config, mi: ModelInputs, chunk: int, n: int) -> Shocks:
    """All random inputs of chunk ``chunk`` (``n`` paths) for the selected members.

    Common factors and states come from the common stream, each member's draws from
    its own; every mechanism has its own sub-stream (see :mod:`sim.rng`), so a
    member's or a mechanism's draws do not depend on what else is selected or on.
    """
    cm = draw_common(cfg, mi, chunk, n)
    variant = np.array([member_variant(mi, cm, j) for j in range(len(mi.iso3))])
    d = Draws.empty(len(mi.stream_ids), n, len(mi.years), variant, cm.haircut)
    for j in range(len(mi.stream_ids)):
        gens = member_generators(cfg.seed, chunk, mi.stream_ids[j])
        kernel.draw_member(gens, draw_params(cfg, mi, cm, j), d.member(j), ALL,
                           np.empty((n, kernel.AUX)))  # fmt: skip
    return Shocks(regime=cm.regime, stance=cm.stance, review=cm.review, **d._asdict())


ALL = np.ones(kernel.N_MECHANISMS, np.bool_)
"""Draw every mechanism (:func:`sim.kernel.draw_member`'s ``redraw``)."""


def common_digest(cm: Common) -> tuple[bytes, bytes]:
    """Digests of the alliance-wide draws that members' draws are built on: the
    common factors and bootstrap years, and the alliance-wide revisions (part of the
    mechanism keys)."""

    def digest(*arrays) -> bytes:
        h = hashlib.blake2b(digest_size=16)
        for a in arrays:
            h.update(np.ascontiguousarray(a).data)
        return h.digest()

    return digest(cm.f_g, cm.f_pi, cm.f_w, cm.boot), digest(cm.jump)


def mechanism_keys(q: DrawParams, common: tuple[bytes, bytes]) -> tuple:
    """What each mechanism's draws depend on, in the order of ``redraw``
    (:data:`sim.kernel.MACRO`, ...): equal keys, equal draws (for the same seed,
    chunk and member).  ``common``: :func:`common_digest` of the chunk."""
    return (
        (q.df, q.a_g, q.a_pi, q.a_w, q.c, q.res_noise_sd, common[0],
         q.z_hist_g.tobytes(), q.z_hist_pi.tobytes()),
        (q.exec_mean, q.exec_sd),
        (q.revisions_on, q.rate_member, q.rev_mean, q.rev_sd, q.rev_dof, common[1]),
        (q.landing_on,),
        (q.landing_on, q.land_a, q.land_b),
        (q.elect_on, q.election.tobytes(), q.p_change, q.p_up, q.jump_size),
        (q.report_on, q.noise_sd),
        (q.reclass_on,),
    )  # fmt: skip


def member_variant(mi: ModelInputs, cm: Common, j: int) -> np.ndarray:
    """Row of ``mi.path`` each path of member j follows [path]: the review outcome,
    or for the USA under the US budget module its regime sequence."""
    return cm.us_variant if mi.us_budget is not None and mi.is_us[j] else cm.review


def draw_params(cfg: Config, mi: ModelInputs, cm: Common, j: int) -> DrawParams:
    """What :func:`sim.kernel.draw_member` needs for member j in this chunk."""
    e, res, rv, pol = cfg.execution, cfg.resilience, cfg.revisions, mi.policy
    el, rc = cfg.elections, cfg.reclass
    return DrawParams(
        df=cm.df or 0.0, a_g=cm.a_g, a_pi=cm.a_pi, a_w=cm.a_w, c=cm.c,
        exec_mean=e.mean, exec_sd=e.sd, noise_sd=cfg.reporting.noise_sd,
        wbar=mi.wbar[j], initial_sd=cfg.will.initial_sd,
        gamma_tab=sampling.gamma_table(0.5 * cm.df) if cm.df else np.zeros((1, 4)),
        beta_tab=beta_table(e.mean, e.sd) if e.sd > 0 else np.zeros((1, 4)),
        prior_mean=mi.res_prior_mean[j], prior_sd=res.prior_sd, res_noise_sd=res.noise_sd,
        revisions_on=rv.enabled, rate_member=pol["rate_member"], rev_mean=rv.mean,
        rev_sd=pol["rev_sd"] * pol["member_scale"][j], rev_dof=pol["member_dof"][j],
        landing_on=cfg.landing.enabled, p_topup=pol["p_topup"],
        land_a=pol["land_a"] if rv.parameter_uncertainty else 0.0, land_b=pol["land_b"],
        elect_on=el.enabled, election=mi.election[j], p_change=el.p_change,
        p_up=el.p_up, jump_size=el.jump,
        reclass_on=rc.enabled, reclass_hazard=cm.reclass_hazard,
        report_on=cfg.reporting.enabled,
        f_g=cm.f_g, f_pi=cm.f_pi, f_w=cm.f_w,
        common_jump=cm.jump, **member_shifts(cfg, mi, cm, j),
        boot=cm.boot, z_hist_g=mi.z_growth[:, j], z_hist_pi=mi.z_inflation[:, j],
    )  # fmt: skip


def as_draws(sh: Shocks) -> Draws:
    """The kernel's :class:`Draws` bundle of a chunk's shocks."""
    return Draws(*(getattr(sh, f) for f in Draws._fields))
