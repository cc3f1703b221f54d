"""Output contracts: KPI updates, flex figures and exceptions, alerts and dead letters."""

from __future__ import annotations

import base64
from enum import StrEnum
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from shared.contracts import (
    ActivityKind,
    AlertV1,
    DeadLetterV1,
    FlexExceptionKind,
    FlexExceptionV1,
    FlexUpdateV1,
    KpiUpdateV1,
    PeriodKind,
    RejectReason,
    SpcRule,
    capture_original,
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


def test_kpi_update_valid() -> None:
    kpi = KpiUpdateV1.model_validate(example_payload("kpi.updated"))
    assert kpi.significance is not None
    assert kpi.provenance.last_offsets[0].partition == 7
    borough = changed("kpi.updated", level="borough", area_code="E09000033", borough_code=None)
    assert KpiUpdateV1.model_validate(borough)
    undefined = changed("kpi.updated", last_year=0, pct_change=None)
    assert KpiUpdateV1.model_validate(undefined).pct_change is None


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_pct_change_must_be_finite(value: float) -> None:
    assert problems(KpiUpdateV1, changed("kpi.updated", pct_change=value)) == [
        ("pct_change", "must be a finite number")
    ]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"last_year": 0, "pct_change": 12.5},
            [("pct_change", "must be absent when last_year is 0 (the change is undefined)")],
        ),
        ({"kpi": 2}, [("kpi", "should be 1, 4, 5, 6, 7 or 9")]),
        (
            {"period": "year"},
            [
                (
                    "period",
                    should_be(PeriodKind),
                )
            ],
        ),
        (
            {"level": "borough"},
            [
                ("area_code", "must be a borough code (E09…) when level is 'borough'"),
                ("borough_code", "must equal area_code when level is 'borough'"),
            ],
        ),
        ({"borough_code": None}, [("borough_code", "is required when level is 'ward'")]),
        (
            {"level": "mps"},
            [
                ("area_code", "must be MPS when level is 'mps'"),
                ("borough_code", "must be absent when level is 'mps'"),
            ],
        ),
        ({"period_end": "2024-03-31"}, [("period_end", "must not be before period_start")]),
        (
            {"unit": "proportion", "value": 1.2},
            [("value", "must be between 0 and 1 when unit is 'proportion'")],
        ),
        ({"value": -1}, [("value", "must be at least 0 when unit is 'count'")]),
        ({"rank_in_mps": 0}, [("rank_in_mps", "should be greater than or equal to 1")]),
        (
            {"significance": {"test": "e_test", "verdict": "significant_worse"}},
            [("significance.p_value", "is required unless verdict is 'insufficient_data'")],
        ),
        (
            {"spc": {"signal": "concern", "points": 12, "rules_fired": ["moon"]}},
            [
                (
                    "spc.rules_fired[0]",
                    should_be(SpcRule),
                )
            ],
        ),
        ({"interval": {"low": 0.6, "high": 0.5}}, [("interval.high", "must not be below low")]),
        (
            {"provenance": {}},
            [
                ("provenance.classification_version", "is required"),
                ("provenance.reference_version", "is required"),
                ("provenance.target_config_version", "is required"),
                ("provenance.boundary_set", "is required"),
                ("provenance.events_counted", "is required"),
            ],
        ),
    ],
)
def test_kpi_update_invalid(fields: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert problems(KpiUpdateV1, changed("kpi.updated", **fields)) == expected


def test_kpi7_gap_may_be_negative() -> None:
    gap = changed(
        "kpi.updated", kpi=7, measure="gap_white_minority", unit="difference", value=-0.04
    )
    assert KpiUpdateV1.model_validate(gap).value == -0.04


def test_flex_update_and_exception() -> None:
    flex = FlexUpdateV1.model_validate(example_payload("flex.updated"))
    assert flex.abstracted_minutes == {"aid": 480}
    assert problems(FlexUpdateV1, changed("flex.updated", flexed_out_minutes=-30)) == [
        ("flexed_out_minutes", "should be greater than or equal to 0")
    ]
    assert problems(FlexUpdateV1, changed("flex.updated", planned_minutes=7.5)) == [
        ("planned_minutes", "should be a valid integer, got a number with a fractional part")
    ]
    assert problems(FlexUpdateV1, changed("flex.updated", abstracted_minutes={"golf": 60})) == [
        (
            "abstracted_minutes.golf[key]",
            should_be(ActivityKind),
        )
    ]
    assert FlexExceptionV1.model_validate(example_payload("flex.exception")).duty_ids
    assert problems(FlexExceptionV1, changed("flex.exception", kind="late")) == [
        (
            "kind",
            should_be(FlexExceptionKind),
        )
    ]


def test_alert() -> None:
    alert = AlertV1.model_validate(example_payload("alert.updated"))
    assert alert.fired_by[0].event_id == "kpi-88"
    assert problems(AlertV1, changed("alert.updated", state="open", borough_code=None)) == [
        ("state", "should be 'firing', 'acknowledged' or 'resolved'"),
    ]
    assert problems(AlertV1, changed("alert.updated", borough_code=None)) == [
        ("borough_code", "is required when level is 'ward'")
    ]
    bad_ref = [{"topic": "snt.kpi.updates.v1", "partition": -1, "offset": 3, "event_id": "e"}]
    assert problems(AlertV1, changed("alert.updated", fired_by=bad_ref)) == [
        ("fired_by[0].partition", "should be greater than or equal to 0")
    ]


def test_dead_letter_valid_and_invalid() -> None:
    letter = DeadLetterV1.model_validate(example_payload("dead_letter.recorded"))
    assert letter.errors[0].field == "payload.location.ward_code"
    assert problems(DeadLetterV1, changed("dead_letter.recorded", reason="bad")) == [
        (
            "reason",
            should_be(RejectReason),
        )
    ]


def test_capture_original_keeps_text_and_base64_only_when_needed() -> None:
    assert capture_original('{"a": "é"}') == ('{"a": "é"}', None, 11, False)
    raw = b'{"a": "\xff"}'
    text, encoded, size, truncated = capture_original(raw)
    assert text == '{"a": "\ufffd"}'
    assert encoded is not None
    assert base64.b64decode(encoded) == raw
    assert (size, truncated) == (len(raw), False)


def test_capture_original_truncates_without_breaking_a_character() -> None:
    captured = capture_original("ab" + "é" * 10, limit=5)
    assert captured == ("abé", None, 22, True)
