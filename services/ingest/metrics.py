"""The ingest service's metrics (namespace snt_ingest), on an injected registry.

Labels are bounded: event type (the six input types and counted outputs), outcome, reject
reason and topic — never a ward, an id or anything personal. Series are created at zero.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from services.ingest.decode import INPUT_TYPES
from services.ingest.pipeline import Outcome
from shared.contracts import RejectReason

OUTCOMES = ("accepted", "duplicate", "superseded", "parked", "unchanged", "rejected")
SURFACES = ("http", "kafka", "import")


class IngestMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        ns = "snt_ingest"
        self.received = Counter("events_received_total", "Inputs received", ["surface"],
                                namespace=ns, registry=registry)  # fmt: skip
        self.outcomes = Counter("events_total", "Inputs by event type and outcome",
                                ["event_type", "outcome"], namespace=ns,
                                registry=registry)  # fmt: skip
        self.rejected = Counter("rejected_total", "Rejected inputs by reason", ["reason"],
                                namespace=ns, registry=registry)  # fmt: skip
        self.backlog = Gauge("outbox_backlog", "Stored events not yet published (read on scrape)",
                             namespace=ns, registry=registry)  # fmt: skip
        self.oldest = Gauge("outbox_oldest_age_seconds",
                            "Age of the oldest stored event not yet published; 0: none waits "
                            "(read on scrape)", namespace=ns, registry=registry)  # fmt: skip
        self.published = Counter("published_total", "Events published", ["topic"],
                                 namespace=ns, registry=registry)  # fmt: skip
        self.publish_failures = Counter("publish_failures_total", "Failed publish attempts",
                                        namespace=ns, registry=registry)  # fmt: skip
        self.publish_latency = Histogram(
            "publish_latency_seconds",
            "Time from storing events to the broker's ack (one observation per stored batch)",
            namespace=ns, registry=registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
        )  # fmt: skip
        self._zero()

    def _zero(self) -> None:
        for surface in SURFACES:
            self.received.labels(surface)
        for event_type in (*INPUT_TYPES, "unknown"):
            for outcome in OUTCOMES:
                self.outcomes.labels(event_type, outcome)
        for reason in RejectReason:
            self.rejected.labels(reason.value)

    def watch_backlog(self, count: Callable[[], int],
                      oldest: Callable[[], datetime | None]) -> None:  # fmt: skip
        self.backlog.set_function(lambda: float(count()))
        self.oldest.set_function(lambda: _age(oldest()))

    def observe(self, outcome: Outcome) -> None:
        event_type = outcome.event_type if outcome.event_type in INPUT_TYPES else "unknown"
        self.outcomes.labels(event_type, outcome.status).inc()
        if outcome.reason is not None:
            self.rejected.labels(outcome.reason.value).inc()


def _age(stored_at: datetime | None) -> float:
    if stored_at is None:
        return 0.0
    return max((datetime.now(UTC) - stored_at).total_seconds(), 0.0)
