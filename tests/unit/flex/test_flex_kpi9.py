"""KPI 9, "Use of Resources (SNT Flex)" (seed 000): the share of planned SN hours that was
Authorised Ward Flex (flexed out to another ward, authorised by a superintendent or above),
against the same period last year; the rest of the SNT abstraction report keeps its columns.
Hand-built rosters with known answers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.flex.domain.ledger import Duty, recompute
from services.flex.domain.periods import fytd_start, kpi9_figures
from services.flex.domain.report import WardInfo, kpi9, monthly_report, totals
from services.flex.render import COLUMNS, to_csv
from tests.unit.flex.conftest import BOROUGH, WARD_A, WARD_B, MakeDuty, ledger_of

BASE = {"PS": 1, "PC": 2, "PCSO": 3}
WARDS = [WardInfo(WARD_A, "Ward A", BOROUGH, BASE), WardInfo(WARD_B, "Ward B", BOROUGH, BASE)]
TEAM = (("s1", "PS"), ("p1", "PC"), ("p2", "PC"), ("c1", "PCSO"), ("c2", "PCSO"), ("c3", "PCSO"))
FIRST_28 = [date(2025, 3, 1) + timedelta(days=i) for i in range(28)]
MARCH = (date(2025, 3, 1), date(2025, 3, 31))
SHIFT = 480


def team_duties(
    make_duty: MakeDuty,
    days: list[date],
    kind: str,
    *,
    worked: str | None = None,
    rank: str | None = None,
    late: bool = False,
    tag: str = "",
) -> list[Duty]:
    """Every officer of ward A's team on every day, all doing the same."""
    return [
        make_duty(f"{tag}{o}-{d}", o, role, kind, day=d, worked=worked, rank=rank, late=late)
        for d in days
        for o, role in TEAM
    ]


FLEX, SUPT, OUT, UNAUTHORISED = (
    "authorised_ward_flex",
    "superintendent",
    "flexed_out_authorised",
    "flexed_out_unauthorised",
)
# case: (kind, worked ward, authoriser's rank, authorised late,
#        KPI 9 share, the report column holding all the planned hours)
WHOLE_TEAM = {
    "authorised ward flex to another ward": (FLEX, WARD_B, SUPT, False, 1.0, OUT),
    "authorised by a chief superintendent": (FLEX, WARD_B, "chief_superintendent", False, 1.0, OUT),
    "authorised late, but by a superintendent": (FLEX, WARD_B, SUPT, True, 1.0, OUT),
    "flex 'authorised' by an inspector": (FLEX, WARD_B, "inspector", False, 0.0, UNAUTHORISED),
    "worked another ward, no authoriser": ("ward_duty", WARD_B, None, False, 0.0, UNAUTHORISED),
    "authorised ward flex on its own ward": (FLEX, WARD_A, SUPT, False, 0.0, "on_ward"),
    "ward duty": ("ward_duty", None, None, False, 0.0, "on_ward"),
    "aid": ("aid", None, SUPT, False, 0.0, "aid"),
    "public order": ("public_order", None, SUPT, False, 0.0, "public_order"),
    "court": ("court", None, SUPT, False, 0.0, "court"),
    "training": ("training", None, SUPT, False, 0.0, "training"),
    "other": ("other", None, None, False, 0.0, "other"),
}


@pytest.mark.parametrize(
    ("kind", "worked", "rank", "late", "share", "column"),
    list(WHOLE_TEAM.values()),
    ids=list(WHOLE_TEAM),
)
def test_the_whole_team_for_28_days(
    make_duty: MakeDuty,
    kind: str,
    worked: str | None,
    rank: str | None,
    late: bool,
    share: float,
    column: str,
) -> None:
    ledger = ledger_of(team_duties(make_duty, FIRST_28, kind, worked=worked, rank=rank, late=late))
    planned = len(TEAM) * 28 * SHIFT
    found = kpi9(ledger, WARDS[:1], *MARCH)
    assert (found.planned, found.share) == (planned, share)
    assert found.authorised_flex == share * planned
    row = monthly_report(ledger, WARDS, BOROUGH, 2025, 3).rows[0]
    columns = {
        "on_ward": row.on_ward,
        "flexed_out_authorised": row.flexed_out_authorised,
        "flexed_out_unauthorised": row.flexed_out_unauthorised,
        **row.abstracted,
    }
    assert columns.pop(column) == planned  # every planned hour is in its own column ...
    assert set(columns.values()) == {0}  # ... and in no other
    assert row.authorised_flex_share == share
    assert row.flex_share == (1.0 if worked == WARD_B else 0.0)


