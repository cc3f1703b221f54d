"""Day series: O(1) updates, and range sums equal to summing every day (any range)."""

from __future__ import annotations

import random
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from services.kpi.domain.days import day_index, day_of, month_index, shift_years
from services.kpi.domain.series import DaySeries

START = day_index(date(2014, 1, 1))
END = day_index(date(2026, 12, 31))


def test_day_and_month_indexes() -> None:
    assert day_index(date(2000, 1, 1)) == 0
    assert day_of(day_index(date(2024, 2, 29))) == date(2024, 2, 29)
    assert month_index(date(2000, 1, 31)) == 0
    assert month_index(date(2025, 3, 1)) == 302
    assert shift_years(date(2024, 2, 29), -1) == date(2023, 2, 28)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    updates=st.lists(
        st.tuples(st.integers(START, END), st.integers(-3, 5)), min_size=1, max_size=300
    ),
    ranges=st.lists(st.tuples(st.integers(START - 40, END + 40), st.integers(0, 900)), max_size=20),
)
def test_range_sums_equal_the_sum_of_days(
    updates: list[tuple[int, int]], ranges: list[tuple[int, int]]
) -> None:
    series, days = DaySeries(), {}
    for day, delta in updates:
        series.add(day, delta)
        days[day] = days.get(day, 0) + delta
    for first, length in ranges:
        last = first + length
        expected = sum(v for d, v in days.items() if first <= d <= last)
        assert series.total(first, last) == expected


def test_by_month_and_by_day() -> None:
    series = DaySeries()
    jan, feb = day_index(date(2024, 1, 31)), day_index(date(2024, 2, 1))
    series.add(jan, 2)
    series.add(feb, 5)
    series.add(feb, -1)
    months = series.by_month(month_index(date(2023, 12, 1)), month_index(date(2024, 3, 1)))
    assert months == [0, 2, 4, 0]
    assert series.by_day(jan - 1, feb + 1) == [0, 2, 4, 0]
    assert series.nonzero_days() == [(jan, 2), (feb, 4)]


def test_a_long_range_reads_whole_months() -> None:
    series = DaySeries()
    rng = random.Random(7)
    for _ in range(5000):
        series.add(rng.randint(START, END), 1)
    assert series.total(START, END) == 5000
    assert series.total(END + 1, END + 500) == 0
    assert series.total(-100, -1) == 0


def test_a_remembered_range_sum_is_forgotten_when_the_series_changes() -> None:
    from services.kpi.domain.series import DaySeries

    series = DaySeries()
    series.add(40, 2)
    assert series.total(0, 400) == 2
    series.add(41, 3)
    assert series.total(0, 400) == 5
    series.add(500, 1)
    assert (series.total(0, 400), series.total(0, 600)) == (5, 6)
    for last in range(100, 300):  # many different ranges: the memory stays bounded
        assert series.total(0, last) == 5
    series.add(42, -5)
    assert series.total(0, 400) == 0
