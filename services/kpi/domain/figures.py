"""A unit's crime KPI figure for a period: the count, last year, % change, the target
trajectory and gap, the projected year end, and the exact Poisson tests against last year and
against the target ratio itself.

Trajectory: last year's count for the same period × the target ratio (KPI 1: 0.98, KPI 4:
0.99); for the financial year to date that is last year's cumulative count to the same day.
Every count is on the unit's own boundaries: for a 2022-set ward, periods whose counts were
published on changed 2018-set codes take the ward's apportioned share of them (estimated, and
reported as such), so this year and last year are compared like for like.

Projected year end (financial year to date only): this year's count so far scaled by last
year's seasonal profile (last year's full year ÷ last year's count to the same day); when last
year's count to date is 0, a straight line over the days elapsed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from services.kpi.domain.days import ONE_DAY, day_index
from services.kpi.domain.periods import (
    Period,
    financial_year_end,
    is_month_end,
    last_year,
    period,
)
from services.kpi.domain.resolution import NOT_AVAILABLE, source_of, supported
from services.kpi.domain.sources import (
    TOTALS,
    WARDS,
    Source,
    choose_sources,
    covered,
    held,
    simulated,
)
from services.kpi.domain.state import MPS, KpiState, Unit
from services.kpi.domain.stats import pct_change, poisson_ratio_test
from services.kpi.domain.targets import Target

ALPHA: Final = 0.05
TEST: Final = "poisson_conditional_binomial"


@dataclass(frozen=True, slots=True)
class Judgement:
    """An exact Poisson test of this period against ``null_ratio`` × last year."""

    null_ratio: float
    p_value: float | None
    verdict: str
    """significant_worse, significant_better, not_significant or insufficient_data."""


@dataclass(frozen=True, slots=True)
class Figure:
    unit: Unit
    group: str
    period: Period
    last_year_period: Period
    value: int
    last_year: int
    pct_change: float | None
    target: Target | None
    trajectory: float | None
    gap_to_trajectory: float | None
    projected_year_end: float | None
    vs_last_year: Judgement
    vs_target: Judgement | None
    estimated: tuple[float, float] = (0.0, 0.0)
    """Parts of value and last_year apportioned from changed 2018-set wards (unrounded)."""
    sources: tuple[Source, Source] = (Source(), Source())
    """What this period's and last year's counts rest on."""


def availability(state: KpiState, unit: Unit, group: str, current: Period) -> str | None:
    """None when the data under ``unit`` × ``group`` support a figure for ``current`` and
    its same period last year; else why not (a period finer than monthly-only data)."""
    before = last_year(current)
    chosen = choose_sources(state, unit, current, before)
    for units, p in zip(chosen, (current, before), strict=True):
        if not supported(state.resolution, _data_units(state, units), group, (p,)):
            return NOT_AVAILABLE
    return None


def latest_supported(state: KpiState, unit: Unit, group: str, current: Period) -> Period:
    """``current``, or, where the data under ``unit`` × ``group`` cannot support it, the same
    kind of period to the end of the last whole month before it: a KPI whose last year is
    known only by month is shown to its last month end while this year's event-level records
    run on into a month not yet whole. ``current`` when that is not supported either."""
    if is_month_end(current.last) or availability(state, unit, group, current) is None:
        return current
    earlier = period(current.kind, current.last.replace(day=1) - ONE_DAY)
    return earlier if availability(state, unit, group, earlier) is None else current


def figure(state: KpiState, unit: Unit, group: str, current: Period,
           target: Target | None) -> Figure:  # fmt: skip
    """The figure of ``unit`` × ``group`` for ``current`` (ask :func:`availability` first:
    a figure the data cannot support is still computed here, but must not be shown)."""
    before = last_year(current)
    now_units, then_units = choose_sources(state, unit, current, before)
    value, value_estimated = _total(state, now_units, group, current)
    previous, previous_estimated = _total(state, then_units, group, before)
    exposure = current.days / before.days
    ratio = target.ratio if target else None
    trajectory = None if ratio is None else previous * ratio
    return Figure(
        unit, group, current, before, value, previous, pct_change(value, previous), target,
        trajectory, None if trajectory is None else value - trajectory,
        _projected(state, then_units, group, current, value, before, previous),
        judge(value, previous, 1.0, exposure),
        None if ratio is None else judge(value, previous, ratio, exposure),
        (value_estimated, previous_estimated),
        (_source(state, now_units, group, current), _source(state, then_units, group, before)),
    )  # fmt: skip


def judge(current: int, previous: int, null_ratio: float, exposure: float = 1.0) -> Judgement:
    """Is ``current`` significantly above or below ``null_ratio`` × ``previous``? (Lower
    counts are better for every crime KPI.)"""
    if current + previous == 0:
        return Judgement(null_ratio, None, "insufficient_data")
    test = poisson_ratio_test(current, previous, ratio=null_ratio, exposure=exposure,
                              interval=False)  # fmt: skip
    if test.p_two_sided >= ALPHA:
        verdict = "not_significant"
    elif test.p_higher < test.p_lower:
        verdict = "significant_worse"
    else:
        verdict = "significant_better"
    return Judgement(null_ratio, test.p_two_sided, verdict)


def _total(state: KpiState, units: Sequence[Unit], group: str,
           period: Period) -> tuple[int, float]:  # fmt: skip
    """The units' total on their own boundaries, and the part apportioned from 2018 wards."""
    first, last = day_index(period.first), day_index(period.last)
    found = [state.comparable_total(u, group, first, last) for u in units]
    return sum(n for n, _ in found), sum(e for _, e in found)


def _data_units(state: KpiState, units: Sequence[Unit]) -> list[Unit]:
    return [held for u in units for held in state.draws_on(u)]


def _source(state: KpiState, units: Sequence[Unit], group: str, period: Period) -> Source:
    totals = units[0].kind == "borough_total"
    dataset = tuple(state.units("borough_total")) if totals else (MPS,)
    data = _data_units(state, units)
    return Source(TOTALS if totals else WARDS, source_of(state.resolution, data, group, period),
                  covered(state, dataset, period, (group,)),
                  held(state, dataset, period, (group,)),
                  simulated(state, data, group, period))  # fmt: skip


def _projected(
    state: KpiState, units: Sequence[Unit], group: str, current: Period, value: int,
    before: Period, previous: int,
) -> float | None:  # fmt: skip
    if current.kind != "fytd":
        return None
    if previous > 0:
        year_end = financial_year_end(before.first)
        full, _ = _total(state, units, group, Period("fytd", before.first, year_end))
        return value * full / previous
    year_days = (financial_year_end(current.first) - current.first).days + 1
    return value * year_days / current.days