def test_kpi_9_of_a_mixed_month_counts_only_the_authorised_flex(make_duty: MakeDuty) -> None:
    day = date(2025, 3, 3)
    roster = [
        make_duty("w", "s1", "PS", day=day),
        make_duty(
            "f", "p1", "PC", "authorised_ward_flex", day=day, worked=WARD_B, rank="superintendent"
        ),
        make_duty(
            "u", "p2", "PC", "authorised_ward_flex", day=day, worked=WARD_B, rank="inspector"
        ),
        make_duty("a", "c1", "PCSO", "aid", day=day, hours=4, rank="superintendent"),
        make_duty("c", "c2", "PCSO", "court", day=day, rank="superintendent"),
        make_duty("t", "c3", "PCSO", "training", day=day, hours=6, rank="superintendent"),
        make_duty("l", "c4", "PCSO", "leave", day=day),  # not planned SN time
        make_duty(
            "i",
            "q1",
            "PC",
            "authorised_ward_flex",
            day=day,
            home=WARD_B,
            worked=WARD_A,
            rank="superintendent",
        ),  # flexed in: B's KPI 9, not A's
    ]
    ledger = ledger_of(roster)
    found = kpi9(ledger, WARDS[:1], *MARCH)
    planned = (8 + 8 + 8 + 4 + 8 + 6) * 60
    assert (found.authorised_flex, found.planned) == (480, planned)
    assert found.share == pytest.approx(480 / planned)
    assert (found.now.flexed_out_unauthorised, found.now.abstracted) == (480, 18 * 60)
    assert kpi9(ledger, WARDS[1:], *MARCH).share == 1.0
    row = monthly_report(ledger, WARDS, BOROUGH, 2025, 3).rows[0]
    assert (row.flexed_out, row.flexed_out_unauthorised, row.flexed_out_authorised) == (
        960,
        480,
        480,
    )
    assert (row.abstracted["aid"], row.abstracted["court"], row.abstracted["training"]) == (
        240,
        480,
        360,
    )
    assert (row.flexed_in, row.absent["leave"]) == (480, 480)
    assert row.abstraction_share == pytest.approx(18 * 60 / planned)
    cells = dict(
        zip(
            COLUMNS,
            to_csv(monthly_report(ledger, WARDS, BOROUGH, 2025, 3)).splitlines()[1].split(","),
            strict=True,
        )
    )
    assert (cells["flexed_out_authorised_h"], cells["flexed_out_unauthorised_h"]) == ("8.0", "8.0")
    assert (cells["abstracted_court_h"], cells["kpi9_authorised_flex_share_pct"]) == (
        "8.0",
        f"{100 * 480 / planned:.1f}",
    )


def test_against_the_same_period_last_year(make_duty: MakeDuty) -> None:
    this_year = [date(2025, 3, 10) + timedelta(days=i) for i in range(10)]
    last_year = [d.replace(year=2024) for d in this_year]
    roster = team_duties(make_duty, this_year, "ward_duty", tag="n")
    roster += team_duties(make_duty, last_year, "ward_duty", tag="l")
    flexed = {2025: {"p1", "c1", "c2"}, 2024: {"c3"}}  # 3 of 6 officers now, 1 of 6 then
    roster = [_flexed(make_duty, d) if d.officer in flexed[d.day.year] else d for d in roster]
    found = kpi9(ledger_of(roster), WARDS[:1], *MARCH)
    assert found.share == pytest.approx(3 / 6)
    assert found.last_year_share == pytest.approx(1 / 6)
    assert found.change_points == pytest.approx(100 * (3 / 6 - 1 / 6))
    assert found.last_year.planned == found.planned == 6 * 10 * SHIFT
    nothing_then = kpi9(ledger_of(roster), WARDS[:1], date(2026, 3, 1), date(2026, 3, 31))
    assert (nothing_then.share, nothing_then.change_points) == (None, None)
    assert nothing_then.last_year_share == pytest.approx(3 / 6)


def _flexed(make_duty: MakeDuty, d: Duty) -> Duty:
    return make_duty(
        d.duty_id,
        d.officer,
        d.role,
        "authorised_ward_flex",
        day=d.day,
        worked=WARD_B,
        rank="superintendent",
    )


