"""The ingest pipeline tests again on PostgreSQL, the distributed mode's database:
de-duplication, amendments moving counts, parked amendments, dead letters, unlocated records,
published cells and their revisions, and releases (revised, retracted, held, accepted,
rejected)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.ingest.store.sql import SqlIngestStore, create_schema
from shared.db import make_engine
from tests.support.services import fresh_postgres_database
from tests.unit.ingest.conftest import classifier, make_pipeline, reference  # noqa: F401
from tests.unit.ingest.test_ingest_pipeline import *  # noqa: F403
from tests.unit.ingest.test_ingest_releases import *  # noqa: F403

pytestmark = pytest.mark.integration


@pytest.fixture
def store() -> Iterator[SqlIngestStore]:
    with fresh_postgres_database() as url:
        engine = make_engine(url)
        create_schema(engine)
        yield SqlIngestStore(engine)
        engine.dispose()


def test_this_module_runs_on_postgresql(store: SqlIngestStore) -> None:
    assert store._engine.dialect.name == "postgresql"  # type: ignore[attr-defined]
