"""Alert rules, lifecycle and routing with an injected clock: statistical breaches only,
pending periods, hysteresis against flapping, acknowledgement, repeats, escalation,
inhibition, silences, recognition routing and grouping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.alerts.domain.lifecycle import Alert, Step, acknowledge, observe, tick
from services.alerts.domain.routing import (
    Silence,
    Subscription,
    deliveries,
    group,
    inhibited,
    recipients,
    silenced_by,
)
from services.alerts.domain.rules import Rule, RuleSet, Signal, Source, evaluate

T0 = datetime(2025, 3, 3, 9, tzinfo=UTC)
WARD, OTHER, BOROUGH = "E05013806", "E05013807", "E09000033"
RULES = RuleSet("test-1", {r.rule_id: r for r in (
    Rule("trajectory_breach", pending_s=600, clear_after=2, repeat_s=86_400, escalate_s=3 * 86_400),
    Rule("spc_concern"), Rule("survey_deterioration"),
    Rule("significant_improvement", severity="info", recognition=True),
    Rule("unauthorised_flex"), Rule("below_minimum_staffing"))})  # fmt: skip
SOURCE = Source("snt.kpi.updates.v1", 3, 42, "kpi:x")


def kpi_update(
    *, gap: float, target: str, verdict: str = "not_significant", kpi: int = 1,
    level: str = "ward", area: str = WARD, spc: str = "common_cause",
) -> dict[str, Any]:  # fmt: skip
    return {"event_type": "kpi.updated", "payload": {
        "level": level, "area_code": area, "borough_code": BOROUGH if level == "ward" else None,
        "kpi": kpi, "period": "fytd", "value": 120, "last_year": 100, "trajectory": 98.0,
        "gap_to_trajectory": gap, "significance": {"p_value": 0.01, "verdict": verdict},
        "target_significance": {"p_value": 0.002, "verdict": target},
        "spc": {"signal": spc, "rules_fired": [], "interval": "month"}}}  # fmt: skip


def signals(event: dict[str, Any]) -> dict[str, Signal]:
    return {s.rule_id: s for s in evaluate(RULES, event, SOURCE)}


def test_a_breach_is_statistical_not_a_raw_rise() -> None:
    breach = signals(kpi_update(gap=22, target="significant_worse"))["trajectory_breach"]
    assert breach.holds
    assert breach.figures["target_p_value"] == 0.002
    assert breach.summary.endswith("(p = 0.0020)")
    tiny = kpi_update(gap=22, target="significant_worse")
    tiny["payload"]["target_significance"]["p_value"] = 1e-9
    assert signals(tiny)["trajectory_breach"].summary.endswith("(p < 0.0001)")
    assert breach.source == SOURCE
    above_but_chance = signals(kpi_update(gap=22, target="not_significant"))
    assert not above_but_chance["trajectory_breach"].holds
    better = signals(kpi_update(gap=-30, target="significant_better", verdict="significant_better"))
    assert better["significant_improvement"].holds
    assert not better["trajectory_breach"].holds
    flex = {"event_type": "flex.exception", "payload": {
        "kind": "late_authorisation", "ward_code": WARD, "borough_code": BOROUGH,
        "date": "2025-03-03", "duty_ids": ["D1", "D2"], "detail": "2 duties",
        "figures": {}}}  # fmt: skip
    [found] = evaluate(RULES, flex, SOURCE)
    assert (found.rule_id, found.holds, found.figures["duties"]) == ("unauthorised_flex", True, 2)


def run(steps: list[tuple[int, bool]], rule: Rule | None = None) -> tuple[Alert | None, list[str]]:
    """Signals at minutes from T0 (holds or not); the alert and the notices sent."""
    rule = rule or RULES.rules["trajectory_breach"]
    alert: Alert | None = None
    sent: list[str] = []
    for minute, holds in steps:
        event = kpi_update(gap=10 if holds else -5,
                           target="significant_worse" if holds else "not_significant")  # fmt: skip
        step: Step = observe(alert, signals(event)["trajectory_breach"], rule, "test-1",
                             T0 + timedelta(minutes=minute))  # fmt: skip
        alert = step.alert
        sent += [n.kind for n in step.notices]
    return alert, sent


def test_it_fires_only_once_the_breach_has_held_for_the_pending_period() -> None:
    alert, sent = run([(0, True), (5, True)])
    assert (alert and alert.state, sent) == ("pending", [])
    alert, sent = run([(0, True), (5, True), (11, True)])
    assert (alert and alert.state, sent) == ("firing", ["firing"])
    assert alert is not None
    assert alert.fired_by[0] == SOURCE
    alert, sent = run([(0, True), (5, False), (11, True)])  # cleared while pending: restarts
    assert (alert and alert.state, sent) == ("pending", [])


def test_a_flapping_ward_stays_one_alert_and_resolution_needs_two_clear_updates() -> None:
    flapping = [(0, True), (11, True), *((20 + i, i % 2 == 1) for i in range(20))]
    alert, sent = run(flapping)
    assert sent == ["firing"]
    assert alert is not None
    assert alert.state == "firing"
    alert, sent = run([*flapping, (60, False), (61, False)])
    assert sent == ["firing", "resolved"]
    assert alert is not None
    assert (alert.state, alert.sequence) == ("resolved", 2)
    alert, sent = run([*flapping, (60, False), (61, False), (70, True), (81, True)])
    assert sent == ["firing", "resolved", "firing"]  # a new episode, a new sequence
    assert alert is not None
    assert alert.sequence == 3


def test_unacknowledged_alerts_repeat_and_escalate_acknowledged_ones_do_not() -> None:
    rule = RULES.rules["trajectory_breach"]
    alert, _ = run([(0, True), (11, True)])
    assert alert is not None
    at = alert.since
    day = timedelta(days=1)
    repeated = tick(alert, rule, at + day)
    assert [n.kind for n in repeated.notices] == ["repeat"]
    assert repeated.alert is not None
    escalated = tick(repeated.alert, rule, at + 3 * day)
    assert [n.kind for n in escalated.notices] == ["escalated"]
    assert escalated.alert is not None
    assert escalated.alert.escalation == 1
    acked = acknowledge(alert, "insp.lee", "patrol plan agreed", at + timedelta(hours=1))
    assert tick(acked, rule, at + 5 * day).notices == []
    assert (acked.acknowledged_by, acked.acknowledgement_note) == ("insp.lee", "patrol plan agreed")
    with pytest.raises(ValueError, match="only a firing alert"):
        acknowledge(acked, "x", "y", at)


def _alert(
    level: str = "ward", area: str = WARD, rule: str = "trajectory_breach",
    recognition: bool = False, escalation: int = 0, severity: str = "warning",
) -> Alert:  # fmt: skip
    return Alert(f"{rule}:{area}:1", rule, "test-1", severity, recognition, level, area,
                 BOROUGH if level == "ward" else (area if level == "borough" else None), 1,
                 "t", "s", {}, (), "firing", T0, 1, T0, escalation)  # fmt: skip


def test_inhibition_and_silences() -> None:
    ward, borough = _alert(), _alert("borough", BOROUGH)
    assert inhibited(ward, [borough], inhibit=True)
    assert not inhibited(ward, [borough], inhibit=False)
    assert not inhibited(ward, [_alert("borough", "E09000007")], inhibit=True)
    silence = Silence("s1", T0, T0 + timedelta(hours=6), "ch.supt", "Notting Hill Carnival",
                      borough_code=BOROUGH)  # fmt: skip
    assert silenced_by(ward, [silence], T0 + timedelta(hours=1)) == silence
    assert silenced_by(ward, [silence], T0 + timedelta(hours=7)) is None  # time-boxed
    other_rule = Silence("s2", T0, T0 + timedelta(hours=6), "ch.supt", "planned operation",
                         rule_id="spc_concern", area_code=WARD)  # fmt: skip
    assert silenced_by(ward, [other_rule], T0) is None
    assert silenced_by(_alert(rule="spc_concern"), [other_rule], T0) == other_rule


def test_routing_tiers_recognition_and_grouping() -> None:
    subs = [Subscription("c1", "Cluster 1 inspector", "cluster", "C1", "webhook", "http://c1"),
            Subscription("b1", "Westminster lead", "borough", BOROUGH, "webhook", "http://b1"),
            Subscription("m1", "Central unit", "mps", "MPS", "kafka", "snt.alerts.v1"),
            Subscription("r1", "Westminster recognition", "borough", BOROUGH, "email",
                         "lead@example.org", recognition=True)]  # fmt: skip
    cluster = {WARD: "C1", OTHER: "C1"}.get
    assert [s.subscription_id for s in recipients(_alert(), subs, cluster)] == ["c1"]
    assert [s.subscription_id for s in recipients(_alert(escalation=1), subs, cluster)] == [
        "c1", "b1"]  # fmt: skip
    assert [s.subscription_id for s in recipients(_alert(escalation=2), subs, cluster)] == [
        "c1", "b1", "m1"]  # fmt: skip
    good = _alert(rule="significant_improvement", recognition=True, severity="info")
    assert [s.subscription_id for s in recipients(good, subs, cluster)] == ["r1"]
    from services.alerts.domain.lifecycle import Notice

    notices = [Notice(_alert(), "firing", 1), Notice(_alert(area=OTHER), "firing", 1),
               Notice(_alert(rule="spc_concern"), "firing", 1)]  # fmt: skip
    grouped = group(deliveries(notices, subs, cluster))
    assert list(grouped) == [("c1", BOROUGH)]
    assert [d.notice.alert.area_code for d in grouped[("c1", BOROUGH)]] == [WARD, WARD, OTHER]
    assert grouped[("c1", BOROUGH)][0].key == f"c1:spc_concern:{WARD}:1:1"
