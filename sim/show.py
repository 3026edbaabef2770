"""Plain-text summary tables of a results Dataset (for `sim show`, `sim run` and
`sim compare`).  "in YEAR" is ``p_meet`` (the level is met in that year); "by YEAR"
is ``p_meet_by`` (met in at least one year up to that year)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from .constants import CONDITION, SCENARIO, TARGET_YEAR
from .stats import paired_difference, quantile, worst_se

IN_BY = (
    '"in Y" = at or above the level in year Y; "by Y" = in at least one year up to Y'
)

PRECISE_PATHS = 10_000
"""Paths for which the worst-case s.e. 0.5/sqrt(n) is 0.005: three printed decimals."""


def target_years(ds: xr.Dataset) -> list[int]:
    return [int(y) for y in np.atleast_1d(ds.attrs["target_years"])]


def target_label(ds: xr.Dataset, t: str) -> str:
    """'core_3.5 (core >= 3.5%)' from the target's measure and level."""
    m = str(ds["measure"].sel(target=t).values)
    return f"{t} ({m} >= {float(ds['level'].sel(target=t)):g}%)"


def precision_warning(n_paths: int) -> str:
    """A warning when the probabilities are printed more precisely than ``n_paths``
    allow (worst-case s.e. 0.5/sqrt(n) above 0.005); '' otherwise."""
    if n_paths >= PRECISE_PATHS:
        return ""
    worst = worst_se(n_paths)
    text = (
        f"warning: {n_paths:,} paths: probabilities have a Monte Carlo s.e. of up to "
        f"{worst:.3f}, so not all printed decimals are meaningful (three need "
        f"{PRECISE_PATHS:,} paths)"
    )
    if n_paths < 100:
        text += "; the s.e. sqrt(p(1-p)/n) is unreliable this small (0 at p = 0 or 1)"
    return text


def provenance_line(ds: xr.Dataset) -> str:
    """Data vintage and plan cut-off, when the results file records them."""
    a = ds.attrs
    parts = []
    if a.get("share_vintage"):
        parts.append(f"base-year shares: {a['share_vintage']}")
        if a.get("share_definition"):
            parts[-1] += f" ({a['share_definition']})"
    if a.get("plans_asof"):
        parts.append(f"national plans as of {a['plans_asof']}")
    cal = calibration_name(a.get("config", ""))
    if parts and cal:
        parts.append(f"calibration: {cal}")
    return "data: " + "; ".join(parts) if parts else ""


def calibration_name(config_yaml: str) -> str:
    """The calibration a stored config used: bundled, estimated as of the base year,
    or a file ('' if the config does not say)."""
    for line in config_yaml.splitlines():
        if line.startswith("calibration:"):
            v = line.split(":", 1)[1].strip().strip("'\"")
            return {"null": "bundled (sim/data/calibration.yaml)", "": "bundled",
                    "asof": "estimated from data up to the base year"}.get(v, v)  # fmt: skip
    return ""


def _text(v) -> str:
    s = str(v)
    return "" if s in ("", "nan", "NaT", "None") else s


def plan_marks(ds: xr.Dataset) -> dict[str, str]:
    """Per member: which path it follows: 'alliance', 'own', or for a national plan
    the plan's date (with '*' when conditional) or 'national' without dates."""
    out = {}
    for i, m in enumerate(ds["member"].values):
        rule = str(ds["path_rule"].values[i]) if "path_rule" in ds.coords else ""
        alliance = rule.startswith(
            "alliance"
        )  # also "alliance (national plan not above it)"
        mark = "own" if rule == "own" else "alliance" if alliance else ""
        mark = "US regimes" if rule.startswith("US budget") else mark
        if "national" in rule and not alliance:
            mark = "national"
            if "plan_date" in ds.coords and _text(ds["plan_date"].values[i]):
                mark = _text(ds["plan_date"].values[i])[:10]
                if "plan_conditional" in ds.coords:
                    mark += "*" if int(ds["plan_conditional"].values[i]) else ""
        out[str(m)] = mark
    return out


def _p(v: float) -> str:
    return f"{'n/a' if np.isnan(v) else f'{v:.3f}':>8}"


