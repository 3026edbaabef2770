"""National plans from the dated announcement log, as of a date (sim/inputs/plans.py)."""

import datetime as dt

import pandas as pd
import pytest

from sim.errors import DataError
from sim.inputs import plans
from sim.params import build_inputs

from .conftest import TODAY_DATA, make_config

D = dt.date.fromisoformat
HEADER = "iso3,country,kind,target_pct_gdp,target_year,description,announced,announced_by,source_url"


def _log(tmp_path, rows: list[str], extra: str = "") -> pd.DataFrame:
    path = tmp_path / "log.csv"
    path.write_text("\n".join([HEADER + extra, *rows]) + "\n", encoding="utf-8")
    return plans.load_log(path)


def _levels(plan) -> dict:
    return {p.year: p.level for p in plan.points}


def test_known_dates_of_partial_announcements():
    assert plans.known_date("2026-02-26") == D("2026-02-26")
    assert plans.known_date("2026-02") == D("2026-02-28")
    assert plans.known_date("2025") == D("2025-12-31")
    with pytest.raises(ValueError, match="not a date"):
        plans.known_date("spring 2025")


def test_a_later_row_supersedes_and_the_cutoff_picks_the_row_known_then(tmp_path):
    log = _log(tmp_path, [
        "SWE,Sweden,national_target,3.5,2030,aim,2025-03-26,,",
        "SWE,Sweden,national_target,3.5,2032,deal,2025-06-19,,",
        "SWE,Sweden,statement,4.0,2030,not a plan,2025-07-01,,",
    ])  # fmt: skip
    before = plans.resolve(log, D("2025-06-18"))["SWE"]
    after = plans.resolve(log, D("2025-06-19"))["SWE"]
    assert _levels(before) == {2030: 3.5} and before.date == "2025-03-26"
    assert _levels(after) == {2032: 3.5} and after.date == "2025-06-19"
    assert plans.resolve(log, D("2025-03-25")) == {}  # nothing announced yet
    assert plans.parse_asof(None, log) == D("2025-07-01")  # newest row of any kind
    # a run from an earlier base year sees the plans known at its end
    assert plans.parse_asof(None, log, 2024) == D("2024-12-31")
    assert plans.parse_asof(None, log, 2026) == D("2025-07-01")
    assert plans.parse_asof("2026-01-05", log, 2024) == D("2026-01-05")  # as given


def test_rows_of_one_date_belong_together_and_budgets_speak_for_their_year(tmp_path):
    log = _log(tmp_path, [
        "NLD,Netherlands,national_target,3.5,,caretaker,2025-06-13,,",
        "NLD,Netherlands,national_target,2.8,2030,coalition,2026-01-30,,",
        "NLD,Netherlands,national_target,3.5,2035,coalition,2026-01-30,,",
        "POL,Poland,budget_plan,4.7,2025,budget,2024-08-28,,",
        "POL,Poland,budget_plan,4.8,2026,draft,2025-08-28,,",
        "POL,Poland,budget_plan,4.81,2026,act,2025-12-05,,",
        "POL,Poland,budget_draft,4.51,2027,draft 2027,2026-09-29,,",
    ])  # fmt: skip
    # these POL rows match plan_assessment.csv keys (national definition): use them
    out = plans.resolve(log, D("2026-10-01"), national="as_nato")
    assert _levels(out["NLD"]) == {2030: 2.8, 2035: 3.5}
    assert _levels(out["POL"]) == {2025: 4.7, 2026: 4.81, 2027: 4.51}
    assert out["POL"].date == "2026-09-29"
    dec = plans.resolve(log, D("2025-12-04"), national="as_nato")["POL"]
    assert _levels(dec) == {2025: 4.7, 2026: 4.8}
    assert plans.resolve(log, D("2026-10-01"))["POL"].points == ()  # all national


