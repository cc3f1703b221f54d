"""Periods as of a date and the same period last year, table-driven (Europe/London dates)."""

from __future__ import annotations

from datetime import date

import pytest

from services.kpi.domain.periods import (
    KINDS,
    label,
    last_year,
    period,
    quarter_label,
    quarter_start,
)

D = date


@pytest.mark.parametrize(
    ("kind", "as_of", "first", "ly_first", "ly_last"),
    [
        ("fytd", D(2025, 2, 12), D(2024, 4, 1), D(2023, 4, 1), D(2024, 2, 12)),
        ("fytd", D(2024, 4, 1), D(2024, 4, 1), D(2023, 4, 1), D(2023, 4, 1)),
        ("fytd", D(2024, 3, 31), D(2023, 4, 1), D(2022, 4, 1), D(2023, 3, 31)),
        ("rolling_12m", D(2025, 3, 31), D(2024, 4, 1), D(2023, 4, 1), D(2024, 3, 31)),
        ("rolling_12m", D(2024, 2, 29), D(2023, 3, 1), D(2022, 3, 1), D(2023, 2, 28)),
        ("month", D(2025, 2, 12), D(2025, 2, 1), D(2024, 2, 1), D(2024, 2, 12)),
        ("month", D(2024, 2, 29), D(2024, 2, 1), D(2023, 2, 1), D(2023, 2, 28)),
        ("rolling_28d", D(2025, 2, 12), D(2025, 1, 16), D(2024, 1, 16), D(2024, 2, 12)),
        # 2025-02-12 is a Wednesday: the week began on Monday 10th; 52 weeks earlier is
        # Monday 2024-02-12.
        ("week", D(2025, 2, 12), D(2025, 2, 10), D(2024, 2, 12), D(2024, 2, 14)),
        ("week", D(2025, 2, 16), D(2025, 2, 10), D(2024, 2, 12), D(2024, 2, 18)),
        ("fortnight", D(2025, 2, 12), D(2025, 2, 3), D(2024, 2, 5), D(2024, 2, 14)),
        ("quarter", D(2025, 2, 12), D(2025, 1, 1), D(2024, 1, 1), D(2024, 2, 12)),
        ("quarter", D(2024, 6, 30), D(2024, 4, 1), D(2023, 4, 1), D(2023, 6, 30)),
        ("quarter", D(2024, 7, 1), D(2024, 7, 1), D(2023, 7, 1), D(2023, 7, 1)),
    ],
)
def test_period_and_last_year(
    kind: str, as_of: date, first: date, ly_first: date, ly_last: date
) -> None:
    current = period(kind, as_of)
    assert (current.first, current.last) == (first, as_of)
    before = last_year(current)
    assert (before.kind, before.first, before.last) == (kind, ly_first, ly_last)


def test_weeks_compare_like_weekdays() -> None:
    for day in range(1, 29):
        current = period("week", D(2025, 2, day))
        before = last_year(current)
        assert before.first.weekday() == 0
        assert before.days == current.days


@pytest.mark.parametrize(
    ("day", "start", "label"),
    [
        (D(2024, 4, 1), D(2024, 4, 1), "2024-25 Q1"),
        (D(2024, 6, 30), D(2024, 4, 1), "2024-25 Q1"),
        (D(2024, 9, 30), D(2024, 7, 1), "2024-25 Q2"),
        (D(2024, 12, 31), D(2024, 10, 1), "2024-25 Q3"),
        (D(2025, 1, 1), D(2025, 1, 1), "2024-25 Q4"),
        (D(2025, 3, 31), D(2025, 1, 1), "2024-25 Q4"),
        (D(1999, 12, 31), D(1999, 10, 1), "1999-00 Q3"),
    ],
)
def test_financial_quarters_begin_in_april(day: date, start: date, label: str) -> None:
    assert (quarter_start(day), quarter_label(day)) == (start, label)


def test_an_unknown_period_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown period 'year'.*fytd, rolling_12m"):
        period("year", D(2025, 1, 1))
    assert len(KINDS) == 7


@pytest.mark.parametrize(
    ("kind", "as_of", "first", "ly_first", "ly_last", "days", "ly_days"),
    [
        # a whole February compares with the whole February a year earlier, 29th included
        ("month", D(2025, 2, 28), D(2025, 2, 1), D(2024, 2, 1), D(2024, 2, 29), 28, 29),
        ("month", D(2024, 2, 29), D(2024, 2, 1), D(2023, 2, 1), D(2023, 2, 28), 29, 28),
        # FYTD to the end of February: to the end of February last year
        ("fytd", D(2025, 2, 28), D(2024, 4, 1), D(2023, 4, 1), D(2024, 2, 29), 334, 335),
        ("quarter", D(2025, 2, 28), D(2025, 1, 1), D(2024, 1, 1), D(2024, 2, 29), 59, 60),
        # 12 whole months to a month's end, never from 29 February
        ("rolling_12m", D(2025, 2, 28), D(2024, 3, 1), D(2023, 3, 1), D(2024, 2, 29), 365, 366),
        ("rolling_12m", D(2025, 12, 31), D(2025, 1, 1), D(2024, 1, 1), D(2024, 12, 31), 365, 366),
        # 28 days against 28 days, whatever 29 February falls in
        ("rolling_28d", D(2024, 3, 10), D(2024, 2, 12), D(2023, 2, 11), D(2023, 3, 10), 28, 28),
        ("rolling_28d", D(2025, 3, 10), D(2025, 2, 11), D(2024, 2, 12), D(2024, 3, 10), 28, 28),
        ("rolling_28d", D(2024, 2, 29), D(2024, 2, 2), D(2023, 2, 1), D(2023, 2, 28), 28, 28),
        # a part month is the same dates a year earlier
        ("month", D(2024, 3, 10), D(2024, 3, 1), D(2023, 3, 1), D(2023, 3, 10), 10, 10),
    ],
)
def test_windows_across_29_february_compare_like_for_like(
    kind: str, as_of: date, first: date, ly_first: date, ly_last: date, days: int, ly_days: int
) -> None:
    current = period(kind, as_of)
    before = last_year(current)
    assert (current.first, before.first, before.last) == (first, ly_first, ly_last)
    assert (current.days, before.days) == (days, ly_days)


@pytest.mark.parametrize(
    ("kind", "as_of", "words"),
    [
        ("fytd", D(2025, 12, 31), "FYTD 2025-26 to December 2025"),
        ("fytd", D(2025, 12, 7), "FYTD 2025-26 to 7 December 2025"),
        ("rolling_12m", D(2025, 2, 28), "12 months to February 2025"),
        ("month", D(2025, 12, 31), "December 2025"),
        ("month", D(2025, 12, 7), "Month to 7 December 2025"),
        ("quarter", D(2025, 12, 31), "2025-26 Q3 to December 2025"),
        ("rolling_28d", D(2025, 12, 7), "28 days to 7 December 2025"),
        ("week", D(2025, 12, 7), "Week 1 Dec to 7 December 2025"),
        ("fortnight", D(2025, 12, 7), "Fortnight 24 Nov to 7 December 2025"),
    ],
)
def test_periods_in_words(kind: str, as_of: date, words: str) -> None:
    assert label(period(kind, as_of)) == words
