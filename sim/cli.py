"""The `sim` command: thin wrappers that parse, call the library and report."""

from __future__ import annotations

import os
import sys

import click
import numpy as np

from . import __version__
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
    """Progress of a run: a bar on a terminal (paths, paths/s, ETA), a line per ~10%
    when not on a terminal, nothing in CI; ``log`` prints status lines likewise."""

    def __init__(self, total: int, label: str):
        import time

        self.total, self.label, self.done, self.t0 = total, label, 0, time.monotonic()
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
            self.bar.label = f"{self.label} ({rate:,.0f} paths/s)"
            self.bar.update(n)
        elif _log_progress() and self.done >= self.next_line * self.total:
            self.next_line = self.done / self.total + 0.1
            click.echo(
                f"{self.label}: {self.done:,} paths, {rate:,.0f} paths/s", err=True
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


def _run_options(f):
    """CONFIG, --paths, --seed, --out and --set, shared by run and backtest."""
    for decorator in reversed((
        click.argument("config", type=click.Path(dir_okay=False)),
        click.option("--paths", type=int, help="Number of Monte Carlo paths (overrides config)."),
        click.option("--seed", type=int, help="Root seed (overrides config)."),
        click.option("--out", default="runs", show_default=True,
                     type=click.Path(file_okay=False),
                     help="Directory in which the run directory is created."),
        _set_option,
    )):  # fmt: skip
        f = decorator(f)
    return f


def _execute(config, paths, seed, out, overrides, compute, describe) -> None:
    """Load the config, compute with a progress bar on a terminal, write the run
    directory, print ``describe(ds)`` and the run directory last."""

    from .io import prepare_out

    cfg = load_config(config, _overrides(overrides, paths, seed))
    prepare_out(out)
    with _Progress(cfg.paths, cfg.name) as prog:
        ds = compute(cfg, progress=prog)
    _finish(ds, out, describe)


def _finish(ds, out, describe, state=None) -> None:
    """Write the run directory, print ``describe(ds)`` and the run directory last."""
    from .io import write_run

    run_dir = write_run(ds, out, state)
    click.echo(describe(ds))
    click.echo(f"\nresults: {run_dir / 'results.nc'}")
    click.echo(str(run_dir))


def _int_list(text: str, name: str) -> tuple[int, ...]:
    """'2009,2020' -> (2009, 2020); a usage error (exit 2) naming the option if not."""
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(
            f"{text!r}: expected whole numbers separated by commas", param_hint=name
        ) from None


def _overrides(overrides, paths=None, seed=None) -> list[str]:
    out = list(overrides)
    if paths is not None:
        out.append(f"paths={paths}")
    if seed is not None:
        out.append(f"seed={seed}")
    return out


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
    help="Add chunks until every p_meet standard error is at most S.",
)
@click.option("--max-paths", type=int, help="Cap on paths with --target-se "
              "(default: the config's paths).")  # fmt: skip
def run(config, paths, seed, out, overrides, scheduler, target_se, max_paths) -> None:
    """Run CONFIG and write <out>/<name>-<UTC time>-s<seed>/results.nc."""
    from . import distributed
    from .errors import ConfigError
    from .runner import execute
    from .show import report

    cfg = load_config(config, _overrides(overrides, paths, seed))
    if target_se is not None and not 0 < target_se < 0.5:
        raise ConfigError(f"--target-se {target_se}: must be between 0 and 0.5")
    if max_paths is not None and max_paths < 1:
        raise ConfigError(f"--max-paths {max_paths}: must be at least 1")
    from .io import prepare_out

    prepare_out(out)  # fail before the work, not after
    if cfg.sweep or cfg.grid:  # scenarios on common random numbers, one pass
        from .runner import execute_sweep

        if scheduler or target_se is not None:
            raise ConfigError(
                "sweeps run in one process: drop --scheduler / --target-se"
            )
        with _Progress(cfg.paths, cfg.name) as prog:
            ds = execute_sweep(cfg, progress=prog)
        return _finish(ds, out, report)
    client = distributed.connect(scheduler)
    try:
        total = (max_paths or cfg.paths) if target_se else cfg.paths
        with _Progress(total, cfg.name) as prog:
            cfg, ds, state = execute(cfg, client, target_se, max_paths, progress=prog,
                                     log=prog.log)  # fmt: skip
    finally:
        distributed.close(client)
    _finish(ds, out, report, state)


