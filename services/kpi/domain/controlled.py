"""The product's significance rules for crime counts: many areas judged at once, allowing for
extra-Poisson variation and controlling false discoveries.

For one KPI group and period every area of a level — the MPS's wards, or its boroughs — is
tested three ways, each with the variance multiplied by the overdispersion φ estimated across
the MPS's wards (:mod:`overdispersion`):

- against last year (ρ = 1) and against the target (ρ = 0.98 for KPI 1, 0.99 for KPI 4);
- against the London-wide trend: the ratio of the level's own total (all the wards, or all
  the boroughs) this period to last year's. "Differs from the MPS" means this test.

Each test's two-sided p-values are adjusted by Benjamini–Hochberg across the level's areas
(679 wards, 32 boroughs), and a verdict is significant only when its adjusted value (q) is at
most the false discovery rate (``significance.fdr`` in the versioned target configuration,
5%); the MPS, one area, is judged alone (q = p). Crime counts: lower is better, so a
count above the null is ``significant_worse``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from services.kpi.domain.days import day_index
from services.kpi.domain.overdispersion import Dispersion, estimate, null_share
from services.kpi.domain.periods import Period, last_year
from services.kpi.domain.state import KpiState, Unit
from services.kpi.domain.targets import Significance
from shared.ranking import share_z_tests

RULES: Final = Significance()
FDR: Final = RULES.fdr
TEST: Final = "poisson_overdispersed_fdr"
"""The name a controlled verdict's test goes by in API bodies and kpi.updated."""
SIGNIFICANT: Final = frozenset({"significant_worse", "significant_better"})


@dataclass(frozen=True, slots=True)
class Controlled:
    """One area's test against ``null_ratio`` × last year, after the adjustment."""

    null_ratio: float
    z: float
    """(C − nπ₀) / √(φ nπ₀(1 − π₀)): positive when the count is above the null."""
    p_value: float | None
    q_value: float | None
    """Benjamini–Hochberg adjusted across the level's areas (the MPS alone: p)."""
    verdict: str
    """significant_worse, significant_better, not_significant or insufficient_data."""


@dataclass(frozen=True, slots=True)
class AreaVerdicts:
    value: int
    last_year: int
    vs_last_year: Controlled
    vs_target: Controlled | None
    vs_mps: Controlled | None
    """Against the level's London-wide change (None for the MPS itself)."""


@dataclass(frozen=True, slots=True, eq=False)
class Judged:
    """A level's judgement (hashed by identity: a cache key while it is current)."""

    group: str
    period: Period
    dispersion: Dispersion
    mps_ratio: float | None
    """The London-wide rate ratio the areas were compared with (this period / last year,
    per day); None when last year had nothing."""
    areas: Mapping[Unit, AreaVerdicts]

    @property
    def tested(self) -> int:
        return len(self.areas)

    def differing(self) -> tuple[tuple[Unit, AreaVerdicts], ...]:
        """The areas that differ significantly from the MPS trend, worse ones first, each
        way the most significant first (adjusted p, then |z|, then code)."""
        found = [(u, a) for u, a in self.areas.items()
                 if a.vs_mps is not None and a.vs_mps.verdict in SIGNIFICANT]  # fmt: skip
        return tuple(sorted(found, key=_most_significant))


def _most_significant(item: tuple[Unit, AreaVerdicts]) -> tuple[bool, float, float, str]:
    unit, found = item
    test = found.vs_mps
    assert test is not None
    return (test.verdict != "significant_worse", test.q_value or 0.0, -abs(test.z), unit.code)


def judged(state: KpiState, units: Sequence[Unit], group: str, current: Period,
           target_ratio: float | None, dispersion: Dispersion | None = None, *,
           against_mps: bool = True, rules: Significance = RULES) -> Judged:  # fmt: skip
    """Every area of ``units`` judged for ``group`` over ``current``; φ estimated from these
    areas unless ``dispersion`` is given."""
    before = last_year(current)
    now = day_index(current.first), day_index(current.last)
    then = day_index(before.first), day_index(before.last)
    values = state.comparable_totals(list(units), group, *now)
    previous = state.comparable_totals(list(units), group, *then)
    counts = {u: (values[i], previous[i]) for i, u in enumerate(units)}
    return judge_counts(group, current, counts, target_ratio, dispersion,
                        against_mps=against_mps, rules=rules)  # fmt: skip


