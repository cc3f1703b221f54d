"""The broker epoch the outbox's published events live in, and the re-publication of every
stored event when the broker's log is new (see :mod:`shared.epoch`).

One row: the epoch the relay last confirmed. Marking every event unpublished and recording
the new epoch happen in one transaction, so a crash half way through a re-publication leaves
the rest unpublished (the relay carries on after the restart) and never an epoch that claims
events the broker does not hold.
"""

from __future__ import annotations

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, select, update

from services.ingest.store import tables as t
from shared.db import BulkSql, writer

metadata = MetaData()

outbox_epoch = Table(
    "ingest_outbox_epoch", metadata,
    Column("id", Integer, primary_key=True),  # always 1
    Column("epoch", String(64), nullable=False),
)  # fmt: skip


def create_schema(engine: Engine) -> None:
    metadata.create_all(engine)


class SqlOutboxEpoch:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = writer(engine)

    def epoch(self) -> str | None:
        """The broker epoch the published events were last confirmed in; None: never."""
        with self._engine.connect() as conn:
            return conn.execute(select(outbox_epoch.c.epoch)).scalar_one_or_none()

    def republish_all(self, epoch: str) -> int:
        """Mark every published event unpublished (the relay publishes them again, in order)
        and record ``epoch``; returns how many were marked."""
        with self._writer.begin() as conn:
            marked = conn.execute(
                update(t.events).where(t.events.c.published_at.is_not(None))
                .values(published_at=None)
            ).rowcount  # fmt: skip
            BulkSql(conn).upsert("ingest_outbox_epoch", ("id",), ("epoch",), [(1, epoch)])
        return int(marked or 0)
