"""sim: Monte Carlo scenario simulator for NATO defence spending."""

from importlib import metadata as _metadata
from pathlib import Path as _Path

from . import config as _config
from . import preflight as _preflight
from .config import Config
from .errors import ConfigError, DataError, RunError, SimError
from .io import open_results, write_run
from .runner import run


def load_config(
    path: str | _Path, overrides: list[str] | tuple[str, ...] = ()
) -> Config:
    """Load and validate a config (``extends:``, ``a.b=v`` overrides), then check it
    against the data files it names and the memory a chunk needs, as `sim run` does:
    errors are one-line :class:`ConfigError` s."""
    return _preflight.check(_config.load_config(path, overrides))


try:
    __version__ = _metadata.version("sim")
except _metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "Config",
    "ConfigError",
    "DataError",
    "RunError",
    "SimError",
    "load_config",
    "open_results",
    "run",
    "write_run",
]
