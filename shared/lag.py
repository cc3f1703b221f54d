"""Consumer lag and freshness per consumer group and partition, as Prometheus gauges.

Every ``interval_s`` the monitor reads where the group stands (the next offset it has applied
in each partition: the positions a service stores with its state, or the group's committed
offsets) and where each partition's log ends (:mod:`shared.log_ends`), and exports, labelled
by group, topic and partition (partitions are few and fixed):

- ``snt_<service>_consumer_lag_events``: records in the log past the applied position;
- ``snt_<service>_consumer_lag_seconds``: how much older the newest applied record is than the
  newest record in the log (Kafka record timestamps, set when each record was published);
  0 when nothing waits. With nothing applied yet, the first record stands in for the newest
  applied one;
- ``snt_<service>_consumer_applied_offset`` and ``..._log_end_offset``: the two positions;
- ``snt_<service>_consumer_lag_checked_timestamp_seconds``: when they were last read, and
  ``..._lag_check_failures_total``: reads that failed (the broker or database unreachable).

Every replica reports every partition of its group (the group's view, as a lag exporter
would give it): aggregate replicas with ``max by (group, topic, partition)``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass

from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily

from shared.consumer import Position, Resume
from shared.kafka_admin import connect_admin
from shared.log_ends import LogEnds
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

INTERVAL_S = 5.0
Positions = Callable[[], Awaitable[Mapping[Position, int]]]
"""The group's applied positions: next offset to apply, by (topic, partition)."""


@dataclass(frozen=True, slots=True)
class PartitionLag:
    topic: str
    partition: int
    applied: int
    end: int
    events: int
    seconds: float


def stored_positions(
    stored: Callable[[], dict[Position, Resume]], epoch: Callable[[], str | None]
) -> Positions:
    """Positions stored with a service's state; one stored under another broker epoch (a log
    that no longer exists) counts as nothing applied of the current log."""

    async def read() -> dict[Position, int]:
        found = await asyncio.to_thread(stored)
        current = epoch()
        return {
            pos: (offset if current is None or stored_epoch == current else 0)
            for pos, (offset, stored_epoch) in found.items()
        }

    return read


def committed_positions(bootstrap: str, group: str) -> Positions:
    """The group's offsets committed to the broker (a consumer that keeps no positions).
    Read with kafka-python's admin client: aiokafka's fails against tansu."""

    def fetch() -> dict[Position, int]:
        admin = connect_admin(bootstrap, timeout_s=5.0)
        try:
            found = admin.list_group_offsets({group: None}).get(group, {})
        finally:
            admin.close()
        return {(tp.topic, tp.partition): max(meta.offset, 0) for tp, meta in found.items()}

    async def read() -> dict[Position, int]:
        return await asyncio.to_thread(fetch)

    return read


