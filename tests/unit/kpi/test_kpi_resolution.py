"""Time resolution and source under every figure: counts known only to their month give
whole months, never weeks or part months; event-level records give every period; the
months are stored with the counts and survive a restart; a borough takes its published
total where its wards hold no data."""

from __future__ import annotations

from datetime import date

import pytest

from services.kpi.board import Board
from services.kpi.domain.figures import availability, figure, latest_supported
from services.kpi.domain.periods import period
from services.kpi.domain.resolution import NOT_AVAILABLE
from services.kpi.domain.state import MPS, Unit
from services.kpi.target_config import load_targets
from tests.unit.kpi.conftest import BOROUGH, WARD, MakeFolder, counted, record

W = Unit("ward", WARD, BOROUGH)
B = Unit("borough", BOROUGH, BOROUGH)
OTHER_BOROUGH = "E09000012"


def _monthly_year(n: str, year: int, *, ward: str | None = WARD, level: str = "ward",
                  borough: str = BOROUGH) -> list[bytes]:  # fmt: skip
    """A published monthly cell of 10 for every month of ``year``."""
    return [counted(f"{n}:{year}:{m}", delta=10, at=f"{year}-{m:02d}-01T00:00:00+00:00",
                    ward=ward, level=level, borough=borough) for m in range(1, 13)]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "as_of", "reason"),
    [
        ("week", date(2025, 12, 7), NOT_AVAILABLE),
        ("fortnight", date(2025, 12, 14), NOT_AVAILABLE),
        ("rolling_28d", date(2025, 12, 31), NOT_AVAILABLE),
        ("month", date(2025, 12, 15), NOT_AVAILABLE),
        ("fytd", date(2025, 12, 15), NOT_AVAILABLE),
        ("month", date(2025, 12, 31), None),
        ("quarter", date(2025, 12, 31), None),
        ("fytd", date(2025, 12, 31), None),
        ("rolling_12m", date(2025, 11, 30), None),
        ("rolling_12m", date(2025, 11, 29), NOT_AVAILABLE),
    ],
)
def test_monthly_counts_support_whole_months_only(
    make_folder: MakeFolder, kind: str, as_of: date, reason: str | None
) -> None:
    folder = make_folder()
    folder.fold([record(v) for y in (2024, 2025) for v in _monthly_year("c", y)])
    for unit in (W, B, MPS):
        assert availability(folder.state, unit, "violence", period(kind, as_of)) == reason
    # another KPI group with no monthly counts is not held back by violence's
    assert availability(folder.state, W, "property", period(kind, as_of)) is None


def test_event_level_records_support_weeks(make_folder: MakeFolder) -> None:
    folder = make_folder()
    days = [f"2025-12-{d:02d}T10:00:00+00:00" for d in (1, 2, 3, 8, 9)]
    folder.fold([record(counted(f"e{i}", at=at)) for i, at in enumerate(days)])
    week = period("week", date(2025, 12, 7))
    assert availability(folder.state, W, "violence", week) is None
    found = figure(folder.state, W, "violence", week, None)
    assert (found.value, found.sources[0].resolution) == (3, "event_records")
    assert figure(folder.state, W, "violence", period("week", date(2025, 12, 14)),
                  None).value == 2  # fmt: skip


def test_last_years_monthly_counts_hold_back_this_years_week(make_folder: MakeFolder) -> None:
    folder = make_folder()
    folder.fold([record(v) for v in _monthly_year("c", 2024)])
    folder.fold([record(counted("e1", at="2025-12-02T10:00:00+00:00"))])
    week = period("week", date(2025, 12, 7))  # last year: 2 to 8 December 2024, monthly
    assert availability(folder.state, W, "violence", week) == NOT_AVAILABLE


def test_the_months_survive_a_restart(make_folder: MakeFolder) -> None:
    make_folder().fold([record(v) for v in _monthly_year("c", 2025)])
    again = make_folder()
    assert again.state.resolution.months(W, "violence") == again.state.resolution.months(
        MPS, "violence"
    )
    assert len(again.state.resolution.months(B, "violence")) == 12
    assert availability(again.state, W, "violence", period("week", date(2025, 6, 1))) \
        == NOT_AVAILABLE  # fmt: skip


