"""Raw personal identifiers never leave ingest: a scan of everything it writes.

Events carrying distinctive victim, caller, officer (and authorising officer) and
respondent ids go in over HTTP and the raw topics, accepted and rejected alike, while every
logger records at DEBUG. Then every message on every non-raw topic (keys, values, headers,
any base64 original), every row of every ingest table (and the database files' bytes), the
metrics text and every log line are searched: none may hold a raw id. The pseudonyms must
be where the contracts put them, so the scan cannot pass on an empty output.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from sqlalchemy import Engine, MetaData, func, select

from services.ingest.app import create_app
from services.ingest.config import IngestSettings
from services.ingest.domain.pseudonymise import Kind, Pseudonymiser
from shared.auth.admin import create_token, open_engine
from shared.contracts.examples import example_event
from shared.db import make_engine
from shared.kafka_admin import ensure_topics
from shared.observability import JsonFormatter
from shared.settings import load_settings
from shared.topics import TOPICS, topic
from tests.support.tansu import running_tansu

pytestmark = pytest.mark.integration
KEY = "integration-privacy-key-" + "p" * 16
OUTPUT_TOPICS = ("snt.crime.v1", "snt.cad.v1", "snt.duty.v1", "snt.survey.v1", "snt.deadletter.v1")
RAW = {
    "victim": "VICTIM-RAWID-7Q3Z",
    "caller": "CALLER-RAWID-8K2W",
    "officer": "OFFICER-RAWID-5M1X",
    "authoriser": "AUTHORISER-RAWID-2J9V",
    "respondent": "RESPONDENT-RAWID-4H6T",
}
MARK = "RAWID"
JSON = "application/json"
"""In every raw id and nowhere else: finding it, even in part of an id, is a leak."""
OFFENCE = {
    "taxonomy": "mps_upper",
    "major": "VIOLENCE AGAINST THE PERSON",
    "minor": "VIOLENCE WITH INJURY",
}
_n = itertools.count()


class Recorder(logging.Handler):
    """Every record as a JSON line with its ``extra`` fields (the test's own Kafka client,
    kafka-python, is left out: it logs what the test sends; the service uses aiokafka)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter("privacy-scan"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not _test_client_logger(record.name):
            self.lines.append(self.format(record))


def _test_client_logger(name: str) -> bool:
    return name == "kafka" or name.startswith("kafka.")


@pytest.fixture(scope="module")
def recorder() -> Iterator[Recorder]:
    """Every logger at DEBUG into a Recorder on the root logger, restored afterwards."""
    root = logging.getLogger()
    saved = {name: lg.level for name, lg in _loggers()} | {"": root.level}
    handler = Recorder()
    root.addHandler(handler)
    _all_at_debug()
    yield handler
    root.removeHandler(handler)
    for name, lg in _loggers():
        lg.setLevel(saved.get(name, logging.NOTSET))
    root.setLevel(saved[""])


def _loggers() -> Iterator[tuple[str, logging.Logger]]:
    for name, lg in list(logging.root.manager.loggerDict.items()):
        if isinstance(lg, logging.Logger):
            yield name, lg


def _all_at_debug() -> None:
    logging.getLogger().setLevel(logging.DEBUG)
    for name, lg in _loggers():
        lg.setLevel(logging.WARNING if _test_client_logger(name) else logging.DEBUG)


@dataclass
class Service:
    http: TestClient
    bootstrap: str
    engine: Engine
    db_file: Path
    pseudonym: Pseudonymiser


@pytest.fixture(scope="module")
def service(recorder: Recorder, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    tmp = tmp_path_factory.mktemp("ingest-privacy")
    with running_tansu() as bootstrap:
        ensure_topics(bootstrap, list(TOPICS))
        env = {
            "SNT_INGEST_ENVIRONMENT": "test",
            "SNT_INGEST_KAFKA_BOOTSTRAP": bootstrap,
            "SNT_INGEST_KAFKA_FETCH_MAX_WAIT_MS": "20",
            "SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp / 'ingest.db'}",
            "SNT_INGEST_AUTH_DATABASE_URL": f"sqlite:///{tmp / 'auth.db'}",
            "SNT_INGEST_PSEUDONYMISATION_KEY": KEY,
            "SNT_INGEST_CONSUMER_GROUP": f"ingest-{tmp.name}",
            "SNT_INGEST_MAX_EVENT_BYTES": "4096",
        }
        engine = open_engine(env["SNT_INGEST_AUTH_DATABASE_URL"])
        token = create_token(engine, name="privacy", role="system")
        with TestClient(create_app(load_settings(IngestSettings, env))) as http:
            _all_at_debug()  # loggers the service created while starting
            http.headers["Authorization"] = f"Bearer {token.plain_token}"
            yield Service(
                http,
                bootstrap,
                make_engine(env["SNT_INGEST_DATABASE_URL"]),
                tmp / "ingest.db",
                Pseudonymiser(KEY.encode()),
            )


# --- inputs -----------------------------------------------------------------------------


def raw_id(kind: str, surface: str) -> str:
    return f"{RAW[kind]}-{surface}-{next(_n)}"


def crime(victim: str, **payload: Any) -> dict[str, Any]:
    n = next(_n)
    event = example_event("crime.recorded", event_id=f"privacy:crime:{n}")
    event["payload"].update(
        {"crime_id": f"PRIV-{n}", "offence": dict(OFFENCE), "victim_id": victim, **payload}
    )
    return event


def incident(caller: str, **payload: Any) -> dict[str, Any]:
    n = next(_n)
    event = example_event("cad.incident", event_id=f"privacy:cad:{n}")
    event["payload"].update({"incident_id": f"CAD-PRIV-{n}", "caller_id": caller, **payload})
    return event


def duty(officer: str, authoriser: str, **payload: Any) -> dict[str, Any]:
    n = next(_n)
    event = example_event("duty.changed", event_id=f"privacy:duty:{n}")
    event["payload"].update({"duty_id": f"D-PRIV-{n}", "officer_id": officer, **payload})
    event["payload"]["authoriser"] = {"rank": "inspector", "officer_id": authoriser}
    return event


def response(respondent: str, **payload: Any) -> dict[str, Any]:
    n = next(_n)
    event = example_event("survey.response", event_id=f"privacy:survey:{n}")
    event["payload"].update({"respondent_id": respondent, **payload})
    return event


@dataclass
class Sent:
    """What went in: raw ids whose pseudonym must be published, or kept redacted, and inputs
    that cannot be read as JSON objects, whose dead letters withhold them whole."""

    inputs: int = 0
    counted: list[tuple[str, Kind, str]] = field(default_factory=list)
    redacted: list[tuple[Kind, str]] = field(default_factory=list)
    withheld: list[bytes] = field(default_factory=list)


def send_http(service: Service, sent: Sent) -> None:
    http = service.http
    v, c, o, a, r = (raw_id(k, "http") for k in RAW)
    accepted = [
        ("crimes/recorded", crime(v)),
        ("cad/incidents", incident(c)),
        ("carm3/duty-changes", duty(o, a)),
        ("surveys/responses", response(r)),
    ]
    for path, event in accepted:
        reply = http.post(f"/v1/{path}", json=event)
        assert (reply.status_code, reply.json()["status"]) == (202, "accepted"), reply.text
    sent.counted += [
        ("victim_pseudonym", "victim", v),
        ("caller_pseudonym", "caller", c),
        ("officer_pseudonym", "officer", o),
        ("authoriser", "officer", a),
        ("respondent_pseudonym", "respondent", r),
    ]
    rejected = _http_rejections()
    for path, body, ids in rejected:
        reply = http.post(f"/v1/{path}", content=body, headers={"Content-Type": JSON})
        assert reply.status_code == 422, reply.text
        sent.redacted += ids
        sent.withheld += [] if ids or b'"victim":' in body else [body]
    batch_victims = [raw_id("victim", "batch") for _ in range(3)]
    items = [
        crime(batch_victims[0]),
        crime(batch_victims[1], location={"ward_code": "E05999999"}),
        crime(batch_victims[2], crime_id=None),
    ]
    reply = http.post("/v1/crimes/recorded/batch", json=items)
    assert reply.json()["counts"] == {"accepted": 1, "rejected": 2}, reply.text
    sent.counted.append(("victim_pseudonym", "victim", batch_victims[0]))
    sent.redacted += [("victim", batch_victims[1]), ("victim", batch_victims[2])]
    sent.inputs += len(accepted) + len(rejected) + len(items)


def _http_rejections() -> list[tuple[str, bytes, list[tuple[Kind, str]]]]:
    """(route, body, raw ids) of JSON inputs rejected at decode time or later."""
    v = [raw_id("victim", "http") for _ in range(4)]
    c = raw_id("caller", "http")
    o = [raw_id("officer", "http") for _ in range(3)]
    a = [raw_id("authoriser", "http") for _ in range(3)]
    r = [raw_id("respondent", "http") for _ in range(2)]
    listed = crime("x")
    listed["payload"]["victim_id"] = [v[2]]
    latin = crime(v[3])
    latin["payload"]["offence"]["minor"] = "VIOLENCE WITH INJURY \u00e9"
    stray = json.dumps(crime(raw_id("victim", "http"))).replace('"victim_id": ', '"victim_id"": ')
    unknown = crime("x")
    unknown["payload"].update(victim_id=None, victim=raw_id("victim", "http"))
    bad_duty = duty(o[1], a[1], end="2024-05-01T06:00:00+01:00")
    cases: list[tuple[str, dict[str, Any] | bytes, list[tuple[Kind, str]]]] = [
        ("crimes/recorded", crime(v[0], location={"ward_code": "E05999999"}), [("victim", v[0])]),
        ("crimes/recorded", crime(v[1], crime_id=None), [("victim", v[1])]),
        ("crimes/recorded", listed, [("victim", f"[{v[2]!r}]")]),
        ("crimes/recorded", json.dumps(latin, ensure_ascii=False).encode("latin-1"), []),
        ("crimes/recorded", stray.encode(), []),
        ("crimes/recorded", unknown, []),
        ("cad/incidents", incident(c, incident_at="2099-01-01T00:00:00Z"), [("caller", c)]),
        (
            "carm3/duty-changes",
            duty(o[0], a[0], home_ward_code="E05999999"),
            [("officer", o[0]), ("officer", a[0])],
        ),
        ("carm3/duty-changes", bad_duty, [("officer", o[1]), ("officer", a[1])]),
        ("crimes/recorded", duty(o[2], a[2]), [("officer", o[2]), ("officer", a[2])]),
        ("surveys/responses", response(r[0], borough_code="E09999999"), [("respondent", r[0])]),
        ("surveys/responses", response(r[1], weight=0), [("respondent", r[1])]),
    ]
    return [
        (path, body if isinstance(body, bytes) else json.dumps(body).encode(), ids)
        for path, body, ids in cases
    ]


def send_kafka(service: Service, sent: Sent) -> None:
    v, v2, v3 = (raw_id("victim", "kafka") for _ in range(3))
    c, c2 = (raw_id("caller", "kafka") for _ in range(2))
    o, o2 = (raw_id("officer", "kafka") for _ in range(2))
    a, a2 = (raw_id("authoriser", "kafka") for _ in range(2))
    r, r2 = (raw_id("respondent", "kafka") for _ in range(2))
    oversized = json.dumps(crime(v3)) + " " * 4096
    messages = [
        ("snt.raw.cris.v1", json.dumps(crime(v))),
        ("snt.raw.cad.v1", json.dumps(incident(c))),
        ("snt.raw.carm3.v1", json.dumps(duty(o, a))),
        ("snt.raw.survey.v1", json.dumps(response(r))),
        ("snt.raw.cris.v1", json.dumps(crime(v2, location={"ward_code": "E05999999"}))),
        ("snt.raw.cris.v1", oversized),
        ("snt.raw.cad.v1", json.dumps(incident(c2, incident_at="2099-01-01T00:00:00Z"))),
        ("snt.raw.carm3.v1", json.dumps(duty(o2, a2, end="2024-05-01T06:00:00+01:00"))),
        ("snt.raw.survey.v1", json.dumps(response(r2, borough_code="E09999999"))),
    ]
    producer = KafkaProducer(bootstrap_servers=service.bootstrap)
    for name, value in messages:
        producer.send(name, value.encode(), key=name.encode())
    producer.flush()
    producer.close()
    sent.inputs += len(messages)
    sent.counted += [
        ("victim_pseudonym", "victim", v),
        ("caller_pseudonym", "caller", c),
        ("officer_pseudonym", "officer", o),
        ("authoriser", "officer", a),
        ("respondent_pseudonym", "respondent", r),
    ]
    sent.withheld.append(oversized.encode())
    sent.redacted += [
        ("victim", v2),
        ("caller", c2),
        ("officer", o2),
        ("officer", a2),
        ("respondent", r2),
    ]


# --- waiting and reading ----------------------------------------------------------------


def metric_sum(metrics: str, name: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith(name + "{")
    )


def wait_until_processed_and_published(service: Service, inputs: int) -> None:
    """Every input has its outcome and the outbox is empty."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        metrics = service.http.get("/metrics").text
        if metric_sum(metrics, "snt_ingest_events_total") >= inputs and not backlog(service):
            return
        time.sleep(0.1)
    pytest.fail(f"ingest did not process {inputs} inputs and drain its outbox in 30 s")


def backlog(service: Service) -> int:
    events = MetaData()
    events.reflect(service.engine, only=["ingest_event"])
    table = events.tables["ingest_event"]
    query = select(func.count()).select_from(table).where(table.c.published_at.is_(None))
    with service.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def stored_per_topic(service: Service) -> dict[str, int]:
    tables = MetaData()
    tables.reflect(service.engine, only=["ingest_event"])
    table = tables.tables["ingest_event"]
    query = select(table.c.topic, func.count()).group_by(table.c.topic)
    with service.engine.connect() as conn:
        return {name: int(count) for name, count in conn.execute(query)}


def read_topics(bootstrap: str, want: dict[str, int]) -> dict[str, list[Any]]:
    """Every message on the output topics, from the beginning, once ``want`` are there."""
    parts = [TopicPartition(t, p) for t in OUTPUT_TOPICS for p in range(topic(t).partitions)]
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=20
    )
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    found: dict[str, list[Any]] = {t: [] for t in OUTPUT_TOPICS}
    deadline = time.monotonic() + 30
    try:
        while any(len(found[t]) < want.get(t, 0) for t in found) and time.monotonic() < deadline:
            for tp, records in consumer.poll(timeout_ms=100).items():
                found[tp.topic] += records
    finally:
        consumer.close()
    assert {t: len(m) for t, m in found.items()} == {t: want.get(t, 0) for t in OUTPUT_TOPICS}
    return found


def message_texts(record: Any) -> Iterator[str]:
    """The record's key, value and headers as text, and any base64 original decoded."""
    yield (record.key or b"").decode("utf-8", "replace")
    yield record.value.decode("utf-8", "replace")
    for name, value in record.headers or []:
        yield f"{name}={value.decode('utf-8', 'replace')}"
    kept = json.loads(record.value)["payload"].get("original_base64")
    if kept:
        yield base64.b64decode(kept).decode("utf-8", "replace")


def table_texts(engine: Engine) -> Iterator[str]:
    tables = MetaData()
    tables.reflect(engine)
    assert {"ingest_event", "ingest_record", "ingest_parked", "ingest_received"} <= set(
        tables.tables
    )
    with engine.connect() as conn:
        for name, table in tables.tables.items():
            for row in conn.execute(select(table)):
                yield f"{name}: {tuple(row)!r}"


def file_texts(db_file: Path) -> Iterator[str]:
    for path in db_file.parent.glob(db_file.name + "*"):
        yield path.read_bytes().decode("utf-8", "replace")


def leaks(where: str, texts: Iterator[str] | list[str]) -> list[str]:
    """``where: …context…`` for each (even partial) raw id found in ``texts``, any case."""
    found = []
    for text in texts:
        at = text.lower().find(MARK.lower())
        while at >= 0:
            found.append(f"{where}: {text[max(0, at - 80) : at + 80]!r}")
            at = text.lower().find(MARK.lower(), at + 1)
    return found


# --- the scan ---------------------------------------------------------------------------


@dataclass
class Scan:
    sent: Sent
    messages: dict[str, list[Any]]
    tables: list[str]


@pytest.fixture(scope="module")
def scan(service: Service) -> Scan:
    sent = Sent()
    send_http(service, sent)
    send_kafka(service, sent)
    wait_until_processed_and_published(service, sent.inputs)
    messages = read_topics(service.bootstrap, stored_per_topic(service))
    return Scan(sent, messages, list(table_texts(service.engine)))


def test_no_raw_identifier_on_any_output_topic(scan: Scan) -> None:
    found = [
        leak
        for name, records in scan.messages.items()
        for record in records
        for leak in leaks(name, message_texts(record))
    ]
    assert found == []


def test_no_raw_identifier_in_the_ingest_database(scan: Scan, service: Service) -> None:
    found = leaks("table", scan.tables) + leaks("file", file_texts(service.db_file))
    assert found == []


def test_no_raw_identifier_in_the_metrics(scan: Scan, service: Service) -> None:
    assert leaks("metrics", [service.http.get("/metrics").text]) == []


def test_no_raw_identifier_in_any_log_record(
    scan: Scan, service: Service, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _all_at_debug()
    more = Sent()
    send_http(service, more)  # again, inside caplog
    send_kafka(service, more)
    wait_until_processed_and_published(service, scan.sent.inputs + more.inputs)
    records = [r for r in caplog.records if not _test_client_logger(r.name)]
    assert records, "nothing was logged: the scan would be vacuous"
    found = leaks("caplog", caplog.text.splitlines())
    found += leaks("record", [repr(vars(r)) for r in records])
    found += leaks("root handler", recorder.lines)
    assert any('"offset"' in line for line in recorder.lines), "no raw-topic rejection logged"
    assert found == []


def payloads(scan: Scan, name: str) -> list[dict[str, Any]]:
    return [json.loads(record.value)["payload"] for record in scan.messages[name]]


def test_each_raw_identifier_is_published_as_its_pseudonym(scan: Scan, service: Service) -> None:
    published = {
        "victim_pseudonym": [p["victim_pseudonym"] for p in payloads(scan, "snt.crime.v1")],
        "caller_pseudonym": [p["caller_pseudonym"] for p in payloads(scan, "snt.cad.v1")],
        "officer_pseudonym": [p["officer_pseudonym"] for p in payloads(scan, "snt.duty.v1")],
        "authoriser": [p["authoriser"]["officer_pseudonym"] for p in payloads(scan, "snt.duty.v1")],
        "respondent_pseudonym": [
            p["respondent_pseudonym"] for p in payloads(scan, "snt.survey.v1")
        ],
    }
    for where, kind, raw in scan.sent.counted:
        assert service.pseudonym(kind, raw) in published[where], (where, raw)
    victims = {
        service.pseudonym("victim", raw) for _, kind, raw in scan.sent.counted if kind == "victim"
    }
    assert all(
        any(v in row for row in scan.tables if row.startswith("ingest_record")) for v in victims
    )


def test_each_rejected_raw_identifier_is_dead_lettered_as_its_pseudonym(
    scan: Scan, service: Service
) -> None:
    originals = "\n".join(p["original_text"] for p in payloads(scan, "snt.deadletter.v1"))
    for kind, raw in scan.sent.redacted:
        assert f"pseudonym:{service.pseudonym(kind, raw)}" in originals, (kind, raw)


def test_each_unreadable_input_is_dead_lettered_withheld(scan: Scan) -> None:
    """Bytes that are not a JSON object are not kept at all: no pattern can promise to find
    every identifier in them. Their dead letter identifies them by size and SHA-256."""
    letters = {p["original_sha256"]: p for p in payloads(scan, "snt.deadletter.v1")}
    assert scan.sent.withheld
    for raw in scan.sent.withheld:
        letter = letters[hashlib.sha256(raw).hexdigest()]
        assert (letter["original_withheld"], letter["original_text"]) == (True, "")
        assert letter["original_size"] == len(raw)


def test_no_raw_identifier_logged_from_the_start_of_a_raw_message(
    scan: Scan, service: Service, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _all_at_debug()
    victim = raw_id("victim", "kafka")
    before = metric_sum(service.http.get("/metrics").text, "snt_ingest_events_total")
    producer = KafkaProducer(bootstrap_servers=service.bootstrap)
    producer.send("snt.raw.cris.v1", json.dumps({"victim_id": victim}).encode())
    producer.flush()
    producer.close()
    wait_until_processed_and_published(service, int(before) + 1)
    records = [r for r in caplog.records if not _test_client_logger(r.name)]
    assert leaks("record", [f"{r.name}: {r.getMessage()}" for r in records]) == []