@cli.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--paths", type=int, required=True, help="Paths to add.")
@_scheduler_option
def extend(run_dir, paths, scheduler) -> None:
    """Add PATHS paths to RUN_DIR (continuing its random streams) and rewrite it."""
    from . import distributed
    from .errors import RunError
    from .io import rewrite_run
    from .provenance import git_commit
    from .runner import execute, stored_config, with_paths
    from .show import report
    from .state import load_state

    if paths < 1:
        raise RunError(f"--paths {paths}: must be at least 1")
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
    """Rerun RUN_DIR from its stored config, seed and chunking; exit 1 if it differs."""
    from . import distributed
    from .runner import differences, execute, stored_config

    cfg, old = stored_config(run_dir)
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
@click.argument("config", type=click.Path(dir_okay=False))
@_set_option
@click.option(
    "--print", "show", is_flag=True, help="Print the resolved config as YAML."
)
def validate(config, overrides, show) -> None:
    """Check CONFIG (with extends and --set) and report problems."""
    cfg = load_config(config, list(overrides))
    if show:
        click.echo(to_yaml(cfg), nl=False)
    click.echo(
        f"ok: {config} ({cfg.name}: {cfg.paths} paths, years {cfg.base_year + 1}-"
        f"{cfg.horizon}, targets {', '.join(t.name for t in cfg.targets)})"
    )


@cli.command()
@click.argument("path", type=click.Path())
@click.option("--top", type=int, default=None, help="Show only the first N members.")
def show(path, top) -> None:
    """Table of a run (directory or results.nc): members by P(first target)."""
    from .io import open_results
    from .show import report

    click.echo(report(open_results(path), limit=top))


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
@click.option("--members", help="Comma-separated ISO3 codes (default: 10 largest).")
def compare(paths, cells, members) -> None:
    """Compare runs side by side: P(target met) per member, with s.e."""
    from .errors import RunError
    from .io import open_results
    from .show import compare_table

    runs = {}
    for p in paths:
        ds = open_results(p)
        name = str(ds.attrs.get("experiment", p))
        while name in runs:
            name += "'"
        runs[name] = ds
    first = next(iter(runs.values()))
    targets = [str(t) for t in first["target"].values]
    years = [int(y) for y in np.atleast_1d(first.attrs["target_years"])]
    parsed = []
    for c in cells or (f"{targets[0]}@{years[0]}", f"{targets[-1]}@{years[-1]}"):
        t, _, y = c.partition("@")
        if t not in targets or not y.isdigit() or int(y) not in first["year"].values:
            raise RunError(
                f"--cell {c!r}: expected TARGET@YEAR with TARGET in {', '.join(targets)}"
                f" and YEAR in {int(first['year'][0])}..{int(first['year'][-1])}"
            )
        parsed.append((t, int(y)))
    chosen = members.split(",") if members else None
    if len(runs) == 1 and "scenario" in first.dims:  # one sweep: paired differences
        from .show import paired_table

        click.echo(paired_table(first, parsed, members=chosen))
        return
    for ds in runs.values():
        for m in chosen or []:
            if m not in ds["member"].values:
                raise RunError(f"--members: {m!r} is not in every run")
    click.echo(compare_table(runs, parsed, chosen))


@cli.command()
@click.option(
    "--asof",
    type=int,
    default=2024,
    show_default=True,
    help="Last year of data used (earlier years: what was known then).",
)
@click.option("--first-year", type=int, default=2000, show_default=True)
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
    type=click.Path(dir_okay=False),
    help="Calibration file to write.",
)
def calibrate(asof, first_year, exclude, means, out) -> None:
    """Estimate the macro block from the bundled history and write a calibration."""
    from . import calibrate as cal

    years = _int_list(exclude, "--exclude")
    means = means or ("outlook" if asof >= 2024 else "history")
    result = cal.calibrate(asof=asof, first_year=first_year, exclude=years, means=means)
    path = cal.write(result, out)
    c = result["common"]
    click.echo(
        f"growth common corr {c['growth_common_corr']}, inflation common corr "
        f"{c['inflation_common_corr']}, growth-inflation corr "
        f"{c['growth_inflation_corr']}, Student-t df {c['shock_df']}"
    )
    click.echo(str(path))


