"""An alert's life: pending → firing → acknowledged → resolved, driven by signals and by a
clock (injected: every function takes ``now``).

- A signal that holds starts a *pending* alert; it fires once the condition has held for the
  rule's pending period (at that signal or at a later tick).
- A firing or acknowledged alert resolves only after ``clear_after`` consecutive clear
  signals (hysteresis): a ward flapping between breach and no breach stays one firing alert
  and is not re-sent at every update.
- Unacknowledged, a firing alert is sent again every ``repeat_s`` and escalates one level
  (cluster inspector → borough lead → central) every ``escalate_s``.
- A resolved alert that holds again goes back to pending: a new episode, a new sequence.

Each step returns the alert and the notices to send: ``firing``, ``repeat``, ``escalated``,
``resolved``. Every notice carries the alert's sequence number; with the alert id and the
recipient it is the idempotency key, so a notice is delivered once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Final, Literal

from services.alerts.domain.rules import Rule, Signal, Source

State = Literal["pending", "firing", "acknowledged", "resolved"]
NoticeKind = Literal["firing", "repeat", "escalated", "resolved"]
MAX_LEVEL: Final = 2
"""Escalation levels: 0 cluster inspector, 1 borough lead, 2 central."""


@dataclass(frozen=True, slots=True)
class Alert:
    alert_id: str
    rule_id: str
    rule_version: str
    severity: str
    recognition: bool
    level: str
    area_code: str
    borough_code: str | None
    kpi: int | None
    title: str
    summary: str
    figures: dict[str, float]
    fired_by: tuple[Source, ...]
    state: State
    since: datetime
    """When the current state (or the pending period) began."""
    sequence: int = 0
    """Episodes and notices so far: each notice takes the next number."""
    notified_at: datetime | None = None
    escalation: int = 0
    clear_streak: int = 0
    acknowledged_by: str | None = None
    acknowledgement_note: str | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    alert: Alert
    kind: NoticeKind
    sequence: int


@dataclass
class Step:
    alert: Alert | None
    notices: list[Notice] = field(default_factory=list)


def observe(alert: Alert | None, signal: Signal, rule: Rule, version: str,
            now: datetime) -> Step:  # fmt: skip
    """Apply one signal of ``rule`` to the alert with the signal's key (None: none yet)."""
    if alert is None:
        if not signal.holds:
            return Step(None)
        started = _from_signal(signal, rule, version, now)
        return tick(started, rule, now)
    if signal.holds:
        updated = replace(alert, figures=signal.figures, summary=signal.summary,
                          title=signal.title, clear_streak=0,
                          fired_by=_refs(alert.fired_by, signal))  # fmt: skip
        if alert.state == "resolved":
            updated = replace(updated, state="pending", since=now, escalation=0,
                              acknowledged_by=None, acknowledgement_note=None,
                              fired_by=_refs((), signal))  # fmt: skip
        return tick(updated, rule, now)
    if alert.state == "pending":
        return Step(None)  # it never fired: forget it
    if alert.state == "resolved":
        return Step(alert)
    streak = alert.clear_streak + 1
    if streak < rule.clear_after:
        return Step(replace(alert, clear_streak=streak))
    resolved = replace(alert, state="resolved", since=now, clear_streak=0,
                       figures=signal.figures, sequence=alert.sequence + 1,
                       fired_by=_refs(alert.fired_by, signal))  # fmt: skip
    return Step(resolved, [Notice(resolved, "resolved", resolved.sequence)])


def tick(alert: Alert, rule: Rule, now: datetime) -> Step:
    """What the passing of time does: a pending alert fires, an unacknowledged one repeats
    or escalates."""
    if alert.state == "pending":
        if now - alert.since < timedelta(seconds=rule.pending_s):
            return Step(alert)
        fired = replace(alert, state="firing", since=now, notified_at=now,
                        sequence=alert.sequence + 1)  # fmt: skip
        return Step(fired, [Notice(fired, "firing", fired.sequence)])
    if alert.state != "firing" or alert.notified_at is None:
        return Step(alert)
    if alert.escalation < MAX_LEVEL and now - alert.since >= timedelta(
        seconds=rule.escalate_s * (alert.escalation + 1)
    ):
        escalated = replace(alert, escalation=alert.escalation + 1, notified_at=now,
                            sequence=alert.sequence + 1)  # fmt: skip
        return Step(escalated, [Notice(escalated, "escalated", escalated.sequence)])
    if now - alert.notified_at >= timedelta(seconds=rule.repeat_s):
        repeated = replace(alert, notified_at=now, sequence=alert.sequence + 1)
        return Step(repeated, [Notice(repeated, "repeat", repeated.sequence)])
    return Step(alert)


def acknowledge(alert: Alert, by: str, note: str, now: datetime) -> Alert:
    """Firing → acknowledged (by whom, with a note): no more repeats or escalation."""
    if alert.state != "firing":
        raise ValueError(f"only a firing alert can be acknowledged; this one is {alert.state}")
    return replace(alert, state="acknowledged", since=now, acknowledged_by=by,
                   acknowledgement_note=note)  # fmt: skip


def _from_signal(signal: Signal, rule: Rule, version: str, now: datetime) -> Alert:
    return Alert(signal.alert_key, signal.rule_id, version, rule.severity, rule.recognition,
                 signal.level, signal.area_code, signal.borough_code, signal.kpi, signal.title,
                 signal.summary, signal.figures, _refs((), signal), "pending", now)  # fmt: skip


def _refs(held: tuple[Source, ...], signal: Signal) -> tuple[Source, ...]:
    """The events behind the alert: the latest few (the exact ones that fired it first)."""
    if signal.source is None:
        return held
    return (*held, signal.source)[-10:]
