"""Every refusal over HTTP: a status, a reason, a count and a dead letter with nothing personal.

Table-driven over the shapes a new user found: wrong media types, bodies over the limit,
batch bodies that are not batches, envelope times outside the window, values that a lax
parser would coerce, the same id and version with other content, and personal ids in
bodies that do not parse or in fields no contract knows. A property test then corrupts
valid events carrying victim and caller ids in every way it can and scans each answer,
dead letter and log record for the raw id and for its pseudonym.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import generate_latest

from services.ingest.api import MAX_BATCH, build_router
from services.ingest.metrics import IngestMetrics
from services.ingest.outbox import OutboxRelay
from services.ingest.pipeline import Pipeline
from services.ingest.service import IngestService
from services.ingest.store.base import StoredEvent
from services.ingest.store.sql import SqlIngestStore
from services.ingest.wiring import context_factory
from shared.auth import Authenticator, MemoryTokenStore, Role, issue_token
from shared.classification import Classifier
from shared.contracts.examples import example_event
from shared.observability import new_registry
from shared.reference import LondonReference
from tests.unit.ingest.conftest import KEY

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
MAX = 4096
JSON = {"Content-Type": "application/json"}
VICTIM = "VICTIM-SECRET-4Q7"
CALLER = "CALLER-SECRET-9Z2"
OFFENCE = {"taxonomy": "mps_upper", "major": "VIOLENCE AGAINST THE PERSON",
           "minor": "VIOLENCE WITH INJURY"}  # fmt: skip


class _NoBroker:
    async def publish(self, events: Sequence[StoredEvent]) -> list[bool]:
        return [False] * len(events)


@dataclass
class Api:
    http: TestClient
    store: SqlIngestStore
    registry: Any
    seq: int = 0

    def post(self, path: str, body: bytes | str, headers: dict[str, str] | None = None) -> Any:
        return self.http.post(f"/v1/{path}", content=body, headers=JSON if headers is None
                              else headers)  # fmt: skip

    def new_letters(self) -> list[dict[str, Any]]:
        stored = self.store.events(self.seq, 1_000_000)
        self.seq = stored[-1].seq if stored else self.seq
        events = [json.loads(e.envelope) for e in stored]
        return [e["payload"] for e in events if e["event_type"] == "dead_letter.recorded"]

    def rejected(self, reason: str) -> float:
        text = generate_latest(self.registry).decode()
        line = f'snt_ingest_rejected_total{{reason="{reason}"}} '
        return float(next(x for x in text.splitlines() if x.startswith(line)).split()[-1])


@pytest.fixture
def api(reference: LondonReference, classifier: Classifier, store: SqlIngestStore) -> Api:
    registry = new_registry("ingest", "test")
    metrics = IngestMetrics(registry)
    context = context_factory(reference, classifier, KEY, lambda: NOW)
    pipeline = Pipeline(store=store, context=context, observe=metrics.observe)
    service = IngestService(pipeline, OutboxRelay(store, _NoBroker(), metrics), metrics, MAX)
    tokens = MemoryTokenStore()
    auth = Authenticator(tokens, lambda: datetime.now(UTC))
    app = FastAPI()
    app.include_router(build_router(service, auth))
    issued = issue_token(tokens, name="system", role=Role.SYSTEM, now=datetime.now(UTC))
    http = TestClient(app, raise_server_exceptions=False)
    http.headers["Authorization"] = f"Bearer {issued.plain_token}"
    return Api(http, store, registry)


_n = iter(range(10**9))


def crime(**payload: Any) -> dict[str, Any]:
    n = next(_n)
    event = example_event("crime.recorded", event_id=f"refusal:{n}")
    event["payload"].update(crime_id=f"R-{n}", offence=dict(OFFENCE), victim_id=VICTIM)
    event["payload"].update(payload)
    return event


def incident(**payload: Any) -> dict[str, Any]:
    n = next(_n)
    event = example_event("cad.incident", event_id=f"refusal:cad:{n}")
    event["payload"].update(incident_id=f"CAD-R-{n}", caller_id=CALLER, **payload)
    return event


def aggregate(**payload: Any) -> dict[str, Any]:
    event = example_event("survey.aggregate", event_id=f"refusal:agg:{next(_n)}")
    event["payload"].update(payload)
    return event


def body(event: dict[str, Any]) -> bytes:
    return json.dumps(event).encode()


# --- whole bodies refused: 415, 413, 400 ----------------------------------------------------

WHOLE = [
    pytest.param("crimes/recorded", body(crime()), {"Content-Type": "text/plain"}, 415,
                 "unsupported_media_type", id="text-plain"),
    pytest.param("crimes/recorded", body(crime()), {}, 415, "unsupported_media_type",
                 id="no-content-type"),
    pytest.param("crimes/recorded", body(crime()),
                 {"Content-Type": "application/json; charset=latin-1"}, 415,
                 "unsupported_media_type", id="json-not-utf8"),
    pytest.param("crimes/recorded/batch", body(crime()), {"Content-Type": "text/csv"}, 415,
                 "unsupported_media_type", id="batch-text-csv"),
    pytest.param("crimes/recorded", body(crime(note="x" * MAX)), JSON, 413, "oversized",
                 id="single-over-the-limit"),
    pytest.param("crimes/recorded/batch", b"[" + b" " * (MAX * 64) + b"]", JSON, 413,
                 "oversized", id="batch-over-the-limit"),
    pytest.param("crimes/recorded/batch", b'[{"victim_id": "' + VICTIM.encode() + b'"',
                 JSON, 400, "invalid_json", id="batch-not-json"),
    pytest.param("crimes/recorded/batch", body(crime()), JSON, 400, "schema_violation",
                 id="batch-an-object"),
    pytest.param("crimes/recorded/batch", json.dumps([{}] * (MAX_BATCH + 1)).encode(), JSON,
                 400, "oversized", id="batch-too-many"),
    pytest.param("crimes/recorded/batch", b'["\xff"]', JSON, 400, "bad_encoding",
                 id="batch-not-utf8"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "raw", "headers", "status", "reason"), WHOLE)
def test_a_refused_body_has_a_reason_a_count_and_a_dead_letter(
    api: Api, path: str, raw: bytes, headers: dict[str, str], status: int, reason: str
) -> None:
    before = api.rejected(reason)
    reply = api.post(path, raw, headers)
    assert (reply.status_code, reply.json()["reason"]) == (status, reason)
    assert reply.json()["detail"][0]["field"] == "body"
    assert api.rejected(reason) == before + 1
    [letter] = api.new_letters()
    assert letter["reason"] == reason
    assert VICTIM not in json.dumps(letter)
    if letter["original_withheld"]:
        assert letter["original_size"] == len(raw)
        assert letter["original_sha256"] == hashlib.sha256(raw).hexdigest()


# --- single events refused: 422 and 409 -------------------------------------------------------


def _at(field: str, value: str) -> dict[str, Any]:
    event = crime()
    event[field] = value
    return event


ENVELOPES = [
    pytest.param(_at("occurred_at", "0001-01-01T00:00:00+00:00"), "schema_violation",
                 "occurred_at", "is before 2000-01-01, the earliest accepted", id="year-0001"),
    pytest.param(_at("occurred_at", "1999-12-31T23:59:59Z"), "schema_violation", "occurred_at",
                 "is before 2000-01-01, the earliest accepted", id="just-before-2000"),
    pytest.param(_at("occurred_at", "9999-12-31T23:59:59+00:00"), "future_date", "occurred_at",
                 "is more than 24 hours ahead of the receiving clock", id="year-9999"),
    pytest.param(_at("recorded_at", "2199-01-01T00:00:00Z"), "future_date", "recorded_at",
                 "is more than 24 hours ahead of the receiving clock", id="recorded-far-ahead"),
    pytest.param(_at("occurred_at", "9999-12-31T23:00:00-14:00"), "future_date", "occurred_at",
                 "is more than 24 hours ahead of the receiving clock", id="year-9999-minus-14h"),
    pytest.param(crime() | {"version": "1"}, "schema_violation", "version",
                 "should be a valid integer", id="version-as-text"),
    pytest.param(crime() | {"version": True}, "schema_violation", "version",
                 "should be a valid integer", id="version-as-boolean"),
    pytest.param(crime() | {"version": 1.0}, "schema_violation", "version",
                 "should be a valid integer", id="version-as-float"),
    pytest.param(aggregate(proportion=True), "schema_violation", "payload.proportion",
                 "should be a valid number", id="proportion-as-boolean"),
    pytest.param(aggregate(proportion="0.5"), "schema_violation", "payload.proportion",
                 "should be a valid number", id="proportion-as-text"),
    pytest.param(aggregate(n=12.0), "schema_violation", "payload.n",
                 "should be a valid integer", id="n-as-float"),
    pytest.param(incident(vulnerable_caller=1), "schema_violation", "payload.vulnerable_caller",
                 "should be a valid boolean", id="flag-as-number"),
    pytest.param(crime(location={"latitude": "51.5", "longitude": -0.1}), "schema_violation",
                 "payload.location.latitude", "should be a valid number",
                 id="latitude-as-text"),
]  # fmt: skip
ROUTE = {"crime.recorded": "crimes/recorded", "cad.incident": "cad/incidents",
         "survey.aggregate": "surveys/aggregates"}  # fmt: skip


@pytest.mark.parametrize(("event", "reason", "field", "problem"), ENVELOPES)
def test_a_lax_envelope_is_refused_at_its_field(
    api: Api, event: dict[str, Any], reason: str, field: str, problem: str
) -> None:
    before = api.rejected(reason)
    reply = api.post(ROUTE[event["event_type"]], body(event))
    assert (reply.status_code, reply.json()["reason"]) == (422, reason), reply.text
    assert {"field": field, "problem": problem} in reply.json()["problems"]
    assert api.rejected(reason) == before + 1
    [letter] = api.new_letters()
    assert (letter["reason"], letter["event_id"]) == (reason, event["event_id"])
    assert VICTIM not in json.dumps(letter)
    assert CALLER not in json.dumps(letter)


@pytest.mark.parametrize(
    "at", ["2000-01-01T00:00:00Z", "2000-01-01T01:00:00+01:00"], ids=["utc", "offset"]
)
def test_the_first_moment_of_the_window_is_accepted(api: Api, at: str) -> None:
    reply = api.post("crimes/recorded", body(_at("occurred_at", at)))
    assert reply.status_code == 202, reply.text


@pytest.mark.parametrize(
    ("change", "status", "outcome"),
    [
        pytest.param({}, 202, "duplicate", id="same-content"),
        pytest.param({"recorded_at": "2024-05-02T10:00:00+01:00"}, 202, "duplicate",
                     id="restamped-recorded-at"),
        pytest.param({"correlation_id": "retry-2"}, 202, "duplicate", id="new-correlation"),
        pytest.param({"payload": {"location": {"ward_code": "E05013807"}}}, 409, "rejected",
                     id="other-ward"),
        pytest.param({"occurred_at": "2024-05-01T09:31:00+01:00"}, 409, "rejected",
                     id="other-occurred-at"),
    ],
)  # fmt: skip
def test_the_same_id_and_version_again(
    api: Api, change: dict[str, Any], status: int, outcome: str
) -> None:
    first = crime()
    assert api.post("crimes/recorded", body(first)).status_code == 202
    api.new_letters()
    again = json.loads(json.dumps(first))
    for key, value in change.items():
        if key == "payload":
            again["payload"].update(value)
        else:
            again[key] = value
    reply = api.post("crimes/recorded", body(again))
    assert (reply.status_code, reply.json()["status"]) == (status, outcome), reply.text
    letters = api.new_letters()
    if status == 409:
        assert reply.json()["reason"] == "conflicting_duplicate"
        assert reply.json()["problems"][0]["field"] == "version"
        assert [(d["reason"], d["event_id"]) for d in letters] == [
            ("conflicting_duplicate", first["event_id"])
        ]
    else:
        assert letters == []


def test_a_conflict_in_a_batch_is_listed_with_its_reason(api: Api) -> None:
    first = crime()
    other = json.loads(json.dumps(first))
    other["payload"]["location"] = {"ward_code": "E05013807"}
    reply = api.post("crimes/recorded/batch", json.dumps([first, first, other]))
    assert [(i["status"], i.get("reason")) for i in reply.json()["items"]] == [
        ("accepted", None), ("duplicate", None), ("rejected", "conflicting_duplicate"),
    ]  # fmt: skip


# --- personal ids in every shape --------------------------------------------------------------

VALID = json.dumps(crime())
SHAPES = [
    pytest.param(VALID.replace('"victim_id": ', '"victim_id"": '), id="stray-quote-after-key"),
    pytest.param(VALID.replace('"victim_id": ', '"victim_id" '), id="colon-missing"),
    pytest.param(VALID.replace('"victim_id"', '"victim"'), id="unknown-field-victim"),
    pytest.param(VALID.replace('"victim_id"', '"Victim_ID"'), id="unknown-field-case"),
    pytest.param(VALID[:-40], id="truncated"),
    pytest.param(VALID[: VALID.index(VICTIM) + 5], id="cut-inside-the-id"),
    pytest.param("[" + VALID + "]", id="wrapped-in-an-array"),
    pytest.param(VALID.replace("{", "{'", 1), id="single-quote"),
    pytest.param(
        json.dumps(crime(victim_id=None) | {"extra": {"victim": VICTIM}}), id="nested-unknown"
    ),
    pytest.param(VALID.replace("INJURY", "INJURY \u00e9").encode("latin-1"), id="latin-1"),
    pytest.param(VALID.encode("utf-16"), id="utf-16"),
    pytest.param(VALID.replace("VIOLENCE WITH", "VIOLENCE\x00WITH"), id="control-character"),
    pytest.param(VALID + " " * MAX, id="oversized"),
]


def _texts(reply: Any, letters: list[dict[str, Any]], logs: str) -> str:
    return "\n".join([reply.text, json.dumps(letters), logs])


@pytest.mark.parametrize("raw", SHAPES)
def test_no_victim_id_kept_whatever_the_shape(
    api: Api, raw: str | bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    reply = api.post("crimes/recorded", raw)
    assert reply.status_code in {413, 422}, reply.text
    assert reply.json()["reason"]
    letters = api.new_letters()
    assert len(letters) == 1
    found = _texts(reply, letters, caplog.text)
    assert VICTIM not in found
    assert VICTIM[:10] not in found, "not even part of it"
    assert _pseudonym("victim", VICTIM) not in found


def test_a_withheld_original_says_where_reading_failed(api: Api) -> None:
    raw = '{\n  "event_id": "x",\n  "victim_id"": "' + VICTIM + '"\n}'
    api.post("crimes/recorded", raw)
    [letter] = api.new_letters()
    assert (letter["original_withheld"], letter["original_text"]) == (True, "")
    assert letter["error_position"] == {"offset": 34, "line": 3, "column": 14}
    assert letter["original_sha256"] == hashlib.sha256(raw.encode()).hexdigest()


def test_an_unknown_field_is_named_and_its_value_withheld(api: Api) -> None:
    event = crime()
    event["payload"]["victim"] = VICTIM
    reply = api.post("crimes/recorded", body(event))
    assert {"field": "payload.victim", "problem": "is not a known field"} in reply.json()[
        "problems"
    ]
    [letter] = api.new_letters()
    kept = json.loads(letter["original_text"])
    assert kept["payload"]["victim"] == "(withheld: not a known field)"
    assert kept["payload"]["crime_id"] == event["payload"]["crime_id"], "the rest is kept"
    assert kept["payload"]["victim_id"] == "pseudonym:" + _pseudonym("victim", VICTIM)


def _pseudonym(kind: str, raw: str) -> str:
    from services.ingest.domain.pseudonymise import Pseudonymiser

    return Pseudonymiser(KEY)(kind, raw)  # type: ignore[arg-type]


# --- property: corrupted events never leave an id behind -----------------------------------


def _corruptions() -> st.SearchStrategy[Callable[[str], str | bytes]]:
    def at(draw_index: int, text: str) -> int:
        return draw_index % (len(text) + 1)

    cut = st.integers(0, 10**6).map(lambda i: lambda t: t[: at(i, t)])
    drop = st.integers(0, 10**6).map(lambda i: lambda t: t[: at(i, t)] + t[at(i, t) + 1 :])
    insert = st.tuples(st.integers(0, 10**6), st.sampled_from(list("\"'{}[],: \\\x00x"))).map(
        lambda p: lambda t: t[: at(p[0], t)] + p[1] + t[at(p[0], t) :]
    )
    rename = st.sampled_from(["victim", "victimId", "caller", "id", "victim_id ", "VICTIM_ID"]).map(
        lambda name: (
            lambda t: t.replace('"victim_id"', f'"{name}"').replace('"caller_id"', f'"{name}"')
        )
    )
    encode = st.sampled_from(["latin-1", "utf-16", "utf-32", "utf-8-sig"]).map(
        lambda enc: lambda t: t.encode(enc, "replace")
    )
    return st.one_of(cut, drop, insert, rename, encode)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["crime", "incident"]),
    corruptions=st.lists(_corruptions(), min_size=1, max_size=3),
)
def test_a_corrupted_event_leaves_no_victim_or_caller_id_anywhere(
    api: Api,
    caplog: pytest.LogCaptureFixture,
    kind: str,
    corruptions: list[Callable[[str], str | bytes]],
) -> None:
    caplog.clear()
    caplog.set_level(logging.DEBUG)
    event, route = (crime(), "crimes/recorded") if kind == "crime" else (
        incident(), "cad/incidents")  # fmt: skip
    raw: str | bytes = json.dumps(event)
    for corrupt in corruptions:
        raw = corrupt(raw if isinstance(raw, str) else raw.decode("utf-8", "replace"))
    reply = api.post(route, raw)
    assert reply.status_code in {202, 409, 413, 422}, reply.text
    if reply.status_code != 202:
        assert reply.json()["reason"]
    letters = api.new_letters()
    found = _texts(reply, letters, caplog.text)
    assert "SECRET" not in found, "no raw id, not even part of one"
    said = reply.text + caplog.text
    kept_json = any(not d["original_withheld"] for d in letters)
    for secret in _secrets():
        assert secret not in said, "no pseudonym in an answer or a log"
        if not kept_json:  # a kept JSON object has its ids pseudonymised where they belong
            assert secret not in found


def _secrets() -> Iterator[str]:
    yield _pseudonym("victim", VICTIM)
    yield _pseudonym("caller", CALLER)
