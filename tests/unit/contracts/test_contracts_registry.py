"""parse_event: decoding, choosing the class, upgrading old versions, clear rejections."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.contracts import (
    ContractError,
    ContractRegistry,
    CrimeRecorded,
    CrimeRecordedV1,
    Envelope,
    FieldProblem,
    RejectReason,
    default_registry,
    parse_event,
)
from shared.contracts.examples import event_types, example_event


def rejection(data: Any, registry: ContractRegistry | None = None) -> ContractError:
    with pytest.raises(ContractError) as info:
        parse_event(data, registry=registry, max_bytes=4096)
    return info.value


def items(error: ContractError) -> list[tuple[str, str]]:
    return [(p.field, p.problem) for p in error.problems]


@pytest.mark.parametrize("event_type", event_types())
def test_every_example_round_trips_through_json(event_type: str) -> None:
    event = parse_event(json.dumps(example_event(event_type)))
    assert type(event) is default_registry().current(event_type)
    assert parse_event(event.model_dump_json().encode()) == event
    assert parse_event(event.model_dump(mode="json")) == event


def test_the_examples_cover_every_registered_event_type() -> None:
    assert sorted(event_types()) == list(default_registry().event_types())


@pytest.mark.parametrize(
    ("data", "reason", "problem"),
    [
        (
            b"{not json",
            RejectReason.INVALID_JSON,
            "is not valid JSON: Expecting property name enclosed in double quotes "
            "at line 1 column 2",
        ),
        (
            '{"value": NaN}',
            RejectReason.INVALID_JSON,
            "is not valid JSON: NaN is not allowed in JSON",
        ),
        (b'{"a": "\xff"}', RejectReason.BAD_ENCODING, "is not valid UTF-8 (byte 7)"),
        (b"[1, 2]", RejectReason.SCHEMA_VIOLATION, "must be a JSON object"),
        (b" " * 5000, RejectReason.OVERSIZED, "is 5000 bytes, more than the limit of 4096"),
    ],
)
def test_undecodable_input(data: Any, reason: RejectReason, problem: str) -> None:
    error = rejection(data)
    assert error.reason is reason
    assert items(error) == [("(message)", problem)]


@pytest.mark.parametrize(
    ("changes", "reason", "expected"),
    [
        (
            {"event_type": "crime.deleted"},
            RejectReason.UNKNOWN_EVENT_TYPE,
            ("event_type", "'crime.deleted' is not a known event type"),
        ),
        ({"event_type": None}, RejectReason.SCHEMA_VIOLATION, ("event_type", "is required")),
        ({"event_type": 7}, RejectReason.SCHEMA_VIOLATION, ("event_type", "must be a string")),
        (
            {"schema_version": 2},
            RejectReason.SCHEMA_VIOLATION,
            ("schema_version", "version 2 of 'crime.recorded' is not supported (supported: 1)"),
        ),
        (
            {"schema_version": "1"},
            RejectReason.SCHEMA_VIOLATION,
            ("schema_version", "must be a whole number"),
        ),
        (
            {"schema_version": True},
            RejectReason.SCHEMA_VIOLATION,
            ("schema_version", "must be a whole number"),
        ),
        (
            {"schema_version": None},
            RejectReason.SCHEMA_VIOLATION,
            ("schema_version", "is required"),
        ),
    ],
)
def test_header_problems(
    changes: dict[str, Any], reason: RejectReason, expected: tuple[str, str]
) -> None:
    data = {k: v for k, v in example_event("crime.recorded", **changes).items() if v is not None}
    error = rejection(data)
    assert (error.reason, items(error)) == (reason, [expected])


def test_payload_problems_carry_dotted_paths_and_the_event_identity() -> None:
    data = example_event("crime.recorded")
    data["payload"]["location"] = {"ward_code": "E05 013806"}
    data["payload"]["victim_ethnicity"] = "unknown"
    error = rejection(json.dumps(data))
    assert error.reason is RejectReason.SCHEMA_VIOLATION
    assert (error.event_type, error.schema_version) == ("crime.recorded", 1)
    assert items(error) == [
        ("payload.location.ward_code", "must be a ward code like E05000138"),
        (
            "payload.victim_ethnicity",
            "should be 'white', 'mixed', 'asian', 'black', 'other' or 'not_stated'",
        ),
    ]
    assert str(error).startswith("crime.recorded v1 rejected (schema_violation): payload.location")


def test_problem_texts_never_quote_the_input() -> None:
    data = example_event("crime.recorded")
    data["payload"]["victim_id"] = ["V-778812"]
    assert "V-778812" not in str(rejection(data))


def test_registration_mistakes_fail_loudly() -> None:
    registry = ContractRegistry([CrimeRecorded])
    with pytest.raises(ValueError, match=r"crime.recorded v1 is already registered"):
        registry.register(CrimeRecorded)
    with pytest.raises(TypeError, match="must fix event_type and schema_version"):
        registry.register(Envelope[CrimeRecordedV1])
    registry.add_upcaster("crime.recorded", 0, dict)
    with pytest.raises(ValueError, match="already exists"):
        registry.add_upcaster("crime.recorded", 0, dict)


def test_the_product_registry_is_consistent() -> None:
    assert default_registry().check() == []
    assert FieldProblem(field="x", problem="y").field == "x"
