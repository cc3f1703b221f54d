"""The KPI state: a count series per unit × KPI group, folded from count changes.

Units: a ward; a borough's unlocated records (no ward known); a published borough total
(reconciliation only). Roll-ups are maintained as the changes are folded: a borough is its
wards plus its unlocated records, the MPS is every borough. Published borough totals are kept
apart and never added to a roll-up. Counts published on 2018-set ward codes stay on those
codes; a 2022-set ward's comparable total adds its share of them
(:meth:`KpiState.comparable_total`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Final, Literal, NamedTuple

import numpy as np

from services.kpi.domain.resolution import Resolution
from services.kpi.domain.series import DaySeries, new_bank
from shared.counts import NO_ROW, Apportioned, RowIndex, Tally

UnitKind = Literal["ward", "unlocated", "borough_total", "borough", "mps"]
GROUPS: Final = ("violence", "property", "asb", "other", "excluded")
MPS_CODE: Final = "MPS"


class Unit(NamedTuple):
    """A ward, a borough's unlocated records, a published borough total, a borough or the
    MPS. A named tuple: hashed and compared in C (the fold hashes one per change)."""

    kind: UnitKind
    code: str
    borough: str | None = None
    """Borough the unit belongs to (None: the MPS, or a special unit's published total)."""


MPS: Final = Unit("mps", MPS_CODE)


class Change(NamedTuple):
    """One count change as the fold needs it (decoded from a crime.counted/cad.counted);
    a named tuple, built once per event."""

    event_id: str
    unit: Unit
    group: str
    category: str
    day: int
    month: int
    delta: int
    record: str = ""
    """The crime or incident id (or the published cell's id)."""
    person: tuple[str, str, bool] | None = None
    """(victim or caller, pseudonym, vulnerable) when the record names a person."""
    monthly: bool = False
    """The count is known only to its month (dated the 1st): a published monthly cell, or
    a record dated only to a month."""
    simulated: bool = False
    """The record comes from a simulator, not a real police system."""


SeriesKey = tuple[Unit, str]
DayKey = tuple[Unit, str, int, int]
"""(unit, group, day, month)."""


Net = Tally[Unit, str]
"""A batch's net change per unit, group and day (a mapping (unit, group, day, month) → net,
zero nets dropped)."""

_unit: Final = itemgetter(1)
_group: Final = itemgetter(2)
_day: Final = itemgetter(4)
_month: Final = itemgetter(5)
_delta: Final = itemgetter(6)


_PLANS: Final = 256
"""Row plans of :meth:`KpiState.comparable_totals` kept at most (one per scope and group)."""
_ROLL_UPS: Final = 3
"""A stored unit's series adds to at most three: its own, its borough's and the MPS's."""


def roll_ups(unit: Unit) -> tuple[Unit, ...]:
    """The units a stored unit's counts also add to."""
    if unit.kind in ("ward", "unlocated") and unit.borough:
        return (unit, Unit("borough", unit.borough, unit.borough), MPS)
    return (unit,)


Apportioning = Mapping[Unit, tuple[tuple[Unit, float], ...]]
"""A 2022-set ward → the changed 2018-set wards it takes a share of, with the shares."""


class KpiState:
    def __init__(self, apportioning: Apportioning | None = None) -> None:
        self._apportioning = dict(apportioning or {})
        self._bank = new_bank()
        sink = self._bank.new_row()
        """A row never read: where a unit with fewer roll-ups pads its rows."""
        self._series: dict[SeriesKey, DaySeries] = {}
        self._rows: RowIndex[Unit, str] = RowIndex(_ROLL_UPS, sink, self._made)
        """(unit, group) → the bank rows of its series and of its roll-ups' series."""
        self._members: dict[str, set[Unit]] = {}
        self._units: dict[tuple[str, str | None], list[Unit]] = {}
        """Answers of :meth:`units`, until a series of a new unit appears."""
        self._plans: dict[tuple[tuple[Unit, ...], str], Apportioned] = {}
        """The rows :meth:`comparable_totals` reads, until a series of a new unit appears."""
        self.resolution = Resolution(roll_ups)  # type: ignore[arg-type]
        """Which months of each unit × group rest on counts known only to their month."""
        self.simulated = Resolution(roll_ups)  # type: ignore[arg-type]
        """Which months of each unit × group hold counts of simulated records."""

    def draws_on(self, unit: Unit) -> tuple[Unit, ...]:
        """The unit and the changed 2018-set wards it takes shares of (its figures' data)."""
        return (unit, *(old for old, _ in self._apportioning.get(unit, ())))

    def net(self, changes: Sequence[Change]) -> Net:
        """The net change per unit, group and day of a batch, zero nets dropped (summed in
        one vectorised pass; the changes are read column by column, in C)."""
        return self._rows.tally(map(_unit, changes), map(_group, changes),
                                map(_day, changes), map(_month, changes),
                                map(_delta, changes), len(changes))  # fmt: skip

    def apply(self, net: Net | Mapping[DayKey, int]) -> None:
        """Fold a batch's net changes (after they are stored): O(1) per change and roll-up,
        the whole batch added to the series at once."""
        if not net:
            return
        if not (isinstance(net, Tally) and net.index is self._rows):
            net = self._rows.tally_of(net)
        self._bank.add(self._rows.rows_of(net.firsts, net.seconds), net.days, net.months,
                       net.nets)  # fmt: skip

    def _made(self, unit: Unit, group: str) -> list[int]:
        """The rows of a stored unit's series for ``group`` and of its roll-ups' (made now)."""
        rows = []
        for target in roll_ups(unit):
            series = self._series.get((target, group))
            if series is None:
                series = self._series[(target, group)] = self._new(target)
            rows.append(series.row)
        return rows

    def total(self, unit: Unit, group: str, first: int, last: int) -> int:
        found = self._series.get((unit, group))
        return found.total(first, last) if found else 0

    def comparable_total(self, unit: Unit, group: str, first: int, last: int) -> tuple[int, float]:
        """The total on the unit's own boundaries: a 2022-set ward's own counts plus its
        shares of the counts still held on changed 2018-set codes over the days (rounded),
        and that estimated part unrounded (0.0 when nothing was apportioned)."""
        own = self.total(unit, group, first, last)
        parts = self._apportioning.get(unit)
        if not parts:
            return own, 0.0
        estimated = sum(share * self.total(old, group, first, last) for old, share in parts)
        return own + round(estimated), estimated

    def comparable_totals(self, units: Sequence[Unit], group: str, first: int,
                          last: int) -> list[int]:  # fmt: skip
        """The rounded :meth:`comparable_total` of every unit of ``units``, in order: every
        series read in one vectorised pass (a league ranks hundreds of wards at once), the
        rows to read worked out once until a series of a new unit appears."""
        return self._plan_for(units, group).totals(self._bank, first, last)

    def totals_stamp(self, units: Sequence[Unit], group: str) -> tuple[int, int]:
        """Moves whenever :meth:`comparable_totals` of ``units`` for ``group`` may answer
        differently, for any days: a series was made, or a series they read changed."""
        return len(self._series), self._plan_for(units, group).stamp(self._bank)

    def unit_stamp(self, unit: Unit, group: str) -> tuple[int, int]:
        """Moves whenever ``unit``'s own figures for ``group`` may answer differently (its
        series or the 2018-set series it takes shares of changed, or a series was made):
        :meth:`totals_stamp` of one unit, without keeping a row plan for it."""
        rows = [found.row for u in self.draws_on(unit)
                if (found := self._series.get((u, group))) is not None]  # fmt: skip
        return len(self._series), self._bank.latest_change(np.asarray(rows, np.int64))

    def _plan_for(self, units: Sequence[Unit], group: str) -> Apportioned:
        key = (tuple(units), group)
        plan = self._plans.get(key)
        if plan is None:
            if len(self._plans) >= _PLANS:
                self._plans.clear()
            plan = self._plans[key] = self._plan(units, group)
        return plan

    def _plan(self, units: Sequence[Unit], group: str) -> Apportioned:
        def row(unit: Unit) -> int:
            found = self._series.get((unit, group))
            return NO_ROW if found is None else found.row

        parts = [[(row(old), share) for old, share in self._apportioning.get(unit, ())]
                 for unit in units]  # fmt: skip
        return Apportioned([row(unit) for unit in units], parts)

    def series(self, unit: Unit, group: str) -> DaySeries | None:
        return self._series.get((unit, group))

    def units(self, kind: UnitKind, borough: str | None = None) -> list[Unit]:
        """Units of ``kind`` (in ``borough`` when given) that have counts."""
        found = self._units.get((kind, borough))
        if found is None:
            pool = self._members.get(borough, set()) if borough else {u for u, _ in self._series}
            found = self._units[(kind, borough)] = sorted(
                (u for u in pool if u.kind == kind), key=lambda u: u.code)  # fmt: skip
        return list(found)

    def stored_units(self) -> Iterator[tuple[Unit, str, DaySeries]]:
        """The series that are stored (roll-ups are derived)."""
        for (unit, group), s in self._series.items():
            if unit.kind in ("ward", "unlocated", "borough_total"):
                yield unit, group, s

    def _new(self, unit: Unit) -> DaySeries:
        self._units.clear()
        self._plans.clear()
        if unit.borough:
            self._members.setdefault(unit.borough, set()).add(unit)
        return DaySeries(self._bank, self._bank.new_row())

    def shares_of(self, unit: Unit, group: str) -> tuple[tuple[DaySeries | None, float], ...]:
        """The ``group`` series of the changed 2018-set wards a 2022-set ward takes shares of,
        with its shares, in the order :meth:`comparable_total` adds them (None where such a
        ward has no series; empty for any other unit): with the unit's own series, what its
        counts on its own boundaries are made of, period by period (an SPC chart's points)."""
        return tuple((self._series.get((old, group)), share)
                     for old, share in self._apportioning.get(unit, ()))  # fmt: skip