def member_table(
    ds: xr.Dataset, limit: int | None = None, members: list[str] | None = None
) -> str:
    """Members sorted by P(first target in the first target year): for each target,
    P(met in Y) and P(met by Y) for each target year."""
    years = target_years(ds)
    targets = [str(t) for t in ds["target"].values]
    key = ds["p_meet"].sel(target=targets[0], year=years[0]).fillna(-1)
    order = np.argsort(-key.values, kind="stable")
    counted = ds["counted"].values.astype(bool)
    marks = plan_marks(ds)
    block = len(years) * 16
    left = f"{'member':6} {'name':16} {'base':>5} {'path':11}"
    top = " " * len(left) + "".join(
        f"  {target_label(ds, t)[:block]:^{block}}" for t in targets
    )
    sub = "".join(
        "  " + "".join(f"{'in ' + str(y):>8}{'by ' + str(y):>8}" for y in years)
        for _ in targets
    )
    lines = [top.rstrip(), left + sub, "-" * len(left + sub)]
    shown = 0
    for i in order:
        m = str(ds["member"].values[i])
        if not counted[i] or (members and m not in members):
            continue
        if limit and shown >= limit:
            break
        shown += 1
        cells = ""
        for t in targets:
            cells += "  "
            for y in years:
                sel = dict(target=t, year=y, member=m)
                cells += _p(float(ds["p_meet"].sel(sel)))
                cells += _p(float(ds["p_meet_by"].sel(sel)))
        name = str(ds["member_name"].values[i])[:16]
        base = float(ds["base_share"].values[i])
        lines.append(f"{m:6} {name:16} {base:5.2f} {marks[m]:11}{cells}")
    excluded = ds.attrs.get("excluded_members", "")
    if excluded:
        lines.append(f"excluded (no armed forces, not counted): {excluded}")
    lines.append(
        "path: alliance = linear to the alliance level by the deadline (held at the "
        "base share if above it); national = a "
        "national plan where faster"
        + (" (its date; * = conditional)" if "plan_date" in ds.coords else "")
        + "; own = the member's own level"
    )
    if "us_budget" in ds.attrs:
        lines.append(f"US regimes: {ds.attrs['us_budget']}")
    if "commitment_due" in ds.attrs:
        lines.append(
            "commitment due (first year the path, review kept, is at the core level: a "
            "floor from then, near misses topped up; - = not by "
            f"{int(ds.year[-1])}; USA: current-law regime): "
            + ds.attrs["commitment_due"]
        )
        lines.append(f"policy model: {ds.attrs['policy_parameters']}")
    return "\n".join(lines)


def _band(da: xr.DataArray) -> str:
    q = {p: quantile(da, p) for p in (0.05, 0.5, 0.95)}
    return f"{q[0.5]:.2f}% [{q[0.05]:.2f}-{q[0.95]:.2f}]"


def alliance_table(ds: xr.Dataset) -> str:
    """Alliance aggregates in the target years: shares and expected members meeting
    in and by each year (the latter: the sum of the members' P(met by the year))."""
    years = target_years(ds)
    counted = ds["counted"] == 1
    rows = [
        (f"alliance ({int(counted.sum())} counted members)", [str(y) for y in years]),
        ("core share, median [5-95%]",
         [_band(ds["alliance_core_share"].sel(year=y)) for y in years]),
        ("total share, median [5-95%]",
         [_band(ds["alliance_total_share"].sel(year=y)) for y in years]),
    ]  # fmt: skip
    for t in ds["target"].values:
        rows.append((f"expected members meeting {t} in Y", [
            f"{float(ds['n_meeting_mean'].sel(target=t, year=y)):.1f}" for y in years]))  # fmt: skip
        rows.append((f"expected members meeting {t} by Y", [
            f"{float(ds['p_meet_by'].sel(target=t, year=y).where(counted).sum()):.1f}"
            for y in years]))  # fmt: skip
        rows.append((f"P(alliance share meets {t}) in Y", [
            f"{float(ds['p_alliance_meet'].sel(target=t, year=y)):.3f}" for y in years]))  # fmt: skip
    return "\n".join(
        f"{label:40}" + "".join(f"{c:>20}" for c in cells) for label, cells in rows
    )


def conditional_table(ds: xr.Dataset) -> str:
    """Expected members meeting each target in the first target year, by driver state."""
    if "p_meet_given" not in ds:
        return ""
    y = int(ds[TARGET_YEAR].values[0])
    lines = [
        f"expected members meeting in {y}, given the drivers' state (share of paths)"
    ]
    for c in ds[CONDITION].values:
        pc = float(ds["p_condition"].sel(target_year=y, condition=c))
        cells = ", ".join(
            f"{t}: {float(ds['n_meeting_mean_given'].sel(target=t, target_year=y, condition=c)):.1f}"
            for t in ds["target"].values
        )
        lines.append(f"  {c:18} ({pc:5.1%}) {cells if pc > 0 else '-'}")
    return "\n".join(lines)


