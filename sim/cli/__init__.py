"""The `sim` command: thin wrappers that parse, call the library and print; one
module per group of commands."""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import SimError
from . import analyses, results, runs


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sim")
def cli() -> None:
    """Monte Carlo scenarios for NATO defence spending (3.5% core / 5% total)."""


for _command in (
    runs.run, runs.extend, runs.reproduce, runs.validate,
    results.show, results.compare, results.report,
    analyses.calibrate, analyses.backtest, analyses.skill, analyses.bench, analyses.requirement,
    analyses.sensitivity, analyses.members,
):  # fmt: skip
    cli.add_command(_command)


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
    except click.ClickException as e:  # bad options: one line too, with where to look
        ctx = getattr(e, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        click.echo(f"error: {e.format_message()}{hint}", err=True)
        sys.exit(e.exit_code)