def test_the_data_date_of_monthly_data_is_the_end_of_the_last_month(
    make_folder: MakeFolder,
) -> None:
    folder = make_folder()
    folder.fold([record(v) for v in _monthly_year("c", 2025)])
    board = Board(folder, load_targets())
    assert board.data_date(date(2026, 12, 7)) == date(2025, 12, 31)
    assert board.data_date(date(2025, 12, 20)) == date(2025, 12, 20)
    folder.fold([record(counted("late", at="2026-01-09T10:00:00+00:00"))])
    board = Board(folder, load_targets())
    assert board.data_date(date(2026, 12, 7)) == date(2026, 1, 9)


def test_a_borough_takes_its_published_total_where_its_wards_hold_no_data(
    make_folder: MakeFolder,
) -> None:
    folder = make_folder()
    totals = [*_monthly_year("t", 2013, ward=None, level="borough_total"),
              *_monthly_year("t", 2014, ward=None, level="borough_total"),
              *_monthly_year("u", 2014, ward=None, level="borough_total",
                             borough=OTHER_BOROUGH)]  # fmt: skip
    folder.fold([record(v) for v in [*totals, *_monthly_year("c", 2025)]])
    fy = period("fytd", date(2015, 3, 31))  # April 2014 - March 2015: 9 months held
    old = figure(folder.state, B, "violence", period("fytd", date(2014, 12, 31)), None)
    assert (old.value, old.last_year) == (90, 90)
    assert [s.area for s in old.sources] == ["published_borough_totals"] * 2
    mps = figure(folder.state, MPS, "violence", period("fytd", date(2014, 12, 31)), None)
    assert (mps.value, mps.last_year) == (180, 90)
    recent = figure(folder.state, B, "violence", period("fytd", date(2025, 12, 31)), None)
    assert recent.value == 90
    assert recent.sources[0].area == "wards"
    assert not figure(folder.state, B, "violence", fy, None).sources[0].complete


def test_a_kpi_group_with_no_source_loaded_is_not_complete(make_folder: MakeFolder) -> None:
    folder = make_folder()
    folder.fold([record(v) for y in (2024, 2025) for v in _monthly_year("c", y)])
    fy = period("fytd", date(2025, 12, 31))
    assert figure(folder.state, W, "violence", fy, None).sources[0].complete
    asb = figure(folder.state, W, "asb", fy, None)
    assert (asb.value, asb.sources[0].complete, asb.sources[1].complete) == (0, False, False)
    assert (asb.sources[0].held, asb.sources[1].held) == (False, False)
    assert figure(folder.state, W, "violence", fy, None).sources[0].held


def test_a_kpi_group_loaded_for_part_of_the_period_is_held_but_not_complete(
    make_folder: MakeFolder,
) -> None:
    folder = make_folder()
    crimes = [v for y in (2024, 2025) for v in _monthly_year("c", y)]
    asb = [counted(f"a{n}", at=f"2025-12-0{n}T10:00:00+00:00", group="asb", asb=True)
           for n in range(1, 4)]  # fmt: skip
    folder.fold([record(v) for v in crimes] + [record(v, "snt.cad.v1") for v in asb])
    found = figure(folder.state, W, "asb", period("fytd", date(2025, 12, 31)), None)
    assert found.value == 3
    assert [(s.held, s.complete) for s in found.sources] == [(True, False), (False, False)]


def test_by_default_a_kpi_held_back_by_last_years_months_runs_to_the_last_month_end(
    make_folder: MakeFolder,
) -> None:
    folder = make_folder()
    folder.fold([record(v) for y in (2024, 2025) for v in _monthly_year("c", y)])
    folder.fold([record(counted("e1", at="2026-01-05T10:00:00+00:00")),
                 record(counted("a1", at="2026-01-06T10:00:00+00:00", group="asb"))])  # fmt: skip
    fytd = period("fytd", date(2026, 1, 9))  # last year's January is known only by month
    assert availability(folder.state, W, "violence", fytd) == NOT_AVAILABLE
    shown = latest_supported(folder.state, W, "violence", fytd)
    assert shown == period("fytd", date(2025, 12, 31))
    assert figure(folder.state, W, "violence", shown, None).value == 90  # April to December
    # ASB has no monthly counts: it runs to the data date; a week is never moved to a month end
    assert latest_supported(folder.state, W, "asb", fytd) == fytd
    week = period("week", date(2026, 1, 11))
    assert latest_supported(folder.state, W, "violence", week) == week
    # a whole month is what it is
    december = period("month", date(2025, 12, 31))
    assert latest_supported(folder.state, W, "violence", december) == december