def test_conditional_and_national_definition_rows_are_used_only_on_request(tmp_path):
    log = _log(tmp_path, [
        "ITA,Italy,national_target,3.5,2035,gradual,2025-06-23,,,nato,0,,,",
        "ITA,Italy,budget_plan,,2028,if out of the EDP,2025-10,,,nato,1,,2026:0.15;2027:0.3,2025",
        "SVN,Slovenia,national_target,3.0,2030,national method,2025-06-20,,,national,0,,,",
    ], extra=",basis,conditional,supersedes,increments,increments_over")  # fmt: skip
    asof = D("2026-01-01")
    default = plans.resolve(log, asof)
    assert _levels(default["ITA"]) == {2035: 3.5} and not default["ITA"].conditional
    assert default["ITA"].dropped == ("budget_plan 2025-10 (conditional)",)
    assert (
        default["SVN"].points == ()
        and "national definition" in default["SVN"].dropped[0]
    )
    both = plans.resolve(log, asof, use_conditional=True, national="as_nato")
    ita = both["ITA"]
    assert ita.conditional and ita.date == "2025-10"
    assert [(p.year, p.level, p.over) for p in ita.points if p.over] == [
        (2026, 0.15, 2025), (2027, 0.3, 2025)]  # fmt: skip
    assert _levels(both["SVN"]) == {2030: 3.0} and both["SVN"].national_definition


def test_a_dropped_row_does_not_revive_the_row_it_superseded(tmp_path):
    log = _log(tmp_path, [
        "CZE,Czechia,national_target,3.0,2030,Fiala,2025-02,,,nato,0,,,",
        "CZE,Czechia,budget_plan,2.07,2026,Babis,2026-02-26,,,national,0,national_target@2025-02,,",
    ], extra=",basis,conditional,supersedes,increments,increments_over")  # fmt: skip
    assert _levels(plans.resolve(log, D("2026-02-25"))["CZE"]) == {2030: 3.0}
    after = plans.resolve(log, D("2026-02-26"))["CZE"]
    assert after.points == ()  # Fiala replaced; Babis's figure is national
    used = plans.resolve(log, D("2026-02-26"), national="as_nato")["CZE"]
    assert _levels(used) == {2026: 2.07}


def _nato(shares: dict):
    return lambda year: shares.get(year, float("nan"))


def test_the_plan_date_comes_from_rows_that_shape_the_path(tmp_path):
    log = _log(tmp_path, [
        "ROU,Romania,national_target,3.5,2032,+0.2pp a year,2025-06-02,,",
        "ROU,Romania,budget_plan,2.3,2026,2026 budget,2025-09,,",
    ])  # fmt: skip
    plan = plans.resolve(log, D("2026-10-01"))["ROU"]
    assert plan.date == "2025-09"  # newest row in force
    run = plans.for_run(plan, 2026, _nato({2026: 2.43}))
    assert run.date == "2025-06-02" and run.refs == ("national_target 2025-06-02",)
    assert run.dropped == ("budget_plan 2025-09 (no point after 2026)",)
    early = plans.for_run(plan, 2025, _nato({2025: 2.3}))  # the budget is ahead
    assert early.date == "2025-09" and len(early.refs) == 2 and early.dropped == ()
    # a target whose year is past still shapes the path (held from the next year)
    old = plans.for_run(plan, 2033, _nato({}))
    assert old.date == "2025-06-02"


NATIONAL = ",basis,conditional,supersedes,increments,increments_over"


def test_national_definition_levels_move_to_the_nato_basis_by_the_wedge(tmp_path):
    log = _log(tmp_path, [
        "TUR,Turkiye,budget_plan,2.33,2026,budget,2026-01,,,national,0,,,",
        "TUR,Turkiye,budget_plan,2.83,2027,projection,2026-01,,,national,0,,,",
        "TUR,Turkiye,budget_plan,3.2,2028,projection,2026-01,,,national,0,,,",
        "POL,Poland,budget_plan,4.81,2026,act,2025-12-05,,,national,0,,,",
        "POL,Poland,budget_draft,4.51,2027,draft,2026-09-29,,,national,0,,,",
    ], extra=NATIONAL)  # fmt: skip
    asof = D("2026-10-01")
    found = plans.resolve(log, asof, national="wedge")
    tur = plans.for_run(found["TUR"], 2026, _nato({2026: 2.85}), "wedge")
    assert _levels(tur) == pytest.approx({2026: 2.85, 2027: 3.35, 2028: 3.72})
    assert tur.date == "2026-01" and tur.national_definition
    assert tur.notes == (
        "national definition -> NATO basis: +0.52 pp (NATO 2026 2.85 - "
        "budget_plan 2026-01 2.33)",
    )
    pol = plans.for_run(found["POL"], 2026, _nato({2026: 4.68}), "wedge")
    assert _levels(pol)[2027] == pytest.approx(4.38)  # a planned fall, NATO basis
    # no national figure for a year with a NATO figure up to the base: left out
    none = plans.for_run(found["TUR"], 2025, _nato({2025: 2.5, 2026: 2.85}), "wedge")
    assert none.points == () and none.date == "" and len(none.dropped) == 1
    assert "no national and NATO figure for a year up to 2025" in none.dropped[0]
    # drop: left out when resolving; as_nato: the stated levels
    assert plans.resolve(log, asof)["TUR"].points == ()
    as_nato = plans.resolve(log, asof, national="as_nato")["TUR"]
    as_nato = plans.for_run(as_nato, 2026, _nato({2026: 2.85}), "as_nato")
    assert _levels(as_nato) == {2026: 2.33, 2027: 2.83, 2028: 3.2}


