"""Commands that read results: show, compare, report."""

from __future__ import annotations

import os

import click
import numpy as np

from ..constants import SCENARIO
from .common import member_list


@click.command()
@click.argument("path", type=click.Path())
@click.option("--top", type=int, default=None, help="Show only the first N members.")
@click.option("--members", metavar="ISO3,...",
              help="Show only these members, e.g. DEU,FRA.")  # fmt: skip
def show(path, top, members) -> None:
    """Print the tables of a result directory or results file: a run (members by
    P(first target in the first target year)), sweep, backtest, sensitivity analysis
    or requirement table."""
    from ..errors import RunError
    from ..kinds import open_kind
    from ..show import precision_warning, tables

    if top is not None and top < 1:
        raise RunError(f"--top {top}: must be at least 1")
    kind, ds = open_kind(path, "show")
    chosen = member_list(members)
    if chosen and "member" in ds.dims:
        known = [str(m) for m in ds["member"].values]
        unknown = [m for m in chosen if m not in known]
        if unknown:
            raise RunError(
                f"--members: {', '.join(unknown)} not in {path} "
                f"(its members: {', '.join(known)})"
            )
    if kind == "backtest":
        from ..analyses.backtest import summary

        text = summary(ds)
    elif kind == "skill":
        from ..analyses.skill import summary as skill_summary

        text = skill_summary(ds)
    elif kind == "sensitivity":
        from ..analyses.sensitivity import ranked_table

        outs = [str(o) for o in ds["output"].values if not str(o).startswith("p_")]
        text = "\n\n".join(ranked_table(ds, o) for o in outs)
    elif kind == "requirement":
        from ..analyses.requirement import table

        text = table(ds, chosen)
    else:
        text = tables(ds, limit=top, members=chosen)
    if kind in ("run", "sweep") and precision_warning(int(ds.attrs["n_paths"])):
        click.echo(precision_warning(int(ds.attrs["n_paths"])), err=True)
    click.echo(text)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--cell",
    "cells",
    multiple=True,
    metavar="TARGET@YEAR",
    help="Target and year to compare, e.g. core_3.5@2032 (repeatable). Default: the "
    "first target in the first target year and the last target in the last one.",
)
@click.option("--members", metavar="ISO3,...",
              help="Comma-separated ISO3 codes (default: the 10 largest economies "
              "in every run).")  # fmt: skip
@click.option("--by", is_flag=True, help="Compare P(met by YEAR), i.e. in at least "
              "one year up to YEAR, instead of P(met in YEAR).")  # fmt: skip
def compare(paths, cells, members, by) -> None:
    """Compare runs side by side: P(target met) per member, with s.e. and
    differences; one sweep: paired differences between its scenarios."""
    from ..errors import RunError
    from ..kinds import open_kind, run_label
    from ..show import compare_table, compare_warnings

    runs = {}
    for p in paths:
        kind, ds = open_kind(p, "compare")
        label = run_label(p)
        if kind == "sweep" and len(paths) > 1:  # each scenario becomes a column
            for s in ds[SCENARIO].values:
                runs[f"{label}:{s}"] = ds.sel(scenario=s, drop=True)
            continue
        i = 2
        while label in runs:
            label, i = f"{run_label(p)} ({i})", i + 1
        runs[label] = ds
    first = next(iter(runs.values()))
    targets = [str(t) for t in first["target"].values]
    years = [int(y) for y in np.atleast_1d(first.attrs["target_years"])]
    for name, ds in runs.items():
        if [str(t) for t in ds["target"].values] != targets:
            raise RunError(f"{name} has other targets than {next(iter(runs))}")
    parsed = []
    for c in cells or (f"{targets[0]}@{years[0]}", f"{targets[-1]}@{years[-1]}"):
        t, _, y = c.partition("@")
        ok = y.isdigit() and all(int(y) in d["year"].values for d in runs.values())
        if t not in targets or not ok:
            raise RunError(
                f"--cell {c!r}: expected TARGET@YEAR with TARGET in {', '.join(targets)}"
                f" and YEAR in {int(first['year'][0])}..{int(first['year'][-1])} "
                "(a year in every run)"
            )
        parsed.append((t, int(y)))
    chosen = member_list(members)
    if len(runs) == 1 and SCENARIO in first.dims:  # one sweep: paired differences
        from ..show import paired_table

        click.echo(paired_table(first, parsed, members=chosen))
        return
    for name, ds in runs.items():
        for m in chosen or []:
            if m not in ds["member"].values or not int(ds["counted"].sel(member=m)):
                raise RunError(f"--members: {m!r} is not a counted member of {name}")
    for w in compare_warnings(runs):
        click.echo(w, err=True)
    click.echo(compare_table(runs, parsed, chosen, by=by))


@click.command()
@click.argument("run_dir", type=click.Path())
@click.option(
    "--out", type=click.Path(),
    help="Report folder to write (default: RUN_DIR/report); an earlier report there "
    "is replaced, any other folder is left alone.",
)  # fmt: skip
def report(run_dir, out) -> None:
    """Write report.html, figures/*.png and summary.csv for a run, sweep,
    sensitivity analysis, backtest or skill result, all at once (an interrupt
    leaves nothing)."""
    from ..report import write_report

    click.echo(str(write_report(run_dir, out, log=_report_log())))


def _report_log():
    """Report progress lines on stderr, unless in CI or SIM_QUIET."""
    if os.environ.get("CI") or os.environ.get("SIM_QUIET"):
        return None
    return lambda text: click.echo(f"report: {text}", err=True)
