"""Count series side by side: a bank of rows of counts per day and per calendar month, added
to a whole batch at a time.

A :class:`CountBank` holds every series of a state as rows of two 2-D arrays. A batch is
added in one vectorised scatter-add over the flattened arrays (O(1) per change, no Python
loop per change); a range sum reads the days of the range in one vectorised sum. The day
columns start at the first 366-day aligned chunk held and grow either way when a day
outside them arrives. A :class:`RowIndex` gives the two parts of a series' key (say a unit
and a KPI group) small ids, sums a batch of changes into a :class:`Tally` (the net per
pair and day, sorted and summed in numpy) and turns the tally's pairs into the rows each
adds to (its own series and its roll-ups').

The arrays are an implementation detail: callers pass and get plain Python ints, lists and
iterables.
"""

from __future__ import annotations

from collections.abc import (
    Callable,
    Hashable,
    ItemsView,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from operator import itemgetter
from typing import Final, Generic, TypeVar

import numpy as np
import numpy.typing as npt

CHUNK_DAYS: Final = 366
NO_ROW: Final = -1
_DAY: Final = np.int32
"""A day's count (a ward's or the MPS's crimes on one day)."""
_MONTH: Final = np.int64

Ints = npt.NDArray[np.int64]
Rows = npt.NDArray[np.int64]
"""An n × k array of bank rows: the k rows key ``i`` of a batch adds to."""


_first: Final = itemgetter(0)
_second: Final = itemgetter(1)
_third: Final = itemgetter(2)
_fourth: Final = itemgetter(3)


class CountBank:
    """Rows of counts by day index and by month index."""

    def __init__(self, month_of: Callable[[int], int], rows: int = 16) -> None:
        self._month_of = month_of
        """The month index of a day index."""
        self.size = 0
        """Rows given out."""
        self._days: npt.NDArray[np.int32] = np.zeros((rows, 0), _DAY)
        self._months: npt.NDArray[np.int64] = np.zeros((rows, 0), _MONTH)
        self._first_day = 0
        self._first_month = 0
        self._additions = 0
        self._changed: npt.NDArray[np.int64] = np.zeros(rows, np.int64)
        """Per row: the addition that last changed it (see :meth:`stamp`)."""

    def new_row(self) -> int:
        row = self.size
        if row >= self._days.shape[0]:
            rows = max(16, row + row // 2)
            self._days = _resized(self._days, rows, self._days.shape[1], 0)
            self._months = _resized(self._months, rows, self._months.shape[1], 0)
            self._changed = np.concatenate([self._changed, np.zeros(rows - row, np.int64)])
        self.size += 1
        return row

    def add(self, rows: Rows, day: Ints, month: Ints, delta: Ints) -> None:
        """Add ``delta[i]`` on day ``day[i]`` (in month ``month[i]``) to every row of
        ``rows[i]``."""
        if not len(delta):
            return
        self._cover(int(day.min()), int(day.max()))
        width, m_width, spread = self._days.shape[1], self._months.shape[1], rows.shape[1]
        day_at = (rows * width + (day - self._first_day)[:, None]).reshape(-1)
        month_at = (rows * m_width + (month - self._first_month)[:, None]).reshape(-1)
        np.add.at(self._days.reshape(-1), day_at, np.repeat(delta.astype(_DAY), spread))
        np.add.at(self._months.reshape(-1), month_at, np.repeat(delta, spread))
        self._additions += 1
        self._changed[rows] = self._additions

    def add_one(self, row: int, day: int, delta: int) -> None:
        one = np.array([day, self._month_of(day), delta], np.int64)
        self.add(np.array([[row]], np.int64), one[0:1], one[1:2], one[2:3])

    def stamp(self, row: int) -> int:
        """Changes whenever ``row`` changes (sums remembered at one stamp hold until then)."""
        return int(self._changed[row])

    def total(self, row: int, first: int, last: int) -> int:
        """Sum of ``row`` over day indexes ``first..last`` inclusive."""
        return int(self._row_days(row, first, last).sum())

    def totals(self, rows: Sequence[int], first: int, last: int) -> list[int]:
        """The sums of ``rows`` over day indexes ``first..last`` inclusive, in one vectorised
        pass (a league reads every ward's total at once)."""
        sums: list[int] = self.range_sums(np.asarray(rows, np.int64), first, last).tolist()
        return sums

    def latest_change(self, rows: Ints) -> int:
        """The latest :meth:`stamp` of ``rows`` (0 for none): it moves whenever any of them
        changes."""
        return int(self._changed[rows].max()) if len(rows) else 0

    def range_sums(self, rows: Ints, first: int, last: int) -> Ints:
        """:meth:`totals` as an array."""
        start = max(first - self._first_day, 0)
        stop = max(last - self._first_day + 1, start)
        sums: Ints = self._days[rows, start:stop].sum(axis=1, dtype=np.int64)
        return sums

    def by_day(self, row: int, first: int, last: int) -> list[int]:
        """``row``'s counts for days ``first..last`` (0 where none are held)."""
        if last < first:
            return []
        held: list[int] = self._row_days(row, first, last).tolist()
        before = min(max(self._first_day - first, 0), last - first + 1)
        return [0] * before + held + [0] * (last - first + 1 - before - len(held))

    def by_month(self, row: int, first: int, last: int) -> list[int]:
        """``row``'s counts for months ``first..last`` (0 where none are held)."""
        held = self._months[row]
        start, end = first - self._first_month, last - self._first_month
        lo, hi = max(start, 0), min(end, len(held) - 1)
        inside: list[int] = held[lo : hi + 1].tolist() if lo <= hi else []
        before = min(max(lo - start, 0), end - start + 1)
        return [0] * before + inside + [0] * (end - start + 1 - before - len(inside))

    def nonzero(self, row: int) -> list[tuple[int, int]]:
        """(day index, count) of every day of ``row`` with a non-zero count."""
        held = self._days[row]
        found = np.flatnonzero(held)
        return list(zip((found + self._first_day).tolist(), held[found].tolist(), strict=True))

    def _row_days(self, row: int, first: int, last: int) -> npt.NDArray[np.int32]:
        start = max(first - self._first_day, 0)
        return self._days[row, start : max(last - self._first_day + 1, start)]

    def _cover(self, first: int, last: int) -> None:
        """Widen the day (and month) columns to hold days ``first..last``."""
        width = self._days.shape[1]
        if width and self._first_day <= first and last < self._first_day + width:
            return
        start = (first // CHUNK_DAYS) * CHUNK_DAYS
        if width:
            start = min(start, self._first_day)
            last = max(last, self._first_day + width - 1)
        end = (last // CHUNK_DAYS + 1) * CHUNK_DAYS  # exclusive
        first_month = self._month_of(start)
        months = self._month_of(end - 1) - first_month + 1
        rows = self._days.shape[0]
        day_shift = self._first_day - start if width else 0
        month_shift = self._first_month - first_month if width else 0
        self._days = _resized(self._days, rows, end - start, day_shift)
        self._months = _resized(self._months, rows, months, month_shift)
        self._first_day, self._first_month = start, first_month


class Apportioned:
    """Totals of items that each own a row (or none) and take shares of other rows: item
    ``i``'s total over a range is its row's sum plus ``round(sum(share * row sum))`` over its
    parts — the shares multiplied and added in the order given, as a Python ``sum`` over the
    parts would, so the rounded total is the same to the last bit — for every item at once,
    in one vectorised read of the bank."""

    def __init__(self, rows: Sequence[int], parts: Sequence[Sequence[tuple[int, float]]]) -> None:
        self._items = len(rows)
        part_rows = [row for found in parts for row, _ in found]
        self._rows = np.asarray([*rows, *part_rows], np.int64)
        self._held = np.flatnonzero(self._rows != NO_ROW)
        self._part_item = np.asarray([i for i, found in enumerate(parts) for _ in found],
                                     np.int64)  # fmt: skip
        self._shares = np.asarray([share for found in parts for _, share in found], np.float64)
        self._with_parts = [i for i, found in enumerate(parts) if found]

    def stamp(self, bank: CountBank) -> int:
        """Moves whenever any row the items read changes (their totals may have)."""
        return bank.latest_change(self._rows[self._held])

    def totals(self, bank: CountBank, first: int, last: int) -> list[int]:
        """Every item's total over day indexes ``first..last``, in order."""
        sums = np.zeros(len(self._rows), np.int64)
        if len(self._held):
            sums[self._held] = bank.range_sums(self._rows[self._held], first, last)
        out: list[int] = sums[: self._items].tolist()
        if self._with_parts:
            estimated = np.zeros(self._items, np.float64)
            # unbuffered and in index order: each item's products are added one after another
            np.add.at(estimated, self._part_item, self._shares * sums[self._items :])
            shares: list[float] = estimated.tolist()
            for i in self._with_parts:
                out[i] += round(shares[i])
        return out


A = TypeVar("A", bound=Hashable)
B = TypeVar("B", bound=Hashable)


class RowIndex(Generic[A, B]):
    """Keys whose first two parts (say a unit and a KPI group) name the ``width`` bank rows
    they add to; rows are made by ``make`` the first time a pair is seen, and padded with
    ``filler`` (a row nobody reads) when a pair adds to fewer. Each first and second part
    gets a small id the first time it is seen."""

    def __init__(self, width: int, filler: int,
                 make: Callable[[A, B], Sequence[int]]) -> None:  # fmt: skip
        self._width, self._filler, self._make = width, filler, make
        self._firsts: _Ids[A] = _Ids(self._grow)
        self._seconds: _Ids[B] = _Ids(self._grow)
        self._rows: Rows = np.full((0, 0, width), NO_ROW, np.int64)

    def tally(self, firsts: Iterable[A], seconds: Iterable[B], days: Iterable[int],
              months: Iterable[int], deltas: Iterable[int], size: int, *,
              zeros: bool = False) -> Tally[A, B]:  # fmt: skip
        """The net of ``size`` changes (the i-th of each column: a change of ``deltas[i]``
        to ``(firsts[i], seconds[i])`` on day ``days[i]``, in month ``months[i]``) per
        first, second and day, sorted and summed in numpy; zero nets dropped unless
        ``zeros``."""
        if not size:
            return Tally(self, *(np.zeros(0, np.int64) for _ in range(5)))
        first = np.fromiter(map(self._firsts.__getitem__, firsts), np.int64, size)
        second = np.fromiter(map(self._seconds.__getitem__, seconds), np.int64, size)
        day = np.fromiter(days, np.int64, size)
        month = np.fromiter(months, np.int64, size)
        delta = np.fromiter(deltas, np.int64, size)
        low = int(day.min())
        span = int(day.max()) - low + 1
        key = (first * len(self._seconds) + second) * span + (day - low)
        _, at, which = np.unique(key, return_index=True, return_inverse=True)
        nets = np.zeros(len(at), np.int64)
        np.add.at(nets, which, delta)
        kept = np.arange(len(nets)) if zeros else np.flatnonzero(nets)
        chosen = at[kept]
        return Tally(self, first[chosen], second[chosen], day[chosen], month[chosen],
                     nets[kept])  # fmt: skip

    def tally_of(self, nets: Mapping[tuple[A, B, int, int], int]) -> Tally[A, B]:
        """The tally of ``nets`` (``(first, second, day, month) → net``), zeros kept: a
        series given a zero is still made."""
        return self.tally(map(_first, nets), map(_second, nets), map(_third, nets),
                          map(_fourth, nets), nets.values(), len(nets), zeros=True)  # fmt: skip

    def rows_of(self, firsts: Ints, seconds: Ints) -> Rows:
        """The rows of each pair of ids (made for pairs first seen)."""
        found = self._rows[firsts, seconds]
        missing = np.flatnonzero(found[:, 0] == NO_ROW).tolist()
        if not missing:
            return found
        for i in missing:
            a, b = int(firsts[i]), int(seconds[i])
            if self._rows[a, b, 0] == NO_ROW:  # not made for an earlier key of the batch
                made = list(self._make(self._firsts.seen[a], self._seconds.seen[b]))
                self._rows[a, b] = made + [self._filler] * (self._width - len(made))
        return self._rows[firsts, seconds]

    def first(self, found: int) -> A:
        return self._firsts.seen[found]

    def second(self, found: int) -> B:
        return self._seconds.seen[found]

    def _grow(self) -> None:
        firsts, seconds = len(self._firsts), len(self._seconds)
        held = self._rows.shape
        if firsts <= held[0] and seconds <= held[1]:
            return
        grown = np.full((max(firsts * 2, 64), max(seconds * 2, 8), self._width), NO_ROW,
                        np.int64)  # fmt: skip
        grown[: held[0], : held[1]] = self._rows
        self._rows = grown


class Tally(Mapping[tuple[A, B, int, int], int]):
    """A batch's net change per (first, second, day), zero nets dropped: columns of ids,
    days, months and nets, read as a mapping ``(first, second, day, month) → net`` (built
    the first time it is read so)."""

    def __init__(self, index: RowIndex[A, B], firsts: Ints, seconds: Ints, days: Ints,
                 months: Ints, nets: Ints) -> None:  # fmt: skip
        self.index = index
        self.firsts, self.seconds, self.days, self.months, self.nets = (
            firsts, seconds, days, months, nets)  # fmt: skip
        self._held: dict[tuple[A, B, int, int], int] | None = None

    def pairs(self) -> frozenset[tuple[A, B]]:
        """The (first, second) pairs with a net change."""
        found = set(zip(self.firsts.tolist(), self.seconds.tolist(), strict=True))
        return frozenset((self.index.first(a), self.index.second(b)) for a, b in found)

    def _dict(self) -> dict[tuple[A, B, int, int], int]:
        if self._held is None:
            first, second = self.index.first, self.index.second
            self._held = {
                (first(a), second(b), d, m): n
                for a, b, d, m, n in zip(self.firsts.tolist(), self.seconds.tolist(),
                                         self.days.tolist(), self.months.tolist(),
                                         self.nets.tolist(), strict=True)
            }  # fmt: skip
        return self._held

    def __getitem__(self, key: tuple[A, B, int, int]) -> int:
        return self._dict()[key]

    def __iter__(self) -> Iterator[tuple[A, B, int, int]]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self.nets)

    def items(self) -> ItemsView[tuple[A, B, int, int], int]:
        return self._dict().items()


K = TypeVar("K", bound=Hashable)


class _Ids(dict[K, int]):
    """Small ids (0, 1, …) given to keys on first sight (``seen[id]`` is the key);
    ``grown`` is told of each new one."""

    def __init__(self, grown: Callable[[], None]) -> None:
        super().__init__()
        self._grown = grown
        self.seen: list[K] = []

    def __missing__(self, key: K) -> int:
        found = self[key] = len(self)
        self.seen.append(key)
        self._grown()
        return found


_Held = TypeVar("_Held", npt.NDArray[np.int32], npt.NDArray[np.int64])


def _resized(held: _Held, rows: int, cols: int, shift: int) -> _Held:
    """A zeroed ``rows`` × ``cols`` array holding ``held`` from column ``shift`` on."""
    out = np.zeros((rows, cols), held.dtype)
    out[: held.shape[0], shift : shift + held.shape[1]] = held
    return out
