"""The ingest database: received keys, record states, published cells and releases, held
cells, parked amendments, events.

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

received_digests = Table(
    "ingest_received_digest", metadata,
    Column("event_id", String(128), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("digest", String(64), nullable=False),
)  # fmt: skip
"""The content digest of a live input's (event id, version), beside ``ingest_received``: the
same key with other content is a conflict, not a duplicate."""

records = Table(
    "ingest_record", metadata,
    Column("kind", String(16), primary_key=True),
    Column("record_id", String(128), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("state", Text, nullable=False),
)  # fmt: skip


def _row_columns() -> list[Column[object]]:
    """What a published row is: its dataset, area, level, place and category."""
    return [
        Column("dataset", String(32), nullable=False),
        Column("area", String(100), nullable=False),
        Column("level", String(16), nullable=False),
        Column("taxonomy", String(32), nullable=False),
        Column("major", String(200), nullable=False),
        Column("minor", String(200), nullable=True),
        Column("ward_code", String(16), nullable=True),
        Column("borough_label", String(200), nullable=True),
    ]


cells = Table(
    "ingest_published_cell", metadata,
    Column("cell_id", String(160), primary_key=True),
    Column("value", BigInteger, nullable=False),
    Column("revision", Integer, nullable=False),
    sqlite_with_rowid=False,
)  # fmt: skip
"""Every published cell's applied value (the sum of its count events), kept narrow: a file of
hundreds of thousands of cells writes one small row each. What a cell is comes from its id:
its month, and its row (``rows``, the id without the month). A release reads its window by the
dataset's id range (one scan), month and area read from the ids, no index kept up per cell.
On SQLite WITHOUT ROWID: one B-tree by cell id, not a table and a separate key index."""

rows = Table(
    "ingest_published_row", metadata,
    Column("row_id", String(160), primary_key=True),
    *_row_columns(),
)  # fmt: skip
"""What each published row is (one per area and category of a file, some thousands, against
one cell per month), keyed by its cells' id without the month."""

releases = Table(
    "ingest_release", metadata,
    Column("release_id", String(64), primary_key=True),
    Column("dataset", String(32), nullable=False),
    Column("first_month", String(7), nullable=False),
    Column("last_month", String(7), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("source", Text, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("rule", Text, nullable=False),
    Column("findings", Text, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("note", Text, nullable=True),
)  # fmt: skip

held_cells = Table(
    "ingest_held_cell", metadata,
    Column("release_id", String(64), primary_key=True),
    Column("cell_id", String(160), primary_key=True),
    Column("line", Integer, nullable=True),
    Column("value", BigInteger, nullable=False),
    Column("source", String(64), nullable=False),
    Column("month", String(7), nullable=False),  # YYYY-MM
    *_row_columns(),
)  # fmt: skip
"""The cells of a held release, stored as published until an analyst accepts or rejects it."""

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
