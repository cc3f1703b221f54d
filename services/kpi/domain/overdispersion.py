"""Extra-Poisson variation: how much more the wards' changes on last year vary than Poisson
counts would, and the test that allows for it.

Crime counts are overdispersed (a series of offences, one incident with several victims, a
hot month), so a test that assumes Poisson variance flags many unchanged wards. Following the
overdispersed funnel plot (D. J. Spiegelhalter, "Funnel plots for comparing institutional
performance", Statistics in Medicine 24, 2005, 1185–1202; NHS-R ``FunnelPlotR``'s
multiplicative model), each unit's count C this period and P last year give, conditional on
n = C + P, the share C/n, with expectation π under the common London-wide change. Its
Pearson z-score is ``z = (C − nπ) / √(nπ(1 − π))``. The overdispersion factor φ is the mean
of the squared z-scores after winsorising them at the 10th and 90th percentiles (so that a
few wards with real local changes do not set the variance for all), divided by what that
winsorised mean is for standard normal z (0.6787), so that φ estimates 1 on Poisson counts;
never below 1. With fewer than ``MIN_UNITS`` units it is not estimated (φ = 1).

A unit is then tested against a null ratio ρ (1: last year; 0.98: the target; the MPS's own
change: the London-wide trend) with the variance multiplied by φ: π₀ = ρe / (1 + ρe) (e =
this period's length over last year's), ``z = (C − nπ₀) / √(φ nπ₀(1 − π₀))``, two-sided p
from the normal. Multiplying the variance (rather than adding a between-unit variance, the
additive random-effects model) keeps the model the same at every level: a sum of counts whose
variance is φ times their mean has variance φ times its mean, so the φ estimated across the
wards judges boroughs and the MPS too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from scipy.special import erfc
from scipy.stats import norm

from shared.ranking import share_dispersion

WINSOR: Final = 0.10
"""Share of z-scores winsorised at each end before φ is estimated (Spiegelhalter 2005)."""
MIN_UNITS: Final = 10
"""Fewest units φ is estimated from; with fewer, φ = 1 (plain Poisson)."""


def _normal_winsorised_moment(tail: float) -> float:
    """E[min(max(Z, −c), c)²] for Z ~ N(0, 1) and c its (1 − tail) quantile."""
    if tail <= 0.0:
        return 1.0
    c = float(norm.isf(tail))
    return (1.0 - 2.0 * tail) - 2.0 * c * float(norm.pdf(c)) + 2.0 * tail * c * c


NORMAL_MOMENT: Final = _normal_winsorised_moment(WINSOR)
"""The winsorised mean square of standard normal z-scores (0.6787 at 10%)."""


@dataclass(frozen=True, slots=True)
class Dispersion:
    phi: float
    """The overdispersion factor used (≥ 1; 1 when not estimated)."""
    units: int
    """Units (with any count in either period) it was estimated from."""
    share: float | None
    """The common share π = ΣC / Σ(C + P) the z-scores were taken about."""
    pearson: float | None
    """Σz² / (units − 1), not winsorised (for the record)."""


POISSON: Final = Dispersion(1.0, 0, None, None)


def estimate(pairs: Sequence[tuple[int, int]], *, winsor: float = WINSOR,
             min_units: int = MIN_UNITS) -> Dispersion:  # fmt: skip
    """φ from the (this period, last year) counts of many units of the same period, their
    z-scores winsorised at ``winsor`` each end; none from fewer than ``min_units``."""
    terms = share_dispersion([c for c, _ in pairs], [p for _, p in pairs], winsor)
    if terms is None:
        units = sum(1 for c, p in pairs if c + p > 0)
        return POISSON if units == 0 else Dispersion(1.0, units, None, None)
    share, units, winsorised, squares = terms
    pearson = squares / (units - 1) if units > 1 else None
    if units < min_units:
        return Dispersion(1.0, units, share, pearson)
    moment = NORMAL_MOMENT if winsor == WINSOR else _normal_winsorised_moment(winsor)
    return Dispersion(max(1.0, winsorised / moment), units, share, pearson)


def null_share(ratio: float, exposure: float = 1.0) -> float:
    """π₀: this period's expected share of C + P when its rate is ``ratio`` × last year's."""
    odds = ratio * exposure
    return odds / (1.0 + odds)


def pearson_z(current: int, previous: int, share: float, phi: float = 1.0) -> float:
    """(C − nπ) / √(φ nπ(1 − π)); 0 when there is nothing to compare."""
    n = current + previous
    if n <= 0 or not 0.0 < share < 1.0:
        return 0.0
    above = current * (1.0 - share) - previous * share  # C − nπ, without cancelling nπ
    return above / math.sqrt(phi * n * share * (1.0 - share))


def p_two_sided(z: float) -> float:
    """Two-sided normal p-value of ``z``."""
    return min(1.0, float(erfc(abs(z) / math.sqrt(2.0))))
