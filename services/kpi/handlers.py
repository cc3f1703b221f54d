"""Kafka surface: the canonical count and survey topics, consumed in batches and folded
exactly once.

The partitions' positions live in the kpi database with the state (see :mod:`fold`): when
partitions are assigned the consumer seeks to the stored next offset (the beginning when none
is stored), so Kafka's own committed offsets never decide what is counted. A batch that fails
to commit is NACKed and re-delivered; re-delivered events already applied are skipped. Events
that cannot be folded are dead-lettered with the reason, topic, partition and offset.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import ConsumerRebalanceListener, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.kpi.fold import Folder, FoldResult, Record
from services.kpi.metrics import KpiMetrics
from services.kpi.store.base import Position
from shared.contracts import capture_original

log = logging.getLogger(__name__)

INPUT_TOPICS = ("snt.crime.v1", "snt.cad.v1", "snt.survey.v1")
DEAD_LETTER_TOPIC = "snt.deadletter.v1"
MAX_RECORDS = 20_000
"""Records per consumed batch at most (a full batch means more are waiting)."""


class SeekToStored(ConsumerRebalanceListener):  # type: ignore[misc]
    """On assignment, continue each partition from the offset stored with the state."""

    def __init__(self, offsets: Callable[[], dict[Position, int]]) -> None:
        self._offsets = offsets
        self.subscriber: Any = None

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        consumer = self.subscriber.consumer
        stored = await asyncio.to_thread(self._offsets)
        for tp in sorted(assigned):
            position = stored.get((tp.topic, tp.partition))
            if position is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, position)
            extra = {"topic": tp.topic, "partition": tp.partition, "offset": position or 0}
            log.info("resuming from the stored offset", extra=extra)


def register_handlers(
    broker: KafkaBroker, folder: Folder, metrics: KpiMetrics,
    offsets: Callable[[], dict[Position, int]], *, group_id: str, fetch_max_wait_ms: int,
    on_folded: Callable[[FoldResult], None] = lambda result: None,
) -> None:  # fmt: skip
    listener = SeekToStored(offsets)
    subscriber = broker.subscriber(
        *INPUT_TOPICS, group_id=group_id, batch=True, max_records=MAX_RECORDS,
        auto_offset_reset="earliest", fetch_max_wait_ms=fetch_max_wait_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR, decoder=_undecoded, listener=listener,
    )  # fmt: skip
    listener.subscriber = subscriber
    subscriber(_handler(broker, folder, metrics, on_folded))


async def _undecoded(message: Any) -> Any:
    return message.body


def _handler(broker: KafkaBroker, folder: Folder, metrics: KpiMetrics,
             on_folded: Callable[[FoldResult], None]) -> Any:  # fmt: skip
    async def handle(body: Any, message: KafkaMessage) -> None:
        raw = message.raw_message
        records = [Record(r.topic, r.partition, r.offset, r.value or b"")
                   for r in (raw if isinstance(raw, tuple) else (raw,))]  # fmt: skip
        with metrics.fold_seconds.time():
            result = await asyncio.to_thread(folder.fold, records)
        metrics.observe(result)
        on_folded(result)
        await _dead_letter(broker, result)

    return handle


async def _dead_letter(broker: KafkaBroker, result: FoldResult) -> None:
    for record, why in result.bad:
        position = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
        log.warning("event not folded: %s", why, extra=position)
        await broker.publish(dead_letter(record, why, datetime.now(UTC)), topic=DEAD_LETTER_TOPIC,
                             key=b"kpi")  # fmt: skip


def dead_letter(record: Record, why: str, now: datetime) -> dict[str, Any]:
    """A dead_letter.recorded envelope for an event the fold could not use. Its id is the
    record's position, so a re-delivered record gives the same dead letter (same id)."""
    kept = capture_original(record.value)
    return {
        "event_id": f"kpi:dead:{record.topic}:{record.partition}:{record.offset}",
        "event_type": "dead_letter.recorded",
        "schema_version": 1, "version": 1, "occurred_at": now.isoformat(),
        "recorded_at": now.isoformat(), "source": "kpi", "correlation_id": None,
        "payload": {
            "source": "ingest", "received_at": now.isoformat(), "reason": "schema_violation",
            "source_position": {"topic": record.topic, "partition": record.partition,
                                "offset": record.offset},
            "errors": [{"field": "(message)", "problem": why[:500]}],
            "original_text": kept.original_text, "original_base64": kept.original_base64,
            "original_size": kept.original_size, "truncated": kept.truncated,
        },
    }  # fmt: skip
