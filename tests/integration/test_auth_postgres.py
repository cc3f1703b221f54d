"""The auth store contract suite against a real PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import create_engine

from shared.auth import Role, hash_token, issue_token
from tests.unit.auth.auth_store_suite import NOW, Backend, StoreSuite, all_token_rows, sql_backend

pytestmark = pytest.mark.integration


@pytest.fixture
def backend(pg_url: str) -> Iterator[Backend]:
    with sql_backend(create_engine(pg_url)) as sql:
        yield sql


class TestPostgresStores(StoreSuite):
    pass


def test_postgres_rows_hold_the_hash_never_the_token(backend: Backend) -> None:
    issued = issue_token(backend.tokens, name="alerts-service", role=Role.SYSTEM, now=NOW)
    assert backend.engine is not None
    (row,) = all_token_rows(backend.engine)
    assert hash_token(issued.plain_token) in row
    assert issued.plain_token not in row
    assert issued.plain_token[4:] not in row
