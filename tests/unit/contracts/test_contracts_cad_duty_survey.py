"""CAD, CARM3 duty and survey inputs: valid examples and each rejection."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from shared.contracts import (
    ActivityKind,
    CadIncidentV1,
    DutyChangeV1,
    DutyRecordedV1,
    Rank,
    SurveyAggregateV1,
    SurveyRecordedV1,
    SurveyResponseV1,
    flatten_errors,
)
from shared.contracts.examples import example_payload


def should_be(options: type[StrEnum]) -> str:
    values = [f"'{member.value}'" for member in options]
    return f"should be {', '.join(values[:-1])} or {values[-1]}"


def problems(model: type[BaseModel], data: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return [(p.field, p.problem) for p in flatten_errors(info.value)]


def changed(event_type: str, **fields: Any) -> dict[str, Any]:
    return {**example_payload(event_type), **fields}


def test_cad_incident_valid() -> None:
    incident = CadIncidentV1.model_validate(example_payload("cad.incident"))
    assert incident.vulnerable_caller
    minimal = {k: v for k, v in example_payload("cad.incident").items() if k != "caller_id"}
    assert CadIncidentV1.model_validate(minimal).caller_id is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"asb_category": "rowdy"},
            [("asb_category", "should be 'personal', 'nuisance' or 'environmental'")],
        ),
        ({"opening_code": ""}, [("opening_code", "should have at least 1 character")]),
        (
            {"incident_at": "2024-05-01T09:30:00"},
            [
                (
                    "incident_at",
                    "must include a timezone offset, e.g. 2024-05-01T09:30:00+01:00 or …Z",
                )
            ],
        ),
        (
            {"vulnerable_caller": "perhaps"},
            [("vulnerable_caller", "should be a valid boolean")],
        ),
        (
            {"linked_crime_id": "a b"},
            [("linked_crime_id", "must be 1-128 characters from A-Z a-z 0-9 . _ : / -")],
        ),
        (
            {"location": {"latitude": 51.5}},
            [("location.longitude", "is required when latitude is given")],
        ),
    ],
)
def test_cad_incident_invalid(fields: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert problems(CadIncidentV1, changed("cad.incident", **fields)) == expected


def test_duty_change_valid() -> None:
    duty = DutyChangeV1.model_validate(example_payload("duty.changed"))
    assert duty.authoriser is not None
    assert duty.authoriser.rank.at_least(Rank.SUPERINTENDENT)
    assert DutyRecordedV1.model_validate(example_payload("duty.recorded"))
    off_ward = changed("duty.changed", actual_ward_code=None, activity_kind="court")
    assert DutyChangeV1.model_validate(off_ward).actual_ward_code is None


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"end": "2024-05-01T07:00:00+01:00"}, [("end", "must be after start")]),
        ({"end": "2024-05-02T07:00:01+01:00"}, [("end", "must be at most 24 hours after start")]),
        ({"role": "DS"}, [("role", "should be 'PS', 'PC', 'PCSO' or 'INSP'")]),
        ({"authoriser": None}, [("authorised_at", "must be absent unless authoriser is given")]),
        (
            {"authoriser": {"rank": "chief", "officer_id": "X1"}},
            [
                (
                    "authoriser.rank",
                    should_be(Rank),
                )
            ],
        ),
        ({"authoriser": {"rank": "inspector"}}, [("authoriser.officer_id", "is required")]),
        ({"officer_id": None}, [("officer_id", "should be a valid string")]),
        (
            {"activity_kind": "holiday"},
            [
                (
                    "activity_kind",
                    should_be(ActivityKind),
                )
            ],
        ),
        (
            {"duty_date": "2024-02-30"},
            [
                (
                    "duty_date",
                    "must be a valid date (YYYY-MM-DD): day value is outside expected range",
                )
            ],
        ),
        ({"duty_date": 19844}, [("duty_date", "must be a date in the format YYYY-MM-DD")]),
        ({"start": 1714546800}, [("start", "must be an ISO 8601 date-time string")]),
        ({"change": "deleted"}, [("change", "should be 'created', 'changed' or 'cancelled'")]),
        (
            {"planned_ward_code": "E09000033"},
            [("planned_ward_code", "must be a ward code like E05000138")],
        ),
    ],
)
def test_duty_change_invalid(fields: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert problems(DutyChangeV1, changed("duty.changed", **fields)) == expected


def test_ranks_are_ordered() -> None:
    assert Rank.SERGEANT.seniority < Rank.INSPECTOR.seniority < Rank.CHIEF_INSPECTOR.seniority
    assert Rank.SUPERINTENDENT.at_least(Rank.SUPERINTENDENT)
    assert Rank.COMMANDER.at_least(Rank.CHIEF_SUPERINTENDENT)
    assert not Rank.CHIEF_INSPECTOR.at_least(Rank.SUPERINTENDENT)


def test_survey_response_valid() -> None:
    assert SurveyResponseV1.model_validate(example_payload("survey.response")).weight == 1.2
    assert SurveyRecordedV1.model_validate(example_payload("survey.recorded"))
    anonymous = changed("survey.response", respondent_id=None, ethnicity_group=None)
    assert SurveyResponseV1.model_validate(anonymous)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"weight": 0}, [("weight", "should be greater than 0")]),
        ({"weight": float("nan")}, [("weight", "must be a finite number")]),
        ({"survey": "bcs"}, [("survey", "should be 'pas' or 'uss'")]),
        (
            {"measure": "Good Job"},
            [("measure", "must be a lower-case name like good_job (letters, digits, underscores)")],
        ),
        ({"borough_code": "MPS"}, [("borough_code", "must be a borough code like E09000033")]),
        (
            {"interviewed_on": "2024-04-20T10:00:00+01:00"},
            [("interviewed_on", "must be a date in the format YYYY-MM-DD")],
        ),
    ],
)
def test_survey_response_invalid(fields: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert problems(SurveyResponseV1, changed("survey.response", **fields)) == expected


def test_survey_aggregate() -> None:
    mps = changed("survey.aggregate", area_code="MPS", n=None, respondent_group="minority_ethnic")
    assert SurveyAggregateV1.model_validate(mps).n is None
    assert problems(SurveyAggregateV1, changed("survey.aggregate", area_code="E05013806")) == [
        ("area_code", "must be a borough code (E09…) or MPS")
    ]
    assert problems(SurveyAggregateV1, changed("survey.aggregate", proportion=62, n=0)) == [
        ("n", "should be greater than or equal to 1"),
        ("proportion", "should be less than or equal to 1"),
    ]
    assert problems(SurveyAggregateV1, changed("survey.aggregate", period="year")) == [
        ("period", "should be 'rolling_12m' or 'quarter'")
    ]
