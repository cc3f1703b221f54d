"""The admin facade the command line uses, on a SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from shared.auth import Role, SqlTokenStore, TokenNotFoundError, TokenRequestError, authenticate
from shared.auth.admin import create_token, list_tokens, open_engine, revoke

NOW = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = open_engine(f"sqlite:///{tmp_path / 'var' / 'auth.db'}")
    yield engine
    engine.dispose()


def test_open_engine_creates_the_sqlite_directory(engine: Engine, tmp_path: Path) -> None:
    assert list_tokens(engine) == []
    assert (tmp_path / "var" / "auth.db").is_file()


def test_create_list_revoke(engine: Engine) -> None:
    issued = create_token(
        engine,
        name="Camden SN lead",
        role="borough_lead",
        boroughs=["E09000007"],
        wards=[],
        expires_at=NOW + timedelta(days=90),
        now=NOW,
    )
    principal = authenticate(SqlTokenStore(engine), issued.plain_token, now=NOW)
    assert principal.boroughs == {"E09000007"}
    assert list_tokens(engine) == [issued.public]
    revoked = revoke(engine, issued.public.id, now=NOW + timedelta(days=1))
    assert revoked.revoked_at == NOW + timedelta(days=1)
    assert list_tokens(engine)[0].revoked_at == revoked.revoked_at


def test_defaults_use_the_current_time(engine: Engine) -> None:
    before = datetime.now(UTC)
    issued = create_token(engine, name="kpi feed", role=Role.SYSTEM, boroughs=(), wards=())
    assert before <= issued.public.created_at <= datetime.now(UTC)
    assert revoke(engine, issued.public.id).revoked_at is not None


def test_errors_are_plain_messages(engine: Engine) -> None:
    with pytest.raises(TokenRequestError, match="needs at least one ward scope"):
        create_token(engine, name="x", role="cluster_inspector", boroughs=(), wards=())
    with pytest.raises(TokenNotFoundError, match="no token with id 'abc'"):
        revoke(engine, "abc")
