"""Where each partition's log ends, and the timestamps of chosen records, read by a consumer of
its own (no group: nothing is committed, no rebalance is caused).

The broker's ListOffsets answer ("latest", ``end_offsets``) is not trusted: tansu, the
embedded broker, answers the base offset of the partition's last record batch plus one, which
falls short of the end after a batch of several records. So the end is read the way a consumer
sees it: a fetch from just before that answer, whose response carries the partition's high
watermark (right on tansu and Kafka alike) and the newest records. A service's own consumer is
not asked: a stuck or paused consumer stops fetching, and its high watermark goes stale.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition

PROBE_BYTES = 64 * 1024
"""Fetch size per partition: a fetch still returns at least one whole record batch."""


@dataclass(frozen=True, slots=True)
class Read:
    """What one fetch from a partition showed."""

    end: int
    """The high watermark: the offset the next record will get."""
    timestamps: Mapping[int, int]
    """Record timestamps (ms since the epoch) by offset, of the records fetched."""


class LogEnds:
    def __init__(
        self, bootstrap: str, topics: Sequence[str], *, client_id: str, timeout_s: float = 5.0
    ) -> None:
        self._topics = tuple(topics)
        self._bootstrap, self._client_id, self._timeout_s = bootstrap, client_id, timeout_s
        self._started: AIOKafkaConsumer | None = None

    @property
    def _consumer(self) -> AIOKafkaConsumer:
        assert self._started is not None, "read partitions() first"
        return self._started

    async def _start(self) -> None:
        """The consumer is made on first use (aiokafka needs the running event loop)."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            client_id=self._client_id,
            enable_auto_commit=False,
            fetch_max_wait_ms=20,
            max_partition_fetch_bytes=PROBE_BYTES,
            request_timeout_ms=int(self._timeout_s * 1000) + 1000,
        )
        try:
            await consumer.start()
        except BaseException:
            await consumer.stop()
            raise
        self._started = consumer

    async def partitions(self) -> list[TopicPartition]:
        """Every partition of the topics (those the broker has), assigned and paused."""
        if self._started is None:
            await self._start()
        consumer = self._consumer
        existing = await consumer.topics()
        found = [
            TopicPartition(topic, p)
            for topic in self._topics
            if topic in existing
            for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        if set(found) != consumer.assignment():
            consumer.assign(found)
            consumer.pause(*found)
        return found

    async def ends(self, tps: Sequence[TopicPartition]) -> dict[TopicPartition, Read]:
        """Each partition's end and its newest records (an empty partition: end 0)."""
        latest = await self._consumer.end_offsets(list(tps))  # a lower bound on tansu
        starts = {tp: max(latest[tp] - 1, 0) for tp in tps}
        return await self.read_from(starts)

    async def read_from(self, starts: Mapping[TopicPartition, int]) -> dict[TopicPartition, Read]:
        """One fetch per partition from ``starts``: the end, and the records from there."""
        consumer = self._consumer
        t0_ms = int(time.time() * 1000)
        for tp, offset in starts.items():
            consumer.seek(tp, offset)
        consumer.resume(*starts)
        seen: dict[TopicPartition, dict[int, int]] = {tp: {} for tp in starts}
        try:
            deadline = time.monotonic() + self._timeout_s
            while not all(self._answered(tp, t0_ms, starts[tp], seen[tp]) for tp in starts):
                if time.monotonic() > deadline:
                    raise TimeoutError("the broker did not answer the log-end fetch in time")
                batches = await consumer.getmany(*starts, timeout_ms=100)
                for tp, records in batches.items():
                    seen[tp].update((r.offset, r.timestamp) for r in records)
        finally:
            consumer.pause(*starts)
        return {tp: Read(consumer.highwater(tp) or 0, seen[tp]) for tp in starts}

    def _answered(self, tp: TopicPartition, t0_ms: int, start: int, seen: dict[int, int]) -> bool:
        """A fetch response came since ``t0_ms`` with the records from ``start``, or none
        being there to read."""
        polled = self._consumer.last_poll_timestamp(tp)
        if polled is None or polled < t0_ms:
            return False
        return bool(seen) or (self._consumer.highwater(tp) or 0) <= start

    async def close(self) -> None:
        consumer, self._started = self._started, None
        if consumer is not None:
            await consumer.stop()
