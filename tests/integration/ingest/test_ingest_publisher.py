"""The outbox publisher on the real broker: every event lands once, on the partition Kafka's
default partitioner gives its key, in store order within the partition, with its headers."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from aiokafka.partitioner import DefaultPartitioner
from kafka import KafkaConsumer, TopicPartition

from services.ingest.publisher import KafkaPublisher
from services.ingest.store.base import StoredEvent
from shared.kafka_admin import ensure_topics
from shared.topics import TOPICS_BY_NAME
from tests.support.tansu import running_tansu

TOPIC = "snt.crime.v1"
WARDS = [f"E0500{n:04d}" for n in range(40)]
NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    with running_tansu() as address:
        ensure_topics(address, [TOPICS_BY_NAME[TOPIC]])
        yield address


def stored(n: int) -> StoredEvent:
    envelope = json.dumps({"event_id": f"ingest:test:{n}", "n": n, "pad": "x" * 600})
    return StoredEvent(n, f"ingest:test:{n}", TOPIC, WARDS[n % len(WARDS)], envelope, False, NOW)


def consume(bootstrap: str, partitions: list[int], expected: int) -> list[tuple[int, object]]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             fetch_max_wait_ms=20, consumer_timeout_ms=3000)  # fmt: skip
    consumer.assign([TopicPartition(TOPIC, p) for p in partitions])
    consumer.seek_to_beginning()
    records: list[tuple[int, object]] = []
    try:
        while len(records) < expected:
            batch = consumer.poll(timeout_ms=1000)
            if not batch:
                break
            records += [(tp.partition, r) for tp, rs in batch.items() for r in rs]
    finally:
        consumer.close()
    return records


def test_events_land_once_on_their_key_partition_in_order(bootstrap: str) -> None:
    events = [stored(n) for n in range(1, 6001)]  # several record batches per partition

    async def publish() -> list[bool]:
        publisher = KafkaPublisher(bootstrap, client_id="test-outbox", max_batch_bytes=64_000)
        try:
            return await publisher.publish(events)
        finally:
            await publisher.stop()

    assert asyncio.run(publish()) == [True] * len(events)
    partitions = list(range(TOPICS_BY_NAME[TOPIC].partitions))
    records = consume(bootstrap, partitions, len(events))
    assert len(records) == len(events)
    by_partition: dict[int, list[int]] = defaultdict(list)
    for partition, record in records:
        body = json.loads(record.value)  # type: ignore[attr-defined]
        headers = dict(record.headers)  # type: ignore[attr-defined]
        assert headers["event_id"].decode() == body["event_id"]
        assert headers["content-type"] == b"application/json"
        key = record.key  # type: ignore[attr-defined]
        assert key == WARDS[body["n"] % len(WARDS)].encode()
        assert partition == DefaultPartitioner()(key, partitions, partitions)
        by_partition[partition].append(body["n"])
    assert sorted(n for ns in by_partition.values() for n in ns) == list(range(1, 6001))
    assert all(ns == sorted(ns) for ns in by_partition.values()), "store order kept"


def test_an_unreachable_broker_is_an_error_not_a_silent_loss() -> None:
    async def publish() -> None:
        publisher = KafkaPublisher("127.0.0.1:1", client_id="test-outbox")
        try:
            await publisher.publish([stored(1)])
        finally:
            await publisher.stop()

    with pytest.raises(Exception, match=r"(?i)connect|bootstrap"):
        asyncio.run(publish())
