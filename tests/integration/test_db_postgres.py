"""Claiming applied ids on a real PostgreSQL database (the savepoint and the rows inserted
count as on SQLite)."""

from __future__ import annotations

import pytest

from shared.db import make_engine
from tests.unit.shared.claim_suite import check_claims

pytestmark = pytest.mark.integration


def test_claim_records_ids_and_returns_only_the_new_ones_in_order(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        check_claims(engine)
    finally:
        engine.dispose()
