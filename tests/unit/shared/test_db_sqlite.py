"""SQLite engines: WAL, a busy timeout, and the page cache asked for; claiming applied ids."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from shared.db import make_engine
from tests.unit.shared.claim_suite import check_claims


def pragmas(url: str, **kwargs: int) -> tuple[str, int, int]:
    with make_engine(url, **kwargs).connect() as conn:
        return (conn.execute(text("PRAGMA journal_mode")).scalar_one(),
                conn.execute(text("PRAGMA busy_timeout")).scalar_one(),
                conn.execute(text("PRAGMA cache_size")).scalar_one())  # fmt: skip


def test_a_sqlite_file_gets_wal_a_busy_timeout_and_the_default_cache(tmp_path: Path) -> None:
    assert pragmas(f"sqlite:///{tmp_path / 'a' / 'x.db'}") == ("wal", 10_000, -2048)


def test_a_store_can_ask_for_a_larger_page_cache(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kpi.db'}"
    assert pragmas(url, sqlite_cache_mib=64) == ("wal", 10_000, -65_536)


def test_claim_records_ids_and_returns_only_the_new_ones_in_order(tmp_path: Path) -> None:
    check_claims(make_engine(f"sqlite:///{tmp_path / 'claims.db'}"))
