"""Kafka surface: the canonical count and survey topics, consumed in batches and folded
exactly once.

The partitions' positions live in the kpi database with the state (see :mod:`fold`): when
partitions are assigned the consumer seeks to the stored next offset (the beginning when none
is stored, or when it belongs to an earlier life of the broker's log: :mod:`shared.epoch`),
so Kafka's own committed offsets never decide what is counted. A batch that fails to commit
is NACKed and re-delivered; re-delivered events already applied are skipped. Events that
cannot be folded are dead-lettered with the reason, topic, partition and offset.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.publisher.usecase import DefaultPublisher
from faststream.kafka.subscriber.usecase import BatchSubscriber

from services.kpi.fold import Folder, FoldResult
from services.kpi.metrics import KpiMetrics
from shared.asyncapi import declare_publisher
from shared.consumer import (
    DEAD_LETTER_TOPIC,
    SeekToStored,
    dead_letter,
    records_of,
    undecoded,
)

log = logging.getLogger(__name__)

INPUT_TOPICS = ("snt.crime.v1", "snt.cad.v1", "snt.survey.v1")
MAX_RECORDS = 20_000
"""Records per consumed batch at most (a full batch means more are waiting)."""


def register_handlers(
    broker: KafkaBroker, folder: Folder, metrics: KpiMetrics, listener: SeekToStored, *,
    group_id: str, fetch_max_wait_ms: int,
    on_folded: Callable[[FoldResult], None] = lambda result: None,
) -> None:  # fmt: skip
    subscriber = subscribe(broker, listener, group_id=group_id,
                           fetch_max_wait_ms=fetch_max_wait_ms)  # fmt: skip
    dead_letters = declare_publisher(broker, DEAD_LETTER_TOPIC)
    subscriber(_handler(dead_letters, folder, metrics, listener, on_folded))


def subscribe(broker: KafkaBroker, listener: SeekToStored, *, group_id: str,
              fetch_max_wait_ms: int) -> BatchSubscriber:  # fmt: skip
    """The batch subscriber of the input topics, resuming where ``listener`` says; the raw
    records reach its handler undecoded."""
    subscriber = broker.subscriber(
        *INPUT_TOPICS, group_id=group_id, batch=True, max_records=MAX_RECORDS,
        auto_offset_reset="earliest", fetch_max_wait_ms=fetch_max_wait_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR, decoder=undecoded, listener=listener,
    )  # fmt: skip
    listener.subscriber = subscriber
    return subscriber


def _handler(dead_letters: DefaultPublisher, folder: Folder, metrics: KpiMetrics,
             listener: SeekToStored, on_folded: Callable[[FoldResult], None]) -> Any:  # fmt: skip
    async def handle(body: Any, message: KafkaMessage) -> None:
        records = records_of(message.raw_message)
        epoch = listener.epoch  # the log the records were read from (known before they came)
        with metrics.fold_seconds.time():
            result = await asyncio.to_thread(partial(folder.fold, records, epoch=epoch))
        metrics.observe(result)
        on_folded(result)
        await _dead_letter(dead_letters, result)

    return handle


async def _dead_letter(dead_letters: DefaultPublisher, result: FoldResult) -> None:
    for record, why in result.bad:
        position = {"topic": record.topic, "partition": record.partition, "offset": record.offset}
        log.warning("event not folded: %s", why, extra=position)
        await dead_letters.publish(dead_letter(record, why, datetime.now(UTC), "kpi"), key=b"kpi")
