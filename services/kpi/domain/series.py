"""One count series (a unit × KPI group), by day, with O(1) updates and fast range sums.

Two levels are kept: a count per day and a count per calendar month. An update touches one
day and one month (O(1)); a range sum reads the whole months inside the range and the loose
days at either end (at most ~60 day reads, plus one read per whole month), so no period ever
rescans the history. Range sums are remembered until the series next changes (the same
periods are asked for again and again between changes: every ward's rank reads every other
ward's totals).
"""

from __future__ import annotations

from array import array
from datetime import date

from services.kpi.domain.days import day_index, day_of, month_index, month_start

_CHUNK_DAYS = 366
_MEMO_SIZE = 64
"""Range sums remembered per series at most (a series nobody changes keeps no more)."""
_WIDTH = array("q").itemsize


class DaySeries:
    __slots__ = ("_days", "_memo", "_months")

    def __init__(self) -> None:
        self._days = array("q")
        self._months = array("q")
        self._memo: dict[tuple[int, int], int] | None = None

    def add(self, day: int, delta: int) -> None:
        """Add ``delta`` on day index ``day`` (≥ 0)."""
        if day >= len(self._days):
            self._grow(day)
        self._days[day] += delta
        self._months[month_index(day_of(day))] += delta
        self._memo = None

    def add_fast(self, day: int, month: int, delta: int) -> None:
        """:meth:`add` with the month index already known (the fold's hot path)."""
        if day >= len(self._days):
            self._grow(day)
        self._days[day] += delta
        self._months[month] += delta
        self._memo = None

    def total(self, first: int, last: int) -> int:
        """Sum over day indexes ``first..last`` inclusive (clipped to the data held)."""
        memo = self._memo
        if memo is None:
            memo = self._memo = {}
        else:
            found = memo.get((first, last))
            if found is not None:
                return found
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        value = memo[(first, last)] = self._sum(first, last)
        return value

    def _sum(self, first: int, last: int) -> int:
        last = min(last, len(self._days) - 1)
        first = max(first, 0)
        if first > last:
            return 0
        first_day, last_day = day_of(first), day_of(last)
        m_first, m_last = month_index(first_day), month_index(last_day)
        if m_last - m_first < 2:
            return sum(self._days[first : last + 1])
        head_end = day_index(month_start(m_first + 1)) - 1
        tail_start = day_index(month_start(m_last))
        return (sum(self._days[first : head_end + 1]) + sum(self._months[m_first + 1 : m_last])
                + sum(self._days[tail_start : last + 1]))  # fmt: skip

    def by_month(self, first_month: int, last_month: int) -> list[int]:
        """Monthly totals for month indexes ``first_month..last_month`` (0 beyond the data)."""
        held = len(self._months)
        return [self._months[m] if 0 <= m < held else 0 for m in range(first_month, last_month + 1)]

    def by_day(self, first: int, last: int) -> list[int]:
        held = len(self._days)
        return [self._days[d] if 0 <= d < held else 0 for d in range(first, last + 1)]

    def nonzero_days(self) -> list[tuple[int, int]]:
        """(day index, count) of every day with a non-zero count (for persistence checks)."""
        return [(d, c) for d, c in enumerate(self._days) if c]

    def _grow(self, day: int) -> None:
        size = (day // _CHUNK_DAYS + 1) * _CHUNK_DAYS
        self._days.frombytes(bytes(_WIDTH * (size - len(self._days))))  # zeros
        months = month_index(day_of(size - 1)) + 1
        self._months.frombytes(bytes(_WIDTH * (months - len(self._months))))


def day_range(first: date, last: date) -> tuple[int, int]:
    return day_index(first), day_index(last)
