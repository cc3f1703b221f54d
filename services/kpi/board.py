"""Derived views of the live state (leagues, SPC charts, repeat diagnostics, the data date),
computed under the fold's lock and cached until the state changes (the folder's generation
moves on)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from contextlib import AbstractContextManager
from datetime import date, timedelta
from typing import Final, TypeVar

from services.kpi.domain.controlled import AreaVerdicts, Judged, judged
from services.kpi.domain.days import day_index, day_of, month_index, month_start
from services.kpi.domain.diagnostics import Answer, Kind
from services.kpi.domain.figures import availability
from services.kpi.domain.league import League, league, ranks, ward_ranks
from services.kpi.domain.periods import Period, last_year
from services.kpi.domain.reconcile import Reconciliation, reconcile
from services.kpi.domain.resolution import latest_monthly_end, supported
from services.kpi.domain.spc_view import (
    WINDOW,
    Interval,
    SpcVerdict,
    SpcView,
    data_start,
    spc_view,
    verdict,
)
from services.kpi.domain.state import MPS, KpiState, Unit
from services.kpi.domain.targets import KPI_OF_GROUP, Significance, Targets
from services.kpi.fold import Folder

T = TypeVar("T")
CACHE_SIZE: Final = 16_384
RANKINGS: Final = 1_024
"""Rankings kept at most (one per scope, KPI group and period asked for)."""
PEOPLE_CACHE_SIZE: Final = 64
"""Repeat-diagnostics answers kept at most (one per kind and window asked for)."""
SPC_INTERVAL: Final = {"week": "week", "fortnight": "week", "rolling_28d": "week"}
"""The chart that goes with a period: weekly for the short periods, monthly otherwise."""


class Board:
    def __init__(self, folder: Folder, targets: Targets) -> None:
        self._folder = folder
        self._targets = targets
        self._state = _Memo(folder.lock, lambda: folder.generation, CACHE_SIZE)
        self._people = _Memo(folder.people_lock, lambda: folder.people_generation,
                             PEOPLE_CACHE_SIZE)  # fmt: skip
        self._rankings: dict[Hashable, tuple[tuple[int, int], object]] = {}
        """Rankings with the :meth:`KpiState.totals_stamp` they were computed at."""
        self._charts: dict[Hashable, tuple[Hashable, object]] = {}
        """Views of one unit's series with the stamp (:meth:`_own`) they were computed at."""

    def borough_league(self, group: str, current: Period) -> League:
        """Every borough of the MPS whose data support the period, tested and ranked."""
        judged = self.judged("borough", group, current)
        return self._ranked(("boroughs", group, current, judged),
                            lambda s: _supported(s, _boroughs(s), group, current), group,
                            lambda s, units: league(s, units, group, current, judged))  # fmt: skip

    def ward_league(self, scope: Unit, group: str, current: Period) -> League:
        """Every ward of ``scope`` (a borough or the MPS) whose data support the period,
        tested and ranked (none when the data are monthly and the period is not whole
        months)."""
        judged = self.judged("ward", group, current)
        return self._ranked(("wards", scope, group, current, judged),
                            lambda s: _supported(s, _wards(s, scope), group, current), group,
                            lambda s, units: league(s, units, group, current, judged))  # fmt: skip

    def judged(self, level: str, group: str, current: Period) -> Judged:
        """Every ward (``level`` "ward") or borough ("borough") of the MPS whose data support
        the period, or the MPS ("mps"), judged by the product's significance rules: φ from the
        MPS's wards, Benjamini–Hochberg across the level (kept while none of the series it
        reads changes)."""
        target = self._targets.for_group(group)
        ratio = target.ratio if target else None
        rules = self._targets.significance
        if level == "ward":
            return self._ranked(
                ("judged", level, group, current),
                lambda s: _supported(s, _wards(s, MPS), group, current), group,
                lambda s, units: judged(s, units, group, current, ratio, rules=rules))  # fmt: skip
        spread = self.judged("ward", group, current).dispersion
        members = _boroughs if level == "borough" else (lambda s: [MPS])
        return self._ranked(("judged", level, group, current, spread),
                            lambda s: _supported(s, members(s), group, current), group,
                            lambda s, units: judged(s, units, group, current, ratio, spread,
                                                    against_mps=level == "borough",
                                                    rules=rules))  # fmt: skip

    @property
    def significance(self) -> Significance:
        """The product's significance rules (versioned target configuration)."""
        return self._targets.significance

    def verdicts(
        self, unit: Unit, group: str, current: Period
    ) -> tuple[Judged, AreaVerdicts | None]:
        """The judgement of ``unit``'s level and the unit's own verdicts in it (None when the
        unit is not among them: no data to support the period, or not a published level)."""
        level = unit.kind if unit.kind in ("ward", "borough", "mps") else "mps"
        found = self.judged(level, group, current)
        return found, found.areas.get(unit)

    def available(self, unit: Unit, group: str, current: Period) -> str | None:
        """None when the data support ``unit``'s figure for ``current``, else why not."""
        return self._cached(("available", unit, group, current),
                            lambda s: availability(s, unit, group, current))  # fmt: skip

    def weekly_supported(self, unit: Unit, group: str, as_of: date) -> bool:
        """Can ``unit``'s weekly chart to ``as_of`` be drawn (no monthly-only counts in the
        months it spans)?"""
        first = month_index(as_of - timedelta(weeks=WINDOW["week"]))
        return self._cached(("weekly", unit, group, as_of), lambda s: not any(
            s.resolution.monthly(s.draws_on(unit), group, m)
            for m in range(first, month_index(as_of) + 1)))  # fmt: skip

    def ranks(self, unit: Unit, group: str, current: Period) -> tuple[int | None, int | None]:
        """(rank in its borough, rank in the MPS); rank 1 = most significant increase."""
        if unit.kind == "ward" and unit.borough:
            in_mps, in_borough = self._ranked(
                ("ward_ranks", group, current), lambda s: _wards(s, MPS), group,
                lambda s, units: ward_ranks(s, units, group, current))  # fmt: skip
            return in_borough.get(unit.borough, {}).get(unit), in_mps.get(unit)
        if unit.kind == "borough":
            found = self._ranked(("borough_ranks", group, current), _boroughs, group,
                                 lambda s, units: ranks(s, units, group, current))  # fmt: skip
            return None, found.get(unit)
        return None, None

    def spc(self, unit: Unit, group: str, as_of: date, interval: Interval) -> SpcView:
        target = self._targets.for_group(group)
        ratio = target.ratio if target else None
        if interval == "week" and not self.weekly_supported(unit, group, as_of):
            return _no_weekly_chart()
        least = self._targets.spc_min_points
        return self._own(("spc", unit, group, as_of, interval), unit, group, as_of,
                         lambda s: spc_view(s, unit, group, as_of, interval, ratio,
                                            min_points=least))  # fmt: skip

    def spc_for(self, unit: Unit, group: str, current: Period) -> SpcVerdict:
        """The verdict of the chart that goes with ``current``'s kind (the whole chart is
        not kept: thousands of these are cached while every figure is published)."""
        interval: Interval = "week" if current.kind in SPC_INTERVAL else "month"
        if interval == "week" and not self.weekly_supported(unit, group, current.last):
            return verdict(_no_weekly_chart())
        target = self._targets.for_group(group)
        ratio = target.ratio if target else None
        least = self._targets.spc_min_points
        return self._own(("spc_for", unit, group, current.last, interval), unit, group,
                         current.last, lambda s: verdict(spc_view(
                             s, unit, group, current.last, interval, ratio,
                             min_points=least)))  # fmt: skip

    def reconcile(self, borough_code: str, current: Period) -> list[Reconciliation]:
        """The borough's figures against its published borough total."""
        key = ("reconcile", borough_code, current)
        return self._cached(key, lambda s: reconcile(s, borough_code, current))

    def diagnostics(self, kind: Kind, window: Period) -> dict[Unit, Answer]:
        """Repeat victims or callers over ``window``, per owning unit (one pass over the
        persons, shared by every ward, borough and MPS answer until the diagnostics change;
        read under the diagnostics' own lock)."""
        first, last = day_index(window.first), day_index(window.last)
        people = self._folder.diagnostics
        return self._people.get((kind, window), lambda: people.by_owner(kind, first, last))

    def data_date(self, today: date) -> date:
        """The latest day with any count in the MPS — the end of its month where that month
        holds monthly-only counts — never after ``today`` (``today`` when nothing is
        counted): the date "current" figures are as of."""
        return self._cached(("data_date", today), lambda s: _data_date(s, today))

    def _ranked(self, key: Hashable, members: Callable[[KpiState], list[Unit]], group: str,
                compute: Callable[[KpiState, list[Unit]], T]) -> T:  # fmt: skip
        """A ranking of ``members`` for ``group``: kept while none of the series it reads
        changes, whatever else the state's batches change (a batch of one KPI's events, or
        of days outside the period, leaves the others' rankings as they were)."""
        with self._folder.lock:
            state = self._folder.state
            units = members(state)
            stamp = state.totals_stamp(units, group)
            found = self._rankings.get(key)
            if found is not None and found[0] == stamp:
                return found[1]  # type: ignore[return-value]
            if len(self._rankings) >= RANKINGS:
                self._rankings.clear()
            value = compute(state, units)
            self._rankings[key] = (stamp, value)
            return value

    def _own(self, key: Hashable, unit: Unit, group: str, as_of: date,
             compute: Callable[[KpiState], T]) -> T:  # fmt: skip
        """A view of ``unit``'s own series (an SPC chart): kept while neither they nor the
        MPS's first month of data (where every chart starts) change, whatever the batches do
        to other units (a live event recomputes one ward's charts, not every ward's)."""
        with self._folder.lock:
            state = self._folder.state
            stamp = (state.unit_stamp(unit, group), data_start(state, group, as_of))
            found = self._charts.get(key)
            if found is not None and found[0] == stamp:
                return found[1]  # type: ignore[return-value]
            if len(self._charts) >= CACHE_SIZE:
                self._charts.clear()
            value = compute(state)
            self._charts[key] = (stamp, value)
            return value

    def _cached(self, key: Hashable, compute: Callable[[KpiState], T]) -> T:
        return self._state.get(key, lambda: compute(self._folder.state))


