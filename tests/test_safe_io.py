"""Bounded reads of regular files only; atomic writes that never follow a planted link."""

import os
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from sim import safe_io
from sim.errors import ConfigError, DataError

from .conftest import CONFIGS


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "fifo.yaml"
    os.mkfifo(path)
    return path


def test_non_regular_files_are_refused_before_reading(tmp_path, fifo):
    for path, kind in ((fifo, "a FIFO"), ("/dev/zero", "a character device"),
                       (tmp_path, "a directory")):  # fmt: skip
        with pytest.raises(ConfigError, match=f"config file {path} is {kind}, not a"):
            safe_io.read_text(path, "config file", ConfigError, 1000)


def test_size_limit_and_encoding(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("x" * 1001)
    with pytest.raises(DataError, match=r"data file .*big.csv is larger than 1,000"):
        safe_io.read_text(path, "data file", DataError, 1000)
    assert safe_io.read_text(path, "data file", DataError, 1001) == "x" * 1001
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(DataError, match="not UTF-8"):
        safe_io.read_text(path, "data file", DataError, 1000)
    with pytest.raises(DataError, match="data file not found: .*nope"):
        safe_io.read_text(tmp_path / "nope", "data file", DataError, 1000)


@pytest.mark.parametrize(("target", "kind"), [
    ("/dev/zero", "a character device"), ("/dev/urandom", "a character device"),
    ("FIFO", "a FIFO"), ("DIR", "a directory"),
])  # fmt: skip
def test_extends_of_a_device_fifo_or_directory_is_one_line_within_seconds(
    tmp_path, fifo, target, kind
):
    target = {"FIFO": fifo, "DIR": tmp_path}.get(target, target)
    config = tmp_path / "c.yaml"
    config.write_text(f"extends: {target}\n")
    t0 = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "sim", "validate", str(config)],
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert time.monotonic() - t0 < 30
    assert r.returncode == 2
    assert r.stderr == f"error: config file {target} is {kind}, not a regular file\n"


def test_member_table_and_calibration_files_are_bounded(tmp_path, fifo):
    from sim.config import load_config
    from sim.inputs.check import check

    base = CONFIGS / "baseline.yaml"
    with pytest.raises(DataError, match=f"data file {fifo} is a FIFO"):
        check(load_config(base, [f"data.members_file={fifo}"]))
    with pytest.raises(ConfigError, match="calibration file /dev/zero is a character"):
        check(load_config(base, ["calibration=/dev/zero"]))
    big = tmp_path / "cal.yaml"
    big.write_text("# " + "x" * 1_000_000)
    with pytest.raises(ConfigError, match="calibration file .* is larger than"):
        check(load_config(base, [f"calibration={big}"]))


def test_atomic_write_never_follows_a_planted_symlink(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out = tmp_path / "cal.yaml"
    (tmp_path / ".cal.yaml.partial").symlink_to(victim)  # the old fixed temp name
    safe_io.atomic_write(out, "new")
    assert out.read_text() == "new" and victim.read_text() == "precious"
    link = tmp_path / "link.yaml"  # the target itself a link: replaced, not followed
    link.symlink_to(victim)
    safe_io.atomic_write(link, "other")
    assert not link.is_symlink() and link.read_text() == "other"
    assert victim.read_text() == "precious"
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {"victim.txt", "cal.yaml", ".cal.yaml.partial", "link.yaml"}


def test_failed_atomic_write_leaves_the_old_file_and_no_temporary(
    tmp_path, monkeypatch
):
    out = tmp_path / "x.yaml"
    out.write_text("old")

    def boom(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="No space"):
        safe_io.atomic_write(out, "new")
    assert out.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == [
        "x.yaml"
    ]


def test_sim_calibrate_out_does_not_write_through_a_planted_symlink(tmp_path):
    from sim.cli import cli

    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / ".cal.yaml.partial").symlink_to(victim)
    out = tmp_path / "cal.yaml"
    r = CliRunner().invoke(cli, ["calibrate", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert victim.read_text() == "precious"
    assert "residuals:" in out.read_text()
    assert r.output.strip().splitlines()[-1] == str(out)


def test_results_file_must_be_regular(tmp_path, fifo):
    from sim.errors import RunError
    from sim.io import open_results

    with pytest.raises(RunError, match="results file .* is a FIFO"):
        open_results(fifo)