def test_increments_become_levels_over_the_nato_figure(tmp_path):
    log = _log(tmp_path, [
        "SVN,Slovenia,national_target,3.0,2030,+0.2pp a year,2025-06-25,,,national,0,,"
        "2026:0.2;2030:1.0,2025",
    ], extra=NATIONAL)  # fmt: skip
    found = plans.resolve(log, D("2026-01-01"), national="wedge")["SVN"]
    run = plans.for_run(found, 2026, _nato({2025: 1.57, 2026: 1.61}), "wedge")
    assert _levels(run) == pytest.approx({2026: 1.77, 2030: 2.57})
    assert run.notes == () and run.date == "2025-06-25"  # already on the NATO basis
    gone = plans.for_run(found, 2026, _nato({2026: 1.61}), "wedge")
    assert gone.points == () and "no NATO figure for 2025" in gone.dropped[0]


def test_total_targets_mean_core_plus_the_hague_related_share(tmp_path):
    log = _log(
        tmp_path, ["FIN,Finland,national_target_total,5.0,2032,5% total,2025-06-07,,"]
    )
    assert _levels(plans.resolve(log, D("2026-01-01"))["FIN"]) == {2032: 3.5}


def test_bundled_log_as_of_dates():
    log = plans.load_log()
    now = plans.resolve(log, plans.parse_asof(None, log))
    assert (
        _levels(now["FRA"]) == {2030: 2.5, 2035: 3.5}
        and now["FRA"].date == "2026-08-16"
    )
    assert "FRA" not in plans.resolve(log, D("2026-08-15"))  # LPM update not yet law
    assert _levels(now["SWE"]) == {2026: 2.8, 2032: 3.5}  # 2030 aim was provisional
    assert now["CZE"].points == ()  # Fiala's 3% superseded (Babis, Feb 2026)
    assert _levels(plans.resolve(log, D("2026-02-25"))["CZE"]) == {2030: 3.0}
    assert now["ITA"].dropped == ("budget_plan 2025-10 (conditional)",)
    assert "USA" not in now  # money-only requests: no path


def test_every_assessment_row_matches_one_log_row():
    log = plans.load_log()
    ass = plans._read_csv(plans.ASSESSMENT_CSV)
    keys = list(plans._key(log))
    for k in plans._key(ass):
        assert keys.count(k) == 1, k
    for spec, iso in zip(ass["supersedes"].dropna(), ass.dropna(subset="supersedes")["iso3"],
                         strict=True):  # fmt: skip
        kind, _, announced = spec.partition("@")
        hit = (
            (log["iso3"] == iso)
            & (log["kind"] == kind)
            & (log["announced"] == announced)
        )
        assert hit.sum() == 1, spec


def test_broken_logs_are_rejected(tmp_path):
    with pytest.raises(
        DataError, match=r"column announced: 'soon' is not a date .* row 2"
    ):
        _log(tmp_path, ["DEU,Germany,national_target,3.5,2029,x,soon,,"])
    with pytest.raises(DataError, match=r"column target_pct_gdp: 'lots' at row 2"):
        _log(tmp_path, ["DEU,Germany,national_target,lots,2029,x,2025-06-24,,"])
    with pytest.raises(DataError, match=r"column conditional: 'maybe' at row 2"):
        _log(
            tmp_path,
            ["DEU,Germany,national_target,3.5,2029,x,2025-06-24,,,nato,maybe,,,"],
            extra=",basis,conditional,supersedes,increments,increments_over",
        )
    with pytest.raises(DataError, match="missing column"):
        (tmp_path / "x.csv").write_text("iso3,kind\nDEU,national_target\n")
        plans.load_log(tmp_path / "x.csv")


