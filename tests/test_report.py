"""The HTML report: every section and figure exists and is non-empty."""

import re

import pandas as pd

from sim.engine import run
from sim.io import write_run
from sim.report import write_report

from .conftest import make_config


def test_report_from_a_tiny_run(tmp_path):
    run_dir = write_run(run(make_config()), tmp_path)
    path = write_report(run_dir)
    assert path == run_dir / "report.html"
    page = path.read_text()
    for section in ("heatmaps", "ranking", "alliance", "fans", "provenance"):
        assert f'id="{section}"' in page
    figs = sorted((run_dir / "figures").glob("*.png"))
    names = {f.name for f in figs}
    assert {"heatmap_core_3.5.png", "heatmap_total_5.png", "alliance_fan.png",
            "n_meeting_core_3.5.png", "fan_DEU.png", "fan_POL.png", "fan_ESP.png"} <= names  # fmt: skip
    assert "fan_ISL.png" not in names  # no armed forces: nothing to chart
    assert all(f.stat().st_size > 5000 for f in figs)
    assert len(
        re.findall(r'src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', page)
    ) == len(figs)
    assert "seed: 7" in page and "git_commit" in page  # provenance appendix
    table = pd.read_csv(run_dir / "summary.csv")
    assert list(table["member"])[0] == "POL" and len(table) == 3
    assert {
        "p_core_3.5_2028",
        "se_core_3.5_2028",
        "shortfall_usd_bn_total_5_2030",
    } <= set(table)
