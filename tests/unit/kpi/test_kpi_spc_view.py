"""A ward's weekly and monthly XmR charts as of a date: which points, which verdict on the
latest point, and assurance against the target, with limits worked by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.kpi.domain.days import day_index, month_index, month_start
from services.kpi.domain.spc_view import spc_view
from services.kpi.domain.state import KpiState, Unit

W = Unit("ward", "E05013806", "E09000033")
OTHER = Unit("ward", "E05013807", "E09000033")


def state_with(counts: dict[date, int], unit: Unit = W) -> KpiState:
    state = KpiState()
    state.apply({(unit, "violence", day_index(d), month_index(d)): n for d, n in counts.items()})
    return state


def months(first: date, values: list[int]) -> dict[date, int]:
    """``values`` on the 1st of consecutive months from ``first``."""
    out = {}
    for i, v in enumerate(values):
        m = first.month - 1 + i
        out[date(first.year + m // 12, m % 12 + 1, 1)] = v
    return out


def test_monthly_points_are_whole_months_ending_by_the_as_of_date() -> None:
    state = state_with(months(date(2024, 1, 1), [10, 12] * 6))  # Jan..Dec 2024
    view = spc_view(state, W, "violence", date(2024, 12, 30), "month", None)
    # December is not over on the 30th: Jan..Nov are the points.
    assert [p.start for p in view.points] == [date(2024, m, 1) for m in range(1, 12)]
    assert view.points[-1].end == date(2024, 11, 30)
    assert [p.count for p in view.points] == [10, 12] * 5 + [10]
    on_last_day = spc_view(state, W, "violence", date(2024, 12, 31), "month", None)
    assert len(on_last_day.points) == 12


def test_limits_and_a_common_cause_latest_point() -> None:
    # 10, 12 alternating for 12 months: mean 11, MR-bar 2, limits 11 ± 5.32.
    state = state_with(months(date(2024, 1, 1), [10, 12] * 6))
    view = spc_view(state, W, "violence", date(2024, 12, 31), "month", None)
    assert view.chart is not None
    assert view.chart.mean == 11.0
    assert view.chart.ucl == pytest.approx(16.32)
    assert view.chart.lcl == pytest.approx(5.68)
    assert view.latest == "common_cause"
    assert view.warning is None
    assert view.assurance is None  # no target: a baseline KPI


def test_a_latest_point_beyond_the_upper_limit_is_a_concern() -> None:
    state = state_with(months(date(2024, 1, 1), [10, 12] * 6 + [30]))
    view = spc_view(state, W, "violence", date(2025, 1, 31), "month", None)
    assert view.latest == "concern"
    assert view.rules_fired == ("beyond_limits",)


def test_seven_falling_points_end_in_an_improvement() -> None:
    state = state_with(months(date(2024, 1, 1), [20, 21, 20, 21, 20, 19, 18, 17, 16, 15, 14, 13]))
    view = spc_view(state, W, "violence", date(2024, 12, 31), "month", None)
    assert view.latest == "improvement"
    assert "trend_of_7" in view.rules_fired


def test_the_series_starts_with_the_first_month_of_data_in_the_mps() -> None:
    # The data begin in March 2024 (another ward); this ward's zero March is a real zero.
    counts = state_with(months(date(2024, 3, 1), [5] * 6), OTHER)
    counts.apply({(W, "violence", day_index(date(2024, 5, 3)), month_index(date(2024, 5, 3))): 4})
    view = spc_view(counts, W, "violence", date(2024, 8, 31), "month", None)
    assert [p.count for p in view.points] == [0, 0, 4, 0, 0, 0]
    assert view.warning == ("too few points: 6 of the 12 needed before special causes are "
                            "judged; the limits are trial limits")  # fmt: skip
    assert view.latest == "insufficient_data"


def test_no_data_or_one_point_is_insufficient() -> None:
    assert spc_view(KpiState(), W, "violence", date(2024, 8, 31), "month", None).latest == (
        "insufficient_data"
    )
    one = state_with({date(2024, 8, 1): 3})
    view = spc_view(one, W, "violence", date(2024, 8, 31), "month", 0.98)
    assert (view.latest, view.chart, len(view.points)) == ("insufficient_data", None, 1)


def test_weekly_points_are_whole_monday_to_sunday_weeks() -> None:
    start = date(2024, 1, 1)  # a Monday
    counts = {start + timedelta(days=d): 1 for d in range(7 * 20)}  # 7 a week
    state = state_with(counts)
    view = spc_view(state, W, "violence", date(2024, 5, 22), "week", None)  # a Wednesday
    assert view.points[0].start == start
    assert view.points[-1].end == date(2024, 5, 19)  # the last Sunday
    assert {p.count for p in view.points} == {7}
    assert len(view.points) == 20
    assert view.latest == "common_cause"


def test_assurance_with_a_stable_history() -> None:
    # Two stable years at 10, 12: limits 5.68 .. 16.32 over 24 points. Only 2024's points
    # have a last-year counterpart in the data: target = 2023's mean (11) x the ratio.
    state = state_with(months(date(2023, 1, 1), [10, 12] * 12))
    view = spc_view(state, W, "violence", date(2024, 12, 31), "month", 0.98)
    assert view.target_level == pytest.approx(10.78)
    assert view.assurance == "inconsistent"
    strict = spc_view(state, W, "violence", date(2024, 12, 31), "month", 0.5)
    assert strict.target_level == pytest.approx(5.5)
    assert strict.assurance == "consistently_miss"
    easy = spc_view(state, W, "violence", date(2024, 12, 31), "month", 1.5)
    assert easy.target_level == pytest.approx(16.5)
    assert easy.assurance == "consistently_meet"


# A spike of 30 after months alternating 10 and 12: beyond the upper limit of any chart of 5
# or more points, so a judged chart calls the latest point a concern.
@pytest.mark.parametrize(
    ("months_shown", "min_points", "latest"),
    [(11, 12, "insufficient_data"), (12, 12, "concern"), (13, 12, "concern"),
     (12, 15, "insufficient_data"), (15, 15, "concern"), (6, 6, "concern")],
)  # fmt: skip
def test_no_verdict_below_the_minimum_points(months_shown: int, min_points: int,
                                             latest: str) -> None:  # fmt: skip
    values = [*([10, 12] * 12)[: months_shown - 1], 30]
    state = state_with(months(date(2024, 1, 1), values))
    end = date(2024 + (months_shown - 1) // 12, (months_shown - 1) % 12 + 1, 28)
    view = spc_view(state, W, "violence", end, "month", 0.98, min_points=min_points)
    assert len(view.points) == months_shown - 1  # the month of the as-of date is not over
    view = spc_view(state, W, "violence", end + timedelta(days=10), "month", 0.98,
                    min_points=min_points)  # fmt: skip
    assert len(view.points) == months_shown
    assert view.latest == latest
    assert view.chart is not None
    if latest == "insufficient_data":
        # trial limits are drawn, but nothing is flagged, alerted or assured
        assert (view.rules_fired, view.chart.signals, view.assurance) == ((), (), None)
        assert not view.chart.judged
        assert view.warning == (
            f"too few points: {months_shown} of the {min_points} needed "
            "before special causes are judged; the limits are trial limits"
        )
    else:
        assert view.rules_fired == ("beyond_limits",)
        assert view.chart.judged
        assert view.warning is None


# A 2022-set ward (NEW) takes 0.4 of changed 2018-set ward A's counts and 0.25 of B's; its own
# code holds counts only from April 2024. Its SPC points are its figures' counts: its own
# plus round(0.4·A + 0.25·B) over each month or week, rounded once per point.
NEW = Unit("ward", "E05013806", "E09000033")
OLD_A = Unit("ward", "E05000630", "E09000033")
OLD_B = Unit("ward", "E05000631", "E09000033")
SHARES = {NEW: ((OLD_A, 0.4), (OLD_B, 0.25))}
A_COUNTS = [5, 7, 1, 0, 9, 3, 6, 2, 8, 4, 1, 5, 7, 3, 0, 2]  # Jan 2023 .. Apr 2024
B_COUNTS = [2, 1, 1, 6, 0, 4, 3, 3, 1, 2, 5, 7, 1, 9, 2, 0]
NEW_COUNTS = [3, 4, 2, 5, 6, 4, 3, 5, 7, 4]  # Apr 2024 .. Jan 2025


def boundary_state() -> KpiState:
    state = KpiState(SHARES)
    changes: dict[tuple[Unit, str, int, int], int] = {}
    for unit, first, values in ((OLD_A, date(2023, 1, 1), A_COUNTS),
                                (OLD_B, date(2023, 1, 1), B_COUNTS),
                                (NEW, date(2024, 4, 1), NEW_COUNTS)):  # fmt: skip
        for day, n in months(first, values).items():
            for offset in range(n):  # spread over the month's days, so weeks differ
                when = day + timedelta(days=(offset * 5) % 28)
                key = (unit, "violence", day_index(when), month_index(when))
                changes[key] = changes.get(key, 0) + 1
    state.apply(changes)
    return state


def test_a_2022_set_wards_points_are_its_apportioned_counts_month_by_month() -> None:
    state = boundary_state()
    view = spc_view(state, NEW, "violence", date(2025, 1, 31), "month", 0.98)
    assert len(view.points) == 24  # Feb 2023 .. Jan 2025
    for p in view.points:
        figure, _ = state.comparable_total(NEW, "violence", day_index(p.start), day_index(p.end))
        assert p.count == figure
    # by hand: Jan 2023 is 0.4·5 + 0.25·2 = 2.5 → 2 (half to even), off the window; Feb 2023 is
    # 0.4·7 + 0.25·1 = 3.05 → 3; Mar 2023 0.4 + 0.25 = 0.65 → 1 (each share alone rounds to
    # 0); Apr 2024 is 3 of its own + 0.4·2 + 0.25·0 = 0.8 → 4; from May 2024 its own only.
    counts = [p.count for p in view.points]
    assert counts[:2] == [3, 1]
    assert counts[14:] == [4, 4, 2, 5, 6, 4, 3, 5, 7, 4]
    # the target level reads the same apportioned series a year earlier (Jan 2023 on)
    year_before = [month_index(p.start) - 12 for p in view.points[11:]]
    last_year = [state.comparable_total(NEW, "violence", day_index(month_start(m)),
                                        day_index(month_start(m + 1)) - 1)[0]
                 for m in year_before]  # fmt: skip
    assert last_year[:3] == [2, 3, 1]
    assert view.target_level == pytest.approx(sum(last_year) / len(last_year) * 0.98)


def test_a_2022_set_wards_weekly_points_are_its_apportioned_counts() -> None:
    state = boundary_state()
    view = spc_view(state, NEW, "violence", date(2024, 12, 31), "week", None)
    assert len(view.points) == 52
    for p in view.points:
        figure, _ = state.comparable_total(NEW, "violence", day_index(p.start), day_index(p.end))
        assert p.count == figure
    unapportioned = [sum(state.series(NEW, "violence").by_day(  # type: ignore[union-attr]
        day_index(p.start), day_index(p.end))) for p in view.points]  # fmt: skip
    assert [p.count for p in view.points] != unapportioned


def test_other_units_are_unchanged_by_apportioning() -> None:
    state = boundary_state()
    borough = Unit("borough", "E09000033", "E09000033")
    view = spc_view(state, borough, "violence", date(2025, 1, 31), "month", None)
    totals = [a + b for a, b in zip(A_COUNTS, B_COUNTS, strict=True)] + NEW_COUNTS[1:]
    assert [p.count for p in view.points] == [
        *totals[1:15], totals[15] + NEW_COUNTS[0], *NEW_COUNTS[1:]]  # fmt: skip
