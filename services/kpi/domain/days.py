"""Days as small integers: the index every KPI series is kept by (Europe/London days).

Day 0 is 2000-01-01. Crimes count on their recorded day and ASB incidents on their incident
day, both as local London dates; a count known only to the month (published monthly data)
counts on the first day of its month.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

LONDON: Final = ZoneInfo("Europe/London")
EPOCH: Final = date(2000, 1, 1)
_EPOCH_ORDINAL: Final = EPOCH.toordinal()


def day_index(day: date) -> int:
    """``day`` as days since 2000-01-01."""
    return day.toordinal() - _EPOCH_ORDINAL


def day_of(index: int) -> date:
    return date.fromordinal(index + _EPOCH_ORDINAL)


def month_index(day: date) -> int:
    """``day``'s calendar month as months since January 2000."""
    return (day.year - EPOCH.year) * 12 + day.month - 1


def month_start(index: int) -> date:
    return date(EPOCH.year + index // 12, index % 12 + 1, 1)


def local_day(at: datetime) -> date:
    """The London date of an aware time."""
    return at.astimezone(LONDON).date()


def days(first: date, last: date) -> int:
    """Number of days from ``first`` to ``last`` inclusive."""
    return (last - first).days + 1


def shift_years(day: date, years: int) -> date:
    """``day`` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


ONE_DAY: Final = timedelta(days=1)
