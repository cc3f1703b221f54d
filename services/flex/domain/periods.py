"""Financial years (April–March) and the KPI 9 figures a month's duties move."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date


def fytd_start(day: date) -> date:
    """1 April of the financial year holding ``day``."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def rest_of_year(year: int, month: int) -> Iterator[tuple[int, int]]:
    """The month and every later month of its financial year, to March."""
    while True:
        yield year, month
        if month == 3:
            return
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def kpi9_figures(year: int, month: int) -> Iterator[tuple[str, int, int]]:
    """(period, year, month of the period's end) of every KPI 9 figure that a change to the
    month's duties can move: the month's own figure and the financial year to date to the
    end of it and of each later month of its year; then the same a year on, where these
    minutes are last year's."""
    for y in (year, year + 1):
        yield "month", y, month
        for end_year, end_month in rest_of_year(y, month):
            yield "fytd", end_year, end_month
