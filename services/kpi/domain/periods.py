"""Periods as of a date, and the same period last year (Europe/London dates).

Every period ends on the as-of date (the last day counted) and is "to date" where it is a
calendar period: financial year to date (from 1 April), calendar month, quarter (Q1 = April to
June), week (Monday to Sunday) and fortnight (the week of the as-of date and the week before)
run from their first day to the as-of date; rolling 12 months and rolling 28 days end on it.

Rolling 12 months ending on a month's last day are the 12 whole months to it (ending 28
February 2025: 1 March 2024 to 28 February 2025, never from 29 February).

The same period last year compares like with like:

- weeks and fortnights move back 52 weeks, so that Mondays compare with Mondays;
- rolling 28 days are the 28 days ending on the same date a year earlier (29 February →
  28 February): always 28 days against 28, whatever 29 February falls in;
- a period ending on a month's last day (a whole month, quarter, financial year to date or
  rolling 12 months to a month's end) compares with the same whole months a year earlier:
  February 2025 with all of February 2024, its 29th included, and FYTD to 29 February 2024
  with FYTD to 28 February 2023;
- any other period is the same dates a year earlier (29 February → 28 February).

Where the two periods still differ in length (a whole February of 29 days against 28), the
statistical test allows for the exposure (days) of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from services.kpi.domain.days import ONE_DAY, month_index, month_start, shift_years

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
        "rolling_12m": _twelve_months_to(as_of),
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
    """The same period a year earlier, like for like (see the module's rules)."""
    kind = current.kind
    if kind in ("week", "fortnight"):
        return Period(kind, current.first - WEEKS_52, current.last - WEEKS_52)
    if kind == "rolling_28d":
        last = shift_years(current.last, -1)
        return Period(kind, last - (current.last - current.first), last)
    if is_month_end(current.last):
        last = month_start(month_index(current.last) - 11) - ONE_DAY
    else:
        last = shift_years(current.last, -1)
    if kind == "rolling_12m":
        return Period(kind, _twelve_months_to(last), last)
    return Period(kind, shift_years(current.first, -1), last)


def is_month_end(day: date) -> bool:
    return (day + ONE_DAY).day == 1


def _twelve_months_to(last: date) -> date:
    """The first day of the rolling 12 months ending on ``last``."""
    if is_month_end(last):
        return month_start(month_index(last) - 11)
    return shift_years(last, -1) + ONE_DAY


def label(current: Period) -> str:
    """The period in words, e.g. "FYTD to December 2025", "Week to Sunday 7 December 2025"."""
    last = current.last
    through = f"{last.day} {last:%B %Y}"
    whole = is_month_end(last)
    to = f"{last:%B %Y}" if whole else through
    match current.kind:
        case "fytd":
            fy = current.first.year
            return f"FYTD {fy}-{(fy + 1) % 100:02d} to {to}"
        case "rolling_12m":
            return f"12 months to {to}"
        case "month":
            return f"{last:%B %Y}" if whole else f"Month to {through}"
        case "quarter":
            return f"{quarter_label(last)} to {to}"
        case "rolling_28d":
            return f"28 days to {through}"
        case "week":
            return f"Week {current.first.day} {current.first:%b} to {through}"
        case _:
            return f"Fortnight {current.first.day} {current.first:%b} to {through}"
