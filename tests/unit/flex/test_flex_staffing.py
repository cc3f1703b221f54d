"""The minimum staffing check counts only officers on duty on the ward that day: its own on
ward duty or authorised ward flex there, and other wards' officers flexed in. A rest day,
leave, sickness, an abstraction or flex to another ward leaves an officer unavailable."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.flex.domain.exceptions import ward_day_exceptions
from services.flex.domain.ledger import Duty
from services.flex.domain.report import WardInfo, monthly_report
from tests.unit.flex.conftest import BOROUGH, WARD_A, WARD_B, MakeDuty, ledger_of

DAY = date(2025, 3, 3)
MODEL = {"PS": 1, "PC": 2, "PCSO": 3}
SUPT = "superintendent"

# What p2, the second of ward A's two PCs, does on DAY; p1 is on ward duty on A.
# case: (p2's duties that day as (kind, worked ward, hours), PCs available to A, to B)
P2_DAY = {
    "on ward duty": ([("ward_duty", None, 8)], 2, 0),
    "on a rest day (no duty)": ([], 1, 0),
    "on leave": ([("leave", None, 8)], 1, 0),
    "sick": ([("sickness", None, 8)], 1, 0),
    "at court": ([("court", None, 8)], 1, 0),
    "on training": ([("training", None, 8)], 1, 0),
    "on aid": ([("aid", None, 8)], 1, 0),
    "on public order": ([("public_order", None, 8)], 1, 0),
    "flexed out to B": ([("authorised_ward_flex", WARD_B, 8)], 1, 1),
    "half on A, half flexed to B": (
        [("ward_duty", None, 4), ("authorised_ward_flex", WARD_B, 4)],
        2,
        1,
    ),
    "half on A, half at court": ([("ward_duty", None, 4), ("court", None, 4)], 2, 0),
}


def roster(make_duty: MakeDuty, p2_day: list[tuple[str, str | None, float]]) -> list[Duty]:
    """Ward A: a sergeant, PCs p1 and p2 (p2 also on duty later in the month, so in the
    team either way), three PCSOs; ward B: its sergeant, and PC q1 on ward duty on B."""
    later = DAY + timedelta(days=2)
    duties = [
        make_duty("s1", "s1", "PS", day=DAY),
        make_duty("p1", "p1", "PC", day=DAY),
        make_duty("p2-later", "p2", "PC", day=later),
        *(make_duty(c, c, "PCSO", day=DAY) for c in ("c1", "c2", "c3")),
        make_duty("s2", "s2", "PS", day=DAY, home=WARD_B),
        make_duty("q1-later", "q1", "PC", day=later, home=WARD_B),
    ]
    for i, (kind, worked, hours) in enumerate(p2_day):
        rank = SUPT if kind != "ward_duty" else None
        duties.append(
            make_duty(f"p2-{i}", "p2", "PC", kind, day=DAY, worked=worked, hours=hours, rank=rank)
        )
    return duties


@pytest.mark.parametrize(("p2_day", "at_a", "at_b"), list(P2_DAY.values()), ids=list(P2_DAY))
def test_who_is_available_to_the_ward(
    make_duty: MakeDuty, p2_day: list[tuple[str, str | None, float]], at_a: int, at_b: int
) -> None:
    ledger = ledger_of(roster(make_duty, p2_day))
    assert ledger.available(WARD_A, "PC", DAY) == at_a
    assert ledger.available(WARD_B, "PC", DAY) == at_b
    found = {e.kind: e for e in ward_day_exceptions(ledger, WARD_A, DAY, MODEL)}
    if at_a >= MODEL["PC"]:
        assert "below_minimum_staffing" not in found
    else:
        short = found["below_minimum_staffing"]
        assert short.figures == {"pc_available": at_a, "pc_required": 2}
        assert short.detail == f"below the minimum staffing model: PC {at_a} of 2 available"


def test_an_officer_on_a_rest_day_does_not_count_and_one_flexed_in_does(
    make_duty: MakeDuty,
) -> None:
    resting = roster(make_duty, [])
    assert ledger_of(resting).available(WARD_A, "PC", DAY) == 1
    q1_in = make_duty(
        "q1-in", "q1", "PC", "authorised_ward_flex", day=DAY, home=WARD_B, worked=WARD_A, rank=SUPT
    )
    ledger = ledger_of([*resting, q1_in])
    assert ledger.available(WARD_A, "PC", DAY) == 2  # q1 counts for A, the ward receiving
    assert ledger.available(WARD_B, "PC", DAY) == 0  # and not for B, the ward sending
    kinds = {e.kind for e in ward_day_exceptions(ledger, WARD_A, DAY, MODEL)}
    assert "below_minimum_staffing" not in kinds
    at_b = {e.kind: e for e in ward_day_exceptions(ledger, WARD_B, DAY, MODEL)}
    assert at_b["below_minimum_staffing"].figures == {"pc_available": 0, "pc_required": 2}


def test_a_role_with_no_roster_that_month_is_not_judged(make_duty: MakeDuty) -> None:
    ledger = ledger_of([make_duty("p1", "p1", "PC", day=DAY)])
    assert ledger.available(WARD_A, "PS", DAY) is None
    assert ledger.available(WARD_A, "PC", DAY + timedelta(days=40)) is None  # April
    found = {e.kind: e for e in ward_day_exceptions(ledger, WARD_A, DAY, MODEL)}
    assert found["below_minimum_staffing"].figures == {"pc_available": 1, "pc_required": 2}


def test_days_below_minimum_in_the_report_count_rest_days(make_duty: MakeDuty) -> None:
    """Ward A's PCs each work five days in seven, their rest days two apart: on the days one
    rests the ward has one PC on duty, below its model of two."""
    days = [date(2025, 3, 1) + timedelta(days=i) for i in range(31)]
    pcs = {"p1": 0, "p2": 2}  # rest when (day + offset) % 7 >= 5
    duties = [
        make_duty(f"{o}-{d}", o, "PC", day=d)
        for o, off in pcs.items()
        for d in days
        if (d.toordinal() + off) % 7 < 5
    ]
    resting = sum(1 for d in days if any((d.toordinal() + off) % 7 >= 5 for off in pcs.values()))
    ledger = ledger_of(duties)
    ward = WardInfo(WARD_A, "Ward A", BOROUGH, {"PS": 1, "PC": 2, "PCSO": 3})
    row = monthly_report(ledger, [ward], BOROUGH, 2025, 3).rows[0]
    assert row.days_below_minimum == resting
    assert 0 < resting < 31