def test_financial_year_to_date(make_duty: MakeDuty) -> None:
    april, december = [date(2024, 4, 2)], [date(2024, 12, 2)]
    roster = team_duties(
        make_duty, april, "authorised_ward_flex", worked=WARD_B, rank="superintendent", tag="a"
    )
    roster += team_duties(make_duty, december, "ward_duty", tag="d")
    roster += team_duties(make_duty, [date(2025, 3, 3)], "court", rank="superintendent", tag="m")
    roster += team_duties(
        make_duty,
        [date(2024, 3, 29)],
        "authorised_ward_flex",
        worked=WARD_B,
        rank="superintendent",
        tag="x",
    )  # last FY
    roster += team_duties(
        make_duty,
        [date(2023, 6, 1)],
        "authorised_ward_flex",
        worked=WARD_B,
        rank="superintendent",
        tag="y",
    )
    roster += team_duties(make_duty, [date(2023, 7, 1)], "ward_duty", tag="z")
    ledger = ledger_of(roster)
    end = date(2025, 3, 31)
    assert fytd_start(end) == date(2024, 4, 1)
    found = kpi9(ledger, WARDS[:1], fytd_start(end), end)
    one_day = len(TEAM) * SHIFT
    assert (found.authorised_flex, found.planned) == (one_day, 3 * one_day)
    assert found.share == pytest.approx(1 / 3)
    # last year's FYTD (1 Apr 2023 - 31 Mar 2024): June flexed, July on the ward, 29 March flexed
    assert (found.last_year.authorised_flex, found.last_year.planned) == (2 * one_day, 3 * one_day)
    assert found.change_points == pytest.approx(100 * (1 / 3 - 2 / 3))
    to_december = kpi9(ledger, WARDS[:1], date(2024, 4, 1), date(2024, 12, 15))
    assert to_december.share == pytest.approx(1 / 2)  # part of December, read day by day


def test_period_sums_from_months_equal_the_sums_of_every_day(make_duty: MakeDuty) -> None:
    days = [date(2024, 1, 30) + timedelta(days=7 * i + i % 3) for i in range(70)]
    kinds = ("ward_duty", "authorised_ward_flex", "aid", "court", "leave")
    roster = [
        make_duty(
            f"r{i}",
            f"o{i % 4}",
            "PC",
            kinds[i % 5],
            day=d,
            worked=WARD_B if i % 2 else None,
            rank=("superintendent", "inspector", None)[i % 3],
        )
        for i, d in enumerate(days)
    ]
    ledger = ledger_of(roster)
    changed = make_duty("r3", "o3", "PC", "training", day=days[3], version=2, hours=5)
    assert ledger.apply("r3", 2, changed)
    assert ledger.apply("r4", 2, None)  # cancelled
    assert ledger.months == recompute(ledger.duties()).months
    periods = [
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 2, 10), date(2025, 3, 3)),
        (date(2024, 4, 1), date(2025, 3, 31)),
        (date(2025, 2, 28), date(2025, 2, 28)),
        (date(2023, 4, 1), date(2024, 3, 31)),
    ]
    for first, last in periods:
        by_day = recompute(ledger.duties())
        expected = [
            c.totals()
            for (w, _, d), c in by_day.cells.items()
            if w == WARD_A and first <= d <= last
        ]
        found = totals(ledger, [WARD_A], first, last)
        assert found.planned == sum(t.planned for t in expected), (first, last)
        assert found.authorised_flex == sum(t.authorised_flex for t in expected), (first, last)
        assert found.abstracted == sum(t.abstracted for t in expected), (first, last)


@pytest.mark.parametrize(
    ("year", "month", "figures"),
    [
        (2025, 3, [("month", 2025, 3), ("fytd", 2025, 3), ("month", 2026, 3), ("fytd", 2026, 3)]),
        (
            2025,
            1,
            [
                ("month", 2025, 1),
                ("fytd", 2025, 1),
                ("fytd", 2025, 2),
                ("fytd", 2025, 3),
                ("month", 2026, 1),
                ("fytd", 2026, 1),
                ("fytd", 2026, 2),
                ("fytd", 2026, 3),
            ],
        ),
    ],
)
def test_the_figures_a_months_duties_move(
    year: int, month: int, figures: list[tuple[str, int, int]]
) -> None:
    assert list(kpi9_figures(year, month)) == figures
    assert len(list(kpi9_figures(2024, 4))) == 2 * (1 + 12)
