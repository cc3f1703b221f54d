"""The flex service's metrics (injected registry, namespace snt_flex, bounded labels)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from services.flex.fold import FoldResult


class FlexMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        ns = "snt_flex"
        self.events = Counter("events_total", "Duty and KPI update events consumed, by outcome",
                              ["outcome"], namespace=ns, registry=registry)  # fmt: skip
        for outcome in ("applied", "duplicate", "ignored", "bad"):
            self.events.labels(outcome)
        self.published = Counter("published_total", "Flex updates, exceptions and KPI 9 sent",
                                 namespace=ns, registry=registry)  # fmt: skip

    def observe(self, result: FoldResult) -> None:
        self.events.labels("applied").inc(result.applied)
        self.events.labels("duplicate").inc(result.duplicates)
        self.events.labels("ignored").inc(result.ignored)
        self.events.labels("bad").inc(len(result.bad))
