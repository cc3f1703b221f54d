"""One contract suite for every TokenStore and AccessLog implementation.

Each test module subclasses ``StoreSuite`` and provides a ``backend`` fixture: memory and
SQLite in tests/unit/auth, PostgreSQL in tests/integration/test_auth_postgres.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from shared.auth import (
    AccessLog,
    AccessOutcome,
    AuthenticationError,
    AuthProblem,
    MissingPurposeError,
    Principal,
    Role,
    SqlAccessLog,
    SqlTokenStore,
    TokenNotFoundError,
    TokenStore,
    authenticate,
    create_schema,
    hash_token,
    issue_token,
    record_access,
    revoke_token,
)

NOW = datetime(2025, 4, 1, 9, 30, tzinfo=UTC)
CAMDEN, WESTMINSTER = "E09000007", "E09000033"
WARD_A, WARD_B = "E05013652", "E05013653"


@dataclass(frozen=True)
class Backend:
    tokens: TokenStore
    log: AccessLog
    engine: Engine | None = None


@contextmanager
def sql_backend(engine: Engine) -> Iterator[Backend]:
    create_schema(engine)
    try:
        yield Backend(SqlTokenStore(engine), SqlAccessLog(engine), engine)
    finally:
        engine.dispose()


def all_token_rows(engine: Engine) -> list[str]:
    """Every api_token row as text, to search for secrets."""
    with engine.connect() as connection:
        return [str(tuple(row)) for row in connection.execute(text("SELECT * FROM api_token"))]


def lead(backend: Backend, expires_at: datetime | None = None) -> tuple[str, str]:
    """Issue a Camden/Westminster borough-lead token; returns (plain token, token id)."""
    issued = issue_token(
        backend.tokens,
        name="Camden SN lead",
        role=Role.BOROUGH_LEAD,
        boroughs=(WESTMINSTER, CAMDEN),
        expires_at=expires_at,
        now=NOW,
    )
    return issued.plain_token, issued.public.id


class StoreSuite:
    def test_token_round_trips_by_hash(self, backend: Backend) -> None:
        issued = issue_token(
            backend.tokens,
            name="Cluster 3 inspector",
            role=Role.CLUSTER_INSPECTOR,
            wards=[WARD_B, WARD_A],
            expires_at=datetime(2025, 7, 1, 12, tzinfo=ZoneInfo("Europe/London")),
            now=NOW,
        )
        found = backend.tokens.find_by_hash(hash_token(issued.plain_token))
        assert found == issued.public
        assert found is not None
        assert found.wards == (WARD_A, WARD_B)
        assert found.expires_at == datetime(2025, 7, 1, 11, tzinfo=UTC)

    def test_unknown_hash_finds_nothing(self, backend: Backend) -> None:
        lead(backend)
        assert backend.tokens.find_by_hash(hash_token("snt_" + "x" * 43)) is None

    def test_the_plain_token_is_not_a_key(self, backend: Backend) -> None:
        plain, _ = lead(backend)
        assert backend.tokens.find_by_hash(plain) is None

    def test_list_is_oldest_first(self, backend: Backend) -> None:
        for minutes, name in [(5, "second"), (0, "first"), (9, "third")]:
            issue_token(
                backend.tokens, name=name, role=Role.CENTRAL, now=NOW + timedelta(minutes=minutes)
            )
        assert [token.name for token in backend.tokens.list()] == ["first", "second", "third"]

    def test_borough_lead_scopes_survive_storage(self, backend: Backend) -> None:
        plain, token_id = lead(backend)
        principal = authenticate(backend.tokens, plain, now=NOW)
        assert principal == Principal(
            token_id, "Camden SN lead", Role.BOROUGH_LEAD, frozenset({CAMDEN, WESTMINSTER})
        )

    def test_revoke_is_kept_and_first_time_wins(self, backend: Backend) -> None:
        plain, token_id = lead(backend)
        first = revoke_token(backend.tokens, token_id=token_id, now=NOW + timedelta(hours=1))
        again = revoke_token(backend.tokens, token_id=token_id, now=NOW + timedelta(hours=2))
        assert first.revoked_at == again.revoked_at == NOW + timedelta(hours=1)
        with pytest.raises(AuthenticationError) as caught:
            authenticate(backend.tokens, plain, now=NOW + timedelta(hours=3))
        assert caught.value.problem is AuthProblem.REVOKED

    def test_revoke_unknown_id(self, backend: Backend) -> None:
        with pytest.raises(TokenNotFoundError, match="no token with id 'nope'"):
            revoke_token(backend.tokens, token_id="nope", now=NOW)

    def test_expired_token_is_refused(self, backend: Backend) -> None:
        plain, _ = lead(backend, expires_at=NOW + timedelta(days=1))
        assert authenticate(backend.tokens, plain, now=NOW + timedelta(hours=23)).role
        with pytest.raises(AuthenticationError) as caught:
            authenticate(backend.tokens, plain, now=NOW + timedelta(days=1))
        assert caught.value.problem is AuthProblem.EXPIRED

    def test_access_log_round_trips_in_order(self, backend: Backend) -> None:
        plain, _ = lead(backend)
        principal = authenticate(backend.tokens, plain, now=NOW)
        ids = ["v:9f2c,01", "v:ä7"]
        for minutes, outcome in [(0, AccessOutcome.GRANTED), (1, AccessOutcome.DENIED)]:
            record_access(
                backend.log,
                principal=principal,
                resource="repeat-victims/E09000007",
                record_ids=ids,
                purpose="  weekly repeat victim review  ",
                now=NOW + timedelta(minutes=minutes),
                outcome=outcome,
            )
        records = backend.log.list()
        assert [record.outcome for record in records] == ["granted", "denied"]
        assert records[0].record_ids == tuple(ids)
        assert records[0].purpose == "weekly repeat victim review"
        assert (records[0].principal_name, records[0].role) == ("Camden SN lead", "borough_lead")
        assert records[1].at == NOW + timedelta(minutes=1)

    def test_access_without_purpose_is_refused_and_not_logged(self, backend: Backend) -> None:
        principal = Principal("t1", "Camden SN lead", Role.BOROUGH_LEAD, frozenset({CAMDEN}))
        with pytest.raises(MissingPurposeError, match="a purpose is required"):
            record_access(
                backend.log,
                principal=principal,
                resource="repeat-callers/E09000007",
                record_ids=["c:1"],
                purpose=" ",
                now=NOW,
            )
        assert backend.log.list() == []
