"""The alerts service's metrics (injected registry, namespace snt_alerts, bounded labels:
rules and states from configuration, channels from a fixed set)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

from services.alerts.domain.lifecycle import Alert

CHANNELS = ("webhook", "email", "kafka")
STATES = ("pending", "firing", "acknowledged", "resolved")


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
        self.latency = Histogram(
            "delivery_seconds", "Time to deliver one message", ["channel"], namespace=ns,
            registry=registry, buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
        )  # fmt: skip
        registry.register(_AlertGauge(list(rules), alerts))

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
