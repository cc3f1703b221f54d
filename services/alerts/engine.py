"""The alert pipeline around the pure stages: evaluate → pending → inhibit → silence → route
→ dedupe (the delivery log) → record, one transaction per consumed batch or clock tick.

Alerts, the deliveries their notices make (pending, or held with the reason), the ids of the
events applied and the consumed offsets are written together; the in-memory alerts change
only after the commit. A re-delivered event is skipped; a delivery key already logged is
never logged again, so a notice reaches each recipient once however often it is computed.
Sending is the :mod:`sender`'s job, from the log.

The data's clock (:mod:`domain.clock`) advances with each batch before its signals are
judged: a signal about a period already past in the data is *history* (recorded; its notices
wait, as one summary per recipient, until the load has been quiet); an event that is history
never changes a current alert; flex episodes whose source has run past them resolve.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import orjson

from services.alerts.domain.clock import DataClock
from services.alerts.domain.lifecycle import (
    Alert,
    Notice,
    Step,
    acknowledge,
    expire,
    observe,
    tick,
)
from services.alerts.domain.routing import (
    TOPIC_SUBSCRIPTION,
    Budget,
    Delivery,
    Silence,
    Subscription,
    inhibited,
    recipients,
    silenced_by,
)
from services.alerts.domain.rules import PLAIN, RuleSet, Signal, Source, evaluate
from services.alerts.domain.words import Names
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
                 cluster_of: Callable[[str], str | None], now: Callable[[], datetime], *,
                 names: Names = PLAIN, budget: Budget | None = None) -> None:  # fmt: skip
        self._store, self.rules, self._cluster_of, self._now = store, rules, cluster_of, now
        self._names, self.budget = names, budget or Budget()
        self.clock = DataClock()
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
            self.clock = self._store.clock()
        return len(self.alerts)

    def fold(self, records: Sequence[Record], epoch: str | None = None) -> FoldResult:
        """Evaluate ``records`` (read from the broker log of ``epoch``)."""
        now = self._now()
        events, bad, ignored = _decode(records)
        with self._store.unit() as unit:
            fresh = unit.claim(events, _event_id)
            signals = [s for event, source in fresh
                       for s in evaluate(self.rules, event, source, self._names)]  # fmt: skip
            with self.lock:
                clock = self.clock.advanced(
                    (s.data, s.period_end) for s in signals if s.period_end is not None
                )
                working, notices = self._expired(clock, now)
                for signal in signals:
                    self.evaluations += 1
                    notices += self._apply(signal, clock, working, now)
                rows = self._rows(notices, working, now)
            unit.put_alerts([a for a in working.values() if a is not None])
            unit.add_deliveries(rows)
            if any(r.kind == "history" for r in rows):
                unit.defer_history(now + timedelta(seconds=self.budget.history_wait_s))
            unit.put_clock(clock)
            unit.mark(next_offsets(records), epoch)
        self._commit(working, clock)
        return FoldResult(len(fresh), len(events) - len(fresh), ignored, tuple(bad),
                          len(notices))  # fmt: skip

    def _apply(self, signal: Signal, clock: DataClock, working: dict[str, Alert | None],
               now: datetime) -> list[Notice]:  # fmt: skip
        rule = self.rules.rules[signal.rule_id]
        end = signal.period_end
        history = end is not None and clock.is_history(signal.data, end, rule.grace_days,
                                                       self.rules.stale_days)  # fmt: skip
        held = working[signal.alert_key] if signal.alert_key in working else self.alerts.get(
            signal.alert_key)  # fmt: skip
        if history and held is not None and not held.history and held.state != "resolved":
            return []  # the past never changes what the current data show
        near = end is not None and rule.critical_days is not None and clock.within(
            signal.data, end, rule.critical_days)  # fmt: skip
        step = observe(held, signal, rule, self.rules.version, now, history=history,
                       severity=rule.severity_of(not history, near))  # fmt: skip
        _keep(working, signal.alert_key, held, step)
        return step.notices

    def _expired(self, clock: DataClock, now: datetime
                 ) -> tuple[dict[str, Alert | None], list[Notice]]:  # fmt: skip
        """Episodes whose source's data have run past them, resolved."""
        working: dict[str, Alert | None] = {}
        notices: list[Notice] = []
        for alert in self.alerts.values():
            if not alert.days or alert.state == "resolved":
                continue
            step = expire(alert, self.rules.rules[alert.rule_id], clock.newest.get(alert.data),
                          now)  # fmt: skip
            if step.alert != alert:
                _keep(working, alert.alert_id, alert, step)
                notices += step.notices
        return working, notices

    def tick(self) -> int:
        """Let time pass: pending alerts fire, unacknowledged ones repeat or escalate."""
        now = self._now()
        with self.lock:
            working: dict[str, Alert | None] = {}
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

    def _rows(self, notices: list[Notice], working: dict[str, Alert | None],
              now: datetime) -> list[DeliveryRow]:  # fmt: skip
        everyone = {**self.alerts, **{k: v for k, v in working.items() if v is not None}}
        firing = [a for a in everyone.values() if a.state == "firing"]
        rows: list[DeliveryRow] = []
        for notice in notices:
            alert = notice.alert
            if alert.history:
                rows += self._history_rows(notice, now)
                continue
            why = self._held(alert, firing, now)
            targets = recipients(alert, self.subscriptions, self._cluster_of)
            if notice.kind == "resolved":  # only to those who were told it was firing
                told = self._told(alert.alert_id)
                targets = [s for s in targets if s.subscription_id in told]
                why = None
            for s in (*targets, TOPIC_SUBSCRIPTION):
                mode = self.budget.mode(alert, s)
                rows.append(delivery_row(Delivery(s, notice), why, now,
                                         self.budget.when(mode, now), mode))  # fmt: skip
        return rows

    def _held(self, alert: Alert, firing: list[Alert], now: datetime) -> str | None:
        if inhibited(alert, firing, self.rules.rules[alert.rule_id].inhibit):
            return f"inhibited by the borough alert {alert.rule_id}:{alert.borough_code}"
        silence = silenced_by(alert, self.silences, now)
        if silence is not None:
            return f"silenced by {silence.silence_id} ({silence.author}: {silence.reason})"
        return None

    def _history_rows(self, notice: Notice, now: datetime) -> list[DeliveryRow]:
        """History is recorded (on the topic's row, held) and summed up once a load is over
        for the borough and MPS recipients (a resolution of history tells nobody)."""
        record = delivery_row(Delivery(TOPIC_SUBSCRIPTION, notice),
                              "history: a period already past in the data", now)  # fmt: skip
        if notice.kind == "resolved":
            return [record]
        leads = [s for s in recipients(replace(notice.alert, escalation=2), self.subscriptions,
                                       self._cluster_of) if s.tier >= 1]  # fmt: skip
        due = self.budget.when("history", now)
        return [record, *(delivery_row(Delivery(s, notice), None, now, due, "history")
                          for s in leads)]  # fmt: skip

    def _told(self, alert_id: str) -> set[str]:
        """Recipients a notice of the alert was sent to (not held)."""
        return {d.subscription_id for d in self._store.log(alert_id=alert_id, limit=10_000)
                if d.status != "held" and d.kind != "resolved"}  # fmt: skip

    def _commit(self, working: dict[str, Alert | None], clock: DataClock | None = None) -> None:
        with self.lock:
            self.clock = clock or self.clock
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


