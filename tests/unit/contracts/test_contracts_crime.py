"""Crime inputs: location, offence, crime recorded and the amendment field rules."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from shared.contracts import (
    CrimeAmendedV1,
    CrimeCountedV1,
    CrimeRecordedV1,
    Location,
    Offence,
    flatten_errors,
)
from shared.contracts.examples import example_payload


def problems(model: type[BaseModel], data: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return [(p.field, p.problem) for p in flatten_errors(info.value)]


@pytest.mark.parametrize(
    "location",
    [
        {"ward_code": "E05013806"},
        {"lsoa_code": "E01000001"},
        {"latitude": 51.5, "longitude": -0.1},
        {"borough_code": "E09000033"},
        {"ward_code": "E05013806", "lsoa_code": "E01000001", "borough_code": "E09000033"},
    ],
)
def test_valid_locations(location: dict[str, Any]) -> None:
    assert Location.model_validate(location)


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (
            {},
            [
                (
                    "ward_code",
                    "is required unless lsoa_code, latitude/longitude or borough_code is given",
                )
            ],
        ),
        ({"latitude": 51.5}, [("longitude", "is required when latitude is given")]),
        (
            {"longitude": -0.1, "ward_code": "E05013806"},
            [("latitude", "is required when longitude is given")],
        ),
        ({"latitude": 91, "longitude": 0}, [("latitude", "should be less than or equal to 90")]),
        (
            {"latitude": 51, "longitude": -181},
            [("longitude", "should be greater than or equal to -180")],
        ),
        ({"ward_code": "E0501380"}, [("ward_code", "must be a ward code like E05000138")]),
        ({"ward_code": "Stratford"}, [("ward_code", "must be a ward code like E05000138")]),
        ({"lsoa_code": "E05013806"}, [("lsoa_code", "must be an LSOA code like E01000001")]),
        ({"borough_code": "E0900033"}, [("borough_code", "must be a borough code like E09000033")]),
        (
            {"latitude": "north", "longitude": 0},
            [("latitude", "should be a valid number")],
        ),
    ],
)
def test_invalid_locations(location: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert problems(Location, location) == expected


def test_offence_rules() -> None:
    assert Offence(taxonomy="home_office", major="Violence", home_office_code="8/1")
    assert problems(Offence, {"taxonomy": "home_office", "major": "Violence"}) == [
        ("home_office_code", "is required when taxonomy is 'home_office'")
    ]
    assert problems(Offence, {"taxonomy": "cris", "major": "x"}) == [
        ("taxonomy", "should be 'mps_upper', 'mps_mixed', 'police_uk' or 'home_office'")
    ]
    assert problems(Offence, {"taxonomy": "police_uk", "major": ""}) == [
        ("major", "should have at least 1 character")
    ]


def test_crime_recorded_valid() -> None:
    crime = CrimeRecordedV1.model_validate(example_payload("crime.recorded"))
    assert crime.location.ward_code == "E05013806"
    assert CrimeRecordedV1.model_validate({**example_payload("crime.recorded"), "victim_id": None})


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"crime_id": None}, [("crime_id", "should be a valid string")]),
        (
            {"location": {"ward_code": "E0501"}},
            [("location.ward_code", "must be a ward code like E05000138")],
        ),
        (
            {"location": {}},
            [
                (
                    "location.ward_code",
                    "is required unless lsoa_code, latitude/longitude or borough_code is given",
                )
            ],
        ),
        ({"offence": {"taxonomy": "mps_upper"}}, [("offence.major", "is required")]),
        (
            {"victim_ethnicity": "bme"},
            [
                (
                    "victim_ethnicity",
                    "should be 'white', 'mixed', 'asian', 'black', 'other' or 'not_stated'",
                )
            ],
        ),
        ({"victim_id": ""}, [("victim_id", "should have at least 1 character")]),
        (
            {"recorded_at": "yesterday"},
            [("recorded_at", "must be a valid ISO 8601 date-time: input is too short")],
        ),
    ],
)
def test_crime_recorded_invalid(change: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert problems(CrimeRecordedV1, {**example_payload("crime.recorded"), **change}) == expected


OFFENCE = {"taxonomy": "mps_upper", "major": "Robbery"}
AMENDMENT = {"crime_id": "C1", "effective_at": "2024-05-03T12:00:00Z"}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"kind": "reclassified", "offence": OFFENCE}, []),
        ({"kind": "relocated", "location": {"ward_code": "E05013807"}}, []),
        ({"kind": "cancelled", "cancellation_reason": "transferred"}, []),
        ({"kind": "reclassified"}, [("offence", "is required when kind is 'reclassified'")]),
        ({"kind": "relocated"}, [("location", "is required when kind is 'relocated'")]),
        ({"kind": "cancelled"}, [("cancellation_reason", "is required when kind is 'cancelled'")]),
        (
            {"kind": "relocated", "location": {"ward_code": "E05013807"}, "offence": OFFENCE},
            [("offence", "must be absent unless kind is 'reclassified'")],
        ),
        (
            {"kind": "reclassified", "offence": OFFENCE, "cancellation_reason": "no_crime"},
            [("cancellation_reason", "must be absent unless kind is 'cancelled'")],
        ),
        (
            {"kind": "cancelled", "location": {"ward_code": "E05013807"}},
            [
                ("location", "must be absent unless kind is 'relocated'"),
                ("cancellation_reason", "is required when kind is 'cancelled'"),
            ],
        ),
        ({"kind": "merged"}, [("kind", "should be 'reclassified', 'relocated' or 'cancelled'")]),
        (
            {"kind": "cancelled", "cancellation_reason": "withdrawn"},
            [("cancellation_reason", "should be 'no_crime' or 'transferred'")],
        ),
    ],
)
def test_amendment_fields_follow_the_kind(
    fields: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    data = {**AMENDMENT, **fields}
    if expected:
        assert problems(CrimeAmendedV1, data) == expected
    else:
        assert CrimeAmendedV1.model_validate(data).kind == fields["kind"]


def test_crime_counted_record_moves_one_count_at_a_time() -> None:
    counted = CrimeCountedV1.model_validate(example_payload("crime.counted"))
    assert (counted.delta, counted.area_key) == (1, counted.ward_code)
    data = {**example_payload("crime.counted"), "delta": 2}
    assert problems(CrimeCountedV1, data) == [("delta", "must be 1 or -1 when basis is 'record'")]
    data = {**example_payload("crime.counted"), "victim_pseudonym": "V-778812"}
    assert problems(CrimeCountedV1, data) == [
        ("victim_pseudonym", "must be a pseudonym (16-128 lower-case hex digits)")
    ]


PUBLISHED_CELL = {
    "record_id": "mps-ward:E05013806:202404:3f9a0c1b2d4e5f60",
    "basis": "published_count",
    "change": "published",
    "date_precision": "month",
    "resolution": "published",
    "victim_pseudonym": None,
}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"delta": 37}, []),
        ({"delta": -3, "change": "revised"}, []),
        ({"delta": 0}, [("delta", "must not be 0")]),
        ({"delta": 5, "level": "borough_total", "ward_code": None}, []),
        (
            {"delta": 5, "level": "borough_unlocated"},
            [("ward_code", "must be absent unless level is 'ward'")],
        ),
        ({"delta": 5, "ward_code": None}, [("ward_code", "is required when level is 'ward'")]),
        ({"delta": 5, "kpi": 4}, [("kpi", "must be 1 for kpi_group 'violence'")]),
        ({"delta": 5, "kpi_group": "other"}, [("kpi", "must be None for kpi_group 'other'")]),
        (
            {
                "delta": 9,
                "level": "borough_total",
                "ward_code": None,
                "borough_code": None,
                "reporting_unit": "SO18",
            },
            [],
        ),
        (
            {"delta": 9, "level": "borough_total", "ward_code": None, "borough_code": None},
            [("borough_code", "is required unless this is a special unit's published total")],
        ),
    ],
)
def test_crime_counted_published_cells(
    fields: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    data = {**example_payload("crime.counted"), **PUBLISHED_CELL, **fields}
    if expected:
        assert problems(CrimeCountedV1, data) == expected
    else:
        counted = CrimeCountedV1.model_validate(data)
        assert counted.area_key == (
            counted.ward_code or counted.borough_code or counted.reporting_unit
        )


def test_borough_total_is_only_for_published_counts() -> None:
    data = {
        **example_payload("crime.counted"),
        "level": "borough_total",
        "ward_code": None,
    }
    assert problems(CrimeCountedV1, data) == [
        ("level", "borough_total is only for published counts")
    ]
