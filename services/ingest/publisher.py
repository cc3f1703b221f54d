"""The outbox relay's Kafka publisher: stored events to their topics, in order, in batches.

The relay publishes tens of thousands of events a second during a bulk import, so it builds
record batches itself (one per partition, up to ``max_batch_bytes``) on an aiokafka producer
rather than sending message by message. Partitions are chosen by the event key with Kafka's
default partitioner, exactly as any other producer of these topics would; batches for one
partition are sent one after another, so events keep their store order within a partition.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from services.ingest.store.base import StoredEvent

CONTENT_TYPE = ("content-type", b"application/json")
Slot = tuple[str, int]


class KafkaPublisher:
    def __init__(
        self, bootstrap: str, *, client_id: str, max_batch_bytes: int = 1_000_000,
        linger_ms: int = 5, request_timeout_ms: int = 30_000,
    ) -> None:  # fmt: skip
        self._config: dict[str, Any] = {
            "bootstrap_servers": bootstrap, "client_id": client_id, "acks": "all",
            "linger_ms": linger_ms, "max_batch_size": max_batch_bytes,
            "request_timeout_ms": request_timeout_ms, "enable_idempotence": False,
        }  # fmt: skip
        self._producer: AIOKafkaProducer | None = None

    async def start(self) -> None:
        if self._producer is None:
            producer = AIOKafkaProducer(**self._config)
            await producer.start()
            self._producer = producer

    async def stop(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()

    async def publish(self, events: Sequence[StoredEvent]) -> list[bool]:
        """Publish ``events``; for each one, whether the broker acknowledged it."""
        producer = await self._started()  # (re)connects after an outage
        partitions = {topic: await self._partitions(producer, topic)
                      for topic in {e.topic for e in events}}  # fmt: skip
        batches: list[tuple[Slot, Any]] = []  # (topic, partition) and its record batch
        open_batch: dict[Slot, int] = {}
        sent: dict[int, asyncio.Future[Any]] = {}
        batch_of: list[int] = []
        for event in events:
            key = event.key.encode()
            slot = (event.topic, _partition(key, partitions[event.topic]))
            record = {"timestamp": None, "key": key, "value": event.envelope.encode(),
                      "headers": [("event_id", event.event_id.encode()), CONTENT_TYPE]}  # fmt: skip
            n = open_batch.get(slot)
            if n is None or batches[n][1].append(**record) is None:
                if n is not None:  # full: on its way, and a new one for this partition
                    sent[n] = await producer.send_batch(batches[n][1], slot[0], partition=slot[1])
                builder = producer.create_batch()
                if builder.append(**record) is None:
                    raise ValueError(f"event {event.event_id} does not fit in a record batch")
                n = open_batch[slot] = len(batches)
                batches.append((slot, builder))
            batch_of.append(n)
        for slot, n in open_batch.items():
            sent[n] = await producer.send_batch(batches[n][1], slot[0], partition=slot[1])
        results = await asyncio.gather(*(sent[n] for n in range(len(batches))),
                                       return_exceptions=True)  # fmt: skip
        acked = [not isinstance(r, BaseException) for r in results]
        return [acked[n] for n in batch_of]

    async def _started(self) -> AIOKafkaProducer:
        await self.start()
        assert self._producer is not None
        return self._producer

    @staticmethod
    async def _partitions(producer: AIOKafkaProducer, topic: str) -> tuple[int, ...]:
        found = await producer.partitions_for(topic)
        if not found:
            raise ConnectionError(f"no partitions known for topic {topic}")
        return tuple(sorted(found))


@lru_cache(maxsize=65_536)
def _partition(key: bytes, partitions: tuple[int, ...]) -> int:
    """Kafka's default partitioner (murmur2 of the key); keys are wards, so few and cached."""
    return int(DefaultPartitioner()(key, list(partitions), list(partitions)))
