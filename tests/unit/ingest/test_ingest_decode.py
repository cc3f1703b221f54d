"""Live-input decoding, table-driven: each reject reason with the exact field and problem text.

`decode.decode` raises DecodeError; `decode.submission` turns the same input into a rejected
submission (reason, problems, readable event type, the original text) that the pipeline
dead-letters. A valid event of every input type decodes to its intake.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from hashlib import sha256
from typing import Any

import pytest

from services.ingest.decode import INPUT_TYPES, DecodeError, decode, submission
from services.ingest.domain.deadletter import WITHHELD_VALUE, Withheld
from services.ingest.domain.intake import (
    AmendmentIntake,
    CrimeIntake,
    DutyIntake,
    IncidentIntake,
    ResponseIntake,
    RowRejection,
    SurveyIntake,
)
from shared.contracts.errors import ROOT
from shared.contracts.examples import example_event

MAX = 4096
TZ = "must include a timezone offset, e.g. 2024-05-01T09:30:00+01:00 or …Z"
ALL_INPUTS = " or ".join(INPUT_TYPES)


def event_json(event_type: str, edit: Callable[[dict[str, Any]], object] = lambda e: None) -> str:
    event = example_event(event_type)
    edit(event)
    return json.dumps(event)


def payload_set(**fields: Any) -> Callable[[dict[str, Any]], None]:
    return lambda e: e["payload"].update(fields)


def payload_drop(*names: str) -> Callable[[dict[str, Any]], None]:
    return lambda e: [e["payload"].pop(n) for n in names]


def amended(kind: str, *drop: str) -> str:
    def edit(event: dict[str, Any]) -> None:
        event["payload"]["kind"] = kind
        for name in drop:
            event["payload"].pop(name)

    return event_json("crime.amended", edit)


Problem = tuple[str, str]


def case(name: str, raw: bytes | str, reason: str, *problems: Problem, route: str = "") -> Any:
    """One row: ``raw`` posted where ``route`` (an event type) is expected, or anywhere."""
    return pytest.param(raw, route or None, reason, list(problems), id=name)


def bad_json(message: str) -> Problem:
    return (ROOT, f"is not valid JSON: {message}")


def bad_utf8(at: int) -> Problem:
    return (ROOT, f"is not valid UTF-8 (byte {at})")


CRIME = event_json("crime.recorded")
EXTRA_FIELD = event_json("crime.recorded", payload_set(colour="red"))
OUTPUT_EVENT = event_json("kpi.updated")
MASKED = {EXTRA_FIELD, OUTPUT_EVENT}
"""JSON objects with fields no input contract has: kept with those fields' values withheld."""
INVALID_JSON = [
    case("broken", b"{broken", "invalid_json",
         bad_json("Expecting property name enclosed in double quotes at line 1 column 2")),
    case("empty-body", b"", "invalid_json", bad_json("Expecting value at line 1 column 1")),
    case("trailing-data", b'{"a": 1} x', "invalid_json",
         bad_json("Extra data at line 1 column 10")),
    case("nan", b'{"a": NaN}', "invalid_json", bad_json("NaN is not allowed in JSON")),
    case("infinity", b'{"a": Infinity}', "invalid_json",
         bad_json("Infinity is not allowed in JSON")),
    case("utf8-bom", b"\xef\xbb\xbf" + CRIME.encode(), "invalid_json",
         bad_json("Unexpected UTF-8 BOM (decode using utf-8-sig) at line 1 column 1")),
    case("utf16-be-no-bom", CRIME.encode("utf-16-be"), "invalid_json",
         bad_json("Expecting value at line 1 column 1")),
]  # fmt: skip
BAD_ENCODING = [
    case("latin-1", '{"event_id": "caf\u00e9"}'.encode("latin-1"), "bad_encoding", bad_utf8(17)),
    case("utf16-with-bom", CRIME.encode("utf-16"), "bad_encoding", bad_utf8(0)),
    case("utf32-with-bom", CRIME.encode("utf-32"), "bad_encoding", bad_utf8(0)),
    case("lone-surrogate-text", '{"event_id": "\ud800"}', "bad_encoding", bad_utf8(14)),
]  # fmt: skip
OVERSIZED = [
    case("oversized-bytes", b"x" * (MAX + 1), "oversized",
         (ROOT, f"is {MAX + 1} bytes, more than the limit of {MAX}")),
    case("oversized-counts-utf8-bytes", "\u00e9" * 2100, "oversized",
         (ROOT, f"is 4200 bytes, more than the limit of {MAX}")),
]  # fmt: skip
UNKNOWN_EVENT_TYPE = [
    case("cad-on-the-crime-route", event_json("cad.incident"), "unknown_event_type",
         ("event_type", "must be crime.recorded here, not cad.incident"), route="crime.recorded"),
    case("duty-on-the-survey-route", event_json("duty.changed"), "unknown_event_type",
         ("event_type", "must be survey.response here, not duty.changed"),
         route="survey.response"),
    case("output-event-as-input", OUTPUT_EVENT, "unknown_event_type",
         ("event_type", f"must be {ALL_INPUTS} here, not kpi.updated")),
    case("unregistered-type", json.dumps(example_event("crime.recorded", event_type="no.such")),
         "unknown_event_type", ("event_type", "'no.such' is not a known event type")),
]  # fmt: skip
SCHEMA_VIOLATION = [
    case("json-array", b"[]", "schema_violation", (ROOT, "must be a JSON object")),
    case("json-scalar", b"42", "schema_violation", (ROOT, "must be a JSON object")),
    case("no-event-type", b"{}", "schema_violation", ("event_type", "is required")),
    case("event-type-not-a-string", b'{"event_type": 1}', "schema_violation",
         ("event_type", "must be a string")),
    case("unsupported-schema-version",
         json.dumps(example_event("crime.recorded", schema_version=2)), "schema_violation",
         ("schema_version", "version 2 of 'crime.recorded' is not supported (supported: 1)")),
    case("missing-crime-id", event_json("crime.recorded", payload_drop("crime_id")),
         "schema_violation", ("payload.crime_id", "is required")),
    case("crime-id-wrong-type", event_json("crime.recorded", payload_set(crime_id=42)),
         "schema_violation", ("payload.crime_id", "should be a valid string")),
    case("extra-payload-field", EXTRA_FIELD,
         "schema_violation", ("payload.colour", "is not a known field")),
    case("naive-recorded-at",
         event_json("crime.recorded", payload_set(recorded_at="2024-05-01T09:30:00")),
         "schema_violation", ("payload.recorded_at", TZ)),
    case("naive-envelope-time",
         json.dumps(example_event("crime.recorded", occurred_at="2024-05-01T09:30:00")),
         "schema_violation", ("occurred_at", TZ)),
    case("naive-duty-start", event_json("duty.changed", payload_set(start="2024-05-01T07:00:00")),
         "schema_violation", ("payload.start", TZ)),
    case("epoch-seconds", event_json("crime.recorded", payload_set(recorded_at=1714552200)),
         "schema_violation", ("payload.recorded_at", "must be an ISO 8601 date-time string")),
    case("date-time-for-a-day",
         event_json("survey.response", payload_set(interviewed_on="2024-04-20T10:00:00+01:00")),
         "schema_violation",
         ("payload.interviewed_on", "must be a date in the format YYYY-MM-DD")),
    case("empty-location", event_json("crime.recorded", payload_set(location={})),
         "schema_violation", ("payload.location.ward_code", "is required unless lsoa_code, "
                              "latitude/longitude or borough_code is given")),
    case("reclassified-without-offence", amended("reclassified"), "schema_violation",
         ("payload.offence", "is required when kind is 'reclassified'"),
         ("payload.cancellation_reason", "must be absent unless kind is 'cancelled'")),
    case("relocated-without-location", amended("relocated", "cancellation_reason"),
         "schema_violation", ("payload.location", "is required when kind is 'relocated'")),
    case("cancelled-without-reason", amended("cancelled", "cancellation_reason"),
         "schema_violation",
         ("payload.cancellation_reason", "is required when kind is 'cancelled'")),
    case("duty-ends-at-start",
         event_json("duty.changed", payload_set(end="2024-05-01T07:00:00+01:00")),
         "schema_violation", ("payload.end", "must be after start")),
    case("event-id-pattern", json.dumps(example_event("crime.recorded", event_id="has space")),
         "schema_violation",
         ("event_id", "must be 1-128 characters from A-Z a-z 0-9 . _ : / -")),
]  # fmt: skip
CASES = INVALID_JSON + BAD_ENCODING + OVERSIZED + UNKNOWN_EVENT_TYPE + SCHEMA_VIOLATION


