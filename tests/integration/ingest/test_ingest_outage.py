"""Broker unreachable during HTTP ingestion, then back: ingest keeps accepting, and every
accepted event reaches the topic exactly once. The outage is a cut link (a proxy in front
of the broker), so the broker keeps what it already holds, as a real Kafka would."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.ingest.app import create_app
from services.ingest.config import IngestSettings
from shared.auth.admin import create_token, open_engine
from shared.kafka_admin import ensure_topics
from shared.settings import load_settings
from shared.topics import TOPICS
from snt.tansu import start_tansu, stop_process, tansu_binary
from tests.integration.ingest.test_ingest_live import consume, crime
from tests.support.proxy import CuttableProxy, cuttable
from tests.support.services import free_port

pytestmark = pytest.mark.integration


def backlog(http: TestClient) -> float:
    for line in http.get("/metrics").text.splitlines():
        if line.startswith("snt_ingest_outbox_backlog "):
            return float(line.split()[1])
    raise AssertionError("no outbox backlog metric")


def ids(events: list[dict[str, Any]]) -> list[str]:
    return [e["payload"]["record_id"] for e in events if e["event_type"] == "crime.counted"]


def wait_until(check: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return bool(check())


@pytest.fixture
def link() -> Iterator[tuple[str, CuttableProxy]]:
    front, back = free_port(), free_port()
    broker = start_tansu(back, binary=tansu_binary(), advertised_port=front)
    try:
        with cuttable(front, back) as proxy:
            bootstrap = f"127.0.0.1:{front}"
            ensure_topics(bootstrap, list(TOPICS))
            yield bootstrap, proxy
    finally:
        stop_process(broker, timeout_s=5)


def test_accepted_events_survive_a_broker_outage_exactly_once(
    link: tuple[str, CuttableProxy], tmp_path: Path
) -> None:
    bootstrap, proxy = link
    env = {
        "SNT_INGEST_ENVIRONMENT": "test",
        "SNT_INGEST_KAFKA_BOOTSTRAP": bootstrap,
        "SNT_INGEST_KAFKA_FETCH_MAX_WAIT_MS": "20",
        "SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp_path / 'ingest.db'}",
        "SNT_INGEST_AUTH_DATABASE_URL": f"sqlite:///{tmp_path / 'auth.db'}",
        "SNT_INGEST_PSEUDONYMISATION_KEY": "outage-test-key-" + "y" * 24,
    }
    token = create_token(open_engine(env["SNT_INGEST_AUTH_DATABASE_URL"]), name="t", role="system")
    with TestClient(create_app(load_settings(IngestSettings, env))) as http:
        http.headers["Authorization"] = f"Bearer {token.plain_token}"
        before = [http.post("/v1/crimes/recorded", json=crime(n)) for n in range(20)]
        assert {r.json()["status"] for r in before} == {"accepted"}
        assert wait_until(lambda: backlog(http) == 0, 30), "first 20 not published"

        proxy.cut()
        during = [http.post("/v1/crimes/recorded", json=crime(n)) for n in range(20, 50)]
        assert {r.json()["status"] for r in during} == {"accepted"}, "ingest must keep accepting"
        assert http.get("/readyz").status_code == 503
        assert backlog(http) == 30, "the events accepted during the outage wait in the outbox"

        proxy.restore()
        assert wait_until(lambda: backlog(http) == 0, 120), "outbox not drained after the outage"
        assert wait_until(lambda: http.get("/readyz").status_code == 200, 60)

    everything = ids(consume(bootstrap, "snt.crime.v1", 50))
    assert sorted(everything) == sorted(f"IT-{n}" for n in range(50))
    assert len(set(everything)) == len(everything) == 50
