"""Garbage against the running ingest service on the real broker (tansu).

HTTP: whatever the body, a single event answers 202/409/413/415/422 (never a 5xx) with a JSON
body naming the reason, field and problem; a batch answers 200 listing every item with its
status (and, when rejected, its reason), or 400/413/415 with a reason for a body that is not a
batch at all. Raw topics: every garbage message becomes exactly one dead letter carrying its
topic, partition and offset (an unreadable one withheld: size and SHA-256 only), and the
service stays ready.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from services.ingest.api import ROUTES
from services.ingest.app import create_app
from services.ingest.config import IngestSettings
from services.ingest.handlers import RAW_TOPICS
from shared.auth.admin import create_token, open_engine
from shared.contracts import RejectReason
from shared.contracts.examples import example_event
from shared.kafka_admin import ensure_topics
from shared.settings import load_settings
from shared.topics import TOPICS, topic
from tests.support.tansu import running_tansu

# The running service's and the Kafka clients' background threads use the global `random`
# while Hypothesis draws, which it would otherwise report as the strategies' doing.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies"),
]
MAX_BYTES = 8192
STATUSES = {"accepted", "duplicate", "superseded", "parked", "unchanged", "rejected"}
REASONS = {r.value for r in RejectReason}
DECODE_REASONS = {
    "invalid_json", "bad_encoding", "oversized", "schema_violation", "unknown_event_type",
}  # fmt: skip
OFFENCE = {
    "taxonomy": "mps_upper",
    "major": "VIOLENCE AGAINST THE PERSON",
    "minor": "VIOLENCE WITH INJURY",
}
HTTP = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],  # a live service answers each example
)
_ids = itertools.count()


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    with running_tansu() as address:
        ensure_topics(address, list(TOPICS))
        yield address


@pytest.fixture(scope="module")
def http(bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The ingest service with a system token; server errors answer 500, they do not raise."""
    tmp = tmp_path_factory.mktemp("ingest-garbage")
    env = {
        "SNT_INGEST_ENVIRONMENT": "test",
        "SNT_INGEST_KAFKA_BOOTSTRAP": bootstrap,
        "SNT_INGEST_KAFKA_FETCH_MAX_WAIT_MS": "20",
        "SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp / 'ingest.db'}",
        "SNT_INGEST_AUTH_DATABASE_URL": f"sqlite:///{tmp / 'auth.db'}",
        "SNT_INGEST_PSEUDONYMISATION_KEY": "integration-key-" + "g" * 24,
        "SNT_INGEST_CONSUMER_GROUP": f"ingest-{tmp.name}",
        "SNT_INGEST_MAX_EVENT_BYTES": str(MAX_BYTES),
    }
    token = create_token(open_engine(env["SNT_INGEST_AUTH_DATABASE_URL"]), name="g", role="system")
    app = create_app(load_settings(IngestSettings, env))
    with TestClient(app, raise_server_exceptions=False) as client:
        client.headers["Authorization"] = f"Bearer {token.plain_token}"
        client.headers["Content-Type"] = "application/json"
        yield client


class DeadLetters:
    """Every dead letter on the topic, from its beginning, by the raw position it names."""

    def __init__(self, bootstrap: str) -> None:
        name = "snt.deadletter.v1"
        parts = [TopicPartition(name, p) for p in range(topic(name).partitions)]
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=20
        )
        self._consumer.assign(parts)
        self._consumer.seek_to_beginning(*parts)
        self.by_position: dict[tuple[str, int, int], list[dict[str, Any]]] = {}

    def wait_for(self, positions: set[tuple[str, int, int]], timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while not positions <= set(self.by_position) and time.monotonic() < deadline:
            for records in self._consumer.poll(timeout_ms=100).values():
                for record in records:
                    self._add(json.loads(record.value))

    def _add(self, letter: dict[str, Any]) -> None:
        where = letter["payload"]["source_position"]
        if where is not None:
            key = (where["topic"], where["partition"], where["offset"])
            self.by_position.setdefault(key, []).append(letter)

    def close(self) -> None:
        self._consumer.close()


@pytest.fixture(scope="module")
def dead_letters(bootstrap: str) -> Iterator[DeadLetters]:
    reader = DeadLetters(bootstrap)
    yield reader
    reader.close()


@pytest.fixture(scope="module")
def producer(bootstrap: str) -> Iterator[KafkaProducer]:
    client = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    yield client
    client.close()


# --- strategies -------------------------------------------------------------------------


def valid_event(event_type: str) -> dict[str, Any]:
    n = next(_ids)
    event = example_event(event_type, event_id=f"live-garbage:{n}")
    if event_type == "crime.recorded":
        event["payload"].update(crime_id=f"LG-{n}", offence=dict(OFFENCE))
    return event


json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_leaves,
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=20), kids, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def mutated(draw: st.DrawFn, event_type: str) -> dict[str, Any]:
    """A valid event with one envelope or payload field removed, retyped or added."""
    event = valid_event(event_type)
    node = draw(st.sampled_from([event, event["payload"]]))
    key = draw(st.sampled_from(sorted(node)))
    how = draw(st.sampled_from(["remove", "retype", "extra"]))
    if how == "remove":
        del node[key]
    elif how == "retype":
        node[key] = draw(st.sampled_from([None, True, -1, 1.5, "", [], {"a": 1}]))
    else:
        node["unexpected_" + key] = draw(json_leaves)
    return event


