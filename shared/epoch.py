"""The broker's epoch: which life of the broker's log an offset or a published event belongs to.

The embedded broker keeps its log in memory, so a broker that restarts comes back empty: its
topics, records, consumer groups and committed offsets are gone, and an offset stored before
the restart points into a log that no longer exists. Record 0 of :data:`EPOCH_TOPIC` names
the log's life (a uuid): :func:`ensure_epoch` reads it, and on an empty broker writes a fresh
one and reads record 0 again, so the first writer wins any race and everyone agrees. Consumers
store the epoch with their offsets and trust a stored offset only under the same epoch; the
ingest outbox re-publishes what it holds when the epoch changes (docs/deployment.md,
"Durability").
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Final

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from shared.topics import TOPICS, TopicSpec

log = logging.getLogger(__name__)

EPOCH_TOPIC: Final = "snt.epoch.v1"
EPOCH_SPEC: Final = TopicSpec(EPOCH_TOPIC, 1, (), (), "The broker log's epoch id at offset 0")
_TP: Final = TopicPartition(EPOCH_TOPIC, 0)
TIMEOUT_MS: Final = 10_000


async def read_epoch(bootstrap: str, *, timeout_s: float = 10.0) -> str | None:
    """The epoch id at offset 0 of the epoch topic; None when the broker has none yet."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=20,
        request_timeout_ms=TIMEOUT_MS, client_id="snt-epoch",
    )  # fmt: skip
    await asyncio.wait_for(consumer.start(), timeout_s)
    try:
        if EPOCH_TOPIC not in await consumer.topics():
            return None
        consumer.assign([_TP])
        if (await consumer.end_offsets([_TP]))[_TP] == 0:
            return None
        consumer.seek(_TP, 0)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = await consumer.getmany(_TP, timeout_ms=200, max_records=1)
            for record in found.get(_TP, []):
                return bytes(record.value or b"").decode() or None
        raise ConnectionError("the broker's epoch record could not be read")
    finally:
        await consumer.stop()


async def ensure_epoch(bootstrap: str, *, timeout_s: float = 10.0) -> str:
    """The broker's epoch id, written first when the broker has none (a new broker: its
    topics are created too, with their partitions, before anything else auto-creates them)."""
    found = await read_epoch(bootstrap, timeout_s=timeout_s)
    if found is not None:
        return found
    await asyncio.to_thread(_create_topics, bootstrap)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all",
                                enable_idempotence=False, request_timeout_ms=TIMEOUT_MS,
                                client_id="snt-epoch")  # fmt: skip
    await asyncio.wait_for(producer.start(), timeout_s)
    try:
        await producer.send_and_wait(EPOCH_TOPIC, uuid.uuid4().hex.encode(), partition=0)
    finally:
        await producer.stop()
    found = await read_epoch(bootstrap, timeout_s=timeout_s)  # the first record wins
    if found is None:
        raise ConnectionError("the broker's epoch was written but cannot be read back")
    log.info("the broker's log has a new epoch", extra={"epoch": found})
    return found


def _create_topics(bootstrap: str) -> None:
    from shared.kafka_admin import ensure_topics

    report = ensure_topics(bootstrap, [EPOCH_SPEC, *TOPICS], timeout_s=10)
    if not report.ok:
        log.warning("%s", report.summary())


def add_epoch_column(engine: Engine, table: str) -> None:
    """Give an offsets table made before epochs were stored its ``epoch`` column (its rows
    get none, so their offsets are not trusted: the next start reads from the beginning)."""
    if "epoch" in {c["name"] for c in inspect(engine).get_columns(table)}:
        return
    try:
        with engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE {table} ADD COLUMN epoch VARCHAR(64)"))
    except (OperationalError, ProgrammingError):  # another process added it meanwhile
        if "epoch" not in {c["name"] for c in inspect(engine).get_columns(table)}:
            raise
