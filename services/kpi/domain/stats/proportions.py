"""Survey proportions: Wilson score intervals, two-proportion z-tests, Newcombe's hybrid
score interval for a difference, Kish's effective sample size and the smallest change a
sample can show as significant.

Weighted survey estimates use the effective sample size in place of the count of
respondents: ``n_eff = (Σw)² / Σw²`` (Kish), divided by a design effect for clustering. All
functions take proportions in 0..1 and return proportions (multiply by 100 for points).

The Wilson interval, the pooled z-test and Newcombe's interval are statsmodels'
(``proportion_confint(method="wilson")``, ``proportions_ztest``,
``confint_proportions_2indep(method="newcomb")``), given the number of successes p·n. A
borough's survey figures (nine measures, each a Wilson interval and up to three z-tests, and
one Newcombe interval) take 1.4 ms through statsmodels against 0.01 ms with the formulas
written out (``benchmarks/stats_libraries.py``): within the 10 ms a query may take.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from scipy.stats import norm
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
)

ALPHA: Final = 0.05
Z95: Final = float(norm.isf(ALPHA / 2))  # 1.959963984540054, as statsmodels takes it


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


def wilson(p: float, n: float, alpha: float = ALPHA) -> Interval:
    """Wilson score interval of a proportion ``p`` from ``n`` (effective) respondents."""
    _check(p, n)
    low, high = proportion_confint(p * n, n, alpha=alpha, method="wilson")
    return Interval(max(0.0, float(low)), min(1.0, float(high)))


def two_proportion_test(p1: float, n1: float, p2: float, n2: float) -> ProportionTest:
    """Is ``p1`` different from ``p2``? The z-test with the pooled proportion (the standard
    test of equality of two independent proportions)."""
    _check(p1, n1)
    _check(p2, n2)
    if p1 == p2 and p1 in (0.0, 1.0):  # everyone or no one in both: nothing to compare
        return ProportionTest(p1 - p2, 0.0, 1.0)
    z, p_value = proportions_ztest([p1 * n1, p2 * n2], [n1, n2])
    return ProportionTest(p1 - p2, float(z), float(p_value))


def newcombe_difference(
    p1: float, n1: float, p2: float, n2: float, alpha: float = ALPHA
) -> Interval:
    """Newcombe's hybrid score interval (his method 10) for ``p1 − p2`` of independent
    samples: the Wilson intervals of each proportion combined."""
    _check(p1, n1)
    _check(p2, n2)
    low, high = confint_proportions_2indep(
        p1 * n1, n1, p2 * n2, n2, method="newcomb", compare="diff", alpha=alpha
    )
    return Interval(float(low), float(high))


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