def _inputs(**data):
    return build_inputs(make_config(
        members=["FRA", "ITA"], base_year=2026, horizon=2035, target_years=[2030, 2035],
        policy={"deadline": 2035, "path_rule": "national"},
        data={**TODAY_DATA, **data}))  # fmt: skip


def test_plans_asof_sets_the_paths_and_the_result_coordinates():
    mi = _inputs()
    years = list(mi.years)
    fra = mi.path[
        0, 0
    ]  # LPM update (2026-08-16): 2.22 (2026) -> 2.5 (2030) -> 3.5 (2035)
    assert fra[years.index(2030)] == 2.5 and fra[-1] == 3.5
    assert fra[years.index(2028)] == pytest.approx(2.22 + 0.28 / 2)
    assert mi.plans_asof == "2026-09-29" and mi.share_vintage == "jul2026"
    assert mi.plan_date == ("2026-08-16", "2025-06-23")
    assert list(mi.plan_conditional) == [0, 0]
    old = _inputs(plans_asof="2026-08-15")  # the day before the law
    assert old.path_kind[0] == "alliance" and old.plan_date[0] == ""
    assert old.plans_asof == "2026-08-15"
    cond = _inputs(use_conditional_plans=True)
    assert cond.plan_conditional[1] == 1 and cond.plan_date[1] == "2025-10"
    # DPFP: +0.5 pp in 2028 over NATO's 2025 figure for Italy (2.09, July 2026)
    assert cond.plan_points[1][2028] == pytest.approx(2.09 + 0.5)
    assert cond.path[1, 0, years.index(2028)] == pytest.approx(2.59)


def test_a_plan_below_the_alliance_path_is_reported_as_not_followed():
    mi = build_inputs(make_config(
        members=["EST", "FRA"], base_year=2026, horizon=2035, target_years=[2030, 2035],
        policy={"deadline": 2035}, review={"enabled": False},
        data=TODAY_DATA))  # fmt: skip
    # Estonia: 5% target in force, but NATO puts 2026 at 5.10; France: the LPM update
    # stays below the linear path to 3.5% in 2035 while no review relaxes it
    assert mi.path_kind == ("alliance (national plan not above it)",) * 2
    assert mi.plan_date == ("", "")


def test_bundled_plans_on_the_nato_basis_of_a_2026_run():
    codes = ["TUR", "POL", "ROU", "LVA", "SVN", "LUX"]
    mi = build_inputs(make_config(
        members=codes, base_year=2026, horizon=2035, target_years=[2030, 2035],
        policy={"deadline": 2035}, data=TODAY_DATA))  # fmt: skip
    pts = dict(zip(codes, mi.plan_points, strict=True))
    dates = dict(zip(codes, mi.plan_date, strict=True))
    # Türkiye: 2.83 / 3.20 (national budget basis) + (NATO 2.85 - national 2.33)
    assert pts["TUR"] == pytest.approx({2027: 3.35, 2028: 3.72})
    assert dates["TUR"] == "2026-01"
    # Poland's draft 2027 (4.51 national; 4.81 national vs NATO 4.68 in 2026): a fall
    # on the NATO basis, below the alliance path, so not followed under path_rule max
    assert pts["POL"] == pytest.approx({2027: 4.38}) and dates["POL"] == ""
    # dated by the target the path follows, not by a later base-year budget
    assert dates["ROU"] == "2025-06-02" and dates["LVA"] == "2025-05-23"
    assert pts["SVN"][2030] == pytest.approx(1.57 + 1.0)  # +0.2 pp a year over 2025
    assert pts["LUX"] == {2027: 2.0}  # 2% of GNI: NATO's own basis for Luxembourg


def test_a_base_2025_run_sees_the_plans_known_at_the_end_of_2025():
    def run_inputs(**data):
        return build_inputs(make_config(
            members=["TUR", "FRA"], base_year=2025, horizon=2035, target_years=[2035],
            policy={"deadline": 2035}, data={**TODAY_DATA, **data}))  # fmt: skip

    mi = run_inputs(plans_asof=None)
    assert mi.plans_asof == "2025-12-31"
    # Türkiye's Jan-2026 budget and France's Aug-2026 law were not known yet
    assert mi.plan_points == ({}, {})
    now = run_inputs(plans_asof="2026-09-29", national_definition_plans="as_nato")
    assert now.plan_points[0] == {2026: 2.33, 2027: 2.83, 2028: 3.2}
    assert now.plan_points[1] == {2030: 2.5, 2035: 3.5}
