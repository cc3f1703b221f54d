"""The KPI state: a count series per unit × KPI group, folded from count changes.

Units: a ward; a borough's unlocated records (no ward known); a published borough total
(reconciliation only). Roll-ups are maintained as the changes are folded: a borough is its
wards plus its unlocated records, the MPS is every borough. Published borough totals are kept
apart and never added to a roll-up. Counts published on 2018-set ward codes stay on those
codes; a 2022-set ward's comparable total adds its share of them
(:meth:`KpiState.comparable_total`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from services.kpi.domain.series import DaySeries

UnitKind = Literal["ward", "unlocated", "borough_total", "borough", "mps"]
GROUPS: Final = ("violence", "property", "asb", "other", "excluded")
MPS_CODE: Final = "MPS"


@dataclass(frozen=True, slots=True)
class Unit:
    kind: UnitKind
    code: str
    borough: str | None = None
    """Borough the unit belongs to (None: the MPS, or a special unit's published total)."""


MPS: Final = Unit("mps", MPS_CODE)


@dataclass(frozen=True, slots=True)
class Change:
    """One count change as the fold needs it (decoded from a crime.counted/cad.counted)."""

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


SeriesKey = tuple[Unit, str]
DayKey = tuple[Unit, str, int, int]
"""(unit, group, day, month)."""


def net_by_day(changes: Iterable[Change]) -> dict[DayKey, int]:
    """The net change per unit, group and day of a batch (zero nets dropped).

    Records (±1, nearly every event) are tallied by :class:`collections.Counter`, which
    counts in C; published cells (any delta) are added one by one.
    """
    ups: list[DayKey] = []
    downs: list[DayKey] = []
    other: list[Change] = []
    for c in changes:
        if c.delta == 1:
            ups.append((c.unit, c.group, c.day, c.month))
        elif c.delta == -1:
            downs.append((c.unit, c.group, c.day, c.month))
        else:
            other.append(c)
    net = Counter(ups)
    net.subtract(Counter(downs))
    for c in other:
        key = (c.unit, c.group, c.day, c.month)
        net[key] = net.get(key, 0) + c.delta
    return {k: v for k, v in net.items() if v}


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
        self._series: dict[SeriesKey, DaySeries] = {}
        self._targets: dict[SeriesKey, tuple[DaySeries, ...]] = {}
        """Per stored unit × group: its series and its roll-ups' (resolved once)."""
        self._members: dict[str, set[Unit]] = {}
        self._units: dict[tuple[str, str | None], list[Unit]] = {}
        """Answers of :meth:`units`, until a series of a new unit appears."""

    def apply(self, net: Mapping[DayKey, int]) -> None:
        """Fold a batch's net changes (after they are stored): O(1) per change and roll-up."""
        targets = self._targets
        for (unit, group, day, month), delta in net.items():
            found = targets.get((unit, group))
            if found is None:
                found = self._targets_of(unit, group)
            for series in found:
                series.add_fast(day, month, delta)

    def _targets_of(self, unit: Unit, group: str) -> tuple[DaySeries, ...]:
        found = []
        for target in roll_ups(unit):
            series = self._series.get((target, group))
            if series is None:
                series = self._series[(target, group)] = self._new(target)
            found.append(series)
        self._targets[(unit, group)] = tuple(found)
        return self._targets[(unit, group)]

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
        if unit.borough:
            self._members.setdefault(unit.borough, set()).add(unit)
        return DaySeries()
