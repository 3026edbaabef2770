"""What the commands share: progress display, the common options, loading a config
with --set/--paths/--seed/--members, and writing a result directory."""

from __future__ import annotations

import os
import sys

import click

from .. import preflight
from ..config import load_config


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


class Progress:
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


set_option = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a config value, e.g. --set macro.shock_df=4 (repeatable).",
)
paths_option = click.option(
    "--paths",
    type=int,
    help="Monte Carlo paths, overriding the config's `paths` (for sensitivity and "
    "requirement: paths per evaluation).",
)
seed_option = click.option("--seed", type=int, help="Root seed (overrides config).")
members_option = click.option(
    "--members",
    metavar="ISO3,...",
    help="Only these members, comma-separated ISO3 codes, e.g. DEU,FRA "
    "(overrides the config's members).",
)
out_runs_option = click.option(
    "--out",
    default="runs",
    show_default=True,
    type=click.Path(),
    help="Folder in which the new result directory is created.",
)


def run_options(f):
    """CONFIG, --members, --paths, --seed, --out and --set, shared by the commands
    that compute."""
    for decorator in reversed((
        click.argument("config", type=click.Path()),
        members_option, paths_option, seed_option, out_runs_option, set_option,
    )):  # fmt: skip
        f = decorator(f)
    return f


def execute(config, overrides, flags, out, compute, describe, scheduler=None):
    """Load the config, compute with a progress bar on a terminal, write the result
    directory, print ``describe(ds)`` and the directory last."""

    from .. import distributed
    from ..io import prepare_out

    cfg = load(config, overrides, *flags)
    prepare_out(out)
    client = distributed.connect(scheduler)
    try:
        with Progress(cfg.paths, cfg.name) as prog:
            ds = compute(cfg, progress=prog, scheduler=client)
    finally:
        distributed.close(client)
    finish(ds, out, describe)


def finish(ds, out, describe, state=None) -> str:
    """Write the result directory, print ``describe(ds)`` and the directory last."""
    from ..io import write_run
    from ..show import precision_warning

    run_dir = write_run(ds, out, state)
    if "n_paths" in ds.attrs and precision_warning(int(ds.attrs["n_paths"])):
        click.echo(precision_warning(int(ds.attrs["n_paths"])), err=True)
    click.echo(describe(ds))
    click.echo(f"\nresults: {run_dir / 'results.nc'}")
    click.echo(str(run_dir))
    return str(run_dir)


def number_list(text: str, name: str, kind=int) -> tuple:
    """'2009,2020' -> (2009, 2020) (``kind`` float: '1.5,2' -> (1.5, 2.0)); a usage
    error (exit 2) naming the option if not."""
    try:
        return tuple(kind(x) for x in text.split(",") if x.strip())
    except ValueError:
        what = "whole numbers" if kind is int else "numbers"
        raise click.BadParameter(
            f"{text!r}: expected {what} separated by commas", param_hint=name
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


def load(config, overrides, paths=None, seed=None, members=None):
    """The config with --set values, then --paths, --seed and --members, which also
    apply to every scenario of a sweep (scenario files inherit their own)."""
    from ..config import read_config_tree
    from ..kinds import check_config_path

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


def member_list(members: str | None) -> list[str] | None:
    """--members of the commands that read results: ISO3 codes to show."""
    if members is None:
        return None
    return [m.strip().upper() for m in members.split(",") if m.strip()] or None


scheduler_option = click.option(
    "--scheduler", metavar="local[:N]|tcp://HOST:PORT",
    help="Run chunks on dask.distributed: a LocalCluster of N processes, or an "
    "existing scheduler (default: DASK_SCHEDULER_ADDRESS if set, else this process).",
)  # fmt: skip


thresholds_option = click.option(
    "--thresholds",
    default="1.5,2,2.5,3,3.5",
    show_default=True,
    help="Comma-separated core shares [% of GDP]: events 'share at or above' scored.",
)


def threshold_list(text: str) -> tuple[float, ...]:
    """--thresholds as checked shares [% of GDP]."""
    from ..analyses.evaluate import check_thresholds

    levels = number_list(text, "--thresholds", float)
    check_thresholds(levels)
    return levels
