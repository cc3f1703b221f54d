"""Comparing two Poisson counts: this period against the same period last year.

The exact conditional test (J. Przyborowski and H. Wileński, "Homogeneity of results in
testing samples from Poisson series", Biometrika 31, 1940; the method of R's
``poisson.test`` for two samples). If the current count C and last year's P are Poisson with
rates λ_C and λ_P, then given n = C + P, C ~ Binomial(n, π) with
π = ρe / (1 + ρe), where ρ = λ_C / λ_P is the rate ratio and e the ratio of the period
lengths (current / previous). Testing ρ = ``ratio`` is testing π = π₀ exactly; the interval
for ρ is the Clopper–Pearson interval for π carried through π/(1 − π)/e.

``scipy.stats.poisson_means_test`` is a different test (Krishnamoorthy and Thomson's E-test);
this one is ``scipy.stats.binomtest(C, n, π₀)``: its tails are ``scipy.special.betainc``, its
two-sided p-value is computed as ``binomtest`` computes it but some 15 times faster
(``binomial``), its interval comes from scipy's inverse incomplete beta (``interval``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from services.kpi.domain.stats.binomial import Binomial, two_sided_p
from services.kpi.domain.stats.interval import odds_interval

CONFIDENCE: Final = 0.95
NOTABLE_Z: Final = 3.0
"""|Z| above which a Poisson z-score is worth a look (Wheeler 2016)."""


@dataclass(frozen=True, slots=True)
class PoissonComparison:
    """The exact test of ``current`` against ``ratio`` × ``previous`` (rates per unit time)."""

    current: int
    previous: int
    ratio: float
    """The hypothesised rate ratio, current / previous (1.0: no change; 0.98: the target)."""
    exposure: float
    """Length of the current period / length of the previous one."""
    rate_ratio: float | None
    """Estimated rate ratio C / (P·e); None when P = 0."""
    rate_ratio_ci: tuple[float, float | None] | None
    """Exact 95% interval for the rate ratio; the upper limit is None (unbounded) when P = 0.
    None when not asked for (it costs far more than the test)."""
    p_two_sided: float
    """Probability of a split of n = C + P no more likely than the one observed."""
    p_higher: float
    """P(C ≥ current): small when this period is higher than the hypothesis allows."""
    p_lower: float
    """P(C ≤ current): small when this period is lower than the hypothesis allows."""


def poisson_ratio_test(
    current: int, previous: int, *, ratio: float = 1.0, exposure: float = 1.0,
    interval: bool = True,
) -> PoissonComparison:  # fmt: skip
    """The exact conditional (binomial) test that the current rate is ``ratio`` × last
    year's. n = 0 carries no information: every p-value is 1. ``interval=False`` skips the
    rate ratio's interval (for testing many units at once)."""
    _check(current, previous, ratio, exposure)
    n = current + previous
    dist = Binomial.from_odds(n, ratio * exposure)
    ci = _rate_ratio_ci(current, n, exposure) if interval else None
    lower, upper = dist.cdf(current), dist.sf(current)
    return PoissonComparison(
        current, previous, ratio, exposure,
        rate_ratio=None if previous == 0 else current / (previous * exposure),
        rate_ratio_ci=ci,
        p_two_sided=two_sided_p(current, dist, lower=lower, upper=upper),
        p_higher=upper, p_lower=lower,
    )  # fmt: skip


def poisson_z(current: int, previous: int) -> float:
    """The Poisson z-score Z = 2(√current − √previous).

    The square root stabilises the variance of a Poisson count (Var √X ≈ ¼), so Z is roughly
    standard normal when nothing has changed; Wheeler suggests |Z| > 3 (``NOTABLE_Z``) as the
    line for a change worth looking into. A. P. Wheeler, "Tables and graphs for monitoring
    temporal crime trends: translating theory into practical crime analysis advice",
    International Journal of Police Science & Management 18(3), 2016; worked example in
    Wheeler, "Testing changes in short run crime patterns: the Poisson e-test" (2018):
    25 robberies against a usual 16 gives 2(√25 − √16) = 2.
    """
    if current < 0 or previous < 0:
        raise ValueError(f"counts must be >= 0, got {current}, {previous}")
    return 2.0 * (math.sqrt(current) - math.sqrt(previous))


def _rate_ratio_ci(current: int, n: int, exposure: float) -> tuple[float, float | None]:
    low, high = odds_interval(current, n, CONFIDENCE)
    return low / exposure, None if high is None else high / exposure


def _check(current: int, previous: int, ratio: float, exposure: float) -> None:
    if current < 0 or previous < 0:
        raise ValueError(f"counts must be >= 0, got current={current}, previous={previous}")
    if not (0.0 < ratio < math.inf and 0.0 < exposure < math.inf):
        raise ValueError(f"ratio and exposure must be positive, got {ratio}, {exposure}")
