"""Ranking many areas by the variance-stabilised Poisson z-score of this period's count
against last year's, in one vectorised pass (a league ranks every ward of the MPS)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.special import erfc
from statsmodels.stats.multitest import multipletests


def poisson_z_order(codes: Sequence[str], values: Sequence[int], previous: Sequence[int],
                    exposure: float) -> tuple[list[float], list[int]]:  # fmt: skip
    """Each area's z = 2(√max(C, 0) − √(max(P, 0)·e)) and the areas' indexes in rank order:
    highest z first, ties by the higher count, then by code. The z-scores are the same to
    the last bit as ``math.sqrt`` gives (IEEE square roots are exact to the rounding)."""
    if not codes:
        return [], []
    now = np.maximum(np.asarray(values, np.int64), 0)
    before = np.maximum(np.asarray(previous, np.int64), 0)
    z = 2.0 * (np.sqrt(now.astype(np.float64)) - np.sqrt(before * exposure))
    order = np.lexsort((np.asarray(codes), -np.asarray(values, np.int64), -z))
    zs: list[float] = z.tolist()
    ranked: list[int] = order.tolist()
    return zs, ranked


Tests = tuple[list[float], list[float | None], list[float | None]]
"""(z, two-sided p, adjusted p) by area."""


def share_z_tests(values: Sequence[int], previous: Sequence[int], share: float,
                  phi: float) -> Tests:  # fmt: skip
    """For many areas at once: z = (C − nπ₀)/√(φ nπ₀(1 − π₀)) (n = C + P; 0 without
    counts), its two-sided normal p (None without counts; ``scipy.special.erfc``) and the
    p-values adjusted by Benjamini–Hochberg across the areas with counts (statsmodels'
    ``multipletests(method="fdr_bh")``, as R's ``p.adjust(method = "BH")``)."""
    now, before = np.asarray(values, np.float64), np.asarray(previous, np.float64)
    n = now + before
    counted = n > 0
    scale = math.sqrt(phi * share * (1.0 - share))
    z = np.zeros(len(now))
    if scale > 0:
        above = _above_share(now[counted], before[counted], share)
        z[counted] = above / (scale * np.sqrt(n[counted]))
    else:
        counted[:] = False
    zs: list[float] = z.tolist()
    tested = np.flatnonzero(counted)
    p = np.minimum(erfc(np.abs(z[tested]) * _ROOT_HALF), 1.0)
    q = multipletests(p, method="fdr_bh")[1] if len(p) else p
    ps: list[float | None] = [None] * len(zs)
    qs: list[float | None] = [None] * len(zs)
    for i, pi, qi in zip(tested.tolist(), p.tolist(), q.tolist(), strict=True):
        ps[i], qs[i] = pi, qi
    return zs, ps, qs


_ROOT_HALF = math.sqrt(0.5)


def share_dispersion(values: Sequence[int], previous: Sequence[int],
                     winsor: float) -> tuple[float, int, float, float] | None:  # fmt: skip
    """The terms of an overdispersion estimate over many areas, in one vectorised pass: the
    common share π = ΣC/Σn of the areas with counts, how many there are, the mean of their
    squared Pearson z-scores (C − nπ)/√(nπ(1 − π)) winsorised at the ``winsor`` and
    1 − ``winsor`` quantiles (linear interpolation, R's type 7), and the plain Σz². None when
    no area has counts or π is 0 or 1."""
    now, before = np.asarray(values, np.float64), np.asarray(previous, np.float64)
    counted = now + before > 0
    now, before = now[counted], before[counted]
    n = now + before
    if not len(n):
        return None
    share = float(now.sum() / n.sum())
    if not 0.0 < share < 1.0:
        return None
    z = _above_share(now, before, share) / np.sqrt(n * share * (1.0 - share))
    low, high = np.quantile(z, [winsor, 1.0 - winsor])
    winsorised = float(np.mean(np.clip(z, low, high) ** 2))
    return share, len(n), winsorised, float(np.sum(z * z))


def _above_share(now: np.ndarray, before: np.ndarray, share: float) -> np.ndarray:
    """C − nπ, as C(1 − π) − Pπ: no rounding of nπ to cancel against C when π is near 1."""
    return now * (1.0 - share) - before * share