def garbage(event_type: str) -> st.SearchStrategy[bytes]:
    """Bodies for ``event_type``'s route: garbage of every kind, and now and then a valid one."""
    valid = st.builds(lambda: json.dumps(valid_event(event_type)).encode())
    encoded = st.sampled_from(["latin-1", "utf-16", "utf-32", "utf-8-sig"]).map(
        lambda enc: json.dumps(
            valid_event(event_type) | {"source": "caf\u00e9"}, ensure_ascii=False
        ).encode(enc)
    )
    return st.one_of(
        st.binary(max_size=300),
        json_values.map(lambda v: json.dumps(v).encode()),
        mutated(event_type).map(lambda e: json.dumps(e).encode()),
        st.sampled_from(sorted(ROUTES)).map(lambda t: json.dumps(valid_event(t)).encode()),
        encoded,
        st.integers(MAX_BYTES - 50, MAX_BYTES + 500).map(lambda n: b"{" + b" " * n + b"}"),
        valid,
    )


routes = st.sampled_from(sorted(ROUTES))


def check_problems(problems: list[dict[str, str]]) -> None:
    assert problems
    assert all(p["field"].strip() and p["problem"].strip() for p in problems)


# --- HTTP -------------------------------------------------------------------------------


@HTTP
@given(data=st.data(), event_type=routes)
def test_a_single_event_is_answered_without_a_server_error(
    http: TestClient, data: st.DataObject, event_type: str
) -> None:
    raw = data.draw(garbage(event_type))
    reply = http.post(f"/v1/{ROUTES[event_type]}", content=raw)
    assert reply.status_code in {202, 409, 422, 413}, reply.text
    body = reply.json()
    if reply.status_code != 202:
        assert body["reason"] in REASONS
    if len(raw) > MAX_BYTES:
        assert (reply.status_code, body["reason"]) == (413, "oversized")
        check_problems(body["detail"])
    elif reply.status_code == 422:
        assert (body["status"], body["reason"] in REASONS) == ("rejected", True)
        check_problems(body["problems"])
    else:
        assert reply.status_code == 202
        assert body["status"] in STATUSES - {"rejected"}
        assert body["event_id"] == json.loads(raw)["event_id"]


@st.composite
def batch_items(draw: st.DrawFn, event_type: str) -> list[Any]:
    kinds = st.one_of(
        json_values,
        mutated(event_type),
        st.builds(lambda: valid_event(event_type)),
        routes.map(valid_event),
    )
    return draw(st.lists(kinds, max_size=8))


@HTTP
@given(data=st.data(), event_type=routes)
def test_a_batch_lists_every_item_with_its_outcome(
    http: TestClient, data: st.DataObject, event_type: str
) -> None:
    items = data.draw(batch_items(event_type))
    reply = http.post(f"/v1/{ROUTES[event_type]}/batch", content=json.dumps(items).encode())
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert [item["index"] for item in body["items"]] == list(range(len(items)))
    assert sum(body["counts"].values()) == len(items)
    for item in body["items"]:
        assert item["status"] in STATUSES
        if item["status"] == "rejected":
            assert item["reason"] in REASONS
            check_problems(item["problems"])


