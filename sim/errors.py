"""Exceptions that reach the user as one clear line (the CLI prints them, exit code 2)."""


class SimError(Exception):
    """Base class for errors caused by user input or bundled files, not by bugs."""

    def __str__(self) -> str:  # one line, even when it quotes a key like 'a\nb'
        return super().__str__().replace("\r", "\\r").replace("\n", "\\n")


class ConfigError(SimError):
    """A configuration file, key or value is invalid."""


class DataError(SimError):
    """A bundled or user-supplied data file is missing or malformed."""


class RunError(SimError):
    """A run directory or results file cannot be read or written."""
