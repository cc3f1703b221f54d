"""Database tables for tokens and the access log (never used as API models or messages)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Engine, MetaData, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.db import writer

TOKEN_TABLE = "api_token"
ACCESS_LOG_TABLE = "access_log"


AUTH_REGISTRY = registry(metadata=MetaData())


class AuthTable(SQLModel, registry=AUTH_REGISTRY):
    """Base of the auth tables: their own metadata, so they are created only by create_schema
    and never collide with (or get created alongside) a service's own tables."""


class ApiToken(AuthTable, table=True):
    """A token row. ``scopes`` holds the borough and ward codes, space-separated."""

    __tablename__ = TOKEN_TABLE

    id: str = Field(primary_key=True, max_length=32)
    name: str = Field(max_length=120)
    role: str = Field(max_length=32)
    scopes: str = Field(default="", sa_type=Text)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    expires_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class AccessLogRow(AuthTable, table=True):
    """An audited read. ``record_ids`` is a JSON array of the ids read."""

    __tablename__ = ACCESS_LOG_TABLE

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    token_id: str = Field(max_length=32, index=True)
    principal_name: str = Field(max_length=120)
    role: str = Field(max_length=32)
    resource: str = Field(sa_type=Text)
    record_ids: str = Field(sa_type=Text)
    purpose: str = Field(sa_type=Text)
    outcome: str = Field(max_length=16)


def create_schema(engine: Engine) -> None:
    """Create the auth tables (api_token, access_log) if they are missing.

    Every service does this in the one token database as it starts: the check and the
    CREATE run in one writer transaction, so services starting together take turns instead
    of racing (on SQLite a deferred check-then-create fails at once with "database is
    locked" when another writer is in between)."""
    AUTH_REGISTRY.metadata.create_all(writer(engine))
