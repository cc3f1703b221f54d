"""The kpi benchmark's consumption ceilings on the real broker: the service's own subscriber,
counting or also parsing, reads every pre-loaded event once and reports its rate."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from kafka import KafkaProducer

from shared.kafka_admin import ensure_topics
from shared.topics import TOPICS
from snt.bench.kpi_consume import consume
from snt.bench.kpi_events import synthetic_events
from tests.support.tansu import running_tansu

AREAS = [("E05013806", "E09000033"), ("E05009367", "E09000012")]
EVENTS = 15_000
"""Enough for several fetches (one batch alone gives no rate: it is timed from the first)."""


@pytest.fixture(scope="module")
def loaded() -> Iterator[str]:
    with running_tansu() as bootstrap:
        ensure_topics(bootstrap, list(TOPICS))
        producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
        for e in synthetic_events(EVENTS, seed=5, areas=AREAS):
            producer.send(e.topic, e.value, key=e.key)
        producer.flush()
        producer.close()
        yield bootstrap


async def test_the_count_ceiling_reads_every_event_once(loaded: str) -> None:
    found = await consume(loaded, EVENTS, "count", "test-ceiling-count")
    assert found.events == EVENTS
    assert found.events_per_s > 0


def test_the_parse_ceiling_runs_as_the_benchmark_runs_it(loaded: str) -> None:
    command = [sys.executable, "-m", "snt.bench.kpi_consume", loaded, str(EVENTS), "parse"]
    out = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["events"] == EVENTS
    assert found["events_per_s"] > 0


def test_an_unknown_mode_is_refused_with_the_choices(loaded: str) -> None:
    out = subprocess.run([sys.executable, "-m", "snt.bench.kpi_consume", loaded, "10", "fold"],
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert out.returncode == 1
    assert "mode must be one of count, parse, not 'fold'" in out.stderr
