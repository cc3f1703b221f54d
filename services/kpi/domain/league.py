"""Wards side by side: ranks and the exception list, judged by statistics, not raw % change.

Every ward of a scope (a borough, or the MPS) is tested against its own count for the same
period last year. Given the level's judgement (:mod:`controlled`: the product's significance
rules, as the figures and kpi.updated carry them) its verdicts are used: the test allows for
overdispersion and is adjusted by Benjamini–Hochberg across all the MPS's wards (boroughs:
across the 32 boroughs), whatever the scope shown. Without one, the exact conditional Poisson
test, adjusted across the scope. Either way among the areas flagged significant the expected
share flagged by chance is at most ``FDR`` (5%); with 679 wards tested at 5% each, about 34
would otherwise be flagged by chance alone.

Rank 1 is the ward whose count rose most significantly on last year: wards are ordered by the
variance-stabilised Poisson z-score 2(√C − √(e·P)) (e: this period's length over last year's),
highest first; ties by count, then code. The exception list names the wards still significant
after the adjustment, poor (worse than last year) and good (better), most significant first;
given the level's judgement, the areas that differ significantly from the MPS trend (worse or
better than the London-wide change), so a movement of the whole MPS is not listed area by area.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from services.kpi.domain.controlled import Controlled, Judged
from services.kpi.domain.days import day_index
from services.kpi.domain.periods import Period, last_year
from services.kpi.domain.state import KpiState, Unit
from services.kpi.domain.stats import benjamini_hochberg, poisson_ratio_test
from shared.ranking import poisson_z_order

FDR: Final = 0.05
EXCEPTIONS: Final = 5


@dataclass(frozen=True, slots=True)
class Standing:
    unit: Unit
    value: int
    last_year: int
    z: float
    p_value: float | None
    """Two-sided exact p-value against last year (None: no counts in either period)."""
    q_value: float | None
    """Benjamini–Hochberg adjusted p-value across the scope."""
    verdict: str
    """significant_worse / significant_better (after the adjustment), not_significant or
    insufficient_data."""
    rank: int
    trend: Controlled | None = None
    """Against the London-wide trend (given the level's judgement)."""


@dataclass(frozen=True, slots=True)
class League:
    group: str
    period: Period
    standings: tuple[Standing, ...]
    """In rank order."""
    mps_ratio: float | None = None
    """The London-wide ratio to last year the areas were compared with (if judged)."""
    overdispersion: float = 1.0

    @property
    def against_trend(self) -> bool:
        return any(s.trend is not None for s in self.standings)

    def rank_of(self, unit: Unit) -> int | None:
        found = next((s for s in self.standings if s.unit == unit), None)
        return None if found is None else found.rank

    def exceptions(self, limit: int = EXCEPTIONS) -> tuple[tuple[Standing, ...], ...]:
        """(poor, good): the most significant performers each way, at most ``limit`` each."""
        if self.against_trend:
            return self._against_trend(limit)
        poor = [s for s in self.standings if s.verdict == "significant_worse"]
        good = [s for s in self.standings if s.verdict == "significant_better"]
        poor.sort(key=lambda s: (s.q_value or 0.0, -s.z, s.unit.code))
        good.sort(key=lambda s: (s.q_value or 0.0, s.z, s.unit.code))
        return tuple(poor[:limit]), tuple(good[:limit])

    def differing(self) -> tuple[tuple[Standing, ...], tuple[Standing, ...]]:
        """(worse, better) than the MPS trend: every area that differs significantly, the
        most significant first (adjusted p, then |z|, then code)."""
        found = [(s, s.trend) for s in self.standings if s.trend is not None]
        found.sort(key=lambda f: (f[1].q_value or 0.0, -abs(f[1].z), f[0].unit.code))
        return (tuple(s for s, t in found if t.verdict == "significant_worse"),
                tuple(s for s, t in found if t.verdict == "significant_better"))  # fmt: skip

    def _against_trend(self, limit: int) -> tuple[tuple[Standing, ...], ...]:
        worse, better = self.differing()
        return worse[:limit], better[:limit]


def league(state: KpiState, units: Iterable[Unit], group: str, current: Period,
           judged: Judged | None = None) -> League:  # fmt: skip
    """Every unit of ``units`` tested, adjusted and ranked for ``group`` over ``current``
    (by ``judged``, the level's judgement, when given)."""
    before = last_year(current)
    exposure = current.days / before.days
    rows = _ranked(state, units, group, current, before, exposure)
    if judged is not None:
        return _judged_league(rows, group, current, judged)
    tests = {unit: _test(value, previous, exposure) for unit, value, previous, _ in rows}
    tested = {unit: t[0] for unit, t in tests.items() if t is not None}
    adjusted = benjamini_hochberg(tested, FDR) if tested else {}
    return League(group, current, tuple(
        Standing(unit, value, previous, z, tested.get(unit), adjusted.get(unit),
                 _verdict(adjusted.get(unit), tests[unit]), rank)
        for rank, (unit, value, previous, z) in enumerate(rows, start=1)
    ))  # fmt: skip


def _judged_league(rows: list[_Row], group: str, current: Period, judged: Judged) -> League:
    standings = []
    for rank, (unit, value, previous, z) in enumerate(rows, start=1):
        found = judged.areas.get(unit)
        test = found.vs_last_year if found else None
        standings.append(Standing(
            unit, value, previous, z, test.p_value if test else None,
            test.q_value if test else None, test.verdict if test else "insufficient_data",
            rank, found.vs_mps if found else None))  # fmt: skip
    return League(group, current, tuple(standings), judged.mps_ratio, judged.dispersion.phi)


def ranks(state: KpiState, units: Iterable[Unit], group: str, current: Period) -> dict[Unit, int]:
    """The rank of every unit of ``units`` (as :func:`league` ranks them, without testing)."""
    before = last_year(current)
    rows = _ranked(state, units, group, current, before, current.days / before.days)
    return {row[0]: rank for rank, row in enumerate(rows, start=1)}


def ward_ranks(state: KpiState, wards: Iterable[Unit], group: str,
               current: Period) -> tuple[dict[Unit, int], dict[str, dict[Unit, int]]]:  # fmt: skip
    """The rank of every ward of ``wards`` (the MPS's) in the MPS and within its borough, from
    one ranking: a borough's order is the MPS order restricted to its wards (the same key)."""
    in_mps = ranks(state, wards, group, current)
    in_borough: dict[str, dict[Unit, int]] = {}
    for unit in in_mps:  # in rank order
        if unit.borough:
            found = in_borough.setdefault(unit.borough, {})
            found[unit] = len(found) + 1
    return in_mps, in_borough


_Row = tuple[Unit, int, int, float]
"""(unit, count, last year's count, Poisson z)."""


def _ranked(state: KpiState, units: Iterable[Unit], group: str, current: Period,
            before: Period, exposure: float) -> list[_Row]:  # fmt: skip
    now = day_index(current.first), day_index(current.last)
    then = day_index(before.first), day_index(before.last)
    scope = list(units)
    values = state.comparable_totals(scope, group, *now)
    previous = state.comparable_totals(scope, group, *then)
    zs, order = poisson_z_order([u.code for u in scope], values, previous, exposure)
    return [(scope[i], values[i], previous[i], zs[i]) for i in order]


def _test(value: int, previous: int, exposure: float) -> tuple[float, bool] | None:
    """(two-sided p, whether this period is the higher) — None without counts to test."""
    if value + previous <= 0 or value < 0 or previous < 0:
        return None
    test = poisson_ratio_test(value, previous, exposure=exposure, interval=False)
    return test.p_two_sided, test.p_higher < test.p_lower


def _verdict(q_value: float | None, test: tuple[float, bool] | None) -> str:
    if q_value is None or test is None:
        return "insufficient_data"
    if q_value > FDR:
        return "not_significant"
    return "significant_worse" if test[1] else "significant_better"