def judge_counts(group: str, current: Period, counts: Mapping[Unit, tuple[int, int]],
                 target_ratio: float | None, dispersion: Dispersion | None = None, *,
                 against_mps: bool = True, rules: Significance = RULES) -> Judged:  # fmt: skip
    """:func:`judged` on given (this period, last year) counts. Each test runs over all the
    areas in one pass; an area's verdicts are put together when it is looked up."""
    before = last_year(current)
    exposure = current.days / before.days
    pairs = list(counts.values())
    found = dispersion or estimate(pairs, winsor=rules.winsor, min_units=rules.min_units)
    total = sum(c for c, _ in pairs), sum(p for _, p in pairs)
    mps_ratio = total[0] / (total[1] * exposure) if total[1] > 0 else None
    columns = {"last_year": _column(pairs, 1.0, null_share(1.0, exposure), found.phi)}
    if target_ratio is not None:
        share = null_share(target_ratio, exposure)
        columns["target"] = _column(pairs, target_ratio, share, found.phi)
    if against_mps and mps_ratio is not None and total[0] > 0:
        share = total[0] / (total[0] + total[1])
        columns["mps"] = _column(pairs, mps_ratio, share, found.phi)
    areas = _Areas({u: i for i, u in enumerate(counts)}, pairs, columns, rules.fdr)
    return Judged(group, current, found, mps_ratio, areas)


def alone(value: int, previous: int, null_ratio: float, exposure: float, phi: float,
          fdr: float = FDR) -> Controlled:  # fmt: skip
    """One area judged by itself (no adjustment: q = p)."""
    column = _column([(value, previous)], null_ratio, null_share(null_ratio, exposure), phi)
    return column.verdict(0, fdr)


@dataclass(frozen=True, slots=True)
class _Column:
    """One test over every area: z, two-sided p and adjusted p by area index."""

    null_ratio: float
    z: list[float]
    p: list[float | None]
    q: list[float | None]

    def verdict(self, i: int, fdr: float) -> Controlled:
        z, p, q = self.z[i], self.p[i], self.q[i]
        if p is None or q is None:
            return Controlled(self.null_ratio, 0.0, None, None, "insufficient_data")
        if q > fdr:
            verdict = "not_significant"
        else:
            verdict = "significant_worse" if z > 0 else "significant_better"
        return Controlled(self.null_ratio, z, p, q, verdict)


def _column(pairs: Sequence[tuple[int, int]], null_ratio: float, share: float,
            phi: float) -> _Column:  # fmt: skip
    """z = (C − nπ₀)/√(φ nπ₀(1 − π₀)) and its two-sided p for every pair (none without
    counts), and the p-values adjusted by Benjamini–Hochberg across them (one vectorised
    pass over every area)."""
    zs, ps, qs = share_z_tests([c for c, _ in pairs], [p for _, p in pairs], share, phi)
    return _Column(null_ratio, zs, ps, qs)


class _Areas(Mapping[Unit, AreaVerdicts]):
    """Every area's verdicts, put together from the test columns when looked up."""

    def __init__(self, index: dict[Unit, int], pairs: Sequence[tuple[int, int]],
                 columns: Mapping[str, _Column], fdr: float) -> None:  # fmt: skip
        self._index, self._pairs, self._columns, self._fdr = index, pairs, columns, fdr

    def __getitem__(self, unit: Unit) -> AreaVerdicts:
        i = self._index[unit]
        found = {name: c.verdict(i, self._fdr) for name, c in self._columns.items()}
        value, previous = self._pairs[i]
        return AreaVerdicts(value, previous, found["last_year"], found.get("target"),
                            found.get("mps"))  # fmt: skip

    def __iter__(self) -> Iterator[Unit]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)
