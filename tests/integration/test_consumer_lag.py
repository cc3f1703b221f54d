"""Consumer lag on the real broker: a kpi whose consumer is stopped (its database held by
another writer) while 10,000 events arrive shows lag of at least 10,000 on /metrics and is
"behind" in what `snt status` prints; once it resumes, its lag returns to 0.

The events are produced in multi-record batches, where tansu's ListOffsets answer falls
short of the log's end (shared/log_ends.py)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kafka import KafkaProducer

from services.kpi.app import create_app
from services.kpi.config import KpiSettings
from shared.kafka_admin import ensure_topics
from shared.settings import load_settings
from shared.topics import TOPICS
from snt.lag_status import LagLine, lag_lines, read_metrics
from tests.support.five_services import serve, settings_env
from tests.support.tansu import running_tansu
from tests.unit.kpi.conftest import WARD, counted

pytestmark = pytest.mark.integration
EVENTS = 10_000


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    with running_tansu() as address:
        ensure_topics(address, list(TOPICS))
        yield address


def kpi_lag(url: str) -> float:
    return sum(v for _, v in read_metrics(url).get("snt_kpi_consumer_lag_events", []))


def crime_line(url: str) -> LagLine:
    lines = lag_lines({"kpi": url}, behind_events=1000, behind_s=60)
    return next(line for line in lines if line.what.endswith("snt.crime.v1"))


def wait_for(check: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.5)


def produce(bootstrap: str, n: int) -> None:
    """``n`` crimes of one ward (one contract-checked event, its id varied)."""
    template = counted("lag:template", at="2025-01-10T10:00:00+00:00")
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, batch_size=256 * 1024)
    for i in range(n):
        raw = template.replace(b"ingest:test:lag:template", f"ingest:test:lag:{i}".encode())
        producer.send("snt.crime.v1", raw, key=WARD.encode())
    producer.flush()
    producer.close()


def test_a_stopped_consumer_shows_its_lag_and_catches_up(bootstrap: str, tmp_path: Path) -> None:
    env = settings_env("kpi", bootstrap, tmp_path)
    url, stop = serve(create_app(load_settings(KpiSettings, env)))
    try:
        wait_for(lambda: "snt_kpi_consumer_lag_events" in read_metrics(url), 60)
        assert kpi_lag(url) == 0
        held = sqlite3.connect(tmp_path / "kpi.db", isolation_level=None)
        held.execute("BEGIN IMMEDIATE")  # kpi cannot commit a batch: its consumer is stopped
        try:
            produce(bootstrap, EVENTS)
            wait_for(lambda: kpi_lag(url) >= EVENTS, 60)
            line = crime_line(url)
            assert line.behind, line
            assert line.events >= EVENTS, line
        finally:
            held.execute("ROLLBACK")
            held.close()
        wait_for(lambda: kpi_lag(url) == 0, 180)
        assert not crime_line(url).behind
    finally:
        stop()
