"""The ingest database: received keys, record states, cells, parked amendments, events.

``ingest_event`` is both the event store (every canonical event and dead letter, in order,
for replays and recomputation) and the transactional outbox (``published_at`` is null until
the relay has had the broker acknowledge it). Its unique ``event_id`` is why nothing is ever
stored, and so published, twice under one id.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

received = Table(
    "ingest_received", metadata,
    Column("event_id", String(128), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("outcome", String(16), nullable=False),
)  # fmt: skip

records = Table(
    "ingest_record", metadata,
    Column("kind", String(16), primary_key=True),
    Column("record_id", String(128), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
)  # fmt: skip

cells = Table(
    "ingest_cell", metadata,
    Column("cell_id", String(160), primary_key=True),
    Column("value", BigInteger, nullable=False),
    Column("revision", Integer, nullable=False),
)  # fmt: skip

parked = Table(
    "ingest_parked", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crime_id", String(128), nullable=False, index=True),
    Column("amendment", Text, nullable=False),
)  # fmt: skip

events = Table(
    "ingest_event", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(128), nullable=False, unique=True),
    Column("event_type", String(64), nullable=False),
    Column("topic", String(64), nullable=False),
    Column("key", String(64), nullable=False),
    Column("envelope", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
)  # fmt: skip

Index("ix_ingest_event_unpublished", events.c.published_at, events.c.seq)
