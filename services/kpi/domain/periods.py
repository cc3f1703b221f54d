"""Periods as of a date, and the same period last year (Europe/London dates).

Every period ends on the as-of date (the last day counted) and is "to date" where it is a
calendar period: financial year to date (from 1 April), calendar month, quarter (Q1 = April to
June), week (Monday to Sunday) and fortnight (the week of the as-of date and the week before)
run from their first day to the as-of date; rolling 12 months and rolling 28 days end on it.

The same period last year is the same dates a year earlier (29 February → 28 February), except
weeks and fortnights, which move back 52 weeks so that Mondays compare with Mondays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from services.kpi.domain.days import ONE_DAY, shift_years

KINDS: Final = ("fytd", "rolling_12m", "month", "rolling_28d", "week", "fortnight", "quarter")
WEEKS_52: Final = timedelta(weeks=52)


@dataclass(frozen=True, slots=True)
class Period:
    kind: str
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def financial_year_start(day: date) -> date:
    """1 April of the financial year holding ``day``."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def financial_year_end(day: date) -> date:
    return date(financial_year_start(day).year + 1, 3, 31)


def quarter_start(day: date) -> date:
    """First day of the financial quarter (Q1 = April–June) holding ``day``."""
    first_month = ((day.month - 4) % 12) // 3 * 3 + 4
    year = day.year if first_month <= day.month else day.year - 1
    return date(year + (first_month - 1) // 12, (first_month - 1) % 12 + 1, 1)


def quarter_label(day: date) -> str:
    """e.g. 2024-25 Q1 for a day in April–June 2024."""
    fy = financial_year_start(day).year
    number = ((day.month - 4) % 12) // 3 + 1
    return f"{fy}-{(fy + 1) % 100:02d} Q{number}"


def period(kind: str, as_of: date) -> Period:
    """The ``kind`` period ending on ``as_of``."""
    monday = as_of - timedelta(days=as_of.weekday())
    first = {
        "fytd": financial_year_start(as_of),
        "rolling_12m": shift_years(as_of, -1) + ONE_DAY,
        "month": as_of.replace(day=1),
        "rolling_28d": as_of - timedelta(days=27),
        "week": monday,
        "fortnight": monday - timedelta(weeks=1),
        "quarter": quarter_start(as_of),
    }.get(kind)
    if first is None:
        raise ValueError(f"unknown period {kind!r}; expected one of {', '.join(KINDS)}")
    return Period(kind, first, as_of)


def last_year(current: Period) -> Period:
    """The same period a year earlier."""
    if current.kind in ("week", "fortnight"):
        return Period(current.kind, current.first - WEEKS_52, current.last - WEEKS_52)
    if current.kind == "rolling_12m":
        last = shift_years(current.last, -1)
        return Period(current.kind, shift_years(last, -1) + ONE_DAY, last)
    return Period(current.kind, shift_years(current.first, -1), shift_years(current.last, -1))
