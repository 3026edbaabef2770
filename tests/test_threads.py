"""Same seed => bitwise-identical results for 1 and 2 numba threads."""

import os
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

SCRIPT = """
import sys
from sim.engine import n_threads
from sim.runner import run
from tests.conftest import make_config
ds = run(make_config(paths=600, chunk_size=250))
ds.to_netcdf(sys.argv[1], engine="netcdf4")
print(n_threads())
"""


def _run(threads: int, path) -> xr.Dataset:
    env = {**os.environ, "NUMBA_NUM_THREADS": str(threads)}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], check=True, env=env,
                       cwd=root, timeout=300, capture_output=True, text=True)  # fmt: skip
    assert int(r.stdout.split()[-1]) == threads  # the run really used that many
    with xr.open_dataset(path, engine="netcdf4") as ds:
        return ds.load()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two CPUs for two threads")
def test_one_and_two_threads_identical(tmp_path):
    a = _run(1, tmp_path / "t1.nc")
    b = _run(2, tmp_path / "t2.nc")
    for v in a.data_vars:
        np.testing.assert_array_equal(a[v].values, b[v].values, err_msg=v)
