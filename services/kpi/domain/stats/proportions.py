"""Survey proportions: Wilson score intervals, two-proportion z-tests, Newcombe's hybrid
score interval for a difference, Kish's effective sample size and the smallest change a
sample can show as significant.

Weighted survey estimates use the effective sample size in place of the count of
respondents: ``n_eff = (Σw)² / Σw²`` (Kish), divided by a design effect for clustering. All
functions take proportions in 0..1 and return proportions (multiply by 100 for points).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist
from typing import Final

ALPHA: Final = 0.05
Z95: Final = NormalDist().inv_cdf(1 - ALPHA / 2)  # 1.959963984540054


@dataclass(frozen=True, slots=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class ProportionTest:
    """A two-proportion z-test of p1 against p2."""

    difference: float
    """p1 − p2."""
    z: float
    p_value: float
    """Two-sided."""

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA


def wilson(p: float, n: float, z: float = Z95) -> Interval:
    """Wilson score interval of a proportion ``p`` from ``n`` (effective) respondents."""
    _check(p, n)
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def two_proportion_test(p1: float, n1: float, p2: float, n2: float) -> ProportionTest:
    """Is ``p1`` different from ``p2``? The z-test with the pooled proportion (the standard
    test of equality of two independent proportions)."""
    _check(p1, n1)
    _check(p2, n2)
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return ProportionTest(p1 - p2, 0.0, 1.0)
    z = (p1 - p2) / se
    return ProportionTest(p1 - p2, z, 2 * (1 - NormalDist().cdf(abs(z))))


def newcombe_difference(p1: float, n1: float, p2: float, n2: float,
                        z: float = Z95) -> Interval:  # fmt: skip
    """Newcombe's hybrid score interval (his method 10) for ``p1 − p2`` of independent
    samples: the Wilson intervals of each proportion combined."""
    a, b = wilson(p1, n1, z), wilson(p2, n2, z)
    d = p1 - p2
    low = d - math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2)
    high = d + math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2)
    return Interval(low, high)


def smallest_significant_change(p: float, n: float, n_other: float | None = None,
                                z: float = Z95) -> float:  # fmt: skip
    """The smallest difference from another estimate (``n_other`` respondents; the same
    sample size when None) that a two-sided test at 5% would call significant, for a
    proportion near ``p``."""
    _check(p, n)
    other = n if n_other is None else n_other
    return z * math.sqrt(p * (1 - p) * (1 / n + 1 / other))


def kish_effective_n(weights: Iterable[float]) -> float:
    """(Σw)² / Σw²: the unweighted sample size with the same precision."""
    total = squares = 0.0
    for w in weights:
        total += w
        squares += w * w
    return 0.0 if squares == 0 else total * total / squares


def effective_n(sum_w: float, sum_w2: float, design_effect: float = 1.0) -> float:
    """Kish's effective sample size from the weight sums, divided by a design effect."""
    if design_effect < 1:
        raise ValueError(f"a design effect is at least 1, not {design_effect}")
    return 0.0 if sum_w2 <= 0 else sum_w * sum_w / sum_w2 / design_effect


def _check(p: float, n: float) -> None:
    if not 0 <= p <= 1:
        raise ValueError(f"a proportion is between 0 and 1, not {p}")
    if n <= 0:
        raise ValueError(f"a sample size is positive, not {n}")
