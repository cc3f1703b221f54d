"""The binomial distribution, exactly and in O(√n) time at most: no sum over n terms.

Tails are the regularised incomplete beta function,
P(X ≥ k) = I_p(k, n − k + 1) and P(X ≤ k) = I_{1−p}(n − k, k + 1),
evaluated by its continued fraction on the side where it converges fast, with the front
factor written as a binomial probability: x^a (1 − x)^b / (a B(a, b)) = P(X = k) · q for
a = k, b = n − k + 1 (Press et al., *Numerical Recipes*, 3rd ed., §6.4 and §6.14). The
probabilities themselves come from Loader's saddle-point form (see ``special``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from services.kpi.domain.stats.special import beta_continued_fraction, log_binomial_pmf

MINLIKE_TOLERANCE: Final = 1e-7
"""Relative tolerance for "as or less likely" in the two-sided p-value (R ``binom.test``)."""


@dataclass(frozen=True, slots=True)
class Binomial:
    """Binomial(n, p), with q = 1 − p carried separately so neither loses precision."""

    n: int
    p: float
    q: float

    @classmethod
    def from_odds(cls, n: int, odds: float) -> Binomial:
        """The binomial whose success odds p/q are ``odds`` (> 0)."""
        return cls(n, odds / (1.0 + odds), 1.0 / (1.0 + odds))

    def log_pmf(self, k: int) -> float:
        return log_binomial_pmf(k, self.n, self.p, self.q)

    def pmf(self, k: int) -> float:
        return math.exp(self.log_pmf(k)) if 0 <= k <= self.n else 0.0

    def sf(self, k: int) -> float:
        """P(X ≥ k)."""
        if k <= 0:
            return 1.0
        if k > self.n:
            return 0.0
        if self.p < (k + 1.0) / (self.n + 3.0):
            return self._upper(k)
        return 1.0 - self._lower(k - 1)

    def cdf(self, k: int) -> float:
        """P(X ≤ k)."""
        if k < 0:
            return 0.0
        if k >= self.n:
            return 1.0
        if self.q < (self.n - k + 1.0) / (self.n + 3.0):
            return self._lower(k)
        return 1.0 - self._upper(k + 1)

    def _upper(self, k: int) -> float:
        """P(X ≥ k) = I_p(k, n − k + 1), for 1 ≤ k ≤ n."""
        return self.pmf(k) * self.q * beta_continued_fraction(k, self.n - k + 1, self.p)

    def _lower(self, k: int) -> float:
        """P(X ≤ k) = I_q(n − k, k + 1), for 0 ≤ k < n."""
        return self.pmf(k) * self.p * beta_continued_fraction(self.n - k, k + 1, self.q)


def two_sided_p(
    x: int, dist: Binomial, *, lower: float | None = None, upper: float | None = None
) -> float:
    """Exact two-sided p-value of ``x``: the probability of every outcome no more likely than
    ``x`` (the "minlike" method of R's ``binom.test``, with its relative tolerance 1e-7).

    The probabilities are unimodal, so the outcomes on the far side of the mean n·p that
    qualify form a tail; its boundary is found by binary search on the log probability.
    ``lower`` = P(X ≤ x) and ``upper`` = P(X ≥ x), when already known, are reused.
    """
    mean = dist.n * dist.p
    if dist.n == 0 or x == mean:
        return 1.0
    threshold = dist.log_pmf(x) + math.log1p(MINLIKE_TOLERANCE)
    if x < mean:
        first = _first_unlikely(dist, math.ceil(mean), threshold)
        return min(1.0, (dist.cdf(x) if lower is None else lower) + dist.sf(first))
    last = _last_unlikely(dist, math.floor(mean), threshold)
    return min(1.0, dist.cdf(last) + (dist.sf(x) if upper is None else upper))


def _first_unlikely(dist: Binomial, low: int, threshold: float) -> int:
    """The smallest k in [low, n] with log pmf(k) ≤ threshold (n + 1 when there is none);
    the pmf is non-increasing there."""
    high = dist.n + 1
    while low < high:
        middle = (low + high) // 2
        if dist.log_pmf(middle) <= threshold:
            high = middle
        else:
            low = middle + 1
    return low


def _last_unlikely(dist: Binomial, high: int, threshold: float) -> int:
    """The largest k in [0, high] with log pmf(k) ≤ threshold (−1 when there is none); the
    pmf is non-decreasing there."""
    low = -1
    while low < high:
        middle = (low + high + 1) // 2
        if dist.log_pmf(middle) <= threshold:
            low = middle
        else:
            high = middle - 1
    return low
