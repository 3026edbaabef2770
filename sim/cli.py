"""The `sim` command: thin wrappers that parse, call the library and report."""

from __future__ import annotations

import os
import sys

import click
import numpy as np

from . import __version__, preflight
from .config import load_config, to_yaml
from .errors import SimError


def _show_progress() -> bool:
    """A progress bar only on an interactive terminal, never in CI."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def _log_progress() -> bool:
    """Plain progress lines when not on a terminal, except in CI or with SIM_QUIET."""
    return (
        not sys.stderr.isatty()
        and not os.environ.get("CI")
        and not os.environ.get("SIM_QUIET")
    )


class _Progress:
    """Progress of a run: a bar on a terminal (done, rate, ETA), a line per ~10%
    when not on a terminal, nothing in CI; ``log`` prints status lines likewise.
    ``unit``: what is counted (paths, evaluations)."""

    def __init__(self, total: int, label: str, unit: str = "paths"):
        import time

        self.total, self.label, self.done, self.t0 = total, label, 0, time.monotonic()
        self.unit = unit
        self.bar = None
        self.next_line = 0.1
        if _show_progress():
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr,
                                         show_pos=True, show_eta=True)  # fmt: skip

    def __enter__(self):
        if self.bar is not None:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def __call__(self, n: int) -> None:
        import time

        self.done += n
        rate = self.done / max(time.monotonic() - self.t0, 1e-9)
        if self.bar is not None:
            self.bar.label = f"{self.label} ({rate:,.0f} {self.unit}/s)"
            self.bar.update(n)
        elif _log_progress() and self.done >= self.next_line * self.total:
            self.next_line = self.done / self.total + 0.1
            click.echo(
                f"{self.label}: {self.done:,} of {self.total:,} {self.unit}, "
                f"{rate:,.1f} {self.unit}/s",
                err=True,
            )

    def log(self, text: str) -> None:
        if self.bar is not None or _log_progress():
            click.echo(f"{self.label}: {text}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sim")
def cli() -> None:
    """Monte Carlo scenarios for NATO defence spending (3.5% core / 5% total)."""


_set_option = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a config value, e.g. --set macro.shock_df=4 (repeatable).",
)
_paths_option = click.option(
    "--paths", type=int, help="Monte Carlo paths (overrides the config's paths)."
)
_seed_option = click.option("--seed", type=int, help="Root seed (overrides config).")
_members_option = click.option(
    "--members",
    metavar="ISO3,...",
    help="Only these members, comma-separated ISO3 codes, e.g. DEU,FRA "
    "(overrides the config's members).",
)
_out_runs_option = click.option(
    "--out",
    default="runs",
    show_default=True,
    type=click.Path(),
    help="Folder in which the new result directory is created.",
)


def _run_options(f):
    """CONFIG, --members, --paths, --seed, --out and --set, shared by the commands
    that compute."""
    for decorator in reversed((
        click.argument("config", type=click.Path()),
        _members_option, _paths_option, _seed_option, _out_runs_option, _set_option,
    )):  # fmt: skip
        f = decorator(f)
    return f


def _execute(config, overrides, flags, out, compute, describe, scheduler=None):
    """Load the config, compute with a progress bar on a terminal, write the result
    directory, print ``describe(ds)`` and the directory last."""

    from . import distributed
    from .io import prepare_out

    cfg = _load(config, overrides, *flags)
    prepare_out(out)
    client = distributed.connect(scheduler)
    try:
        with _Progress(cfg.paths, cfg.name) as prog:
            ds = compute(cfg, progress=prog, scheduler=client)
    finally:
        distributed.close(client)
    _finish(ds, out, describe)


def _finish(ds, out, describe, state=None) -> str:
    """Write the result directory, print ``describe(ds)`` and the directory last."""
    from .io import write_run
    from .show import precision_warning

    run_dir = write_run(ds, out, state)
    if "n_paths" in ds.attrs and precision_warning(int(ds.attrs["n_paths"])):
        click.echo(precision_warning(int(ds.attrs["n_paths"])), err=True)
    click.echo(describe(ds))
    click.echo(f"\nresults: {run_dir / 'results.nc'}")
    click.echo(str(run_dir))
    return str(run_dir)


def _int_list(text: str, name: str) -> tuple[int, ...]:
    """'2009,2020' -> (2009, 2020); a usage error (exit 2) naming the option if not."""
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r}: expected whole numbers separated by commas", param_hint=name
        ) from None


def _flags(paths=None, seed=None, members=None) -> list[str]:
    """--paths, --seed and --members as config overrides."""
    out = []
    if paths is not None:
        out.append(f"paths={paths}")
    if seed is not None:
        out.append(f"seed={seed}")
    if members is not None:
        codes = [m.strip().upper() for m in members.split(",") if m.strip()]
        if not codes:
            raise click.BadParameter(
                "give ISO3 codes like DEU,FRA", param_hint="--members"
            )
        out.append(f"members=[{', '.join(codes)}]")
    return out


def _load(config, overrides, paths=None, seed=None, members=None):
    """The config with --set values, then --paths, --seed and --members, which also
    apply to every scenario of a sweep (scenario files inherit their own)."""
    from .config import read_config_tree
    from .kinds import check_config_path

    check_config_path(config)
    flags = _flags(paths, seed, members)
    over = [*overrides, *flags]
    if flags:
        sweep = read_config_tree(config).get("sweep")
        if isinstance(sweep, dict):
            over += [
                f"sweep.{n}.{f}" for n in sweep if "." not in str(n) for f in flags
            ]
    return preflight.check(load_config(config, over))


def _member_list(members: str | None) -> list[str] | None:
    """--members of the commands that read results: ISO3 codes to show."""
    if members is None:
        return None
    return [m.strip().upper() for m in members.split(",") if m.strip()] or None


_scheduler_option = click.option(
    "--scheduler", metavar="local[:N]|tcp://HOST:PORT",
    help="Run chunks on dask.distributed: a LocalCluster of N processes, or an "
    "existing scheduler (default: DASK_SCHEDULER_ADDRESS if set, else this process).",
)  # fmt: skip


@cli.command()
@_run_options
@_scheduler_option
@click.option(
    "--target-se",
    type=float,
    metavar="S",
    help="Grow the run until every p_meet standard error is at most S; exit 1 if "
    "the cap is reached first.",
)
@click.option(
    "--max-paths",
    type=int,
    help="Cap on paths with --target-se (default: the paths that reach S for any "
    f"probability, at most {2_000_000:,}).",
)
def run(config, members, paths, seed, out, overrides, scheduler, target_se,
        max_paths) -> None:  # fmt: skip
    """Run CONFIG and write OUT/<name>-<UTC time>-s<seed>/results.nc."""
    from . import distributed
    from .errors import ConfigError
    from .runner import execute
    from .show import report

    cfg = _load(config, overrides, paths, seed, members)
    if target_se is not None and not 0 < target_se < 0.5:
        raise ConfigError(f"--target-se {target_se}: must be between 0 and 0.5")
    if max_paths is not None and max_paths < 1:
        raise ConfigError(f"--max-paths {max_paths}: must be at least 1")
    distributed.parse(scheduler)  # a bad --scheduler fails before anything is made
    from .io import prepare_out

    prepare_out(out)  # fail before the work, not after
    if cfg.sweep or cfg.grid:  # scenarios on common random numbers, one pass
        from .runner import execute_sweep

        if scheduler or target_se is not None:
            raise ConfigError(
                "sweeps run in one process: drop --scheduler / --target-se"
            )
        if os.environ.get(distributed.SCHEDULER_ENV):
            click.echo(f"note: sweeps run in one process: {distributed.SCHEDULER_ENV} "
                       "is not used", err=True)  # fmt: skip
        with _Progress(cfg.paths, cfg.name) as prog:
            ds = execute_sweep(cfg, progress=prog)
        _finish(ds, out, report)
        return
    client = distributed.connect(scheduler)
    try:
        if target_se:
            from .runner import TARGET_SE_CAP, se_paths

            total = max_paths or min(se_paths(target_se, 1), TARGET_SE_CAP)
        else:
            total = cfg.paths
        with _Progress(total, cfg.name) as prog:
            cfg, ds, state = execute(cfg, client, target_se, max_paths, progress=prog,
                                     log=prog.log)  # fmt: skip
    finally:
        distributed.close(client)
    run_dir = _finish(ds, out, report, state)
    worst = float(ds["p_meet_se"].max())
    if target_se is not None and worst > target_se:
        more = int(cfg.paths * ((worst / target_se) ** 2 - 1)) + 1
        click.echo(
            f"error: target s.e. {target_se} not reached: worst p_meet s.e. "
            f"{worst:.4f} at the cap of {cfg.paths} paths; the run is in {run_dir} "
            f"(sim extend {run_dir} --paths {more} should reach it)",
            err=True,
        )
        sys.exit(1)


@cli.command()
@click.argument("run_dir", type=click.Path())
@click.option("--paths", type=int, required=True, help="Paths to add.")
@_scheduler_option
def extend(run_dir, paths, scheduler) -> None:
    """Add PATHS paths to RUN_DIR (continuing its random streams) and rewrite it."""
    from . import distributed
    from .errors import RunError
    from .io import rewrite_run
    from .kinds import open_kind
    from .provenance import git_commit
    from .runner import execute, stored_config, with_paths
    from .show import report
    from .state import load_state

    if paths < 1:
        raise RunError(f"--paths {paths}: must be at least 1")
    open_kind(run_dir, "extend", need_dir=True)
    cfg, old = stored_config(run_dir)
    state = load_state(run_dir, cfg, old)
    if old.attrs.get("git_commit") != git_commit():
        click.echo(
            f"warning: {run_dir} was made by commit {old.attrs.get('git_commit')}, this "
            f"is {git_commit()}: the extension matches a fresh run only if the model "
            "did not change", err=True,
        )  # fmt: skip
    cfg = with_paths(cfg, cfg.paths + paths)
    client = distributed.connect(scheduler)
    try:
        with _Progress(paths, cfg.name) as prog:
            cfg, ds, state = execute(cfg, client, state=state, progress=prog)
    finally:
        distributed.close(client)
    rewrite_run(run_dir, ds, state)
    click.echo(report(ds))
    click.echo(str(run_dir))


@cli.command()
@click.argument("run_dir", type=click.Path())
@_scheduler_option
def reproduce(run_dir, scheduler) -> None:
    """Rerun RUN_DIR (a run or sweep) from its stored config, seed and chunking;
    exit 1 if it differs."""
    from . import distributed
    from .errors import RunError
    from .kinds import open_kind
    from .runner import differences, execute, execute_sweep, stored_config

    kind, _ = open_kind(run_dir, "reproduce")
    cfg, old = stored_config(run_dir)
    if kind == "sweep":
        if scheduler:
            raise RunError("sweeps run in one process: drop --scheduler")
        with _Progress(cfg.paths, cfg.name) as prog:
            ds = execute_sweep(cfg, progress=prog)
    else:
        client = distributed.connect(scheduler)
        try:
            with _Progress(cfg.paths, cfg.name) as prog:
                _, ds, _ = execute(cfg, client, progress=prog)
        finally:
            distributed.close(client)
    diff = differences(old, ds)
    if diff:
        click.echo(f"differs: {', '.join(diff)}")
        sys.exit(1)
    click.echo(
        f"identical: all {len(ds.data_vars)} variables of {run_dir} are bitwise equal"
    )


@cli.command()
@click.argument("config", type=click.Path())
@_set_option
@click.option(
    "--print", "show", is_flag=True, help="Print the resolved config as YAML."
)
def validate(config, overrides, show) -> None:
    """Check CONFIG (with extends and --set) and report problems."""
    cfg = _load(config, overrides)
    if show:
        click.echo(to_yaml(cfg), nl=False)
    click.echo(
        f"ok: {config} ({cfg.name}: {cfg.paths} paths, years {cfg.base_year + 1}-"
        f"{cfg.horizon}, targets {', '.join(t.name for t in cfg.targets)})"
    )


@cli.command()
@click.argument("path", type=click.Path())
@click.option("--top", type=int, default=None, help="Show only the first N members.")
@click.option("--members", metavar="ISO3,...",
              help="Show only these members, e.g. DEU,FRA.")  # fmt: skip
def show(path, top, members) -> None:
    """Print the tables of a result directory or results file: a run (members by
    P(first target in the first target year)), sweep, backtest, sensitivity analysis
    or requirement table."""
    from .kinds import open_kind
    from .show import precision_warning, report

    kind, ds = open_kind(path, "show")
    chosen = _member_list(members)
    if kind == "backtest":
        from .backtest import summary

        text = summary(ds)
    elif kind == "sensitivity":
        from .sensitivity import ranked_table

        outs = [str(o) for o in ds["output"].values if not str(o).startswith("p_")]
        text = "\n\n".join(ranked_table(ds, o) for o in outs)
    elif kind == "requirement":
        from .requirement import table

        text = table(ds, chosen)
    else:
        text = report(ds, limit=top, members=chosen)
    if kind in ("run", "sweep") and precision_warning(int(ds.attrs["n_paths"])):
        click.echo(precision_warning(int(ds.attrs["n_paths"])), err=True)
    click.echo(text)


@cli.command()
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
    from .errors import RunError
    from .kinds import open_kind, run_label
    from .show import compare_table, compare_warnings

    runs = {}
    for p in paths:
        kind, ds = open_kind(p, "compare")
        label = run_label(p)
        if kind == "sweep" and len(paths) > 1:  # each scenario becomes a column
            for s in ds["scenario"].values:
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
    chosen = _member_list(members)
    if len(runs) == 1 and "scenario" in first.dims:  # one sweep: paired differences
        from .show import paired_table

        click.echo(paired_table(first, parsed, members=chosen))
        return
    for name, ds in runs.items():
        for m in chosen or []:
            if m not in ds["member"].values or not int(ds["counted"].sel(member=m)):
                raise RunError(f"--members: {m!r} is not a counted member of {name}")
    for w in compare_warnings(runs):
        click.echo(w, err=True)
    click.echo(compare_table(runs, parsed, chosen, by=by))


@cli.command()
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
    help="Calibration file to write (a file, not a folder; replaced if it exists).",
)
def calibrate(asof, first_year, exclude, means, out) -> None:
    """Estimate the macro block from the bundled history and write a calibration."""
    from pathlib import Path

    from . import calibrate as cal
    from .errors import RunError

    years = _int_list(exclude, "--exclude")
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
    click.echo(str(path))


@cli.command()
@_run_options
@_scheduler_option
def backtest(config, members, paths, seed, out, overrides, scheduler) -> None:
    """Run CONFIG from a past base year and score it against realised NATO shares."""
    from .backtest import backtest as run_backtest
    from .backtest import summary

    _execute(config, overrides, (paths, seed, members), out, run_backtest, summary,
             scheduler)  # fmt: skip


@cli.command()
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
    from .bench import report

    _load(config, ())  # fail early, with the usual one-line error
    report(
        config,
        _int_list(ref_sizes, "--ref-sizes"),
        _int_list(sizes, "--sizes"),
        click.echo,
    )


@cli.command()
@click.argument("run_dir", type=click.Path())
@click.option(
    "--out", type=click.Path(),
    help="Report folder to write (default: RUN_DIR/report); an earlier report there "
    "is replaced, any other folder is left alone.",
)  # fmt: skip
def report(run_dir, out) -> None:
    """Write report.html, figures/*.png and summary.csv for a run, sweep or
    sensitivity analysis, all at once (an interrupt leaves nothing)."""
    from .report import write_report

    click.echo(str(write_report(run_dir, out, log=_report_log())))


def _report_log():
    """Report progress lines on stderr, unless in CI or SIM_QUIET."""
    if os.environ.get("CI") or os.environ.get("SIM_QUIET"):
        return None
    return lambda text: click.echo(f"report: {text}", err=True)


@cli.command()
@_run_options
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
    from .errors import ConfigError
    from .requirement import n_evaluations, requirements, table

    if not 0 < prob < 1:
        raise ConfigError(f"--prob {prob}: must be between 0 and 1")
    paths = paths or 5000
    cfg = _load(config, [*overrides, f"chunk_size={paths}"], paths, seed, members)
    from .io import prepare_out

    prepare_out(out)
    with _Progress(
        n_evaluations(cfg), f"{cfg.name} requirement", "evaluations"
    ) as prog:
        ds = requirements(cfg, prob, progress=prog)
    ds.attrs["config"] = to_yaml(cfg)
    ds.attrs["experiment"] = f"{cfg.name}_requirement"
    _finish(ds, out, table)


@cli.command()
@_run_options
def sensitivity(config, members, paths, seed, out, overrides) -> None:
    """Sobol indices of the main outputs to the config's sensitivity.groups.
    --paths: paths per evaluation (overrides sensitivity.paths)."""
    from .io import prepare_out
    from .sensitivity import ranked_table, run_sensitivity

    over = [*overrides, *([f"sensitivity.paths={paths}"] if paths else [])]
    cfg = _load(config, over, None, seed, members)
    prepare_out(out)
    n = cfg.sensitivity.n_base * (len(cfg.sensitivity.groups or {}) + 2)
    with _Progress(n, f"{cfg.name} sensitivity", "evaluations") as prog:
        ds = run_sensitivity(cfg, progress=prog)
    _finish(ds, out, ranked_table)


@cli.command()
@click.argument("config", required=False, type=click.Path(dir_okay=False))
@click.option("--csv", "as_csv", is_flag=True, help="The full member table as CSV.")
@click.option(
    "--sources",
    is_flag=True,
    help="Data freshness: base-year figure, vintage and column; plan used, its "
    "announcement date, the log rows behind it and those left out.",
)
@_set_option
def members(config, as_csv, sources, overrides) -> None:
    """What a run starts from per member: base-year share and its vintage, the
    national plan used and its announcement date (for CONFIG; default:
    configs/baseline.yaml where it exists, else the built-in defaults)."""
    from .config import from_dict, merge, parse_override
    from .overview import header, overview

    if as_csv:
        from .inputs.data import MEMBERS_CSV

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


class _Terminated(BaseException):
    """Raised in the main thread on SIGTERM, so clean-up code runs as for Ctrl-C."""


def _on_sigterm(signum, frame):
    raise _Terminated()


def main() -> None:
    """Entry point: user errors become one line on stderr and exit code 2; SIGINT and
    SIGTERM stop the run cleanly (no results, no temporary files), exit 130 / 143."""
    import signal

    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        cli.main(standalone_mode=False)
    except SimError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(2)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("error: interrupted (SIGINT): nothing was written", err=True)
        sys.exit(130)
    except _Terminated:
        click.echo("error: terminated (SIGTERM): nothing was written", err=True)
        sys.exit(143)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
