"""Bounded reads of regular files and atomic writes under unique temporary names.

Every file the project opens by a path a user controls goes through :func:`read_text`
(or :func:`check_regular`): FIFOs, devices and directories are refused before any read
(a FIFO is opened without blocking), and so is anything larger than the limit.  Files
are written by :func:`atomic_write`: a fresh ``mkstemp`` name in the target directory
(created exclusively, so a planted symlink is never followed), then ``os.replace``.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from .errors import SimError

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a plain file")


def _open(path: Path, what: str, error: type[SimError], limit: int | None) -> int:
    """A read-only descriptor of a regular file of at most ``limit`` bytes."""
    try:  # O_NONBLOCK: opening a FIFO must not wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error(f"{what} not found: {path}") from None
    except OSError as e:
        raise error(f"cannot read {what} {path}: {e.strerror}") from None
    st = os.fstat(fd)
    problem = None
    if not stat.S_ISREG(st.st_mode):
        problem = f"is {_kind(st.st_mode)}, not a regular file"
    elif limit is not None and st.st_size > limit:
        problem = f"is larger than {limit:,} bytes ({st.st_size:,})"
    if problem:
        os.close(fd)
        raise error(f"{what} {path} {problem}")
    return fd


def open_regular(
    path: str | Path, what: str, error: type[SimError], limit: int | None = None
) -> BinaryIO:
    """A binary file object of ``path`` if it is a regular file of at most ``limit``
    bytes; else ``error`` (one line naming the file)."""
    return os.fdopen(_open(Path(path), what, error, limit), "rb")


def check_regular(
    path: str | Path, what: str, error: type[SimError], limit: int | None = None
) -> Path:
    """Raise ``error`` unless ``path`` is a regular file of at most ``limit`` bytes."""
    open_regular(path, what, error, limit).close()
    return Path(path)


def read_bytes(path: str | Path, what: str, error: type[SimError], limit: int) -> bytes:
    """The contents of a regular file of at most ``limit`` bytes (checked before and
    while reading, so a file that grows meanwhile is refused too)."""
    try:
        with open_regular(path, what, error, limit) as fh:
            data = fh.read(limit + 1)
    except OSError as e:
        raise error(f"cannot read {what} {path}: {e.strerror}") from None
    if len(data) > limit:
        raise error(f"{what} {path} is larger than {limit:,} bytes")
    return data


def read_text(path: str | Path, what: str, error: type[SimError], limit: int) -> str:
    """:func:`read_bytes` decoded as UTF-8 (undecodable files are a clear error)."""
    try:
        return read_bytes(path, what, error, limit).decode("utf-8")
    except UnicodeDecodeError as e:
        raise error(f"cannot read {what} {path}: not UTF-8 text ({e.reason})") from None


def atomic_write(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` via a unique temporary file in the same directory
    and an atomic rename: readers see the old file or the new one, never a part."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a written result is ordinary
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path
