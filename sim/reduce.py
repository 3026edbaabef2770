"""Mergeable per-chunk reductions: integer counts, fixed-point sums and histograms.

Everything in a :class:`Partial` is an integer, so merging chunks is exact and does
not depend on the order (or the machine) in which chunks were computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from .constants import FIXED_MONEY, FIXED_SHARE, HISTOGRAMS
from .model.inputs import MemberSums, Targets

MEMBER_HISTS = ("core", "total", "res", "debt")
CONDITIONS = (
    "threat=moderate", "threat=high", "threat=acute",
    "us=pressure", "us=neutral", "us=retrenchment",
    "recession=no", "recession=yes",
)  # fmt: skip
"""States of the main drivers in a target year, for P(met | condition): the threat
regime and US stance that year, and whether alliance real GDP fell in any year so far."""
ALLIANCE_HISTS = ("alliance_core", "alliance_total")


def hist_specs(names=MEMBER_HISTS) -> np.ndarray:
    """Rows (lo, 1/width, n_bins) for the kernel."""
    return np.array([(lo, 1.0 / w, n) for lo, w, n in (HISTOGRAMS[k] for k in names)])


def targets(cfg) -> Targets:
    """The targets bundle of the kernel's reductions (member histogram specs)."""
    return Targets(
        levels=np.array([t.level for t in cfg.targets]),
        is_total=np.array([t.measure == "total" for t in cfg.targets]),
        tol=float(cfg.meet_tolerance), fx_share=FIXED_SHARE, fx_money=FIXED_MONEY,
        specs=hist_specs(),
    )  # fmt: skip


def member_sums(part: Partial, j: int) -> MemberSums:
    """Member j's slices of ``part``, for :func:`sim.kernel.reduce_member`."""
    h = part.hists
    return MemberSums(
        part.meet[:, j], part.meet_by[:, j], part.on_path[j], part.core_sum[j],
        part.total_sum[j], part.shortfall[:, j],
        h["core"][j], h["total"][j], h["res"][j], h["debt"][j],
    )  # fmt: skip


@dataclass
class Partial:
    """Reductions of some chunks; ``+`` merges two of them exactly."""

    n_paths: int
    meet: np.ndarray  # [target, member, year]
    meet_by: np.ndarray  # [target, member, year]
    on_path: np.ndarray  # [member, year]
    core_sum: np.ndarray  # [member, year] fixed point (FIXED_SHARE)
    total_sum: np.ndarray  # [member, year] fixed point
    shortfall: np.ndarray  # [target, member, year] fixed point (FIXED_MONEY)
    n_meeting: np.ndarray  # [target, year, count]
    alliance_meet: np.ndarray  # [target, year]
    regime: np.ndarray  # [state, year]
    stance: np.ndarray  # [state, year]
    review: np.ndarray  # [outcome]
    cond_count: np.ndarray  # [condition, target year] paths in each condition
    cond_meet: np.ndarray  # [target, member, target year, condition] paths meeting
    hists: dict[str, np.ndarray] = field(default_factory=dict)  # [member,] year, bin
    samples: dict[str, np.ndarray] = field(default_factory=dict)  # [member, path, year]

    @classmethod
    def empty(
        cls, n_targets: int, n_members: int, n_years: int, n_counted: int, n_ty: int = 0
    ):
        z = np.zeros
        i8 = np.int64
        hists = {n: z((n_members, n_years, HISTOGRAMS[n][2]), i8) for n in MEMBER_HISTS}
        hists |= {n: z((n_years, HISTOGRAMS[n][2]), i8) for n in ALLIANCE_HISTS}
        return cls(
            n_paths=0,
            meet=z((n_targets, n_members, n_years), i8),
            meet_by=z((n_targets, n_members, n_years), i8),
            on_path=z((n_members, n_years), i8),
            core_sum=z((n_members, n_years), i8),
            total_sum=z((n_members, n_years), i8),
            shortfall=z((n_targets, n_members, n_years), i8),
            n_meeting=z((n_targets, n_years, n_counted + 1), i8),
            alliance_meet=z((n_targets, n_years), i8),
            regime=z((3, n_years), i8),
            stance=z((3, n_years), i8),
            review=z(3, i8),
            cond_count=z((len(CONDITIONS), n_ty), i8),
            cond_meet=z((n_targets, n_members, n_ty, len(CONDITIONS)), i8),
            hists=hists,
        )

    def __add__(self, other: Partial) -> Partial:
        out = {}
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            if f.name == "hists":
                out[f.name] = {k: a[k] + b[k] for k in a}
            elif f.name == "samples":  # sample paths come from the first chunks
                out[f.name] = (
                    {k: np.concatenate([a[k], b[k]], axis=1) for k in a if k in b}
                    or a
                    or b
                )
            else:
                out[f.name] = a + b
        return Partial(**out)


def _bin(x: np.ndarray, name: str) -> np.ndarray:
    lo, width, n = HISTOGRAMS[name]
    b = np.floor((x - lo) * (1.0 / width))
    b = np.where(np.isfinite(b), b, n - 1)
    return np.clip(b, 0, n - 1).astype(np.int64)


