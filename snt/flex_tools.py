"""`snt flex verify`: every accepted duty change ingest stored, against what flex applied."""

from __future__ import annotations

from pathlib import Path

from services.flex.store.sql import SqlFlexStore, create_schema
from services.ingest.store.sql import SqlIngestStore
from shared.db import make_engine
from snt.accepted import unapplied

DUTY_TOPICS = ("snt.duty.v1",)
APPLIED_TYPES = ("duty.recorded",)


def open_stores(
    environ: dict[str, str], data_dir: Path | None
) -> tuple[SqlIngestStore, SqlFlexStore]:
    """The ingest event store and the flex store (environment, else the embedded stack's)."""
    from snt.cli import stack_settings
    from snt.stack import sqlite_url

    stack_dir = stack_settings(data_dir=data_dir).data_dir
    ingest_url = environ.get("SNT_INGEST_DATABASE_URL") or sqlite_url(stack_dir / "ingest.db")
    flex_url = environ.get("SNT_FLEX_DATABASE_URL") or sqlite_url(stack_dir / "flex.db")
    flex_engine = make_engine(flex_url)
    create_schema(flex_engine)
    return SqlIngestStore(make_engine(ingest_url)), SqlFlexStore(flex_engine)


def pending(ingest: SqlIngestStore, flex: SqlFlexStore) -> tuple[int, int]:
    """(accepted duty changes, how many of them flex has not applied)."""
    return unapplied(ingest, DUTY_TOPICS, APPLIED_TYPES, flex.applied_ids)
