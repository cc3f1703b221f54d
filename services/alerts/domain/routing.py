"""Who hears about an alert, and when: inhibition, silences, subscriptions, grouping and the
idempotency key of every delivery.

- **Inhibit**: while a borough-level alert of a rule is firing, that rule's ward alerts in
  the borough are held back (when the rule says so).
- **Silence**: time-boxed, with an author and a reason; it matches by rule, area and/or
  borough (every given field must match).
- **Subscriptions**: a scope (a cluster's wards, a borough, the MPS), rules (none: all), a
  minimum severity, whether it takes recognition (positive exceptions) or concerns, a
  channel and a target. Tiers: cluster 0 (inspector), borough 1 (lead), MPS 2 (central); an
  alert goes to its lowest matching tier and, as it escalates, to the next ones.
- **Group**: one message per recipient and borough per interval, bundling the notices.
- **Budget** (:class:`Budget`): a notice is *pushed* (grouped by recipient, borough and
  rule: the first after ``group_wait_s``, the next of a group no sooner than
  ``group_interval_s`` after the last) when its alert is at least the subscription's
  ``push_severity`` (critical by default), otherwise it waits for the recipient's daily
  *digest* at ``digest_hour`` (Europe/London); at most ``daily_cap`` notices a recipient a
  day, the rest "N more on the dashboard" (critical notices are never held back by the cap).
  Notices about history make one *summary* per recipient once a load has been quiet for
  ``history_wait_s``.
- **Dedupe**: a delivery's idempotency key is recipient + alert + sequence; the delivery log
  holds each key once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

from services.alerts.domain.lifecycle import Alert, Notice
from services.alerts.domain.rules import SEVERITIES

Scope = Literal["cluster", "borough", "mps"]
Channel = Literal["webhook", "email", "kafka"]
TIER: Final = {"cluster": 0, "borough": 1, "mps": 2}
LONDON: Final = ZoneInfo("Europe/London")


@dataclass(frozen=True, slots=True)
class Subscription:
    subscription_id: str
    name: str
    scope: Scope
    scope_code: str
    """Cluster id, borough code, or MPS."""
    channel: Channel
    target: str
    """Webhook URL, email address or Kafka topic."""
    rules: tuple[str, ...] = ()
    min_severity: str = "info"
    recognition: bool = False
    """True: positive exceptions only; False: concerns only."""
    push_severity: str = "critical"
    """Notices of at least this severity are pushed at once (grouped); the others wait for
    the recipient's daily digest."""

    @property
    def tier(self) -> int:
        return TIER[self.scope]


TOPIC_SUBSCRIPTION: Final = Subscription("topic", "Other systems (snt.alerts.v1)", "mps", "MPS",
                                         "kafka", "snt.alerts.v1")  # fmt: skip
"""Every notice is also published on the alerts topic (not held ones)."""


@dataclass(frozen=True, slots=True)
class Budget:
    group_wait_s: float = 30.0
    group_interval_s: float = 300.0
    digest_hour: int = 7
    daily_cap: int = 10
    history_wait_s: float = 60.0

    def mode(self, alert: Alert, subscription: Subscription) -> str:
        """push, digest or history."""
        if alert.history:
            return "history"
        if subscription.subscription_id == "topic" or SEVERITIES.index(
            alert.severity
        ) >= SEVERITIES.index(subscription.push_severity):
            return "push"
        return "digest"

    def when(self, mode: str, now: datetime) -> datetime:
        """When a new notice of ``mode`` is due."""
        if mode == "push":
            return now + timedelta(seconds=self.group_wait_s)
        if mode == "history":
            return now + timedelta(seconds=self.history_wait_s)
        return next_digest(now, self.digest_hour)


