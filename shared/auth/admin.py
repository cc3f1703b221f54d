"""Token administration on the SQL store, for the command line.

Each function creates the auth tables if they are missing, so a fresh database just works.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Engine

from shared.auth.clock import utc_now
from shared.auth.models import IssuedToken, TokenPublic
from shared.auth.principal import Role
from shared.auth.sql import SqlTokenStore, open_engine
from shared.auth.tables import create_schema
from shared.auth.tokens import issue_token, revoke_token

__all__ = ["create_token", "list_tokens", "open_engine", "revoke"]


def create_token(
    engine: Engine,
    *,
    name: str,
    role: Role | str,
    boroughs: Iterable[str] = (),
    wards: Iterable[str] = (),
    expires_at: datetime | None = None,
    now: datetime | None = None,
) -> IssuedToken:
    """Issue a token; show ``plain_token`` to the operator once, it cannot be recovered."""
    return issue_token(
        _store(engine),
        name=name,
        role=role,
        boroughs=boroughs,
        wards=wards,
        expires_at=expires_at,
        now=utc_now() if now is None else now,
    )


def list_tokens(engine: Engine) -> Sequence[TokenPublic]:
    return _store(engine).list()


def revoke(engine: Engine, token_id: str, *, now: datetime | None = None) -> TokenPublic:
    """Revoke a token by id; raises TokenNotFoundError for an unknown id."""
    return revoke_token(_store(engine), token_id=token_id, now=utc_now() if now is None else now)


def _store(engine: Engine) -> SqlTokenStore:
    create_schema(engine)
    return SqlTokenStore(engine)
