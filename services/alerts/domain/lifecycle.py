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
- Flex exceptions are **episodes**: one alert per ward and rule lists its days and its worst
  day; a day within the rule's ``clear_days`` of the last joins it, a later one starts a new
  episode, and :func:`expire` resolves it once its source's data have run ``clear_days`` past
  its last day (acknowledgement is not the only way out).
- A **history** alert (about a period already past in the data, see :mod:`clock`) is
  recorded but never repeats or escalates; it becomes news only if a current day joins it.

Each step returns the alert and the notices to send: ``firing``, ``repeat``, ``escalated``,
``resolved``. Every notice carries the alert's sequence number; with the alert id and the
recipient it is the idempotency key, so a notice is delivered once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Final, Literal

from services.alerts.domain.rules import SEVERITIES, Rule, Signal, Source, flex_summary, worse

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
    days: tuple[str, ...] = ()
    """A flex episode's days (ISO dates), in order."""
    worst: dict[str, float] = field(default_factory=dict)
    """A flex episode's worst day's figures."""
    period_end: str | None = None
    """The last day of the period the alert is about (ISO date)."""
    history: bool = False
    """About a period already past in the data: recorded, not news."""
    data: str = "crime:fytd"
    """Its source's clock (see :mod:`clock`)."""

    def last_day(self) -> date | None:
        return date.fromisoformat(self.days[-1]) if self.days else None


@dataclass(frozen=True, slots=True)
class Notice:
    alert: Alert
    kind: NoticeKind
    sequence: int


@dataclass
class Step:
    alert: Alert | None
    notices: list[Notice] = field(default_factory=list)


def observe(alert: Alert | None, signal: Signal, rule: Rule, version: str, now: datetime,
            *, history: bool = False, severity: str | None = None) -> Step:  # fmt: skip
    """Apply one signal of ``rule`` to the alert with the signal's key (None: none yet);
    ``history`` and ``severity`` are the engine's judgement of the signal against the data's
    clock."""
    severity = severity or rule.severity
    if alert is not None and signal.holds and _new_episode(alert, signal, rule):
        ended = expire(alert, rule, None, now, force=True)
        step = observe(ended.alert, signal, rule, version, now, history=history,
                       severity=severity)  # fmt: skip
        return Step(step.alert, [*ended.notices, *step.notices])
    if alert is None:
        if not signal.holds:
            return Step(None)
        started = _from_signal(signal, rule, version, now, history, severity)
        return tick(started, rule, now)
    if signal.holds:
        return _holds(alert, signal, rule, now, history, severity)
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


def _holds(alert: Alert, signal: Signal, rule: Rule, now: datetime, history: bool,
           severity: str) -> Step:  # fmt: skip
    if alert.state == "resolved":
        fresh = replace(alert, state="pending", since=now, escalation=0, acknowledged_by=None,
                        acknowledgement_note=None, fired_by=(), days=(), worst={},
                        history=history, severity=severity)  # fmt: skip
        return tick(_joined(fresh, signal, rule), rule, now)
    updated = _joined(replace(alert, clear_streak=0), signal, rule)
    news = alert.state == "firing" and (
        (alert.history and not history)
        or SEVERITIES.index(severity) > SEVERITIES.index(alert.severity))  # fmt: skip
    updated = replace(updated, history=alert.history and history,
                      severity=_higher(alert.severity, severity) if not alert.history
                      else severity)  # fmt: skip
    if news:
        told = replace(updated, notified_at=now, sequence=updated.sequence + 1)
        return Step(told, [Notice(told, "firing", told.sequence)])
    return tick(updated, rule, now)


def _joined(alert: Alert, signal: Signal, rule: Rule) -> Alert:
    """The alert with the signal's figures (and, for an episode, its day)."""
    joined = replace(alert, figures=signal.figures, summary=signal.summary, title=signal.title,
                     fired_by=_refs(alert.fired_by, signal),
                     period_end=_later(alert.period_end, signal.period_end))  # fmt: skip
    if signal.day is None:
        return joined
    days = tuple(sorted({*alert.days, signal.day.isoformat()}))
    worst = signal.figures if worse(rule.rule_id, alert.worst, signal.figures) else alert.worst
    summary = flex_summary(rule.rule_id, tuple(date.fromisoformat(d) for d in days), worst)
    return replace(joined, days=days, worst=dict(worst), summary=summary)


def _new_episode(alert: Alert, signal: Signal, rule: Rule) -> bool:
    """A day beyond ``clear_days`` after an open episode's last day ends the episode."""
    last = alert.last_day()
    return (alert.state in ("firing", "acknowledged") and signal.day is not None
            and last is not None and (signal.day - last).days > rule.clear_days)  # fmt: skip


def expire(alert: Alert, rule: Rule, newest: date | None, now: datetime, *,
           force: bool = False) -> Step:  # fmt: skip
    """Resolve an open episode whose source's data (newest date ``newest``) have run
    ``clear_days`` past its last day without the exception."""
    last = alert.last_day()
    if alert.state not in ("firing", "acknowledged", "pending") or last is None:
        return Step(alert)
    if not force and (newest is None or (newest - last).days <= rule.clear_days):
        return Step(alert)
    if alert.state == "pending":
        return Step(None)
    resolved = replace(alert, state="resolved", since=now, clear_streak=0,
                       sequence=alert.sequence + 1)  # fmt: skip
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
    if alert.state != "firing" or alert.notified_at is None or alert.history:
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


def _from_signal(signal: Signal, rule: Rule, version: str, now: datetime, history: bool,
                 severity: str) -> Alert:  # fmt: skip
    alert = Alert(signal.alert_key, signal.rule_id, version, severity, rule.recognition,
                  signal.level, signal.area_code, signal.borough_code, signal.kpi, signal.title,
                  signal.summary, signal.figures, (), "pending", now, history=history,
                  data=signal.data)  # fmt: skip
    return _joined(alert, signal, rule)


def _higher(a: str, b: str) -> str:
    return a if SEVERITIES.index(a) >= SEVERITIES.index(b) else b


def _later(held: str | None, end: date | None) -> str | None:
    if end is None:
        return held
    return end.isoformat() if held is None or end.isoformat() > held else held


def _refs(held: tuple[Source, ...], signal: Signal) -> tuple[Source, ...]:
    """The events behind the alert: the latest few (the exact ones that fired it first)."""
    if signal.source is None:
        return held
    return (*held, signal.source)[-10:]
