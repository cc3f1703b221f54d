"""The exact (Clopper–Pearson) confidence interval for a binomial proportion, on the odds scale.

C. J. Clopper and E. S. Pearson, "The use of confidence or fiducial limits illustrated in the
case of the binomial", Biometrika 26 (1934): the lower limit π_L solves P(X ≥ k | π_L) = α/2
and the upper limit π_U solves P(X ≤ k | π_U) = α/2, i.e. they are beta quantiles (the
interval of R's ``binom.test`` and of ``scipy.stats.binomtest(...).proportion_ci(method=
"exact")``). Each limit and its complement 1 − π are taken from scipy's inverse incomplete
beta functions on their own, so the odds π/(1 − π) keep full precision however close π is to
0 or 1.
"""

from __future__ import annotations

from scipy.special import betainccinv, betaincinv


def odds_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float | None]:
    """The exact interval for the odds π/(1 − π) of k successes out of n trials.

    The lower limit is 0 when k = 0; the upper is unbounded (None) when k = n.
    """
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    # π_L is the α/2 quantile of Beta(k, n − k + 1) and 1 − π_L the 1 − α/2 quantile of
    # Beta(n − k + 1, k); π_U is the 1 − α/2 quantile of Beta(k + 1, n − k) and 1 − π_U the
    # α/2 quantile of Beta(n − k, k + 1).
    tail = (1.0 - confidence) / 2.0
    low = 0.0
    if k > 0:
        low = float(betaincinv(k, n - k + 1, tail) / betainccinv(n - k + 1, k, tail))
    if k == n:
        return low, None
    return low, float(betainccinv(k + 1, n - k, tail) / betaincinv(n - k, k + 1, tail))