def delivery_row(delivery: Delivery, held: str | None, now: datetime,
                 due: datetime | None = None, mode: str = "push") -> DeliveryRow:  # fmt: skip
    """The log row of one delivery: held (with the reason), or pending until ``due`` (a
    history notice's kind is ``history``: it goes into the load's summary)."""
    n = delivery.notice
    a = n.alert
    body = {
        "idempotency_key": delivery.key, "notice": n.kind, "sequence": n.sequence,
        "alert_id": a.alert_id, "rule_id": a.rule_id, "rule_version": a.rule_version,
        "severity": a.severity, "state": a.state, "recognition": a.recognition,
        "level": a.level, "area_code": a.area_code, "borough_code": a.borough_code,
        "kpi": a.kpi, "title": a.title, "summary": a.summary, "figures": a.figures,
        "escalation": a.escalation, "days": list(a.days), "worst": a.worst,
        "period_end": a.period_end, "history": a.history, "mode": mode,
        "fired_by": [{"topic": s.topic, "partition": s.partition, "offset": s.offset,
                      "event_id": s.event_id} for s in a.fired_by],
    }  # fmt: skip
    kind = "history" if mode == "history" else n.kind
    return DeliveryRow(delivery.key, delivery.subscription.subscription_id, a.alert_id,
                       n.sequence, kind, a.borough_code or a.area_code,
                       "held" if held else "pending", held, 0,
                       None if held else (due or now), now, None, None, body)  # fmt: skip


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
