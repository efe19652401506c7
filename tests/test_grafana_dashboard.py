"""The Grafana dashboard in ops/ asks only for metrics the hotline really exports."""
from __future__ import annotations

import json
import re

from conftest import ROOT
from test_metrics import NAMES

SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_created")


def test_every_panel_queries_exported_metrics_and_every_metric_has_a_panel():
    dashboard = json.loads((ROOT / "ops" / "grafana-dashboard.json").read_text())
    used = set()
    for panel in dashboard["panels"]:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            for name in re.findall(r"\bhotline_[a-z_]+", target["expr"]):
                base = next((name[: -len(s)] for s in SUFFIXES if name.endswith(s) and name[: -len(s)] in NAMES), name)
                assert base in NAMES, f"{panel['title']}: {name} is not exported"
                used.add(base)
    assert used == NAMES
