"""Flex inputs decoded with reasons for what cannot be used; the report rendered as CSV and
HTML with hours to one decimal."""

from __future__ import annotations

import json
from datetime import date

import pytest

from services.flex.codec import BadEventError, DutyVersion, KpiStatus, decode
from services.flex.domain.ledger import Ledger
from services.flex.domain.report import Row, WardInfo, monthly_report
from services.flex.render import COLUMNS, to_csv, to_html
from shared.contracts import parse_event
from shared.contracts.examples import example_event


def recorded(*, valid: bool = True, **payload: object) -> bytes:
    event = example_event("duty.recorded", event_id="carm3:D-1:v2")
    event["version"] = 2
    event["payload"].update(payload)
    raw = json.dumps(event)
    if valid:
        parse_event(raw)
    return raw.encode()


def test_a_duty_version_and_a_cancellation() -> None:
    found = decode(recorded())
    assert isinstance(found, DutyVersion)
    assert (found.version, found.duty is not None) == (2, True)
    assert found.duty is not None
    assert (found.duty.kind, found.duty.minutes, found.duty.authoriser_rank) == (
        "authorised_ward_flex", 480, "superintendent")  # fmt: skip
    cancelled = decode(recorded(change="cancelled"))
    assert isinstance(cancelled, DutyVersion)
    assert cancelled.duty is None


@pytest.mark.parametrize(
    ("raw", "reason"),
    [(b"not json", "JSONDecodeError"),
     (b'{"event_type": "duty.recorded", "payload": {}}', "KeyError"),
     (recorded(valid=False, end="2024-05-01T06:00:00+01:00"), "end must be after start")],
)  # fmt: skip
def test_what_cannot_be_applied_is_refused_with_the_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(BadEventError, match=reason):
        decode(raw)


def test_a_ward_crime_kpi_breach_from_a_kpi_update() -> None:
    event = example_event("kpi.updated", event_id="kpi:x")
    event["payload"].update(level="ward", kpi=4, period="fytd", gap_to_trajectory=3.0,
                            target_significance={"test": "t", "p_value": 0.01,
                                                 "verdict": "significant_worse"})  # fmt: skip
    found = decode(json.dumps(event).encode())
    assert isinstance(found, KpiStatus)
    assert (found.kpi, found.breaching) == (4, True)
    event["payload"]["period"] = "month"
    assert decode(json.dumps(event).encode()) is None  # only FYTD decides a breach


def test_the_report_renders_as_csv_and_html() -> None:
    ward = WardInfo("E05013806", "St James's", "E09000033", {"PS": 1, "PC": 2, "PCSO": 3})
    report = monthly_report(Ledger(), [ward], "E09000033", 2025, 3)
    report.rows[0].planned, report.rows[0].abstracted["aid"] = 600, 90
    lines = to_csv(report).splitlines()
    assert lines[0].split(",") == list(COLUMNS)
    cells = dict(zip(COLUMNS, lines[1].split(","), strict=True))
    assert (cells["planned_h"], cells["abstracted_aid_h"], cells["abstraction_share_pct"]) == (
        "10.0", "1.5", "15.0")  # fmt: skip
    assert lines[2].startswith("E09000033,Total,")
    page = to_html(report, "Westminster")
    assert "<h1>SNT abstraction report 2025-03: Westminster</h1>" in page
    assert "St James&#x27;s" in page
    assert Row("x", "y").abstraction_share is None
    assert report.month == 3
    assert date(2025, 3, 1).month == report.month
