"""The member overview printed by `sim members`: what a run starts from, per member.

For a config: the base-year share with its vintage and column, and the national plan
as of ``data.plans_asof`` with its announcement date, whether the path follows it, and
the rows left out (conditional, national definition).
"""

from __future__ import annotations

import pandas as pd

from .config import Config, from_dict, merge, to_dict
from .inputs import plans
from .params import build_inputs, member_plans, member_table


def overview(cfg: Config) -> pd.DataFrame:
    """One row per member (all members of the table), indexed by ISO3 code."""
    cfg = from_dict(merge(to_dict(cfg), {"members": "all"}))
    mi = build_inputs(cfg)
    table = member_table(cfg)
    plan_of = member_plans(cfg, table)
    rows = []
    for j, iso in enumerate(mi.iso3):
        plan = plan_of.get(iso)
        pts = mi.plan_points[j]
        points = "; ".join(f"{y}:{lv:.3g}" for y, lv in pts.items())
        kind = mi.path_kind[j]
        if not mi.counted[j]:
            used = "-"
        elif mi.plan_date[j]:
            used = f"national plan {points}"
        elif kind == "own":
            used = "own path (config)"
        elif kind == "US budget regimes":
            used = "US budget regimes (us_budget)"
        elif kind == "hold base share":
            used = "holds the base-year share"
        elif pts:
            used = f"alliance rule (plan {points} not above it)"
        else:
            used = "alliance rule"
        rows.append(
            {
                "member": iso,
                "name": mi.names[j],
                "group": mi.groups[j],
                "base_share": mi.base_share[j] if mi.counted[j] else float("nan"),
                "base_year": cfg.base_year,
                "vintage": mi.share_vintage,
                "base_share_source": mi.base_share_source[j],
                "plan_used": used,
                "plan_date": mi.plan_date[j],
                "conditional": int(mi.plan_conditional[j]),
                "plan_rows": "; ".join(plan.refs) if plan else "",
                "not_used": "; ".join(plan.dropped) if plan else "",
                "notes": "; ".join(plan.notes) if plan else "",
            }
        )
    return pd.DataFrame(rows).set_index("member")


def header(cfg: Config) -> str:
    """One line: base year, vintage definition, plan cut-off and rules."""
    from .inputs import vintages

    d = cfg.data
    log = plans.load_log(d.plans_file)
    asof = plans.parse_asof(d.plans_asof, log, cfg.base_year).isoformat()
    vintage = vintages.resolve(cfg.base_year, d.share_vintage)
    return (
        f"base year {cfg.base_year}: {vintages.DEFINITIONS[vintage]} [{vintage}]; "
        f"plans as of {asof}; conditional plans "
        f"{'used' if d.use_conditional_plans else 'not used'}, national-definition "
        f"plans: {d.national_definition_plans}; "
        f"path rule {cfg.policy.path_rule}, deadline {cfg.policy.deadline}"
    )