@pytest.mark.parametrize(("raw", "expected", "reason", "problems"), CASES)
def test_decode_names_the_reason_field_and_problem(
    raw: bytes | str, expected: str | None, reason: str, problems: list[tuple[str, str]]
) -> None:
    with pytest.raises(DecodeError) as caught:
        decode(raw, max_bytes=MAX, expected=expected)
    assert caught.value.reason.value == reason
    assert [(p.field, p.problem) for p in caught.value.problems] == problems


@pytest.mark.parametrize(("raw", "expected", "reason", "problems"), CASES)
def test_submission_turns_the_same_input_into_a_rejection(
    raw: bytes | str, expected: str | None, reason: str, problems: list[tuple[str, str]]
) -> None:
    position = {"topic": "snt.raw.cris.v1", "partition": 2, "offset": 7}
    sub = submission(raw, max_bytes=MAX, expected=expected, position=position)
    assert isinstance(sub.item, RowRejection)
    assert sub.item.reason.value == reason
    assert [(p.field, p.problem) for p in sub.item.problems] == problems
    assert sub.source_position == position
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if reason in {"invalid_json", "bad_encoding", "oversized"} or raw in (b"[]", b"42"):
        assert isinstance(sub.original, Withheld), "not a JSON object: withheld, not kept"
        assert (sub.original.size, sub.original.sha256) == (len(data), sha256(data).hexdigest())
    elif raw in MASKED:
        assert isinstance(sub.original, str)
        assert WITHHELD_VALUE in sub.original
        assert WITHHELD_VALUE not in raw
    else:
        assert sub.original == raw, "a JSON object of known fields is kept as received"


