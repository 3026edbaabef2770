"""CF-1.10 details of the netCDF files: coordinate attributes and the encoding."""

from __future__ import annotations

import xarray as xr

from . import constants as C


def label_coords(ds: xr.Dataset) -> xr.Dataset:
    """Give every coordinate named in ``constants.COORDS`` its long_name and units."""
    for name, (long_name, units) in C.COORDS.items():
        if name in ds.coords:
            ds[name].attrs.update(
                long_name=long_name, **({"units": units} if units else {})
            )
    return ds


def encoding(ds: xr.Dataset) -> dict:
    """netCDF encoding: compressed data variables; coordinates without _FillValue
    (CF 2.5.1); text dimension coordinates as char arrays, ``char member(member,
    string3)``, because a ``string member(member)`` would be a coordinate variable,
    which CF requires to be numeric (xarray reads both back the same)."""
    enc = {v: {"zlib": True, "complevel": 4} for v in ds.data_vars}
    for name, coord in ds.coords.items():
        enc[name] = {"_FillValue": None}
        if name in ds.dims and coord.dtype.kind in "OUT":
            enc[name]["dtype"] = "S1"
    return enc