@cli.command()
@_run_options
def backtest(config, paths, seed, out, overrides) -> None:
    """Run CONFIG from a past base year and score it against realised NATO shares."""
    from .backtest import backtest as run_backtest
    from .backtest import summary

    _execute(config, paths, seed, out, overrides, run_backtest, summary)


@cli.command()
@click.option(
    "--config",
    default="configs/baseline.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
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

    def ints(text, name):
        try:
            return tuple(int(x) for x in text.split(",") if x.strip())
        except ValueError:
            raise click.BadParameter(f"{text!r}: expected numbers like 20000,50000",
                                     param_hint=name) from None  # fmt: skip

    load_config(config)  # fail early, with the usual one-line error
    report(
        config,
        _int_list(ref_sizes, "--ref-sizes"),
        _int_list(sizes, "--sizes"),
        click.echo,
    )


@cli.command()
@click.argument("run_dir", type=click.Path())
@click.option(
    "--out", type=click.Path(file_okay=False), help="Folder (default: the run's)."
)
def report(run_dir, out) -> None:
    """Write report.html, figures/*.png and summary.csv for a run."""
    from .report import write_report

    click.echo(str(write_report(run_dir, out)))


@cli.command()
@click.argument("config", type=click.Path(dir_okay=False))
@click.option(
    "--prob",
    type=float,
    default=0.7,
    show_default=True,
    help="Probability the target must reach.",
)
@click.option(
    "--paths",
    type=int,
    default=5000,
    show_default=True,
    help="Paths per evaluation (common random numbers).",
)
@click.option(
    "--out", default="runs", show_default=True, type=click.Path(file_okay=False)
)
@_set_option
def requirement(config, prob, paths, out, overrides) -> None:
    """Smallest constant annual increase per member that makes the targets likely."""
    from .errors import ConfigError
    from .requirement import requirements, table

    if not 0 < prob < 1:
        raise ConfigError(f"--prob {prob}: must be between 0 and 1")
    cfg = load_config(config, [*overrides, f"paths={paths}", f"chunk_size={paths}"])

    def compute(cfg, progress=None):
        ds = requirements(cfg, prob)
        ds.attrs["config"] = to_yaml(cfg)
        ds.attrs["experiment"] = f"{cfg.name}_requirement"
        return ds

    from .io import prepare_out

    prepare_out(out)
    _finish(compute(cfg), out, table)


@cli.command()
@click.argument("config", type=click.Path(dir_okay=False))
@click.option(
    "--out", default="runs", show_default=True, type=click.Path(file_okay=False)
)
@_set_option
def sensitivity(config, out, overrides) -> None:
    """Sobol indices of the main outputs to the config's sensitivity.groups."""
    from .io import prepare_out
    from .sensitivity import ranked_table, run_sensitivity

    cfg = load_config(config, list(overrides))
    prepare_out(out)
    n = cfg.sensitivity.n_base * (len(cfg.sensitivity.groups or {}) + 2)
    with _Progress(n, f"{cfg.name} evaluations") as prog:
        ds = run_sensitivity(cfg, progress=prog)
    _finish(ds, out, ranked_table)


@cli.command()
def members() -> None:
    """Print the bundled member table with base-year shares and target paths."""
    from .data import load_members

    t = load_members()
    cols = ["name", "group", "exposure", "share_2025_nato_mar2026",
            "share_2025_nato_aug2025", "gdp_usd_bn_2025", "national_path"]  # fmt: skip
    click.echo(t[cols].to_string())
    click.echo("\nColumn sources and assumptions: sim/data/members_columns.csv")


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
