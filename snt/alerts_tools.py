"""`snt alerts verify`: every figure and exception on the broker's current log against what
the alerts service evaluated.

The alerts service reads what kpi and flex publish (``kpi.updated`` on snt.kpi.updates.v1,
``flex.exception`` on snt.flex.exceptions.v1), not ingest's events, so its check reads those
topics from the beginning of the broker's current log (after a new broker log, kpi and flex
publish every figure again: see docs/deployment.md "Durability") and counts every such event
whose id the alerts service has not evaluated as a difference.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from pathlib import Path

import orjson

from services.alerts.store.sql import SqlAlertsStore, create_schema
from shared.db import make_engine

INPUT_TOPICS = ("snt.kpi.updates.v1", "snt.flex.exceptions.v1")
EVALUATED_TYPES = frozenset({"kpi.updated", "flex.exception"})
IDLE_S = 1.0
"""The log is read to its end when no record has come for this long (tansu's end offsets are
not to be trusted after multi-record batches, so the end is found by reading)."""


def open_store(environ: dict[str, str], data_dir: Path | None) -> tuple[SqlAlertsStore, str]:
    """The alerts store and the broker's bootstrap (environment, else the embedded stack's)."""
    from snt.cli import stack_settings
    from snt.stack import sqlite_url

    stack = stack_settings(data_dir=data_dir)
    url = environ.get("SNT_ALERTS_DATABASE_URL") or sqlite_url(stack.data_dir / "alerts.db")
    engine = make_engine(url)
    create_schema(engine)
    bootstrap = environ.get("SNT_ALERTS_KAFKA_BOOTSTRAP") or stack.bootstrap
    return SqlAlertsStore(engine), bootstrap


def read_log(bootstrap: str, topics: Collection[str] = INPUT_TOPICS, *,
             idle_s: float = IDLE_S, limit_s: float = 300.0) -> frozenset[str]:  # fmt: skip
    """The ids of the events the alerts service evaluates among every record of ``topics``,
    from the beginning of the broker's log (no consumer group: nothing is committed)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=20,
        consumer_timeout_ms=int(idle_s * 1000),
    )  # fmt: skip
    try:
        partitions = [TopicPartition(topic, p) for topic in topics
                      for p in sorted(consumer.partitions_for_topic(topic) or ())]  # fmt: skip
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ids: set[str] = set()
        deadline = time.monotonic() + limit_s
        for record in consumer:  # ends after idle_s without a record
            event_id = _evaluated_id(record.value)
            if event_id is not None:
                ids.add(event_id)
            if time.monotonic() > deadline:
                raise TimeoutError(f"the log was still being read after {limit_s:.0f}s")
        return frozenset(ids)
    finally:
        consumer.close()


def _evaluated_id(value: bytes | None) -> str | None:
    try:
        event = orjson.loads(value or b"")
    except orjson.JSONDecodeError:
        return None
    if not isinstance(event, dict) or event.get("event_type") not in EVALUATED_TYPES:
        return None
    found = event.get("event_id")
    return found if isinstance(found, str) else None


def pending(read: Callable[[], frozenset[str]], store: SqlAlertsStore) -> tuple[int, int]:
    """(events on the log the alerts service evaluates, how many of them it has not)."""
    found = read()
    return len(found), len(found - store.applied_ids())