def header(ds: xr.Dataset) -> str:
    a = ds.attrs
    lines = [
        f"{a.get('experiment', '?')}: {int(a['n_paths'])} paths, seed {int(a['seed'])}, "
        f"base year {int(a['base_year'])}"
    ]
    prov = provenance_line(ds)
    if prov:
        lines.append(prov)
    se = float(ds["p_meet_se"].max())
    lines.append(f"P(share >= level): {IN_BY}")
    lines.append(f"Monte Carlo s.e. of each probability at most {se:.3f}")
    return "\n".join(lines)


def paired_table(ds: xr.Dataset, cells=None, top: int = 10, members=None) -> str:
    """Per member: each scenario's P(target met in the year) minus the first
    scenario's, with the paired s.e. (common random numbers) and, in brackets, the
    unpaired one."""

    years = target_years(ds)
    targets = [str(t) for t in ds["target"].values]
    cells = cells or [(targets[0], years[0]), (targets[-1], years[-1])]
    names = [str(s) for s in ds[SCENARIO].values]
    ref = names[0]
    first = ds.isel(scenario=0)
    counted = first["gdp_base"].where(first["counted"] == 1, drop=True)
    if members is None:
        members = list(counted.sortby(counted, ascending=False)["member"].values[:top])
    blocks = []
    for t, y in cells:
        head = f"{'P(' + t + ' in ' + str(y) + ')':22} {ref:>10}" + "".join(
            f" {s + ' - ' + ref:>35}" for s in names[1:]
        )
        lines = [head, "-" * len(head)]
        for m in members:
            row = f"{m:4} {str(first['member_name'].sel(member=m).values)[:16]:17} "
            row += f"{float(first['p_meet'].sel(target=t, year=y, member=m)):10.3f}"
            for s in names[1:]:
                d, pse, use = (v.sel(target=t, year=y, member=m) for v in
                               paired_difference(ds, s, ref))  # fmt: skip
                row += f"{float(d):+.3f} ±{float(pse):.4f} [±{float(use):.4f}]".rjust(
                    34
                )
            lines.append(row)
        blocks.append("\n".join(lines))
    return (
        f"{ds.attrs.get('experiment')}: sweep of {len(names)} scenarios on common random "
        f"numbers, {int(ds.attrs['n_paths'])} paths; P(target met in the year): "
        "differences ± paired s.e. [unpaired s.e.]\n" + "\n\n".join(blocks)
    )


def scenario_counts(ds: xr.Dataset) -> str:
    """Per scenario: expected members meeting each target in each target year, and
    the alliance core share's median in the last target year."""
    years = target_years(ds)
    targets = [str(t) for t in ds["target"].values]
    cols = [(t, y) for t in targets for y in years]
    head = (
        f"{'expected members meeting':24}"
        + "".join(f" {t + ' ' + str(y):>14}" for t, y in cols)
        + f" {'alliance core median ' + str(years[-1]):>26}"
    )
    lines = [head, "-" * len(head)]
    for s in ds[SCENARIO].values:
        one = ds.sel(scenario=s)
        row = f"{str(s)[:24]:24}" + "".join(
            f" {float(one['n_meeting_mean'].sel(target=t, year=y)):14.1f}"
            for t, y in cols
        )
        med = quantile(one["alliance_core_share"].sel(year=years[-1]), 0.5)
        lines.append(row + f" {med:25.2f}%")
    return "\n".join(lines)


def tables(
    ds: xr.Dataset, limit: int | None = None, members: list[str] | None = None
) -> str:
    """The tables of a run (header, members, alliance, conditions), or a sweep's
    paired differences; ``limit``: first N members, ``members``: only these."""
    if SCENARIO in ds.dims:
        data = provenance_line(ds)
        return (
            (data + "\n" if data else "")
            + paired_table(ds, members=members)
            + "\n\n"
            + scenario_counts(ds)
        )
    return "\n".join(
        [
            header(ds),
            "",
            member_table(ds, limit, members),
            "",
            alliance_table(ds),
            "",
            conditional_table(ds),
        ]
    )


