"""The flex ledger, exceptions and report on hand-built rosters with known answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.flex.domain.exceptions import Rules, ward_day_exceptions, ward_month_exceptions
from services.flex.domain.ledger import Duty, Ledger, recompute
from services.flex.domain.report import WardInfo, kpi9, monthly_report

A, B, BOROUGH = "E05013806", "E05013807", "E09000033"
DAY = date(2025, 3, 3)
BASE = {"PS": 1, "PC": 2, "PCSO": 3}


def duty(n: str, officer: str, role: str, kind: str = "ward_duty", *, home: str = A,
         worked: str | None = None, hours: float = 8, rank: str | None = None,
         authorised_late: bool = False, day: date = DAY, version: int = 1) -> Duty:  # fmt: skip
    start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
    at = None
    if rank is not None:
        at = start + timedelta(hours=1) if authorised_late else start - timedelta(days=1)
    on_ward = kind in ("ward_duty", "authorised_ward_flex")
    return Duty(n, version, officer, role, home, BOROUGH, day, start,
                start + timedelta(hours=hours), home, (worked or home) if on_ward else None,
                kind, rank, at, "302-1" if kind == "authorised_ward_flex" else None)  # fmt: skip


ROSTER = [
    duty("d1", "s1", "PS"),
    duty("d2", "p1", "PC"),
    duty("d3", "p2", "PC", "authorised_ward_flex", worked=B, rank="superintendent"),
    duty("d4", "c1", "PCSO"),
    duty("d5", "c2", "PCSO", "aid"),
    duty("d6", "c3", "PCSO", "court", hours=4),
    duty("d7", "p3", "PC", "authorised_ward_flex", home=B, worked=A, rank="inspector"),
    duty("d8", "s2", "PS", home=B),
    duty("d9", "c4", "PCSO", "leave", home=B),
]


def ledger_of(duties: list[Duty]) -> Ledger:
    ledger = Ledger()
    for d in duties:
        assert ledger.apply(d.duty_id, d.version, d)
    return ledger


def test_each_duty_lands_in_exactly_one_place() -> None:
    ledger = ledger_of(ROSTER)
    pc_a, pc_b = ledger.cell(A, "PC", DAY), ledger.cell(B, "PC", DAY)
    assert (pc_a.planned, pc_a.on_ward, pc_a.flexed_out, pc_a.flexed_in) == (960, 480, 480, 480)
    assert pc_a.flexed_out_unauthorised == 0  # a superintendent authorised it
    assert (pc_b.planned, pc_b.flexed_out, pc_b.flexed_out_unauthorised, pc_b.flexed_in) == (
        480, 480, 480, 480)  # fmt: skip
    pcso = ledger.cell(A, "PCSO", DAY)
    assert (pcso.planned, pcso.on_ward, dict(pcso.abstracted)) == (
        1200, 480, {"aid": 480, "court": 240})  # fmt: skip
    assert dict(ledger.cell(B, "PCSO", DAY).absent) == {"leave": 480}
    assert ledger.cell(B, "PCSO", DAY).planned == 0  # leave is not planned SN time
    assert (pc_a.officers_on_duty, ledger.cell(B, "PC", DAY).officers_on_duty) == (2, 1)


def test_a_changed_then_cancelled_duty_leaves_exactly_the_right_hours() -> None:
    ledger = ledger_of(ROSTER)
    shorter = duty("d3", "p2", "PC", "authorised_ward_flex", worked=B, rank="superintendent",
                   hours=4, version=2)  # fmt: skip
    assert ledger.apply("d3", 2, shorter)
    assert not ledger.apply("d3", 2, shorter)  # the same version again: nothing
    assert not ledger.apply("d3", 1, ROSTER[2])  # an older version: nothing
    assert (ledger.cell(A, "PC", DAY).flexed_out, ledger.cell(B, "PC", DAY).flexed_in) == (240, 240)
    assert ledger.apply("d3", 3, None)  # cancelled
    pc_a = ledger.cell(A, "PC", DAY)
    assert (pc_a.planned, pc_a.flexed_out, ledger.cell(B, "PC", DAY).flexed_in) == (480, 0, 0)
    assert ledger.team(A, "PC", DAY) == 1
    rebuilt = recompute(ledger.duties())
    assert rebuilt.cells.keys() <= ledger.cells.keys()
    for key, cell in rebuilt.cells.items():
        assert (cell.planned, cell.flexed_out, cell.flexed_in, +cell.abstracted) == (
            ledger.cells[key].planned, ledger.cells[key].flexed_out,
            ledger.cells[key].flexed_in, +ledger.cells[key].abstracted)  # fmt: skip


def test_every_ward_day_exception_names_its_duties() -> None:
    late = duty("d10", "p4", "PC", "authorised_ward_flex", home=B, worked=A,
                rank="superintendent", authorised_late=True)  # fmt: skip
    ledger = ledger_of([*ROSTER, late])
    at_a = {e.kind: e for e in ward_day_exceptions(ledger, A, DAY, BASE)}
    assert set(at_a) == {"below_minimum_staffing"}
    staffing = at_a["below_minimum_staffing"]
    # PCSO: team 3 (c1, c2, c3), 2 away → 1 of 3; PC: team 2, p2 away, p3 and p4 in → 3
    assert staffing.figures == {"pcso_available": 1, "pcso_required": 3}
    assert staffing.duty_ids == ("d3", "d5", "d6")
    assert staffing.detail == "below the minimum staffing model: PCSO 1 of 3 available"
    at_b = {e.kind: e for e in ward_day_exceptions(ledger, B, DAY, BASE)}
    assert at_b["unauthorised_flex"].duty_ids == ("d7",)  # an inspector is not enough
    assert at_b["late_authorisation"].duty_ids == ("d10",)
    assert at_b["late_authorisation"].figures["max_minutes_late"] == 60
    assert at_b["unauthorised_flex"].exception_id == f"unauthorised_flex:{B}:2025-03-03"


def test_ward_month_exceptions_abstraction_share_and_flex_while_breaching() -> None:
    days = [DAY + timedelta(days=i) for i in range(3)]
    roster = [duty(f"f{i}", "p2", "PC", "authorised_ward_flex", worked=B, rank="superintendent",
                   day=d) for i, d in enumerate(days)]  # fmt: skip
    roster += [duty("a1", "c2", "PCSO", "aid"), duty("w1", "c1", "PCSO")]
    ledger = ledger_of(roster)
    rules = Rules(abstraction_share=0.10, repeated_flex_days=3)
    found = {e.kind: e for e in ward_month_exceptions(ledger, A, 2025, 3, rules, breaching=True)}
    share = found["abstraction_over_threshold"]
    assert share.figures["share"] == pytest.approx(480 / (5 * 480))
    assert share.day == date(2025, 3, 1)
    assert share.duty_ids == ("a1",)
    assert found["flexed_while_breaching"].duty_ids == ("f0", "f1", "f2")
    calm = {e.kind for e in ward_month_exceptions(ledger, A, 2025, 3, rules, breaching=False)}
    assert calm == {"abstraction_over_threshold"}


def test_the_monthly_report_and_kpi_9() -> None:
    last_year = [duty("ly1", "c2", "PCSO", "aid", day=date(2024, 3, 4)),
                 duty("ly2", "c1", "PCSO", day=date(2024, 3, 4)),
                 duty("ly3", "c3", "PCSO", day=date(2024, 3, 4)),
                 duty("ly4", "p1", "PC", day=date(2024, 3, 4))]  # fmt: skip
    ledger = ledger_of([*ROSTER, *last_year])
    wards = [WardInfo(A, "Ward A", BOROUGH, BASE), WardInfo(B, "Ward B", BOROUGH, BASE)]
    report = monthly_report(ledger, wards, BOROUGH, 2025, 3)
    row_a, row_b = report.rows
    assert (row_a.code, row_a.model, row_a.planned, row_a.on_ward) == (A, "1-2-3", 2640, 1440)
    assert (row_a.flexed_out, row_a.flexed_out_unauthorised, row_a.flexed_in) == (480, 0, 480)
    assert row_a.abstracted == {"aid": 480, "public_order": 0, "court": 240, "training": 0,
                                "other": 0}  # fmt: skip
    assert row_a.abstraction_share == pytest.approx(720 / 2640)
    # only 3 March has anyone on duty: on the other 30 days of the month the whole team is
    # off (a rest day), so the ward is below its model every day of March
    assert row_a.days_below_minimum == 31
    assert (row_b.planned, row_b.flexed_out_unauthorised, row_b.absent["leave"]) == (960, 480, 480)
    assert report.total.planned == 2640 + 960
    mps = monthly_report(ledger, wards, "MPS", 2025, 3, lambda code: "Westminster")
    assert [(r.code, r.name, r.planned) for r in mps.rows] == [(BOROUGH, "Westminster", 3600)]
    found = kpi9(ledger, wards[:1], date(2025, 3, 1), date(2025, 3, 31))
    # KPI 9 is authorised ward flex (d3, to B by a superintendent), not the abstractions
    assert (found.authorised_flex, found.planned, found.now.abstracted) == (480, 2640, 720)
    assert (found.last_year.authorised_flex, found.last_year.planned) == (0, 1920)
    assert found.last_year.abstracted == 480
    assert found.share == pytest.approx(480 / 2640)
    assert found.change_points == pytest.approx(100 * (480 / 2640 - 0))
    at_b = kpi9(ledger, wards[1:], date(2025, 3, 1), date(2025, 3, 31))
    assert (at_b.authorised_flex, at_b.planned) == (0, 960)  # d7: an inspector is not enough