@HTTP
@given(data=st.data(), event_type=routes)
def test_a_body_that_is_not_a_batch_is_a_bad_request(
    http: TestClient, data: st.DataObject, event_type: str
) -> None:
    raw = data.draw(st.one_of(garbage(event_type), st.just(b"[" * (MAX_BYTES * 64 + 1))))
    reply = http.post(f"/v1/{ROUTES[event_type]}/batch", content=raw)
    assert reply.status_code in {200, 400, 413}, reply.text
    if reply.status_code != 200:
        check_problems(reply.json()["detail"])
        assert reply.json()["detail"][0]["field"] == "body"
        assert reply.json()["reason"] in REASONS


@HTTP
@given(
    data=st.data(),
    event_type=routes,
    batch=st.booleans(),
    media=st.sampled_from(["text/plain", "application/x-www-form-urlencoded", "text/json",
                           "application/json; charset=utf-16", ""]),
)  # fmt: skip
def test_a_body_not_declared_json_is_refused_with_its_reason(
    http: TestClient, data: st.DataObject, event_type: str, batch: bool, media: str
) -> None:
    raw = data.draw(garbage(event_type))
    path = f"/v1/{ROUTES[event_type]}" + ("/batch" if batch else "")
    reply = http.post(path, content=raw, headers={"Content-Type": media})
    assert (reply.status_code, reply.json()["reason"]) == (415, "unsupported_media_type")
    check_problems(reply.json()["detail"])


CRASHERS = [
    ("crimes/recorded", b"[" * 3000 + b"]" * 3000),
    ("crimes/recorded/batch", b"[" * 3000 + b"]" * 3000),
    ("crimes/recorded", b'{"event_type": "' + b"x" * 600 + b'"}'),
    ("surveys/responses", b'{"source": "\\ud800"}'),
]
CRASHER_IDS = ["single-deep-nesting", "batch-deep-nesting", "single-long-unknown-type",
               "single-surrogate-hint"]  # fmt: skip


@pytest.mark.parametrize(("path", "raw"), CRASHERS, ids=CRASHER_IDS)
def test_a_known_crasher_is_answered_without_a_server_error(
    http: TestClient, path: str, raw: bytes
) -> None:
    reply = http.post(f"/v1/{path}", content=raw)
    assert reply.status_code < 500, reply.text


def test_the_service_survives_the_known_crashers(http: TestClient) -> None:
    for path, raw in CRASHERS:
        http.post(f"/v1/{path}", content=raw)
    assert http.get("/readyz").status_code == 200
    event = valid_event("survey.aggregate")
    reply = http.post("/v1/surveys/aggregates", content=json.dumps(event).encode())
    assert (reply.status_code, reply.json()["status"]) == (202, "accepted")


# --- raw topics -------------------------------------------------------------------------

raw_garbage = st.one_of(
    st.none(),  # a tombstone: no value at all
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    routes.flatmap(mutated).map(lambda e: json.dumps(e | {"unexpected": 1}).encode()),
    st.integers(MAX_BYTES + 1, MAX_BYTES + 100).map(lambda n: b"\xfe" * n),
    routes.map(lambda t: json.dumps(valid_event(t) | {"schema_version": 9}).encode("utf-16")),
)


@settings(HTTP, max_examples=8)
@given(
    messages=st.lists(st.tuples(st.sampled_from(RAW_TOPICS), raw_garbage), min_size=5, max_size=20)
)
def test_every_garbage_message_on_a_raw_topic_is_dead_lettered_with_its_position(
    http: TestClient,
    producer: KafkaProducer,
    dead_letters: DeadLetters,
    messages: list[tuple[str, bytes | None]],
) -> None:
    sent = [
        producer.send(name, value, key=f"g{i}".encode()) for i, (name, value) in enumerate(messages)
    ]
    positions = [(md.topic, md.partition, md.offset) for md in (f.get(10) for f in sent)]
    dead_letters.wait_for(set(positions))
    for (_, value), where in zip(messages, positions, strict=True):
        [letter] = dead_letters.by_position.get(where, [None])
        assert letter is not None, f"no dead letter for {where}"
        payload = letter["payload"]
        assert payload["source_position"] == dict(
            zip(("topic", "partition", "offset"), where, strict=True)
        )
        assert payload["reason"] in DECODE_REASONS
        check_problems(payload["errors"])
        if value is None:
            assert (payload["original_text"], payload["original_size"]) == ("", 0)
        if payload["reason"] in {"invalid_json", "bad_encoding", "oversized"}:
            assert (payload["original_withheld"], payload["original_text"]) == (True, "")
            assert payload["original_sha256"] == hashlib.sha256(value or b"").hexdigest()
    assert http.get("/readyz").status_code == 200
