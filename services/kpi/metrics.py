"""The kpi service's metrics (injected registry, namespace snt_kpi, bounded labels)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

from services.kpi.fold import FoldResult


class KpiMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        ns = "snt_kpi"
        self.events = Counter("events_total", "Count events consumed, by outcome", ["outcome"],
                              namespace=ns, registry=registry)  # fmt: skip
        for outcome in ("applied", "duplicate", "ignored", "bad"):
            self.events.labels(outcome)
        self.fold_seconds = Histogram(
            "fold_batch_seconds", "Time to fold and commit one consumed batch",
            namespace=ns, registry=registry,
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )  # fmt: skip

        self.updates = Counter("updates_published_total", "KPI updates published",
                               namespace=ns, registry=registry)  # fmt: skip
        self.update_flush_seconds = Histogram(
            "update_flush_seconds", "Time to compute and publish one flush of KPI updates",
            namespace=ns, registry=registry, buckets=(0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30),
        )  # fmt: skip

    def observe(self, result: FoldResult) -> None:
        self.events.labels("applied").inc(result.applied)
        self.events.labels("duplicate").inc(result.duplicates)
        self.events.labels("ignored").inc(result.ignored)
        self.events.labels("bad").inc(len(result.bad))

    def observe_flush(self, published: int, seconds: float) -> None:
        self.updates.inc(published)
        self.update_flush_seconds.observe(seconds)