def compare_warnings(runs: dict[str, xr.Dataset]) -> list[str]:
    """What makes runs less comparable: different member sets, seeds, path counts."""
    out = []
    first_name, first = next(iter(runs.items()))
    sets = {n: set(_counted(ds)) for n, ds in runs.items()}
    common = set.intersection(*sets.values())
    for n, s in sets.items():
        if s != common:
            extra = sorted(s - common)
            more = f", ... ({len(extra)} in all)" if len(extra) > 6 else ""
            out.append(
                f"warning: {n} has members the other runs lack ({', '.join(extra[:6])}"
                f"{more}): the table "
                f"shows the {len(common)} members in every run and counts only them"
            )
    for key, what in (("seed", "seeds"), ("n_paths", "path counts")):
        values = {n: int(ds.attrs[key]) for n, ds in runs.items()}
        if len(set(values.values())) > 1:
            out.append(
                f"warning: the runs have different {what} ("
                + ", ".join(f"{n} {v}" for n, v in values.items())
                + "): differences mix Monte Carlo noise with the change"
                + (" (no common random numbers)" if key == "seed" else "")
            )
    return out


def _counted(ds: xr.Dataset) -> list[str]:
    return [str(m) for m in ds["member"].values[ds["counted"].values.astype(bool)]]


def compare_table(
    runs: dict[str, xr.Dataset],
    cells: list[tuple[str, int]],
    members: list[str] | None = None,
    top: int = 10,
    by: bool = False,
) -> str:
    """P(target met in year) (``by``: by the year) per member (rows) and run (columns,
    with s.e.), then each run minus the first with the unpaired s.e.; the last row is
    the expected number of members meeting, over the members every run has.

    ``members`` defaults to the ``top`` members by base-year GDP common to all runs.
    """
    var = "p_meet_by" if by else "p_meet"
    word = "by" if by else "in"
    names = list(runs)
    first = runs[names[0]]
    common = [
        m for m in _counted(first) if all(m in _counted(d) for d in runs.values())
    ]
    same_members = all(_counted(d) == _counted(first) for d in runs.values())
    if members is None:
        gdp = first["gdp_base"].sel(member=common)
        members = list(gdp.sortby(gdp, ascending=False)["member"].values[:top])
    width = 16
    legend = [f"{chr(65 + i)}: {n}" for i, n in enumerate(names)]
    cols = [chr(65 + i) for i in range(len(names))]
    diffs = [f"{c} - A" for c in cols[1:]]
    blocks = ["runs: " + "; ".join(legend)]
    for target, year in cells:
        head = f"P({target} {word} {year})".ljust(23) + "".join(
            c.rjust(width) for c in cols
        )
        head += "".join(d.rjust(width) for d in diffs)
        lines = [head, "-" * len(head)]

        def cell(ds, m, v=var, target=target, year=year):
            sel = dict(target=target, year=year, member=m)
            return float(ds[v].sel(sel)), float(ds[f"{v}_se"].sel(sel))

        for m in members:
            row = f"{m:4} {str(first['member_name'].sel(member=m).values)[:17]:18}"
            base = cell(first, m)
            for ds in runs.values():
                p, se = cell(ds, m)
                row += f"{p:.3f} ±{se:.3f}".rjust(width)
            for ds in list(runs.values())[1:]:
                p, se = cell(ds, m)
                d_se = np.hypot(se, base[1])
                row += f"{p - base[0]:+.3f} ±{d_se:.3f}".rjust(width)
            lines.append(row)

        def expected(ds, target=target, year=year):
            if same_members and not by:
                return float(ds["n_meeting_mean"].sel(target=target, year=year))
            return float(ds[var].sel(target=target, year=year, member=common).sum())

        label = "E[members meeting]" if same_members else f"E[of {len(common)} common]"
        row = label.ljust(23) + "".join(
            f"{expected(ds):.1f}".rjust(width) for ds in runs.values()
        )
        row += "".join(
            f"{expected(ds) - expected(first):+.1f}".rjust(width)
            for ds in list(runs.values())[1:]
        )
        lines.append(row)
        blocks.append("\n".join(lines))
    blocks.append(
        f"{IN_BY}. ± Monte Carlo s.e.; differences ± the unpaired s.e. "
        "sqrt(se_A^2 + se_B^2), conservative when runs share seed and chunk size (their "
        "random numbers are then common); a sweep gives paired s.e."
    )
    return "\n\n".join(blocks)