def test_the_decode_error_message_lists_every_problem() -> None:
    with pytest.raises(DecodeError) as caught:
        decode(amended("reclassified"), max_bytes=MAX)
    assert str(caught.value) == (
        "payload.offence is required when kind is 'reclassified'; "
        "payload.cancellation_reason must be absent unless kind is 'cancelled'"
    )


@pytest.mark.parametrize(
    ("raw", "event_type", "event_id"),
    [
        pytest.param(
            event_json("cad.incident"),
            "cad.incident",
            "cad.incident:example-1",
            id="readable-type-and-id",
        ),
        pytest.param(b"{broken", "unknown", "", id="unreadable"),
        pytest.param(
            json.dumps({"event_type": "x" * 64, "event_id": "e" * 129}),
            "unknown",
            "",
            id="over-long-hints-dropped",
        ),
    ],
)
def test_a_rejection_keeps_what_could_be_read_of_type_and_id(
    raw: bytes | str, event_type: str, event_id: str
) -> None:
    sub = submission(raw, max_bytes=MAX, expected="crime.recorded")
    assert isinstance(sub.item, RowRejection)
    assert (sub.event_type, sub.item.origin.event_id) == (event_type, event_id)


def test_an_input_at_exactly_the_limit_is_not_oversized() -> None:
    raw = event_json("survey.aggregate").encode()
    padded = raw + b" " * (MAX - len(raw))
    assert len(padded) == MAX
    assert decode(padded, max_bytes=MAX).event_type == "survey.aggregate"


@pytest.mark.parametrize(
    ("event_type", "intake"),
    [
        ("crime.recorded", CrimeIntake),
        ("crime.amended", AmendmentIntake),
        ("cad.incident", IncidentIntake),
        ("duty.changed", DutyIntake),
        ("survey.response", ResponseIntake),
        ("survey.aggregate", SurveyIntake),
    ],
)
def test_a_valid_event_of_each_input_type_becomes_its_intake(
    event_type: str, intake: type[object]
) -> None:
    raw = event_json(event_type).encode()
    sub = submission(raw, max_bytes=MAX, expected=event_type)
    assert isinstance(sub.item, intake)
    assert (sub.event_type, sub.original) == (event_type, raw)
    assert sub.item.origin.event_id == f"{event_type}:example-1"  # type: ignore[attr-defined]


def _nested(depth: int) -> str:
    return '{"event_type": "crime.recorded", "payload": ' + "[" * depth + "]" * depth + "}"


# Inputs that once made decoding raise instead of answering with a rejection (on HTTP a
# 500; on a raw topic a batch NACKed and redelivered for ever).


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        pytest.param("[" * 3000 + "]" * 3000, "invalid_json", id="deep-array"),
        pytest.param('{"a":' * 3000 + "1" + "}" * 3000, "invalid_json", id="deep-object"),
        pytest.param(_nested(3000), "invalid_json", id="deep-payload"),
        pytest.param(
            json.dumps({"event_type": "x" * 600}),
            "unknown_event_type",
            id="long-unknown-event-type",
        ),
        pytest.param(
            event_json("crime.recorded", payload_set(**{"z" * 400: 1})),
            "schema_violation",
            id="long-unknown-field-name",
        ),
        pytest.param(
            json.dumps(example_event("crime.recorded", schema_version=10**600)),
            "schema_violation",
            id="huge-schema-version",
        ),
        pytest.param(
            b'{"event_type": "a.\\ud800"}',
            "unknown_event_type",
            id="surrogate-in-unknown-event-type",
        ),
        pytest.param(_nested(500), "schema_violation", id="nested-within-the-limit"),
    ],
)
def test_decoding_never_raises(raw: bytes | str, reason: str) -> None:
    sub = submission(raw, max_bytes=65_536)
    assert isinstance(sub.item, RowRejection)
    assert sub.item.reason.value == reason