class _Memo:
    """Values computed and read under ``lock``, kept until ``generation()`` moves on; the
    least recently used goes when ``size`` are held."""

    def __init__(self, lock: AbstractContextManager[object], generation: Callable[[], int],
                 size: int) -> None:  # fmt: skip
        self._lock, self._generation, self._size = lock, generation, size
        self._held: OrderedDict[Hashable, object] = OrderedDict()
        self._seen = -1

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if self._generation() != self._seen:
                self._held.clear()
                self._seen = self._generation()
            if key in self._held:
                self._held.move_to_end(key)
            else:
                if len(self._held) >= self._size:
                    self._held.popitem(last=False)  # the least recently used
                self._held[key] = compute()
            return self._held[key]  # type: ignore[return-value]


WEEKLY_NOT_AVAILABLE: Final = ("no weekly chart: the data for this area are monthly (counts "
                               "known only to their month); see the monthly chart")  # fmt: skip


def _no_weekly_chart() -> SpcView:
    return SpcView("week", (), None, "insufficient_data", (), None, None, WEEKLY_NOT_AVAILABLE)


def _supported(state: KpiState, units: list[Unit], group: str, current: Period) -> list[Unit]:
    """Those of ``units`` whose data support a figure for ``current`` (wards: all of them at
    once when no month the MPS holds monthly-only counts in cuts the period or last year's;
    the MPS holds the months of every ward)."""
    periods = (current, last_year(current))
    if all(u.kind == "ward" for u in units) and supported(state.resolution, [MPS], group,
                                                          periods):  # fmt: skip
        return units
    return [u for u in units if availability(state, u, group, current) is None]


def _boroughs(state: KpiState) -> list[Unit]:
    return state.units("borough")


def _wards(state: KpiState, scope: Unit) -> list[Unit]:
    return state.units("ward", None if scope.kind == "mps" else scope.code)


def _data_date(state: KpiState, today: date) -> date:
    latest = _latest_day(state, today)
    monthly = latest_monthly_end(state.resolution, MPS, KPI_OF_GROUP, today)
    found = max((d for d in (latest, monthly) if d is not None), default=None)
    return today if found is None else min(found, today)


def _latest_day(state: KpiState, today: date) -> date | None:
    latest: date | None = None
    for group in KPI_OF_GROUP:
        series = state.series(MPS, group)
        if series is None:
            continue
        months = series.by_month(0, month_index(today))
        month = next((m for m in range(len(months) - 1, -1, -1) if months[m]), None)
        if month is None:
            continue
        first = day_index(month_start(month))
        days = series.by_day(first, min(day_index(today), first + 30))
        day = next((i for i in range(len(days) - 1, -1, -1) if days[i]), None)
        if day is not None and (latest is None or day_of(first + day) > latest):
            latest = day_of(first + day)
    return latest
