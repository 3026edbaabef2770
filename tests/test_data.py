"""The bundled member table: reproducible from the sources, complete, checked on load."""

import numpy as np
import pandas as pd
import pytest

from sim.errors import DataError
from sim.inputs import build_members
from sim.inputs.data import MEMBERS_CSV, column_provenance, load_members
from sim.params import base_share, build_inputs, national_path

from .conftest import make_config

EDITION_2026 = build_members.SOURCES / "nato_2026_edition_shares.csv"


def test_committed_table_equals_a_fresh_build():
    fresh = build_members.build()
    committed = pd.read_csv(MEMBERS_CSV, dtype={"election_years": str})
    assert list(fresh.columns) == list(committed.columns)
    for col in fresh.columns:
        if not pd.api.types.is_numeric_dtype(fresh[col]):
            assert list(fresh[col].fillna("")) == list(committed[col].fillna("")), col
        else:
            np.testing.assert_allclose(
                fresh[col], committed[col], rtol=1e-5, err_msg=col
            )


def test_every_column_has_provenance():
    table = load_members()
    prov = column_provenance()
    assert set(prov.index) == set(table.columns)
    assert set(prov["assumption"]) <= {"yes", "no"}
    assert {"group", "region", "exposure"} <= set(
        prov.index[prov["assumption"] == "yes"]
    )


def test_members_and_iceland():
    t = load_members()
    assert len(t) == 32 and t.index.is_unique
    assert t.loc["ISL", "has_armed_forces"] == 0
    assert (t.drop("ISL")["has_armed_forces"] == 1).all()
    assert np.isnan(t.loc["ISL", "share_2025_nato_mar2026"])
    # spot checks against shared/data (NATO estimates as published)
    assert t.loc["POL", "share_2025_nato_aug2025"] == 4.48
    assert t.loc["POL", "share_2025_nato_mar2026"] == 4.3
    assert t.loc["DEU", "share_2024_nato_jun2024"] == pytest.approx(2.119)
    assert t.loc["DEU", "share_2026_nato_jul2026"] == 2.69  # press: 2.69 (SOURCES.md)
    assert np.isnan(t.loc["ISL", "share_2026_nato_jul2026"])


def _edition_2026() -> dict[tuple[str, int], float]:
    """(iso3, year) -> core share, read straight from the bundled source file."""
    import csv

    with EDITION_2026.open(encoding="utf-8") as f:
        return {
            (r["iso3"], int(r["year"])): float(r["value"])
            for r in csv.DictReader(f)
            if r["measure"] == "core_share_gdp"
        }


def test_every_2026_base_figure_equals_the_source_table():
    src = _edition_2026()
    t = load_members()
    mi = build_inputs(make_config(members="all", base_year=2026, horizon=2035,
                                  target_years=[2030, 2035], data={"share_vintage": "latest"}))  # fmt: skip
    assert mi.share_vintage == "jul2026"
    counted = [c for c in t.index if t.loc[c, "has_armed_forces"] == 1]
    assert len(counted) == 31
    for j, iso in enumerate(mi.iso3):
        for y in (2024, 2025, 2026):  # every bundled year of the edition
            col = t.loc[iso, f"share_{y}_nato_jul2026"]
            assert (np.isnan(col) and iso == "ISL") or col == src[(iso, y)], (iso, y)
        if iso in counted:
            assert mi.base_share[j] == src[(iso, 2026)], iso
            assert mi.base_share_source[j] == "share_2026_nato_jul2026"
    # five Allies at or above 3.5% in 2026 (issue 14)
    assert sorted(c for c in counted if src[(c, 2026)] >= 3.5) == [
        "EST", "GRC", "LTU", "LVA", "POL"]  # fmt: skip


def test_share_vintage_choice_and_fallbacks():
    t = load_members()
    i = list(t.index)
    mar, src = base_share(t, make_config(members="all"))  # tiny: base 2025, mar2026
    aug, _ = base_share(
        t, make_config(members="all", data={"share_vintage": "aug2025"})
    )
    assert mar[i.index("DEU")] == 2.4 and aug[i.index("DEU")] == 2.0  # placeholder
    assert mar[i.index("CZE")] == 2.0  # only in the Aug-2025 vintage
    assert mar[i.index("HUN")] == pytest.approx(2.1108)  # 2024 carried forward
    assert "carried forward" in src[i.index("HUN")]
    assert np.isnan(mar[i.index("ISL")])
    core, src = base_share(
        t, make_config(members="all", data={"share_vintage": "latest"})
    )
    assert core[i.index("DEU")] == 2.22 and core[i.index("HUN")] == 2.06  # July 2026
    assert set(src) == {"share_2025_nato_jul2026", "none (no armed forces)"}
    y2024, _ = base_share(
        t,
        make_config(
            base_year=2024,
            data={"share_vintage": "jun2024"},
            resilience={"member_priors": False},
        ),
    )
    assert y2024[i.index("USA")] == pytest.approx(3.379)


def test_national_paths():
    years = np.arange(2026, 2036)
    uk = national_path([(2027, 2.5, True), (2035, 3.5, True)], 2.3, 2025, 2032, years)
    np.testing.assert_allclose(uk[:2], [2.4, 2.5])
    assert uk[-1] == 3.5
    assert national_path([(2025, 2.0, False)], 2.0, 2025, 2032, years) is None  # budget
    past = national_path([(2025, 2.0, True)], 1.8, 2025, 2032, years)  # target in force
    assert list(past) == [2.0] * len(years)
    esp = national_path([(None, 2.1, True)], 2.0, 2025, 2032, years)
    assert esp[list(years).index(2032)] == pytest.approx(2.1)
    mi = build_inputs(make_config(members="all", policy={"path_rule": "national", "own_paths": None},
                                  horizon=2035, target_years=[2032, 2035],
                                  us_budget={"enabled": False}))  # fmt: skip
    assert mi.path_kind[mi.iso3.index("ESP")] == "national"
    assert mi.path_kind[mi.iso3.index("USA")] == "alliance"  # no plan in the log


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.drop(columns="debt_2025_pct_gdp"), "missing column"),
        (
            lambda d: d.assign(
                debt_2025_pct_gdp=d["debt_2025_pct_gdp"]
                .astype(str)
                .str.replace("64.421", "lots")
            ),
            "not a number",
        ),  # fmt: skip
        (lambda d: d.assign(exposure=5.0), "outside"),
        (lambda d: pd.concat([d, d.iloc[:1]]), "unique"),
        (lambda d: d.assign(group="elsewhere"), "allowed"),
        (lambda d: d.drop(columns="share_2026_nato_jul2026"), "missing column"),
    ],
)
def test_broken_member_tables_are_rejected(tmp_path, edit, message):
    bad = edit(pd.read_csv(MEMBERS_CSV, dtype=str))
    path = tmp_path / "members.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(DataError, match=f"{path}.*{message}"):
        load_members(path)


def test_unreadable_member_table(tmp_path):
    with pytest.raises(DataError, match="not found"):
        load_members(tmp_path / "nope.csv")
    p = tmp_path / "bin.csv"
    p.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(DataError, match="bin.csv"):
        load_members(p)
