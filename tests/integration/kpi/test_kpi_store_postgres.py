"""The kpi fold and store tests again on PostgreSQL, the distributed mode's database: exactly
once per event id, offsets with the state, restarts, amendments and the repeat contacts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.db import make_engine
from tests.support.services import fresh_postgres_database
from tests.unit.kpi.conftest import make_folder  # noqa: F401  (a fixture, used by name)
from tests.unit.kpi.test_kpi_diagnostics_fold import *  # noqa: F403
from tests.unit.kpi.test_kpi_fold import *  # noqa: F403

pytestmark = pytest.mark.integration


@pytest.fixture
def db_url() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url
        make_engine(url).dispose()


def test_this_module_runs_on_postgresql(db_url: str) -> None:
    assert make_engine(db_url).dialect.name == "postgresql"
