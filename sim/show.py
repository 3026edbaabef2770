"""Plain-text summary tables of a results Dataset (for `sim show` and `sim run`)."""

from __future__ import annotations

import numpy as np
import xarray as xr


def _cell(p: float, se: float) -> str:
    return "     n/a     " if np.isnan(p) else f"{p:5.3f} ±{se:5.3f}"


def member_table(ds: xr.Dataset, limit: int | None = None) -> str:
    """Members sorted by P(first target met) in the first target year, with SEs."""
    years = [int(y) for y in np.atleast_1d(ds.attrs["target_years"])]
    targets = [str(t) for t in ds["target"].values]
    key = ds["p_meet"].sel(target=targets[0], year=years[0]).fillna(-1)
    order = np.argsort(-key.values, kind="stable")
    cols = [(t, y) for t in targets for y in years]
    head = f"{'member':6} {'name':16} {'base':>5}  " + "  ".join(
        f"{f'P({t}) {y}':>13}" for t, y in cols
    )
    lines = [head, "-" * len(head)]
    counted = ds["counted"].values.astype(bool)
    for i in order[: limit or len(order)]:
        m = ds["member"].values[i]
        if not counted[i]:
            continue
        cells = "  ".join(
            _cell(
                float(ds["p_meet"].sel(target=t, year=y, member=m)),
                float(ds["p_meet_se"].sel(target=t, year=y, member=m)),
            )
            for t, y in cols
        )
        name = str(ds["member_name"].values[i])[:16]
        lines.append(
            f"{m:6} {name:16} {float(ds['base_share'].values[i]):5.2f}  {cells}"
        )
    excluded = ds.attrs.get("excluded_members", "")
    if excluded:
        lines.append(f"excluded (no armed forces, not counted): {excluded}")
    return "\n".join(lines)


def alliance_table(ds: xr.Dataset) -> str:
    """Alliance aggregates in the target years: shares and members meeting."""
    years = [int(y) for y in np.atleast_1d(ds.attrs["target_years"])]
    n_counted = int(ds["counted"].sum())
    lines = []
    for y in years:
        core = ds["alliance_core_share"].sel(year=y)
        total = ds["alliance_total_share"].sel(year=y)

        def band(da):
            return (
                f"{float(da.sel(quantile=0.5, method='nearest')):.2f}% "
                f"[{float(da.sel(quantile=0.05, method='nearest')):.2f}-"
                f"{float(da.sel(quantile=0.95, method='nearest')):.2f}]"
            )

        meets = ", ".join(
            f"{t}: {float(ds['n_meeting_mean'].sel(target=t, year=y)):.1f}"
            for t in ds["target"].values
        )
        lines.append(
            f"{y}: alliance core {band(core)}, total {band(total)} (median [5-95%]); "
            f"expected members meeting ({n_counted} counted) {meets}"
        )
    return "\n".join(lines)


def conditional_table(ds: xr.Dataset) -> str:
    """Expected members meeting each target in the first target year, by driver state."""
    if "p_meet_given" not in ds:
        return ""
    y = int(ds["target_year"].values[0])
    lines = [f"{y}: expected members meeting given the drivers' state (share of paths)"]
    for c in ds["condition"].values:
        pc = float(ds["p_condition"].sel(target_year=y, condition=c))
        cells = ", ".join(
            f"{t}: {float(ds['n_meeting_mean_given'].sel(target=t, target_year=y, condition=c)):.1f}"
            for t in ds["target"].values
        )
        lines.append(f"  {c:18} ({pc:5.1%}) {cells if pc > 0 else '-'}")
    return "\n".join(lines)


def header(ds: xr.Dataset) -> str:
    a = ds.attrs
    return (
        f"{a.get('experiment', '?')}: {int(a['n_paths'])} paths, seed {int(a['seed'])}, "
        f"base year {int(a['base_year'])}; P(share >= level) ± Monte Carlo s.e."
    )


def paired_table(ds: xr.Dataset, cells=None, top: int = 10, members=None) -> str:
    """Per member: each scenario's P(target met) minus the first scenario's, with the
    paired s.e. (common random numbers) and, in brackets, the unpaired one."""
    from .runner import paired_difference

    years = [int(y) for y in np.atleast_1d(ds.attrs["target_years"])]
    targets = [str(t) for t in ds["target"].values]
    cells = cells or [(targets[0], years[0]), (targets[-1], years[-1])]
    names = [str(s) for s in ds["scenario"].values]
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
        f"numbers, {int(ds.attrs['n_paths'])} paths; differences ± paired s.e. "
        "[unpaired s.e.]\n" + "\n\n".join(blocks)
    )


def report(ds: xr.Dataset, limit: int | None = None) -> str:
    if "scenario" in ds.dims:
        return paired_table(ds)
    return "\n".join(
        [
            header(ds),
            member_table(ds, limit),
            "",
            alliance_table(ds),
            "",
            conditional_table(ds),
        ]
    )


def compare_table(
    runs: dict[str, xr.Dataset],
    cells: list[tuple[str, int]],
    members: list[str] | None = None,
    top: int = 10,
) -> str:
    """P(target met in year) per member (rows) and run (columns), with s.e.

    ``members`` defaults to the ``top`` counted members by base-year GDP of the first
    run; the last rows give the expected number of members meeting and the alliance.
    """
    first = next(iter(runs.values()))
    if members is None:
        counted = first["gdp_base"].where(first["counted"] == 1, drop=True)
        members = list(counted.sortby(counted, ascending=False)["member"].values[:top])
    names = list(runs)
    width = max(12, *(len(n) for n in names))
    blocks = []
    for target, year in cells:
        head = f"P({target} in {year})".ljust(22) + "".join(
            n.rjust(width + 1) for n in names
        )
        lines = [head, "-" * len(head)]
        for m in members:
            row = f"{m:4} {str(first['member_name'].sel(member=m).values)[:16]:17}"
            for ds in runs.values():
                p = float(ds["p_meet"].sel(target=target, year=year, member=m))
                se = float(ds["p_meet_se"].sel(target=target, year=year, member=m))
                row += f"{p:.3f}±{se:.3f}".rjust(width + 1)
            lines.append(row)
        row = "E[members meeting]".ljust(22)
        for ds in runs.values():
            row += f"{float(ds['n_meeting_mean'].sel(target=target, year=year)):.1f}".rjust(
                width + 1
            )
        lines.append(row)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
