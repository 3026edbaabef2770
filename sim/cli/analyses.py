"""Commands of the analyses and data: calibrate, backtest, bench, requirement,
sensitivity, members."""

from __future__ import annotations

import os

import click

from .. import preflight
from ..config import load_config, to_yaml
from .common import (
    Progress,
    execute,
    finish,
    load,
    number_list,
    run_options,
    scheduler_option,
    set_option,
    threshold_list,
    thresholds_option,
)


@click.command()
@click.option(
    "--asof",
    type=int,
    default=2024,
    show_default=True,
    help="Last year of data used (earlier years: what was known then).",
)
@click.option("--first-year", type=int, default=2000, show_default=True,
              help="First year of data used.")  # fmt: skip
@click.option(
    "--exclude",
    default="2020,2021",
    show_default=True,
    help="Comma-separated crisis years left out of the estimates ('' = none).",
)
@click.option(
    "--means",
    type=click.Choice(["outlook", "history"]),
    default=None,
    help="Member means from the IMF outlook (default from 2024) or history.",
)
@click.option(
    "--out",
    default="calibration.yaml",
    show_default=True,
    type=click.Path(),
    help="Calibration file to write (a file, not a folder); an existing file is "
    "replaced only if it is an earlier calibration.",
)
def calibrate(asof, first_year, exclude, means, out) -> None:
    """Estimate the macro block and the policy parameters from the bundled history
    and write a calibration."""
    from pathlib import Path

    from ..analyses import calibrate as cal
    from ..errors import RunError

    years = number_list(exclude, "--exclude")
    target = Path(out)
    if target.is_dir():
        raise RunError(
            f"--out {out} is a directory: give the calibration file to write"
        )
    folder = target.parent
    if not folder.is_dir():
        raise RunError(f"--out {out}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise RunError(f"--out {out}: folder {folder} is not writable")
    if target.exists():  # replace an earlier calibration, never some other file
        from ..errors import ConfigError
        from ..inputs.calibration import read

        try:
            read(str(target))
        except ConfigError:
            raise RunError(
                f"--out {out} exists and is not a calibration file: choose another name"
            ) from None
    means = means or ("outlook" if asof >= 2024 else "history")
    result = cal.calibrate(asof=asof, first_year=first_year, exclude=years, means=means)
    try:
        path = cal.write(result, out)
    except OSError as e:
        raise RunError(f"cannot write {out}: {e.strerror or e}") from None
    c = result["common"]
    click.echo(
        f"growth common corr {c['growth_common_corr']}, inflation common corr "
        f"{c['inflation_common_corr']}, growth-inflation corr "
        f"{c['growth_inflation_corr']}, Student-t df {c['shock_df']}"
    )
    pol = result["policy"]
    r, la, co = pol["revisions"], pol["landing"], pol["consolidation"]
    click.echo(
        f"policy: revisions {r['rate_member']}/yr (+ alliance-wide), s.d. {r['sd']} of "
        f"the plan, momentum {r['momentum']} (SIPRI {r['fit_years'][0]}-"
        f"{r['fit_years'][1]}); top-ups p {la['p_topup']} ({la['above']} above, "
        f"{la['below']} below 2%); consolidation {co['consolidation_pp']} pp"
        + (
            f"; threat step {pol['threat']['commitment_pp']} pp"
            if pol["threat"]
            else ""
        )
        + (
            "; will "
            + ", ".join(
                f"{g} {v['mean_logit']}"
                for g, v in pol["will"].items()
                if isinstance(v, dict)
            )  # fmt: skip
            if pol["will"]
            else ""
        )
    )
    ms = r["member_scale"]
    rows = {k: v for k, v in ms["members"].items() if v["n_changes"]}
    lo, hi = (f(rows, key=lambda k: rows[k]["scale"]) for f in (min, max))
    click.echo(
        f"revision s.d. per member (own changes shrunk toward the pool, prior worth "
        f"{ms['prior_changes']} changes): x{rows[lo]['scale']} ({lo}) to "
        f"x{rows[hi]['scale']} ({hi}) the pooled"
    )
    click.echo(str(path))


@click.command()
@run_options
@scheduler_option
@thresholds_option
def backtest(config, members, paths, seed, out, overrides, scheduler,
             thresholds) -> None:  # fmt: skip
    """Run CONFIG from a past base year and score every later year at every
    threshold against realised NATO shares, persistence and climatology."""
    import functools

    from ..analyses.backtest import backtest as run_backtest
    from ..analyses.backtest import summary

    compute = functools.partial(run_backtest, thresholds=threshold_list(thresholds))
    execute(config, overrides, (paths, seed, members), out, compute, summary,
            scheduler)  # fmt: skip


@click.command()
@run_options
@scheduler_option
@click.option(
    "--origins",
    default="2014,2016,2018,2020",
    show_default=True,
    help="Comma-separated origins (2014-2023): each reruns CONFIG with data up to it.",
)
@thresholds_option
@click.option(
    "--leave-one-out",
    is_flag=True,
    help="Leave one member out: forecast each member from a run of it alone whose "
    "pooled (cross-member) estimates left it out (origins x members runs of "
    "--paths each).",
)
def skill(config, members, paths, seed, out, overrides, scheduler, origins,
          thresholds, leave_one_out) -> None:  # fmt: skip
    """Out-of-sample skill: rerun CONFIG from each origin with data up to it only and
    score every later year to 2024 at every threshold, against persistence and
    climatology."""
    from .. import distributed
    from ..analyses.skill import check_grid, members_at, summary
    from ..analyses.skill import skill as run_skill
    from ..io import prepare_out

    years = number_list(origins, "--origins")
    levels = threshold_list(thresholds)
    check_grid(years, levels)
    cfg = load(config, overrides, paths, seed, members)
    prepare_out(out)
    runs = [len(members_at(cfg, y)) if leave_one_out else 1 for y in years]
    client = distributed.connect(scheduler)
    try:
        with Progress(cfg.paths * sum(runs), f"{cfg.name} skill") as prog:
            ds = run_skill(cfg, years, levels, progress=prog, scheduler=client,
                           leave_one_member_out=leave_one_out)  # fmt: skip
    finally:
        distributed.close(client)
    finish(ds, out, summary)


@click.command()
@click.option(
    "--config",
    default="configs/baseline.yaml",
    show_default=True,
    type=click.Path(),
    help="Config whose model is timed.",
)
@click.option(
    "--ref-sizes",
    default="20000,50000",
    show_default=True,
    help="Path counts run with both engines (the ratio).",
)
@click.option(
    "--sizes",
    default="100000,1000000",
    show_default=True,
    help="Path counts run with the numba engine (time, memory, scaling).",
)
def bench(config, ref_sizes, sizes) -> None:
    """Benchmark the numba engine against the numpy reference (not a test)."""
    from ..bench import benchmark

    load(config, ())  # fail early, with the usual one-line error
    benchmark(
        config,
        number_list(ref_sizes, "--ref-sizes"),
        number_list(sizes, "--sizes"),
        click.echo,
    )


@click.command()
@run_options
@click.option(
    "--prob",
    type=float,
    default=0.7,
    show_default=True,
    help="Probability the target must reach.",
)
def requirement(config, members, paths, seed, out, overrides, prob) -> None:
    """Smallest constant annual increase per member that makes the targets likely.
    --paths: paths per evaluation (default 5000; common random numbers)."""
    from ..analyses.requirement import n_evaluations, requirements, table
    from ..errors import ConfigError

    if not 0 < prob < 1:
        raise ConfigError(f"--prob {prob}: must be between 0 and 1")
    paths = paths or 5000
    cfg = load(config, [*overrides, f"chunk_size={paths}"], paths, seed, members)
    from ..io import prepare_out

    prepare_out(out)
    with Progress(n_evaluations(cfg), f"{cfg.name} requirement", "evaluations") as prog:
        ds = requirements(cfg, prob, progress=prog)
    ds.attrs["config"] = to_yaml(cfg)
    ds.attrs["experiment"] = f"{cfg.name}_requirement"
    finish(ds, out, table)


@click.command()
@run_options
def sensitivity(config, members, paths, seed, out, overrides) -> None:
    """Sobol indices of the main outputs to the config's sensitivity.groups.
    --paths: paths per evaluation (overrides sensitivity.paths)."""
    from ..analyses.sensitivity import ranked_table, run_sensitivity
    from ..io import prepare_out

    over = [*overrides, *([f"sensitivity.paths={paths}"] if paths else [])]
    cfg = load(config, over, None, seed, members)
    prepare_out(out)
    n = cfg.sensitivity.n_base * (len(cfg.sensitivity.groups or {}) + 2)
    with Progress(n, f"{cfg.name} sensitivity", "evaluations") as prog:
        ds = run_sensitivity(cfg, progress=prog)
    finish(ds, out, ranked_table)


@click.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--csv", "as_csv", is_flag=True, help="The full member table as CSV.")
@click.option(
    "--sources",
    is_flag=True,
    help="Data freshness: base-year figure, vintage and column; plan used, its "
    "announcement date, the log rows behind it and those left out.",
)
@set_option
def members(config, as_csv, sources, overrides) -> None:
    """What a run starts from per member: base-year share and its vintage, the
    national plan used and its announcement date (for CONFIG; default:
    configs/baseline.yaml where it exists, else the built-in defaults)."""
    from ..config import from_dict, merge, parse_override
    from ..overview import header, overview

    if as_csv and sources:
        from ..errors import RunError

        raise RunError("--csv and --sources: choose one (--csv is the full table)")
    if as_csv:
        from ..inputs.data import MEMBERS_CSV

        click.echo(MEMBERS_CSV.read_text(encoding="utf-8"), nl=False)
        return
    from pathlib import Path

    if not config and Path("configs/baseline.yaml").is_file():
        config = "configs/baseline.yaml"
    if config:
        cfg = preflight.check(load_config(config, list(overrides)))
    else:
        data: dict = {}
        for o in overrides:
            data = merge(data, parse_override(o))
        cfg = preflight.check(from_dict(data))
    t = overview(cfg)
    cols = ["name", "group", "base_share", "vintage", "plan_used", "plan_date",
            "conditional"]  # fmt: skip
    if sources:
        cols = ["base_share", "base_year", "vintage", "base_share_source", "plan_used",
                "plan_date", "plan_rows", "notes", "not_used"]  # fmt: skip
    click.echo(header(cfg))
    import pandas as pd

    with pd.option_context("display.width", 1000, "display.max_colwidth", 200):
        click.echo(t[cols].to_string(na_rep="-", float_format=lambda x: f"{x:.2f}"))
    click.echo(
        "\nColumns: sim/data/members_columns.csv; plan log: "
        "sim/data/sources/national_targets.csv (our reading: sim/data/plan_assessment.csv)"
    )
