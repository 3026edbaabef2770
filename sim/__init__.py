"""sim: Monte Carlo scenario simulator for NATO defence spending."""

from importlib import metadata as _metadata

from .config import Config, load_config
from .errors import ConfigError, DataError, RunError, SimError
from .io import open_results, write_run
from .runner import run

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
