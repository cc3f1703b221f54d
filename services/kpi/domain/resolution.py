"""The time resolution of the data under a figure: which months of a unit × KPI group rest
on counts known only to their month (published monthly tables, and records dated only to
a month, such as data.police.uk's).

A count known only to its month is dated the 1st of the month, so any period that holds
part of such a month would count the whole month, or none of it: a week, a fortnight, a
rolling 28 days, or a month, quarter or year "to date" that ends inside such a month. A
figure for a period (or its same period last year) that cuts a monthly month is therefore
not computed; periods made of whole months (a calendar month, a quarter, financial year to
date and rolling 12 months ending at a month's end) are. Event-level records (dated to the
day) support every period.

The months are kept per stored unit and for every roll-up it adds to (a borough holds the
months of any of its wards; the MPS those of any borough), so a question about a borough
or the MPS is answered as quickly as one about a ward.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from datetime import date, timedelta
from typing import Final, TypeVar

from services.kpi.domain.days import month_index, month_start
from services.kpi.domain.periods import Period, is_month_end

Unit = Hashable
"""A stored unit or a roll-up (:class:`services.kpi.domain.state.Unit`)."""
MonthKey = tuple[Unit, str, int]
"""(stored unit, KPI group, month index) of a count known only to its month."""
K = TypeVar("K", bound=MonthKey)

MONTHLY: Final = "published_monthly"
EVENTS: Final = "event_records"
NOT_AVAILABLE: Final = (
    "not available: the data for this area are monthly (counts known only to their "
    "month), so a period that holds part of a month cannot be counted; ask for a month, "
    "a quarter, the financial year to date or rolling 12 months ending at a month's end"
)


class Resolution:
    """Months of each unit × group (roll-ups included) that hold monthly-only counts."""

    def __init__(self, roll_ups: Callable[[Unit], Sequence[Unit]]) -> None:
        self._roll_ups = roll_ups
        self._months: dict[tuple[Unit, str], set[int]] = {}
        self._stored: set[MonthKey] = set()

    def new(self, keys: Iterable[K]) -> set[K]:
        """Those of ``keys`` not held yet (what a batch must store)."""
        return {k for k in keys if k not in self._stored}

    def add(self, keys: Iterable[MonthKey]) -> None:
        for unit, group, month in keys:
            if (unit, group, month) in self._stored:
                continue
            self._stored.add((unit, group, month))
            for target in self._roll_ups(unit):
                self._months.setdefault((target, group), set()).add(month)

    def months(self, unit: Unit, group: str) -> frozenset[int]:
        return frozenset(self._months.get((unit, group), ()))

    def monthly(self, units: Sequence[Unit], group: str, month: int) -> bool:
        """Does any of ``units`` hold monthly-only counts of ``group`` in ``month``?"""
        return any(month in self._months.get((u, group), ()) for u in units)


def cut_months(period: Period) -> tuple[int, ...]:
    """The months ``period`` holds only part of (none for whole months)."""
    cut = set()
    if period.first.day != 1:
        cut.add(month_index(period.first))
    if not is_month_end(period.last):
        cut.add(month_index(period.last))
    return tuple(sorted(cut))


def supported(resolution: Resolution, units: Sequence[Unit], group: str,
              periods: Iterable[Period]) -> bool:  # fmt: skip
    """Can ``group`` be counted over every one of ``periods`` from ``units``' data?"""
    return not any(resolution.monthly(units, group, m) for p in periods for m in cut_months(p))


def source_of(resolution: Resolution, units: Sequence[Unit], group: str,
              period: Period) -> str:  # fmt: skip
    """``published_monthly`` when any month of ``period`` rests on monthly-only counts,
    else ``event_records``."""
    months = range(month_index(period.first), month_index(period.last) + 1)
    return MONTHLY if any(resolution.monthly(units, group, m) for m in months) else EVENTS


def latest_monthly_end(resolution: Resolution, unit: Unit, groups: Iterable[str],
                       before: date) -> date | None:  # fmt: skip
    """The last day of the latest month, not after ``before``'s month, that holds
    monthly-only counts of ``unit`` in any of ``groups``."""
    limit = month_index(before)
    found = [m for g in groups for m in resolution.months(unit, g) if m <= limit]
    if not found:
        return None
    return month_start(max(found) + 1) - timedelta(days=1)
