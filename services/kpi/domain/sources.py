"""Which source a borough's or the MPS's figure rests on: its wards, or the published
borough totals.

A borough's figure is its wards plus its records with no ward wherever ward data cover the
period; where they do not (years before the ward data begin) it is the MPS's published
borough total; the MPS's is every borough's (published totals of the special units, such as
London Heathrow and London City Airports, included). A source covers a period when it holds
counts in every month of it. The same source is used for this year and last year wherever
one covers both; only when none does is each year taken from the source that covers it, and
the figure says so (its two sources differ). Published borough totals count every crime the
MPS files to the borough, including crimes never geocoded to a ward (about 1.5–3 % more
than its wards).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from services.kpi.domain.days import month_index
from services.kpi.domain.periods import Period
from services.kpi.domain.resolution import EVENTS, MONTHLY
from services.kpi.domain.state import GROUPS, MPS, KpiState, Unit

WARDS: Final = "wards"
TOTALS: Final = "published_borough_totals"


@dataclass(frozen=True, slots=True)
class Source:
    area: str = WARDS
    """``wards`` (wards plus records with no ward) or ``published_borough_totals``."""
    resolution: str = EVENTS
    """``event_records`` or ``published_monthly`` (any month of the period monthly-only)."""
    complete: bool = True
    """Whether the source holds counts of the figure's KPI group in every month of the
    period (false where no source of that group is loaded, e.g. ASB from the crime files)."""
    held: bool = True
    """Whether the source holds counts of the figure's KPI group in any month of the period
    (false where no source of that group is loaded for the period: the figure's zero is
    not a count but the absence of data)."""
    simulated: bool = False
    """Whether any of the counts are of simulated records (the live simulated feed, a
    simulated roster), not real police data."""

    @property
    def label(self) -> str:
        """What the counts rest on, in words: 'simulated event-level records', 'monthly
        published counts and simulated event-level records'..."""
        if not self.held:
            return "no data of this KPI group loaded"
        published = "published borough totals" if self.area == TOTALS else "published counts"
        if self.resolution != MONTHLY:
            return "simulated event-level records" if self.simulated else "event-level records"
        words = f"monthly {published}"
        return words + (" and simulated event-level records" if self.simulated else "")


def simulated(state: KpiState, units: Sequence[Unit], group: str, period: Period) -> bool:
    """Do ``units`` hold counts of simulated records of ``group`` in any month of
    ``period``?"""
    months = range(month_index(period.first), month_index(period.last) + 1)
    return any(state.simulated.monthly(units, group, m) for m in months)


def choose_sources(state: KpiState, unit: Unit, current: Period,
                   before: Period) -> tuple[tuple[Unit, ...], tuple[Unit, ...]]:  # fmt: skip
    """The units this period's and last year's counts of ``unit`` are read from."""
    own = (unit,)
    if unit.kind not in ("borough", "mps"):
        return own, own
    totals = _totals(state, unit)
    if not totals:
        return own, own
    wards_cover = [covered(state, (MPS,), p) for p in (current, before)]
    if all(wards_cover):
        return own, own
    totals_cover = [covered(state, _all_totals(state), p) for p in (current, before)]
    if all(totals_cover):
        return totals, totals
    now, then = (own if w or not t else totals
                 for w, t in zip(wards_cover, totals_cover, strict=True))  # fmt: skip
    return now, then


def covered(state: KpiState, units: tuple[Unit, ...], period: Period,
            groups: Sequence[str] = GROUPS) -> bool:  # fmt: skip
    """Do ``units`` together hold counts (of any of ``groups``) in every month of
    ``period``?"""
    months = _monthly_counts(state, units, period, groups)
    return bool(months) and all(months)


def held(state: KpiState, units: tuple[Unit, ...], period: Period,
         groups: Sequence[str] = GROUPS) -> bool:  # fmt: skip
    """Do ``units`` together hold counts (of any of ``groups``) in any month of
    ``period``?"""
    return any(_monthly_counts(state, units, period, groups))


def _monthly_counts(state: KpiState, units: tuple[Unit, ...], period: Period,
                    groups: Sequence[str]) -> list[int]:  # fmt: skip
    """The size of the counts ``units`` hold in each month of ``period`` (none when the
    period is empty)."""
    first, last = month_index(period.first), month_index(period.last)
    if not units or last < first:
        return []
    months = [0] * (last - first + 1)
    for unit in units:
        for group in groups:
            series = state.series(unit, group)
            if series is not None:
                months = [a + abs(b) for a, b in zip(months, series.by_month(first, last),
                                                     strict=True)]  # fmt: skip
    return months


def _totals(state: KpiState, unit: Unit) -> tuple[Unit, ...]:
    if unit.kind == "mps":
        return _all_totals(state)
    total = Unit("borough_total", unit.code, unit.code)
    held = any(state.series(total, g) is not None for g in GROUPS)
    return (total,) if held else ()


def _all_totals(state: KpiState) -> tuple[Unit, ...]:
    return tuple(state.units("borough_total"))