class ConsumerLag:
    """The lag of one consumer group, refreshed in the background, read on scrape."""

    def __init__(
        self,
        service: str,
        group: str,
        ends: LogEnds,
        positions: Positions,
        registry: CollectorRegistry,
        *,
        interval_s: float = INTERVAL_S,
    ) -> None:
        self._service, self.group, self._ends, self._positions = service, group, ends, positions
        self._interval_s = interval_s
        self.partitions: list[PartitionLag] = []
        self.checked_at: float | None = None
        self._applied_ts: dict[TopicPartition, tuple[int, int]] = {}
        self._task: asyncio.Task[None] | None = None
        self._failures = Counter(
            "consumer_lag_check_failures_total",
            "Failed reads of the consumer group's lag",
            ["group"],
            namespace=f"snt_{service}",
            registry=registry,
        )
        self._failures.labels(group)
        registry.register(_LagCollector(self))

    @classmethod
    def of(
        cls,
        settings: ServiceSettings,
        group: str,
        topics: Sequence[str],
        positions: Positions,
        registry: CollectorRegistry,
    ) -> ConsumerLag:
        """The lag of a service's consumer ``group`` of ``topics``."""
        service = settings.service_name
        ends = LogEnds(settings.kafka_bootstrap, topics, client_id=f"snt-{service}-lag")
        return cls(service, group, ends, positions, registry)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"{self._service}-consumer-lag")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        await self._ends.close()

    async def _run(self) -> None:
        failing = False
        while True:
            try:
                await self.refresh()
                failing = False
            except Exception as exc:
                self._failures.labels(self.group).inc()
                if not failing:  # said once per outage
                    log.warning(
                        "consumer lag could not be read: %s: %s",
                        type(exc).__name__,
                        exc,
                        extra={"group": self.group},
                    )
                failing = True
            await asyncio.sleep(self._interval_s)

    async def refresh(self) -> list[PartitionLag]:
        """Read the group's positions and the logs' ends once."""
        tps = await self._ends.partitions()
        ends = await self._ends.ends(tps)
        applied = await self._positions()
        at = {tp: applied.get((tp.topic, tp.partition), 0) for tp in tps}
        behind = [tp for tp in tps if ends[tp].end > at[tp]]
        stamps = await self._applied_stamps({tp: at[tp] for tp in behind})
        self.partitions = [
            _lag(tp, at[tp], ends[tp].end, _newest(ends[tp].timestamps), stamps.get(tp))
            for tp in tps
        ]
        self.checked_at = time.time()
        return self.partitions

    async def _applied_stamps(
        self, applied: Mapping[TopicPartition, int]
    ) -> dict[TopicPartition, int]:
        """The timestamp of the newest applied record of each partition (the first record when
        none is applied), read once per position."""
        refs = {tp: max(offset - 1, 0) for tp, offset in applied.items()}
        wanted = {tp: ref for tp, ref in refs.items() if self._stamp(tp, ref) is None}
        if wanted:
            for tp, read in (await self._ends.read_from(wanted)).items():
                if read.timestamps:  # the record itself, or the oldest one left after it
                    self._applied_ts[tp] = (wanted[tp], read.timestamps[min(read.timestamps)])
        return {
            tp: stamp for tp, ref in refs.items() if (stamp := self._stamp(tp, ref)) is not None
        }

    def _stamp(self, tp: TopicPartition, offset: int) -> int | None:
        found = self._applied_ts.get(tp)
        return found[1] if found is not None and found[0] == offset else None


def _newest(timestamps: Mapping[int, int]) -> int | None:
    return timestamps[max(timestamps)] if timestamps else None


def _lag(
    tp: TopicPartition, applied: int, end: int, newest_ms: int | None, applied_ms: int | None
) -> PartitionLag:
    events = max(end - applied, 0)
    seconds = 0.0
    if events and newest_ms is not None and applied_ms is not None:
        seconds = max(newest_ms - applied_ms, 0) / 1000
    return PartitionLag(tp.topic, tp.partition, applied, end, events, seconds)


class _LagCollector:
    """The last read of a group's lag, exported at scrape time."""

    def __init__(self, lag: ConsumerLag) -> None:
        self._lag = lag

    def collect(self) -> Iterable[GaugeMetricFamily]:
        ns, group = f"snt_{self._lag._service}_consumer", self._lag.group
        labels = ["group", "topic", "partition"]
        families = {
            "events": GaugeMetricFamily(
                f"{ns}_lag_events",
                "Records in the log past the group's applied position",
                labels=labels,
            ),
            "seconds": GaugeMetricFamily(
                f"{ns}_lag_seconds",
                "How much older the newest applied record is than the newest in the log",
                labels=labels,
            ),
            "applied": GaugeMetricFamily(
                f"{ns}_applied_offset", "The next offset the group applies", labels=labels
            ),
            "end": GaugeMetricFamily(
                f"{ns}_log_end_offset", "The partition's high watermark", labels=labels
            ),
        }
        for p in self._lag.partitions:
            values = [group, p.topic, str(p.partition)]
            families["events"].add_metric(values, p.events)
            families["seconds"].add_metric(values, p.seconds)
            families["applied"].add_metric(values, p.applied)
            families["end"].add_metric(values, p.end)
        checked = GaugeMetricFamily(
            f"{ns}_lag_checked_timestamp_seconds",
            "When the group's lag was last read",
            labels=["group"],
        )
        if self._lag.checked_at is not None:
            checked.add_metric([group], self._lag.checked_at)
        yield from (*families.values(), checked)
