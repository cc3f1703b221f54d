"""Consumer lag from positions and log ends (broker-free: the log is a stand-in), the gauges
it exports, and the outbox and unsent-notice ages; `snt status`'s reading of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import TopicPartition
from prometheus_client import CollectorRegistry, generate_latest

from services.ingest.domain.canonical import OutEvent
from services.ingest.metrics import IngestMetrics
from services.ingest.store.sql import SqlIngestStore, create_schema
from shared.db import make_engine
from shared.lag import ConsumerLag, stored_positions
from shared.log_ends import Read
from shared.observability import new_registry
from snt.lag_status import Samples, service_lines

T0 = 1_800_000_000_000  # ms


class _Log:
    """Partitions whose record n was published at T0 + n seconds."""

    def __init__(self, ends: Mapping[TopicPartition, int]) -> None:
        self.end_at = dict(ends)
        self.reads: list[dict[TopicPartition, int]] = []

    async def partitions(self) -> list[TopicPartition]:
        return sorted(self.end_at)

    async def ends(self, tps: Sequence[TopicPartition]) -> dict[TopicPartition, Read]:
        return await self.read_from({tp: max(self.end_at[tp] - 1, 0) for tp in tps})

    async def read_from(self, starts: Mapping[TopicPartition, int]) -> dict[TopicPartition, Read]:
        self.reads.append(dict(starts))
        return {
            tp: Read(self.end_at[tp], {n: T0 + n * 1000 for n in range(at, self.end_at[tp])})
            for tp, at in starts.items()
        }

    async def close(self) -> None:
        return None


A, B, C = (TopicPartition("snt.crime.v1", p) for p in range(3))


def _monitor(log: _Log, applied: dict[tuple[str, int], int]) -> ConsumerLag:
    async def positions() -> dict[tuple[str, int], int]:
        return applied

    return ConsumerLag("kpi", "snt-kpi", log, positions, CollectorRegistry())  # type: ignore[arg-type]


async def test_lag_in_events_and_in_seconds_per_partition() -> None:
    log = _Log({A: 100, B: 40, C: 0})
    lag = _monitor(log, {("snt.crime.v1", 0): 70, ("snt.crime.v1", 1): 40})
    found = {p.partition: (p.events, p.seconds) for p in await lag.refresh()}
    # newest applied of A is record 69 (T0 + 69 s), the newest in the log record 99
    assert found == {0: (30, 30.0), 1: (0, 0.0), 2: (0, 0.0)}


async def test_nothing_applied_measures_from_the_first_record() -> None:
    lag = _monitor(_Log({A: 11}), {})
    [only] = await lag.refresh()
    assert (only.events, only.seconds) == (11, 10.0)


async def test_the_newest_applied_record_is_read_once_per_position() -> None:
    log = _Log({A: 100})
    lag = _monitor(log, {("snt.crime.v1", 0): 70})
    await lag.refresh()
    await lag.refresh()
    assert [r for r in log.reads if A in r and r[A] == 69] == [{A: 69}]


async def test_the_gauges_carry_group_topic_and_partition() -> None:
    registry = CollectorRegistry()

    async def positions() -> dict[tuple[str, int], int]:
        return {("snt.crime.v1", 0): 90}

    lag = ConsumerLag("kpi", "snt-kpi", _Log({A: 100}), positions, registry)  # type: ignore[arg-type]
    await lag.refresh()
    text = generate_latest(registry).decode()
    labels = 'group="snt-kpi",partition="0",topic="snt.crime.v1"'
    assert f"snt_kpi_consumer_lag_events{{{labels}}} 10.0" in text
    assert f"snt_kpi_consumer_lag_seconds{{{labels}}} 10.0" in text
    assert f"snt_kpi_consumer_log_end_offset{{{labels}}} 100.0" in text


async def test_offsets_stored_under_another_broker_log_count_as_nothing_applied() -> None:
    stored = {("t", 0): (50, "old"), ("t", 1): (7, "now")}
    read = stored_positions(lambda: stored, lambda: "now")
    assert await read() == {("t", 0): 0, ("t", 1): 7}
    assert await stored_positions(lambda: stored, lambda: None)() == {("t", 0): 50, ("t", 1): 7}


def test_the_outbox_reports_its_oldest_unpublished_event(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ingest.db'}")
    create_schema(engine)
    store = SqlIngestStore(engine)
    registry = new_registry("ingest", "test")
    IngestMetrics(registry).watch_backlog(store.backlog, store.oldest_unpublished)
    assert store.oldest_unpublished() is None
    stored_at = datetime.now(UTC) - timedelta(minutes=5)
    with store.unit() as unit:
        unit.append(
            [OutEvent("e1", "crime.counted", "snt.crime.v1", "W", stored_at, {})], stored_at
        )
    assert store.oldest_unpublished() == stored_at
    age = registry.get_sample_value("snt_ingest_outbox_oldest_age_seconds")
    assert age is not None
    assert 299 < age < 400
    assert registry.get_sample_value("snt_ingest_outbox_backlog") == 1


def _samples(lag: list[tuple[int, float, float]], backlog: float = 0, age: float = 0) -> Samples:
    at = [{"group": "snt-kpi", "topic": "snt.crime.v1", "partition": str(p)} for p, _, _ in lag]
    return {
        "snt_kpi_consumer_lag_events": [(a, n) for a, (_, n, _) in zip(at, lag, strict=True)],
        "snt_kpi_consumer_lag_seconds": [(a, s) for a, (_, _, s) in zip(at, lag, strict=True)],
        "snt_kpi_outbox_backlog": [({}, backlog)],
        "snt_kpi_outbox_oldest_age_seconds": [({}, age)],
    }


def test_status_sums_a_topics_partitions_and_says_behind_past_the_thresholds() -> None:
    [topic, outbox] = service_lines("kpi", _samples([(0, 600, 5), (1, 500, 9)]), 1000, 60)
    assert topic.what == "snt-kpi snt.crime.v1"
    assert (topic.events, topic.seconds, topic.behind) == (1100, 9, True)
    assert not outbox.behind
    [current, _] = service_lines("kpi", _samples([(0, 600, 5)]), 1000, 60)
    assert not current.behind
    [late, _] = service_lines("kpi", _samples([(0, 1, 61)]), 1000, 60)
    assert late.behind
    [stuck] = service_lines("kpi", _samples([], backlog=3, age=120), 1000, 60)
    assert stuck.behind
    assert stuck.detail == "3 events unpublished, oldest 120.0 s"
