"""The kernel's named input bundles: namedtuples of arrays and scalars (numba reads
them as records: ``p.will_vol``, not the 15th positional argument).

Built in one place, :mod:`sim.params` (``member_params``, ``scalars``) and
:mod:`sim.shocks` (``Draws``).  A field keeps its YAML name where it has one
(``will.vol`` -> ``will_vol``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Members(NamedTuple):
    """Per-member arrays, axis 0 = member; rates [fraction/yr], shares [% GDP]."""

    g0: np.ndarray  # base-year real growth
    pi0: np.ndarray  # base-year deflator inflation
    mu_g: np.ndarray  # long-run growth
    mu_pi: np.ndarray  # long-run inflation
    phi_g: np.ndarray  # AR(1) persistence of growth
    phi_pi: np.ndarray
    sig_g: np.ndarray  # innovation s.d. of growth
    sig_pi: np.ndarray
    gdp0: np.ndarray  # base-year GDP [US$ bn]
    s0: np.ndarray  # base-year core share
    path: np.ndarray  # [member, variant, year] target path (variant: Draws.variant)
    dmax: np.ndarray  # absorption limit [pp/yr]
    wbar: np.ndarray  # long-run will [logit]
    debt0: np.ndarray  # base-year debt [% GDP]
    deficit: np.ndarray  # baseline deficit [% GDP]
    drag_mask: np.ndarray  # [member, year] 1 where high debt drags on will
    dip: np.ndarray  # [member, year] election-year dip [pp]
    pool: np.ndarray  # reclassification pool [pp]
    fixed_rate: np.ndarray  # fixed plan increase [pp/yr]; NaN: none


class Scalars(NamedTuple):
    """Alliance-wide parameters (YAML section_key names)."""

    will_reversion: float  # [1/yr]
    will_vol: float  # [logit/yr]
    will_speed: float  # share of the gap closed at will 1 [1/yr]
    budget_scale: float  # 1 / execution.mean when budgeting for underspend, else 1
    resilience_cap: float  # [% GDP]
    resilience_speed: float  # [1/yr]
    drag_per_10pp: float  # [logit per 10 pp debt]
    threshold: float  # debt threshold [% GDP]
    debt_financed: float  # share of extra spending financed by debt
    interest: float  # interest_shift_pp / 100 [fraction/yr]
    consolidation_pp: float  # commitment cut after a recession [pp]
    momentum: float  # AR(1) coefficient of yearly revisions
    recession_growth: float  # recession_growth_pct / 100 [fraction/yr]
    core_level: float  # the level near misses are topped up to [% GDP]
    landing_band: float  # largest shortfall topped up [pp]
    g_shock: np.ndarray  # [year] unforeseen common growth shock [fraction]


class Draws(NamedTuple):
    """Random inputs, [member, path, year] for the kernel ([path, year] for one
    member's draws); ``w0``, ``r0``, ``reclass_start``, ``variant``: no year axis;
    ``haircut``: common to all members, [path, year]."""

    u_g: np.ndarray  # growth shock, unit variance
    u_pi: np.ndarray  # inflation shock, unit variance
    u_w: np.ndarray  # will shock, unit variance
    eta: np.ndarray  # execution rate (outturn / budget)
    zeta: np.ndarray  # resilience noise [pp]
    w0: np.ndarray  # initial will [logit]
    r0: np.ndarray  # base-year resilience spending [pp]
    w_offset: np.ndarray  # persistent will shift (threat, US stance) [logit]
    w_jump: np.ndarray  # one-off will jumps (elections) [logit]
    c_offset: np.ndarray  # alliance-wide commitment shift (threat, US stance) [pp]
    rev: np.ndarray  # commitment revisions [fraction of the planned share]
    u_land: np.ndarray  # uniform: top-up of a near miss
    p_land: np.ndarray  # [path] probability of a top-up
    variant: (
        np.ndarray
    )  # [member, path] row of Members.path: review outcome or US regimes
    haircut: np.ndarray  # [path, year] fraction of resilience not counted (NATO ruling)
    reclass_start: np.ndarray  # year index of reclassification
    noise: np.ndarray  # reporting noise [pp]

    PER_PATH = ("w0", "r0", "reclass_start", "p_land")
    """Fields without a year axis (besides ``variant`` and ``haircut``)."""

    @classmethod
    def empty(cls, n_members: int, n: int, n_years: int, variant: np.ndarray,
              haircut: np.ndarray) -> Draws:  # fmt: skip
        """Buffers for ``n_members`` x ``n`` paths x ``n_years`` (``variant``,
        ``haircut``: given)."""
        dtype = {"reclass_start": np.int64}
        return cls(**{
            f: variant if f == "variant" else haircut if f == "haircut"
            else np.empty((n_members, n), dtype.get(f, float)) if f in cls.PER_PATH
            else np.empty((n_members, n, n_years))
            for f in cls._fields
        })  # fmt: skip

    def member(self, j: int) -> Draws:
        """Member j's views ([path, year]), for :func:`sim.kernel.draw_member`."""
        return Draws(*(a if f == "haircut" else a[j] for f, a in zip(self._fields, self, strict=True)))  # fmt: skip


class Outputs(NamedTuple):
    """What the kernel fills, [member, path, year]."""

    core: np.ndarray  # reported core share [% GDP]
    res: np.ndarray  # counted resilience [% GDP]
    gdp: np.ndarray  # real GDP [base-year US$ bn]
    debt: np.ndarray  # gross debt [% GDP]
    pre: np.ndarray  # core share before reporting noise and top-up [% GDP]
    land: np.ndarray  # probability that a near miss is topped up (0: not due)

    @classmethod
    def empty(cls, shape) -> Outputs:
        return cls(*(np.empty(shape) for _ in cls._fields))


class DrawParams(NamedTuple):
    """What one member's draws need (:func:`sim.kernel.draw_member`); arrays are
    [path, year] unless stated.  Built by :func:`sim.shocks.draw_params`."""

    df: float  # Student-t degrees of freedom; 0: Gaussian
    a_g: float  # loading on the common growth factor
    a_pi: float
    a_w: float
    c: float  # growth-inflation correlation
    exec_mean: float
    exec_sd: float
    noise_sd: float  # reporting noise [pp]
    wbar: float  # long-run will [logit]
    initial_sd: float  # s.d. of the initial will [logit]
    gamma_tab: np.ndarray  # sampling table of the t mixing variable
    beta_tab: np.ndarray  # sampling table of the execution rate
    prior_mean: float  # base-year resilience [pp]
    prior_sd: float
    res_noise_sd: float
    revisions_on: bool
    rate_member: float  # own commitment revisions per year
    rev_mean: float  # [fraction of the planned share]
    rev_sd: float  # revisions.sd (or its calibration) x the member's scale
    rev_dof: float  # degrees of freedom of rev_sd's estimate; 0: no uncertainty
    landing_on: bool
    land_a: float  # Beta(a, b) of (1 + p_topup) / 2; a = 0: p_land fixed
    land_b: float
    p_topup: float
    elect_on: bool
    election: np.ndarray  # [year] bool
    p_change: float
    p_up: float
    jump_size: float  # election jump [logit]
    reclass_on: bool
    reclass_hazard: (
        np.ndarray
    )  # [path, year] cumulative hazard (politics.first_success)
    report_on: bool
    f_g: np.ndarray  # common factors
    f_pi: np.ndarray
    f_w: np.ndarray
    exposure: float  # the member's exposure to the threat (0: threat off)
    threat_shift: np.ndarray  # will shift per unit exposure [logit]
    threat_commit: np.ndarray  # commitment shift per unit exposure [pp]
    stance_shift: np.ndarray  # the US stance's will shift for this member [logit]
    stance_on: float  # 1 with the US stance on, else 0
    allies_commit: np.ndarray  # the US stance's commitment shift of allies [pp]
    allies_on: float  # 1 for an ally with the US stance on, else 0
    common_jump: np.ndarray  # alliance-wide revisions [fraction of the planned share]
    boot: np.ndarray  # rows of the residual panels (-1: no bootstrap)
    z_hist_g: np.ndarray  # [historical year] standardised residuals
    z_hist_pi: np.ndarray

    def rows(self, lo: int, hi: int) -> DrawParams:
        """These parameters for paths lo..hi-1 (the [path, year] arrays sliced)."""
        return self._replace(**{f: getattr(self, f)[lo:hi] for f in _PER_PATH})


_PER_PATH = ("f_g", "f_pi", "f_w", "threat_shift", "threat_commit", "stance_shift",
             "allies_commit", "common_jump", "reclass_hazard", "boot")  # fmt: skip


class Targets(NamedTuple):
    """What the reductions compare paths with (:func:`sim.kernel.reduce_member`)."""

    levels: np.ndarray  # [target] level [% GDP]
    is_total: np.ndarray  # [target] bool: core + resilience, else core
    tol: float  # meet tolerance [pp]
    fx_share: float  # fixed-point units per pp of a share
    fx_money: float  # fixed-point units per US$ bn
    specs: np.ndarray  # rows (lo, 1/width, n_bins) of the core/total/res/debt hists


class MemberSums(NamedTuple):
    """One member's slices of a :class:`sim.reduce.Partial` (int64 counts/sums)."""

    meet: np.ndarray  # [target, year]
    meet_by: np.ndarray  # [target, year]
    on_path: np.ndarray  # [year]
    core_sum: np.ndarray  # [year]
    total_sum: np.ndarray  # [year]
    shortfall: np.ndarray  # [target, year]
    h_core: np.ndarray  # [year, bin]
    h_total: np.ndarray
    h_res: np.ndarray
    h_debt: np.ndarray


class PathSums(NamedTuple):
    """A thread's per-path accumulators over members [.., path, year] (int64)."""

    count: np.ndarray  # [target, path, year] members meeting
    d_core: np.ndarray  # core spending [fixed-point money]
    d_total: np.ndarray
    y_sum: np.ndarray  # real GDP [fixed-point money]
