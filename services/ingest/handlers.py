"""Kafka surface: the raw inbound topic of each source system (CRIS, CAD, CARM3, surveys),
and the topics the outbox relay publishes to.

The relay sends with its own batching producer (:mod:`services.ingest.publisher`); its topics
are declared here as publishers so the service's AsyncAPI document lists them.

Batches are consumed in a consumer group and acknowledged only after the pipeline has
committed them (NACK_ON_ERROR: an infrastructure failure re-delivers the batch, and the
pipeline's de-duplication makes re-delivery a no-op). Bad messages never raise: they are
rejected with a reason and dead-lettered with their topic, partition and offset.
"""

from __future__ import annotations

import logging
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.ingest.service import IngestService
from shared.asyncapi import declare_publisher

log = logging.getLogger(__name__)

RAW_TOPICS = ("snt.raw.cris.v1", "snt.raw.cad.v1", "snt.raw.carm3.v1", "snt.raw.survey.v1")
OUTPUT_TOPICS = ("snt.crime.v1", "snt.cad.v1", "snt.duty.v1", "snt.survey.v1", "snt.deadletter.v1")
"""Canonical events and dead letters, as the outbox relay publishes them."""


def register_handlers(
    broker: KafkaBroker, service: IngestService, *, group_id: str, fetch_max_wait_ms: int
) -> None:
    subscriber = broker.subscriber(
        *RAW_TOPICS, group_id=group_id, batch=True, max_records=500,
        auto_offset_reset="earliest", fetch_max_wait_ms=fetch_max_wait_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR, decoder=_undecoded,
    )  # fmt: skip
    subscriber(_handler(service))
    for topic in OUTPUT_TOPICS:
        declare_publisher(broker, topic)


async def _undecoded(message: Any) -> Any:
    """Leave the bytes alone: the pipeline decodes them and rejects garbage with a reason."""
    return message.body


def _handler(service: IngestService) -> Any:
    async def handle(body: Any, message: KafkaMessage) -> None:
        records = message.raw_message
        records = records if isinstance(records, tuple) else (records,)
        raws = [r.value if r.value is not None else b"" for r in records]
        positions = [
            {"topic": r.topic, "partition": r.partition, "offset": r.offset} for r in records
        ]
        outcomes = await service.submit_raw(raws, surface="kafka", positions=positions)
        for pos, outcome in zip(positions, outcomes, strict=True):
            if outcome.status == "rejected":
                log.info("rejected %s: %s", outcome.reason, outcome.event_type, extra=pos)

    return handle
