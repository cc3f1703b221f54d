"""Alert rule configuration is checked with clear errors; cluster routing reads the cluster
file."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.alerts.app import _cluster_of
from services.alerts.rule_config import RuleConfigError, load_rules

EXAMPLE = Path(__file__).parents[3] / "shared" / "reference" / "clusters.example.toml"


def test_the_shipped_rules_load() -> None:
    rules = load_rules()
    assert rules.version == "2026.2"
    assert rules.rules["significant_improvement"].recognition
    assert rules.rules["trajectory_breach"].clear_after == 2
    # critical only for what needs action before the next tactical meeting
    staffing = rules.rules["below_minimum_staffing"]
    assert (staffing.severity, staffing.critical_days, staffing.clear_days) == ("warning", 1, 7)
    assert {r.rule_id for r in rules.rules.values() if r.critical_days is not None} == {
        "below_minimum_staffing", "flexed_while_breaching"}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "problem"),
    [('version = ""', "'version' must be a non-empty string"),
     ('version = "1"\n[[rule]]\nid = "raw_pct_change"', "id must be one of"),
     ('version = "1"\n[[rule]]\nid = "spc_concern"\nseverity = "urgent"', "severity must be"),
     ('version = "1"\n[[rule]]\nid = "spc_concern"\nclear_after = 0', "clear_after must be"),
     ('version = "1"\n[[rule]]\nid = "spc_concern"\nclear_days = -1', "clear_days"),
     ('version = "1"\nstale_days = "a month"', "stale_days"),
     ('version = "1"\n[[rule]]\nid = "spc_concern"\n[[rule]]\nid = "spc_concern"', "twice")],
)  # fmt: skip
def test_bad_rules_are_refused_with_the_reason(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text)
    with pytest.raises(RuleConfigError, match=problem):
        load_rules(path)


def test_ward_alerts_route_to_their_cluster() -> None:
    cluster_of = _cluster_of(str(EXAMPLE))
    assert cluster_of("E05013754") == "SU-CW"  # Beddington
    assert cluster_of("E05013806") is None  # a Westminster ward: in no cluster
    assert _cluster_of(None)("E05013754") is None
