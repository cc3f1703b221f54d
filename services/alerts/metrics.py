"""The alerts service's metrics (injected registry, namespace snt_alerts, bounded labels:
rules and states from configuration, channels from a fixed set)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy.exc import SQLAlchemyError

from services.alerts.domain.lifecycle import Alert

CHANNELS = ("webhook", "email", "kafka")
STATES = ("pending", "firing", "acknowledged", "resolved")
Unsent = Callable[[datetime], tuple[int, datetime | None]]
"""Notices due by a time and not sent: how many, and when the oldest was made."""


class AlertsMetrics:
    def __init__(self, registry: CollectorRegistry, rules: Iterable[str],
                 alerts: Callable[[], list[Alert]]) -> None:  # fmt: skip
        ns = "snt_alerts"
        self.evaluations = Counter("evaluations_total", "Rule evaluations (signals) made",
                                   namespace=ns, registry=registry)  # fmt: skip
        self.notifications = Counter(
            "notifications_total", "Notification messages by channel and result",
            ["channel", "result"], namespace=ns, registry=registry,
        )  # fmt: skip
        for channel in CHANNELS:
            for result in ("sent", "failed"):
                self.notifications.labels(channel, result)
        self.dead_letters = Counter("dead_letters_total",
                                    "Events not evaluated, sent to the dead-letter topic",
                                    namespace=ns, registry=registry)  # fmt: skip
        self.latency = Histogram(
            "delivery_seconds", "Time to deliver one message", ["channel"], namespace=ns,
            registry=registry, buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
        )  # fmt: skip
        registry.register(_AlertGauge(list(rules), alerts))

    def watch_unsent(self, registry: CollectorRegistry, unsent: Unsent) -> None:
        """Export the notices waiting to be sent (read on scrape)."""
        registry.register(_UnsentGauge(unsent))

    def delivered(self, channel: str, ok: bool, seconds: float) -> None:
        self.notifications.labels(channel, "sent" if ok else "failed").inc()
        if ok:
            self.latency.labels(channel).observe(seconds)


class _AlertGauge:
    """Alerts held by rule and state, read at scrape time."""

    def __init__(self, rules: list[str], alerts: Callable[[], list[Alert]]) -> None:
        self._rules, self._alerts = rules, alerts

    def collect(self) -> Iterable[GaugeMetricFamily]:
        family = GaugeMetricFamily("snt_alerts_alerts", "Alerts by rule and state",
                                   labels=["rule", "state"])  # fmt: skip
        counts = {(r, s): 0 for r in self._rules for s in STATES}
        for a in self._alerts():
            if (a.rule_id, a.state) in counts:
                counts[(a.rule_id, a.state)] += 1
        for (rule, state), n in counts.items():
            family.add_metric([rule, state], n)
        yield family


class _UnsentGauge:
    """Notices due (or tried) and not yet sent, and the age of the oldest, read at scrape
    (nothing while the database cannot answer: before its schema exists, say)."""

    def __init__(self, unsent: Unsent) -> None:
        self._unsent = unsent

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return self._families(None)

    def collect(self) -> Iterable[GaugeMetricFamily]:
        now = datetime.now(UTC)
        try:
            count, oldest = self._unsent(now)
        except SQLAlchemyError:
            return self._families(None)
        age = 0.0 if oldest is None else max((now - oldest).total_seconds(), 0.0)
        return self._families((count, age))

    @staticmethod
    def _families(values: tuple[int, float] | None) -> list[GaugeMetricFamily]:
        count = GaugeMetricFamily("snt_alerts_unsent_notifications",
                                  "Notices due or retrying, not yet sent")  # fmt: skip
        age = GaugeMetricFamily("snt_alerts_oldest_unsent_age_seconds",
                                "Age of the oldest notice due or retrying, not yet sent; 0: "
                                "none waits")  # fmt: skip
        if values is not None:
            count.add_metric([], values[0])
            age.add_metric([], values[1])
        return [count, age]
