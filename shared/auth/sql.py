"""SQL token store and access log (SQLite and PostgreSQL) over the tables in tables.py."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from shared.auth.audit import AccessOutcome, AccessRecord
from shared.auth.clock import as_utc
from shared.auth.models import TokenPublic
from shared.auth.principal import Role
from shared.auth.store import TokenNotFoundError
from shared.auth.tables import AccessLogRow, ApiToken
from shared.db import make_engine


def open_engine(url: str) -> Engine:
    """An engine for the token database (the services' common engine settings)."""
    return make_engine(url)


class SqlTokenStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, token: TokenPublic, *, token_hash: str) -> None:
        with Session(self._engine) as session:
            session.add(_token_row(token, token_hash))
            session.commit()

    def find_by_hash(self, token_hash: str) -> TokenPublic | None:
        with Session(self._engine) as session:
            query = select(ApiToken).where(col(ApiToken.token_hash) == token_hash)
            row = session.exec(query).first()
            return None if row is None else _token_public(row)

    def list(self) -> Sequence[TokenPublic]:
        with Session(self._engine) as session:
            query = select(ApiToken).order_by(col(ApiToken.created_at), col(ApiToken.id))
            return [_token_public(row) for row in session.exec(query)]

    def revoke(self, token_id: str, *, at: datetime) -> TokenPublic:
        with Session(self._engine) as session:
            row = session.get(ApiToken, token_id, with_for_update=True)
            if row is None:
                raise TokenNotFoundError(token_id)
            if row.revoked_at is None:
                row.revoked_at = as_utc(at)
                session.add(row)
                session.commit()
                session.refresh(row)
            return _token_public(row)


class SqlAccessLog:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def append(self, record: AccessRecord) -> None:
        with Session(self._engine) as session:
            session.add(_access_row(record))
            session.commit()

    def list(self) -> Sequence[AccessRecord]:
        with Session(self._engine) as session:
            query = select(AccessLogRow).order_by(col(AccessLogRow.id))
            return [_access_record(row) for row in session.exec(query)]


def _token_row(token: TokenPublic, token_hash: str) -> ApiToken:
    return ApiToken(
        id=token.id,
        name=token.name,
        role=token.role.value,
        scopes=" ".join([*token.boroughs, *token.wards]),
        token_hash=token_hash,
        created_at=as_utc(token.created_at),
        expires_at=_maybe_utc(token.expires_at),
        revoked_at=_maybe_utc(token.revoked_at),
    )


def _token_public(row: ApiToken) -> TokenPublic:
    codes = row.scopes.split()
    return TokenPublic(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        boroughs=tuple(code for code in codes if code.startswith("E09")),
        wards=tuple(code for code in codes if code.startswith("E05")),
        created_at=as_utc(row.created_at),
        expires_at=_maybe_utc(row.expires_at),
        revoked_at=_maybe_utc(row.revoked_at),
    )


def _access_row(record: AccessRecord) -> AccessLogRow:
    return AccessLogRow(
        **record.model_dump(exclude={"at", "record_ids"}),
        at=as_utc(record.at),
        record_ids=json.dumps(list(record.record_ids)),
    )


def _access_record(row: AccessLogRow) -> AccessRecord:
    return AccessRecord(
        at=as_utc(row.at),
        token_id=row.token_id,
        principal_name=row.principal_name,
        role=Role(row.role),
        resource=row.resource,
        record_ids=tuple(json.loads(row.record_ids)),
        purpose=row.purpose,
        outcome=AccessOutcome(row.outcome),
    )


def _maybe_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)