def next_digest(now: datetime, hour: int) -> datetime:
    """The next daily digest time after ``now`` (``hour`` o'clock, Europe/London)."""
    local = now.astimezone(LONDON)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if at <= local:
        at = (local + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return at.astimezone(now.tzinfo)


def day_start(now: datetime) -> datetime:
    """Midnight (Europe/London) of ``now``'s day: the cap's day."""
    local = now.astimezone(LONDON).replace(hour=0, minute=0, second=0, microsecond=0)
    return local.astimezone(now.tzinfo)


@dataclass(frozen=True, slots=True)
class Silence:
    silence_id: str
    starts: datetime
    ends: datetime
    author: str
    reason: str
    rule_id: str | None = None
    area_code: str | None = None
    borough_code: str | None = None

    def active(self, now: datetime) -> bool:
        return self.starts <= now < self.ends

    def matches(self, alert: Alert) -> bool:
        return ((self.rule_id is None or self.rule_id == alert.rule_id)
                and (self.area_code is None or self.area_code == alert.area_code)
                and (self.borough_code is None or self.borough_code in (
                    alert.borough_code, alert.area_code)))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Delivery:
    """One notice for one recipient, with its idempotency key."""

    subscription: Subscription
    notice: Notice

    @property
    def key(self) -> str:
        n = self.notice
        return f"{self.subscription.subscription_id}:{n.alert.alert_id}:{n.sequence}"


@dataclass(frozen=True, slots=True)
class Held:
    notice: Notice
    why: str
    """inhibited or silenced (with the silence id)."""


def inhibited(alert: Alert, firing: Iterable[Alert], inhibit: bool) -> bool:
    """A ward alert held back by a firing borough alert of the same rule."""
    if not inhibit or alert.level != "ward" or alert.borough_code is None:
        return False
    return any(a.level == "borough" and a.area_code == alert.borough_code
               and a.rule_id == alert.rule_id and a.state == "firing"
               for a in firing)  # fmt: skip


def silenced_by(alert: Alert, silences: Iterable[Silence], now: datetime) -> Silence | None:
    return next((s for s in silences if s.active(now) and s.matches(alert)), None)


def recipients(alert: Alert, subscriptions: Sequence[Subscription],
               cluster_of: Callable[[str], str | None]) -> list[Subscription]:  # fmt: skip
    """The subscriptions the alert goes to at its escalation level."""
    matching = [s for s in subscriptions if _matches(s, alert, cluster_of)]
    if not matching:
        return []
    base = min(s.tier for s in matching)
    reach = base + alert.escalation
    return [s for s in matching if s.tier <= reach]


def _matches(s: Subscription, alert: Alert, cluster_of: Callable[[str], str | None]) -> bool:
    if s.recognition != alert.recognition:
        return False
    if s.rules and alert.rule_id not in s.rules:
        return False
    if SEVERITIES.index(alert.severity) < SEVERITIES.index(s.min_severity):
        return False
    if s.scope == "mps":
        return True
    if s.scope == "borough":
        return s.scope_code in (alert.borough_code, alert.area_code)
    return alert.level == "ward" and cluster_of(alert.area_code) == s.scope_code


def deliveries(notices: Iterable[Notice], subscriptions: Sequence[Subscription],
               cluster_of: Callable[[str], str | None]) -> list[Delivery]:  # fmt: skip
    return [Delivery(s, n) for n in notices for s in recipients(n.alert, subscriptions,
                                                                cluster_of)]  # fmt: skip


def group(pending: Iterable[Delivery]) -> dict[tuple[str, str], list[Delivery]]:
    """One message per recipient and borough: (subscription id, borough or MPS) → deliveries,
    a ward's related notices together."""
    out: dict[tuple[str, str], list[Delivery]] = {}
    for d in pending:
        alert = d.notice.alert
        borough = alert.borough_code or alert.area_code
        out.setdefault((d.subscription.subscription_id, borough), []).append(d)
    for found in out.values():
        found.sort(key=lambda d: (d.notice.alert.area_code, d.notice.alert.rule_id,
                                  d.notice.sequence))  # fmt: skip
    return out
