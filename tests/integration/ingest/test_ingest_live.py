"""Ingest end to end on the real broker: HTTP and raw-topic inputs reach the canonical topics
through the outbox, exactly once; bad inputs reach the dead-letter topic with their reason."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, KafkaProducer

from services.ingest.app import create_app
from services.ingest.config import IngestSettings
from shared.auth.admin import create_token, open_engine
from shared.contracts import parse_event
from shared.contracts.examples import example_event
from shared.kafka_admin import ensure_topics
from shared.settings import load_settings
from shared.topics import TOPICS
from tests.support.tansu import running_tansu

pytestmark = pytest.mark.integration
RAW_VICTIM = "VICTIM-RAW-ID-4471"


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    with running_tansu() as address:
        ensure_topics(address, list(TOPICS))
        yield address


@pytest.fixture
def client(bootstrap: str, tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    env = {
        "SNT_INGEST_ENVIRONMENT": "test",
        "SNT_INGEST_KAFKA_BOOTSTRAP": bootstrap,
        "SNT_INGEST_KAFKA_FETCH_MAX_WAIT_MS": "20",
        "SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp_path / 'ingest.db'}",
        "SNT_INGEST_AUTH_DATABASE_URL": f"sqlite:///{tmp_path / 'auth.db'}",
        "SNT_INGEST_PSEUDONYMISATION_KEY": "integration-key-" + "x" * 24,
        "SNT_INGEST_CONSUMER_GROUP": f"ingest-{tmp_path.name}",
    }
    settings = load_settings(IngestSettings, env)
    token = create_token(
        open_engine(env["SNT_INGEST_AUTH_DATABASE_URL"]), name="cris", role="system"
    )
    with TestClient(create_app(settings)) as test_client:
        test_client.headers["Authorization"] = f"Bearer {token.plain_token}"
        yield test_client, token.plain_token


def crime(n: int, **payload: Any) -> dict[str, Any]:
    event = example_event("crime.recorded", event_id=f"cris:it:{n}", source="cris")
    event["payload"].update({"crime_id": f"IT-{n}", "victim_id": RAW_VICTIM, **payload})
    event["payload"]["offence"] = {
        "taxonomy": "mps_upper", "major": "VIOLENCE AGAINST THE PERSON",
        "minor": "VIOLENCE WITH INJURY",
    }  # fmt: skip
    event["occurred_at"] = event["recorded_at"] = "2025-05-01T10:00:00+01:00"
    event["payload"]["recorded_at"] = "2025-05-01T10:00:00+01:00"
    return event


def consume(bootstrap: str, topic: str, want: int, timeout_s: float = 20) -> list[dict[str, Any]]:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        enable_auto_commit=False, fetch_max_wait_ms=20, consumer_timeout_ms=500,
    )  # fmt: skip
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(found) < want and time.monotonic() < deadline:
            found += [json.loads(m.value) for m in consumer]
    finally:
        consumer.close()
    return found


def test_http_single_and_batch_reach_the_crime_topic_once(
    client: tuple[TestClient, str], bootstrap: str
) -> None:
    http, _ = client
    first = http.post("/v1/crimes/recorded", json=crime(1))
    assert first.status_code == 202, first.text
    assert first.json()["status"] == "accepted"
    again = http.post("/v1/crimes/recorded", json=crime(1))
    assert again.json()["status"] == "duplicate"
    batch = http.post("/v1/crimes/recorded/batch", json=[crime(2), crime(3), {"nope": 1}])
    body = batch.json()
    assert body["counts"] == {"accepted": 2, "rejected": 1}
    assert body["items"][2]["reason"] == "schema_violation"
    events = [
        e
        for e in consume(bootstrap, "snt.crime.v1", 3)
        if e["correlation_id"].startswith("cris:it:")
    ]
    assert sorted(e["payload"]["record_id"] for e in events) == ["IT-1", "IT-2", "IT-3"]
    for event in events:
        assert parse_event(json.dumps(event)).event_type == "crime.counted"
    assert RAW_VICTIM not in json.dumps(events)


def test_rejections_are_specific_and_dead_lettered(
    client: tuple[TestClient, str], bootstrap: str
) -> None:
    http, _ = client
    unknown_ward = crime(10, location={"ward_code": "E05999999"})
    reply = http.post("/v1/crimes/recorded", json=unknown_ward)
    assert reply.status_code == 422
    assert reply.json()["problems"] == [
        {"field": "payload.location.ward_code", "problem": "E05999999 is not a London ward code"}
    ]
    json_type = {"Content-Type": "application/json"}
    garbage = http.post("/v1/crimes/recorded", content=b"\xff\xfe not json", headers=json_type)
    assert garbage.status_code == 422
    assert garbage.json()["reason"] in {"bad_encoding", "invalid_json"}
    huge = http.post("/v1/crimes/recorded", content=b"x" * 70_000, headers=json_type)
    assert (huge.status_code, huge.json()["reason"]) == (413, "oversized")
    text = http.post("/v1/crimes/recorded", content=json.dumps(crime(11)).encode())
    assert (text.status_code, text.json()["reason"]) == (415, "unsupported_media_type")
    letters = consume(bootstrap, "snt.deadletter.v1", 2)
    reasons = {e["payload"]["reason"] for e in letters}
    assert {"unknown_ward"} <= reasons
    assert RAW_VICTIM not in json.dumps(letters)


def test_unauthenticated_and_wrong_role_are_refused(client: tuple[TestClient, str]) -> None:
    http, _ = client
    assert (
        http.post("/v1/crimes/recorded", json=crime(20), headers={"Authorization": ""}).status_code
        == 401
    )


def test_raw_topic_inputs_are_consumed_with_their_position(
    client: tuple[TestClient, str], bootstrap: str
) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    producer.send("snt.raw.cris.v1", json.dumps(crime(30)).encode(), key=b"IT-30")
    producer.send("snt.raw.cris.v1", b"{broken", key=b"x")
    producer.flush()
    producer.close()
    crimes = [
        e for e in consume(bootstrap, "snt.crime.v1", 10) if e["payload"]["record_id"] == "IT-30"
    ]
    assert len(crimes) == 1
    deadline = time.monotonic() + 20
    broken: list[dict[str, Any]] = []
    while not broken and time.monotonic() < deadline:
        broken = [
            e
            for e in consume(bootstrap, "snt.deadletter.v1", 1, 2)
            if e["payload"]["original_sha256"] == hashlib.sha256(b"{broken").hexdigest()
        ]
    assert broken, "the broken raw message was not dead-lettered"
    position = broken[0]["payload"]["source_position"]
    assert position["topic"] == "snt.raw.cris.v1"
    assert broken[0]["payload"]["reason"] == "invalid_json"
    asyncio.get_event_loop_policy()