def _hist(x: np.ndarray, name: str) -> np.ndarray:
    """Histogram over the last-but-one axis ([..., path, year] -> [..., year, bin])."""
    n = HISTOGRAMS[name][2]
    x = np.moveaxis(x, -2, -1)  # [..., year, path]
    lead = x.shape[:-1]
    flat = _bin(x, name).reshape(-1, x.shape[-1])
    offs = (np.arange(flat.shape[0]) * n)[:, None]
    counts = np.bincount((flat + offs).ravel(), minlength=flat.shape[0] * n)
    return counts.reshape(*lead, n)


def reduce_numpy(
    cfg, mi, regime, stance, review, core, res, gdp, debt, hits=None
) -> Partial:
    """The reductions of :func:`sim.kernel.reduce_member` / ``reduce_alliance`` written
    with numpy over whole [member, path, year] arrays (the reference)."""
    c = mi.counted
    n_t, n_m, n_y = len(cfg.targets), len(mi.iso3), len(mi.years)
    ty = target_year_index(cfg, mi)
    part = Partial.empty(n_t, n_m, n_y, int(c.sum()), len(ty))
    part.n_paths = core.shape[1]
    if hits is None:
        hits = np.zeros((n_t, n_m, core.shape[1], n_y), np.uint8)
    tol = cfg.meet_tolerance
    total = core + res
    cnt = np.zeros((n_t, core.shape[1], n_y), np.int64)
    for k, tgt in enumerate(cfg.targets):
        x = (total if tgt.measure == "total" else core)[c]
        hit = x >= tgt.level - tol
        if hits is not None:
            hits[k, c] = hit
        part.meet[k, c] = hit.sum(1)
        part.meet_by[k, c] = np.logical_or.accumulate(hit, axis=2).sum(1)
        gap = np.where(hit, 0, np.rint((tgt.level - x) / 100.0 * gdp[c] * FIXED_MONEY))
        part.shortfall[k, c] = gap.astype(np.int64).sum(1)
        cnt[k] = hit.sum(0)
    above = core[c] >= mi.line[c][:, None, :] - tol
    part.on_path[c] = np.logical_and.accumulate(above, axis=2).sum(1)
    part.core_sum[c] = np.rint(core[c] * FIXED_SHARE).astype(np.int64).sum(1)
    part.total_sum[c] = np.rint(total[c] * FIXED_SHARE).astype(np.int64).sum(1)
    for name, arr in (("core", core), ("total", total), ("res", res), ("debt", debt)):
        part.hists[name][c] = _hist(arr[c], name)
    d_core = np.rint(core[c] / 100.0 * gdp[c] * FIXED_MONEY).astype(np.int64).sum(0)
    d_total = np.rint(total[c] / 100.0 * gdp[c] * FIXED_MONEY).astype(np.int64).sum(0)
    y_sum = np.rint(gdp[c] * FIXED_MONEY).astype(np.int64).sum(0)
    shares = {"core": 100.0 * d_core / y_sum, "total": 100.0 * d_total / y_sum}
    masks = condition_masks(regime, stance, y_sum, base_gdp(mi), ty)
    add_conditions(part, masks, hits, ty)
    part.hists["alliance_core"] = _hist(shares["core"], "alliance_core")
    part.hists["alliance_total"] = _hist(shares["total"], "alliance_total")
    for k, tgt in enumerate(cfg.targets):
        for t in range(n_y):
            part.n_meeting[k, t] = np.bincount(cnt[k, :, t], minlength=c.sum() + 1)
        part.alliance_meet[k] = (shares[tgt.measure] >= tgt.level - tol).sum(0)
    add_states(part, regime, stance, review)
    return part


def target_year_index(cfg, mi) -> np.ndarray:
    return np.array([list(mi.years).index(y) for y in cfg.target_years])


def base_gdp(mi) -> int:
    """Alliance real GDP of the base year in the fixed-point units of the kernel."""
    return int(np.rint(mi.gdp0[mi.counted] * FIXED_MONEY).astype(np.int64).sum())


def condition_masks(regime, stance, y_sum, y0: float, ty_index) -> np.ndarray:
    """Bool [condition, path, target year] from the common states and alliance real GDP
    ``y_sum`` [path, year] (``y0``: the base year's)."""
    prev = np.concatenate([np.full((y_sum.shape[0], 1), y0), y_sum[:, :-1]], axis=1)
    recession = np.logical_or.accumulate(y_sum < prev, axis=1)
    out = []
    for i in range(3):
        out.append(regime[:, ty_index] == i)
    for i in range(3):
        out.append(stance[:, ty_index] == i)
    out += [~recession[:, ty_index], recession[:, ty_index]]
    return np.stack(out)


def add_conditions(
    part: Partial, masks: np.ndarray, hits: np.ndarray, ty_index
) -> None:
    """Add counts of paths per condition and of paths meeting given each condition.

    ``hits`` is uint8 [target, member, path, year]."""
    part.cond_count += masks.sum(axis=1)
    h = hits[:, :, :, ty_index].astype(bool)  # [target, member, path, ty]
    for c in range(masks.shape[0]):
        part.cond_meet[..., c] += (h & masks[c][None, None]).sum(axis=2)


def add_states(part: Partial, regime, stance, review) -> None:
    """Counts of the common political states of one chunk."""
    for i in range(3):
        part.regime[i] += (regime == i).sum(0)
        part.stance[i] += (stance == i).sum(0)
    part.review += np.bincount(review, minlength=3)


def out_of_range(part: Partial) -> dict[str, int]:
    """Counts in the top bin of each histogram (values at or above its range)."""
    return {k: int(v[..., -1].sum()) for k, v in part.hists.items()}
