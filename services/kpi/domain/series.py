"""One count series (a unit × KPI group), by day: a row of a :class:`~shared.counts.CountBank`.

The bank keeps a count per day and per calendar month for every series of a state and adds
a folded batch to all of them at once (O(1) per change); a range sum reads the days of the
range in one vectorised sum, so no period ever rescans the history. Range sums are
remembered until the series next changes (the same periods are asked for again and again
between changes: every ward's rank reads every other ward's totals).
"""

from __future__ import annotations

from datetime import date
from typing import Final

from services.kpi.domain.days import day_index, day_of, month_index
from shared.counts import CountBank

_MEMO_SIZE: Final = 64
"""Range sums remembered per series at most (a series nobody changes keeps no more)."""


def month_of_day(index: int) -> int:
    """The month index of day index ``index``."""
    return month_index(day_of(index))


def new_bank() -> CountBank:
    return CountBank(month_of_day)


class DaySeries:
    """One series: a row of a bank (its own bank when made alone)."""

    __slots__ = ("_bank", "_memo", "_row", "_stamp")

    def __init__(self, bank: CountBank | None = None, row: int | None = None) -> None:
        if bank is None or row is None:
            bank = CountBank(month_of_day, rows=1)
            row = bank.new_row()
        self._bank, self._row = bank, row
        self._memo: dict[tuple[int, int], int] = {}
        self._stamp = 0

    @property
    def row(self) -> int:
        return self._row

    def add(self, day: int, delta: int) -> None:
        """Add ``delta`` on day index ``day`` (a fold adds whole batches to the bank)."""
        self._bank.add_one(self._row, day, delta)

    def total(self, first: int, last: int) -> int:
        """Sum over day indexes ``first..last`` inclusive (clipped to the data held)."""
        memo, stamp = self._memo, self._bank.stamp(self._row)
        if stamp != self._stamp:
            memo.clear()
            self._stamp = stamp
        else:
            found = memo.get((first, last))
            if found is not None:
                return found
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        value = memo[(first, last)] = self._bank.total(self._row, first, last)
        return value

    def by_month(self, first_month: int, last_month: int) -> list[int]:
        """Monthly totals for month indexes ``first_month..last_month`` (0 beyond the data)."""
        return self._bank.by_month(self._row, first_month, last_month)

    def by_day(self, first: int, last: int) -> list[int]:
        return self._bank.by_day(self._row, first, last)

    def nonzero_days(self) -> list[tuple[int, int]]:
        """(day index, count) of every day with a non-zero count (for persistence checks)."""
        return self._bank.nonzero(self._row)


def day_range(first: date, last: date) -> tuple[int, int]:
    return day_index(first), day_index(last)
