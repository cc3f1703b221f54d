"""Kafka surface: duty changes and KPI updates, consumed in batches and folded exactly once
(positions stored with the state; see :mod:`shared.consumer`)."""

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

from services.flex.fold import Folder, FoldResult
from shared.asyncapi import declare_publisher
from shared.consumer import (
    DEAD_LETTER_TOPIC,
    SeekToStored,
    dead_letter,
    records_of,
    undecoded,
)

log = logging.getLogger(__name__)

INPUT_TOPICS = ("snt.duty.v1", "snt.kpi.updates.v1")
MAX_RECORDS = 5_000


def register_handlers(
    broker: KafkaBroker, folder: Folder, listener: SeekToStored, *,
    group_id: str, fetch_max_wait_ms: int, on_folded: Callable[[FoldResult], None],
) -> None:  # fmt: skip
    subscriber = broker.subscriber(
        *INPUT_TOPICS, group_id=group_id, batch=True, max_records=MAX_RECORDS,
        auto_offset_reset="earliest", fetch_max_wait_ms=fetch_max_wait_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR, decoder=undecoded, listener=listener,
    )  # fmt: skip
    listener.subscriber = subscriber
    dead_letters = declare_publisher(broker, DEAD_LETTER_TOPIC)

    async def handle(body: Any, message: KafkaMessage) -> None:
        records, epoch = records_of(message.raw_message), listener.epoch
        result = await asyncio.to_thread(partial(folder.fold, records, epoch=epoch))
        on_folded(result)
        for record, why in result.bad:
            log.warning("event not applied: %s", why,
                        extra={"topic": record.topic, "offset": record.offset})  # fmt: skip
            letter = dead_letter(record, why, datetime.now(UTC), "flex")
            await dead_letters.publish(letter, key=b"flex")

    subscriber(handle)
