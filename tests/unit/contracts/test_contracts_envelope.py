"""The envelope: identity, versions, aware timestamps, source names, immutability."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from shared.contracts import CrimeRecorded, CrimeRecordedV1, Envelope, flatten_errors
from shared.contracts.examples import example_event

TIMEZONE_PROBLEM = "must include a timezone offset, e.g. 2024-05-01T09:30:00+01:00 or …Z"


def problems(model: type[BaseModel], data: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return [(p.field, p.problem) for p in flatten_errors(info.value)]


def test_a_valid_event_keeps_its_fields() -> None:
    event = CrimeRecorded.model_validate(example_event("crime.recorded"))
    assert (event.event_type, event.schema_version, event.version) == ("crime.recorded", 1, 1)
    assert event.occurred_at.utcoffset() is not None
    assert isinstance(event.payload, CrimeRecordedV1)


@pytest.mark.parametrize("field", ["occurred_at", "recorded_at"])
def test_naive_envelope_times_are_rejected(field: str) -> None:
    data = example_event("crime.recorded", **{field: "2024-05-01T09:30:00"})
    assert problems(CrimeRecorded, data) == [(field, TIMEZONE_PROBLEM)]


def test_naive_payload_time_is_rejected_with_its_path() -> None:
    data = example_event("crime.recorded")
    data["payload"]["recorded_at"] = "2024-05-01 09:30"
    assert problems(CrimeRecorded, data) == [("payload.recorded_at", TIMEZONE_PROBLEM)]


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("event_id", "has space", "must be 1-128 characters from A-Z a-z 0-9 . _ : / -"),
        ("event_id", "x" * 129, "must be 1-128 characters from A-Z a-z 0-9 . _ : / -"),
        ("version", 0, "should be greater than or equal to 1"),
        ("source", "CRIS", "must be a lower-case system name like cris or import:police-uk-csv"),
        ("event_type", "crime.amended", "should be 'crime.recorded'"),
        ("schema_version", 2, "should be 1"),
        ("correlation_id", "", "must be 1-128 characters from A-Z a-z 0-9 . _ : / -"),
    ],
)
def test_envelope_field_rules(field: str, value: object, problem: str) -> None:
    data = example_event("crime.recorded", **{field: value})
    assert problems(CrimeRecorded, data) == [(field, problem)]


@pytest.mark.parametrize("source", ["cris", "carm3", "uss", "ingest", "import:police-uk-csv"])
def test_source_names(source: str) -> None:
    assert CrimeRecorded.model_validate(example_event("crime.recorded", source=source))


def test_the_generic_envelope_checks_the_schema_version_range() -> None:
    data = example_event("crime.recorded", schema_version=0)
    assert problems(Envelope[CrimeRecordedV1], data) == [
        ("schema_version", "should be greater than or equal to 1")
    ]


def test_unknown_fields_are_rejected() -> None:
    data = example_event("crime.recorded", colour="red")
    data["payload"]["notes"] = "x"
    assert problems(CrimeRecorded, data) == [
        ("payload.notes", "is not a known field"),
        ("colour", "is not a known field"),
    ]


def test_events_are_immutable() -> None:
    event = CrimeRecorded.model_validate(example_event("crime.recorded"))
    with pytest.raises(ValidationError, match="frozen"):
        event.version = 2  # type: ignore[misc]
