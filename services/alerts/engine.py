"""The alert pipeline around the pure stages: evaluate → pending → inhibit → silence → route
→ dedupe (the delivery log) → record, one transaction per consumed batch or clock tick.

Alerts, the deliveries their notices make (pending, or held with the reason), the ids of the
events applied and the consumed offsets are written together; the in-memory alerts change
only after the commit. A re-delivered event is skipped; a delivery key already logged is
never logged again, so a notice reaches each recipient once however often it is computed.
Sending is the :mod:`sender`'s job, from the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from services.alerts.domain.lifecycle import Alert, Notice, Step, acknowledge, observe, tick
from services.alerts.domain.routing import (
    TOPIC_SUBSCRIPTION,
    Delivery,
    Silence,
    Subscription,
    inhibited,
    recipients,
    silenced_by,
)
from services.alerts.domain.rules import RuleSet, Source, evaluate
from services.alerts.store.base import AlertsStore, DeliveryRow
from shared.consumer import Record, next_offsets

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FoldResult:
    applied: int
    duplicates: int
    ignored: int
    bad: tuple[tuple[Record, str], ...]
    notices: int


class Engine:
    def __init__(self, store: AlertsStore, rules: RuleSet,
                 cluster_of: Callable[[str], str | None],
                 now: Callable[[], datetime]) -> None:  # fmt: skip
        self._store, self.rules, self._cluster_of, self._now = store, rules, cluster_of, now
        self.lock = threading.Lock()
        self.alerts: dict[str, Alert] = {}
        self.subscriptions: list[Subscription] = []
        self.silences: list[Silence] = []
        self.evaluations = 0

    def load(self) -> int:
        with self.lock:
            self.alerts = {a.alert_id: a for a in self._store.alerts()}
            self.subscriptions = self._store.subscriptions()
            self.silences = self._store.silences()
        return len(self.alerts)

    def fold(self, records: Sequence[Record], epoch: str | None = None) -> FoldResult:
        """Evaluate ``records`` (read from the broker log of ``epoch``)."""
        now = self._now()
        events, bad, ignored = _decode(records)
        with self._store.unit() as unit:
            fresh = unit.claim(events, _event_id)
            working: dict[str, Alert] = {}
            notices: list[Notice] = []
            with self.lock:
                for event, source in fresh:
                    for signal in evaluate(self.rules, event, source):
                        self.evaluations += 1
                        rule = self.rules.rules[signal.rule_id]
                        held = working.get(signal.alert_key, self.alerts.get(signal.alert_key))
                        step = observe(held, signal, rule, self.rules.version, now)
                        _keep(working, signal.alert_key, held, step)
                        notices += step.notices
                rows = self._rows(notices, working, now)
            unit.put_alerts([a for a in working.values() if a is not None])
            unit.add_deliveries(rows)
            unit.mark(next_offsets(records), epoch)
        self._commit(working)
        return FoldResult(len(fresh), len(events) - len(fresh), ignored, tuple(bad),
                          len(notices))  # fmt: skip

    def tick(self) -> int:
        """Let time pass: pending alerts fire, unacknowledged ones repeat or escalate."""
        now = self._now()
        with self.lock:
            working: dict[str, Alert] = {}
            notices: list[Notice] = []
            for alert in self.alerts.values():
                if alert.state in ("pending", "firing"):
                    step = tick(alert, self.rules.rules[alert.rule_id], now)
                    if step.notices or step.alert != alert:
                        _keep(working, alert.alert_id, alert, step)
                        notices += step.notices
            if not working:
                return 0
            rows = self._rows(notices, working, now)
        with self._store.unit() as unit:
            unit.put_alerts([a for a in working.values() if a is not None])
            unit.add_deliveries(rows)
        self._commit(working)
        return len(notices)

    def acknowledge(self, alert_id: str, by: str, note: str) -> Alert:
        with self.lock:
            alert = self.alerts.get(alert_id)
            if alert is None:
                raise KeyError(alert_id)
            done = acknowledge(alert, by, note, self._now())
        with self._store.unit() as unit:
            unit.put_alerts([done])
        self._commit({alert_id: done})
        return done

    def add_silence(self, silence: Silence) -> None:
        self._store.put_silence(silence)
        with self.lock:
            self.silences = [s for s in self.silences if s.silence_id != silence.silence_id]
            self.silences.append(silence)

    def put_subscription(self, subscription: Subscription) -> None:
        self._store.put_subscription(subscription)
        with self.lock:
            self.subscriptions = self._store.subscriptions()

    def delete_subscription(self, subscription_id: str) -> bool:
        found = self._store.delete_subscription(subscription_id)
        with self.lock:
            self.subscriptions = self._store.subscriptions()
        return found

    def _rows(self, notices: list[Notice], working: dict[str, Alert],
              now: datetime) -> list[DeliveryRow]:  # fmt: skip
        everyone = {**self.alerts, **{k: v for k, v in working.items() if v is not None}}
        firing = [a for a in everyone.values() if a.state == "firing"]
        rows: list[DeliveryRow] = []
        for notice in notices:
            alert = notice.alert
            rule = self.rules.rules[alert.rule_id]
            why = None
            if inhibited(alert, firing, rule.inhibit):
                why = f"inhibited by the borough alert {alert.rule_id}:{alert.borough_code}"
            silence = silenced_by(alert, self.silences, now)
            if why is None and silence is not None:
                why = f"silenced by {silence.silence_id} ({silence.author}: {silence.reason})"
            targets = recipients(alert, self.subscriptions, self._cluster_of)
            if notice.kind == "resolved":  # only to those who were told it was firing
                told = self._told(alert.alert_id)
                targets = [s for s in targets if s.subscription_id in told]
                why = None
            for s in (*targets, TOPIC_SUBSCRIPTION):
                rows.append(delivery_row(Delivery(s, notice), why, now))
        return rows

    def _told(self, alert_id: str) -> set[str]:
        """Recipients a notice of the alert was sent to (not held)."""
        return {d.subscription_id for d in self._store.log(alert_id=alert_id, limit=10_000)
                if d.status != "held" and d.kind != "resolved"}  # fmt: skip

    def _commit(self, working: dict[str, Alert]) -> None:
        with self.lock:
            for key, alert in working.items():
                if alert is None:
                    self.alerts.pop(key, None)
                else:
                    self.alerts[key] = alert


def _keep(working: dict[str, Any], key: str, held: Alert | None, step: Step) -> None:
    if step.alert is None:
        if held is not None:
            working[key] = None  # a pending alert that never fired is forgotten
        return
    working[key] = step.alert


def delivery_row(delivery: Delivery, held: str | None, now: datetime) -> DeliveryRow:
    n = delivery.notice
    a = n.alert
    body = {
        "idempotency_key": delivery.key, "notice": n.kind, "sequence": n.sequence,
        "alert_id": a.alert_id, "rule_id": a.rule_id, "rule_version": a.rule_version,
        "severity": a.severity, "state": a.state, "recognition": a.recognition,
        "level": a.level, "area_code": a.area_code, "borough_code": a.borough_code,
        "kpi": a.kpi, "title": a.title, "summary": a.summary, "figures": a.figures,
        "escalation": a.escalation,
        "fired_by": [{"topic": s.topic, "partition": s.partition, "offset": s.offset,
                      "event_id": s.event_id} for s in a.fired_by],
    }  # fmt: skip
    return DeliveryRow(delivery.key, delivery.subscription.subscription_id, a.alert_id,
                       n.sequence, n.kind, a.borough_code or a.area_code,
                       "held" if held else "pending", held, 0, None if held else now, now,
                       None, None, body)  # fmt: skip


def _event_id(event: tuple[dict[str, Any], Source]) -> str:
    return event[1].event_id


def _decode(records: Sequence[Record]) -> tuple[list[tuple[dict[str, Any], Source]],
                                                list[tuple[Record, str]], int]:  # fmt: skip
    events: list[tuple[dict[str, Any], Source]] = []
    bad: list[tuple[Record, str]] = []
    ignored = 0
    for r in records:
        try:
            event = orjson.loads(r.value)
            if not isinstance(event, dict) or not isinstance(event.get("event_id"), str):
                raise ValueError("not an event envelope with an event_id")
        except (orjson.JSONDecodeError, ValueError) as exc:
            bad.append((r, f"not a valid event: {exc}"))
            continue
        if event.get("event_type") not in ("kpi.updated", "flex.exception"):
            ignored += 1
            continue
        events.append((event, Source(r.topic, r.partition, r.offset, event["event_id"])))
    return events, bad, ignored
