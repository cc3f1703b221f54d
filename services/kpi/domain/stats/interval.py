"""The exact (Clopper–Pearson) confidence interval for a binomial proportion, on the odds scale.

C. J. Clopper and E. S. Pearson, "The use of confidence or fiducial limits illustrated in the
case of the binomial", Biometrika 26 (1934): the lower limit π_L solves P(X ≥ k | π_L) = α/2
and the upper limit π_U solves P(X ≤ k | π_U) = α/2 (the interval of R's ``binom.test``).
Both are found by bisection on the log odds, where the tails are monotone, so the odds
π/(1 − π) come out with a relative accuracy of ~1e-13 however close π is to 0 or 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

from services.kpi.domain.stats.binomial import Binomial

_HALF_WIDTH: Final = 25.0
"""Log-odds search half-width about the estimate; the exact limits of any k ≥ 1 out of
n ≥ k + 1 lie within e^±5 of the estimated odds for any n a police force will see."""
_RESOLUTION: Final = 1e-13


def odds_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float | None]:
    """The exact interval for the odds π/(1 − π) of k successes out of n trials.

    The lower limit is 0 when k = 0; the upper is unbounded (None) when k = n.
    """
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    alpha = 1.0 - confidence
    centre = math.log((k + 0.5) / (n - k + 0.5))
    low = 0.0 if k == 0 else _solve(lambda d: d.sf(k) - alpha / 2, n, centre)
    high = None if k == n else _solve(lambda d: alpha / 2 - d.cdf(k), n, centre)
    return low, high


def _solve(increasing: Callable[[Binomial], float], n: int, centre: float) -> float:
    """The odds at which ``increasing`` (a function of Binomial(n, π), increasing in π)
    crosses zero."""
    low, high = centre - _HALF_WIDTH, centre + _HALF_WIDTH
    while high - low > _RESOLUTION * max(1.0, abs(low)):
        middle = 0.5 * (low + high)
        if increasing(Binomial.from_odds(n, math.exp(middle))) < 0.0:
            low = middle
        else:
            high = middle
    return math.exp(0.5 * (low + high))
