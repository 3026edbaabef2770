"""The bundled member table: reproducible from the sources, complete, checked on load."""

import numpy as np
import pandas as pd
import pytest

from sim import build_members
from sim.data import MEMBERS_CSV, column_provenance, load_members, parse_path
from sim.errors import DataError
from sim.params import base_share, build_inputs, national_path

from .conftest import make_config


def test_committed_table_equals_a_fresh_build():
    fresh = build_members.build()
    committed = pd.read_csv(MEMBERS_CSV, dtype={"national_path": str}).fillna(
        {"national_path": "", "national_path_source": ""}
    )
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


def test_share_vintage_choice_and_fallbacks():
    t = load_members()
    latest, src = base_share(t, make_config(members="all"))
    aug, _ = base_share(
        t, make_config(members="all", data={"share_vintage": "aug2025"})
    )
    i = list(t.index)
    assert latest[i.index("DEU")] == 2.4 and aug[i.index("DEU")] == 2.0  # placeholder
    assert latest[i.index("CZE")] == 2.0  # only in the Aug-2025 vintage
    assert latest[i.index("HUN")] == pytest.approx(2.1108)  # 2024 carried forward
    assert "carried forward" in src[i.index("HUN")]
    assert np.isnan(latest[i.index("ISL")])
    y2024, _ = base_share(
        t, make_config(base_year=2024, data={"share_vintage": "jun2024"})
    )
    assert y2024[i.index("USA")] == pytest.approx(3.379)


def test_national_paths():
    assert parse_path("2027:2.5;2035:3.5") == [(2027, 2.5), (2035, 3.5)]
    assert parse_path("deadline:2.1") == [(None, 2.1)]
    years = np.arange(2026, 2036)
    uk = national_path("2027:2.5;2035:3.5", 2.3, 2025, 2032, years)
    np.testing.assert_allclose(uk[:2], [2.4, 2.5])
    assert uk[-1] == 3.5
    assert national_path("2025:2.0", 2.0, 2025, 2032, years) is None  # past only
    esp = national_path("deadline:2.1", 2.0, 2025, 2032, years)
    assert esp[list(years).index(2032)] == pytest.approx(2.1)
    mi = build_inputs(make_config(members="all", policy={"path_rule": "national", "own_paths": None},
                                  horizon=2035, target_years=[2032, 2035]))  # fmt: skip
    assert mi.path_kind[mi.iso3.index("ESP")] == "national"
    assert mi.path_kind[mi.iso3.index("CAN")] == "alliance"  # only a past (2025) target


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
        (lambda d: d.assign(national_path="2030-3.5"), "national_path"),
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
