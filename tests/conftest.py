from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.services import REDIS_URL, fresh_postgres_database, unavailable

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def pytest_configure(config: pytest.Config) -> None:
    """A stack a test starts (`snt up`) is empty unless the test asks for London's bundled
    data with ``SNT_STACK_EMPTY=0`` (tests/e2e/test_first_run.py): the tests post or import
    exactly the events they judge."""
    os.environ.setdefault("SNT_STACK_EMPTY", "1")
    os.environ.setdefault("SNT_STACK_LIVE", "0")  # and without the simulated live feed


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data beside the repository (read-only)."""
    if not SHARED_DATA.is_dir():
        unavailable("../shared/data", f"{SHARED_DATA} does not exist")
    return SHARED_DATA


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (SQLAlchemy URL), dropped after the test."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis URL on a database index flushed before and after the test (one index per
    parallel test worker: 15, 14, ...)."""
    import redis

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    url = f"{REDIS_URL.rsplit('/', 1)[0]}/{15 - int(worker.removeprefix('gw') or 0) % 8}"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        unavailable("Redis", str(exc))
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


LONGEST_FIRST = (
    "tests/integration/kpi/test_kpi_crash_replay.py",
    "tests/e2e/test_dashboard.py",
    "tests/integration/flex/test_flex_service_live.py",
    "tests/integration/alerts/test_alerts_restart.py",
    "tests/e2e/test_e2e_alerting.py",
)
"""The files that take minutes. Run first, the parallel workers (one file each at a time)
start on them together instead of one of them finishing the run alone."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = Path(str(item.path)).relative_to(REPO_ROOT).as_posix()
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each file's own order is kept
