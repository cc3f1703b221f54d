"""The store contract suite against memory and a SQLite file, plus SQLite-only checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import create_engine

from shared.auth import MemoryAccessLog, MemoryTokenStore, Role, hash_token, issue_token
from tests.unit.auth.auth_store_suite import NOW, Backend, StoreSuite, all_token_rows, sql_backend


@pytest.fixture(params=["memory", "sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "memory":
        yield Backend(MemoryTokenStore(), MemoryAccessLog())
        return
    with sql_backend(create_engine(f"sqlite:///{tmp_path / 'auth.db'}")) as sql:
        yield sql


class TestStores(StoreSuite):
    pass


def test_sqlite_file_holds_the_hash_never_the_token(tmp_path: Path) -> None:
    path = tmp_path / "auth.db"
    with sql_backend(create_engine(f"sqlite:///{path}")) as sql:
        issued = issue_token(sql.tokens, name="kpi-dashboard", role=Role.SYSTEM, now=NOW)
        assert sql.engine is not None
        rows = all_token_rows(sql.engine)
    data = path.read_bytes()
    assert hash_token(issued.plain_token) in rows[0]
    assert issued.plain_token not in rows[0]
    assert issued.plain_token.encode() not in data
    assert issued.plain_token[4:].encode() not in data
