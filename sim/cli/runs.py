"""Commands that make or remake runs: run, extend, reproduce, validate."""

from __future__ import annotations

import os
import sys

import click

from ..config import to_yaml
from .common import (
    Progress,
    finish,
    load,
    run_options,
    scheduler_option,
    set_option,
)


@click.command()
@run_options
@scheduler_option
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
    from .. import distributed
    from ..errors import ConfigError
    from ..runner import execute
    from ..show import tables

    cfg = load(config, overrides, paths, seed, members)
    if target_se is not None and not 0 < target_se < 0.5:
        raise ConfigError(f"--target-se {target_se}: must be between 0 and 0.5")
    if max_paths is not None and max_paths < 1:
        raise ConfigError(f"--max-paths {max_paths}: must be at least 1")
    distributed.parse(scheduler)  # a bad --scheduler fails before anything is made
    from ..io import prepare_out

    prepare_out(out)  # fail before the work, not after
    if cfg.sweep or cfg.grid:  # scenarios on common random numbers, one pass
        from ..runner import execute_sweep

        if scheduler or target_se is not None:
            raise ConfigError(
                "sweeps run in one process: drop --scheduler / --target-se"
            )
        if os.environ.get(distributed.SCHEDULER_ENV):
            click.echo(f"note: sweeps run in one process: {distributed.SCHEDULER_ENV} "
                       "is not used", err=True)  # fmt: skip
        with Progress(cfg.paths, cfg.name) as prog:
            ds = execute_sweep(cfg, progress=prog)
        finish(ds, out, tables)
        return
    client = distributed.connect(scheduler)
    try:
        if target_se:
            from ..runner import TARGET_SE_CAP, se_paths

            total = max_paths or min(se_paths(target_se, 1), TARGET_SE_CAP)
        else:
            total = cfg.paths
        with Progress(total, cfg.name) as prog:
            cfg, ds, state = execute(cfg, client, target_se, max_paths, progress=prog,
                                     log=prog.log)  # fmt: skip
    finally:
        distributed.close(client)
    run_dir = finish(ds, out, tables, state)
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


@click.command()
@click.argument("run_dir", type=click.Path())
@click.option("--paths", type=int, required=True, help="Paths to add.")
@scheduler_option
def extend(run_dir, paths, scheduler) -> None:
    """Add PATHS paths to RUN_DIR (continuing its random streams) and rewrite it."""
    from .. import distributed
    from ..errors import RunError
    from ..io import load_state, rewrite_run
    from ..kinds import open_kind
    from ..provenance import git_commit
    from ..runner import execute, stored_config, with_paths
    from ..show import tables

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
        todo = cfg.paths - state.n_full * cfg.chunk_size  # a short tail is redone
        with Progress(todo, cfg.name) as prog:
            cfg, ds, state = execute(cfg, client, state=state, progress=prog)
    finally:
        distributed.close(client)
    rewrite_run(run_dir, ds, state)
    click.echo(tables(ds))
    click.echo(str(run_dir))


@click.command()
@click.argument("run_dir", type=click.Path())
@scheduler_option
def reproduce(run_dir, scheduler) -> None:
    """Rerun RUN_DIR (a run or sweep) from its stored config, seed and chunking;
    exit 1 if it differs."""
    from .. import distributed
    from ..errors import RunError
    from ..kinds import open_kind
    from ..runner import differences, execute, execute_sweep, stored_config

    kind, _ = open_kind(run_dir, "reproduce")
    cfg, old = stored_config(run_dir)
    if kind == "sweep":
        if scheduler:
            raise RunError("sweeps run in one process: drop --scheduler")
        with Progress(cfg.paths, cfg.name) as prog:
            ds = execute_sweep(cfg, progress=prog)
    else:
        client = distributed.connect(scheduler)
        try:
            with Progress(cfg.paths, cfg.name) as prog:
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


@click.command()
@click.argument("config", type=click.Path())
@set_option
@click.option(
    "--print", "show", is_flag=True, help="Print the resolved config as YAML."
)
def validate(config, overrides, show) -> None:
    """Check CONFIG (with extends and --set) and report problems."""
    cfg = load(config, overrides)
    if show:
        click.echo(to_yaml(cfg), nl=False)
    click.echo(  # on stderr with --print, so the printed YAML can be saved and reused
        f"ok: {config} ({cfg.name}: {cfg.paths} paths, years {cfg.base_year + 1}-"
        f"{cfg.horizon}, targets {', '.join(t.name for t in cfg.targets)})",
        err=show,
    )
