"""XmR (individuals and moving range) charts, as NHS England's "Making Data Count" draws them.

Centre line: the mean of the baseline points. Moving ranges: |x_i − x_{i−1}| within the
baseline; MR̄ is their mean. Process limits: mean ± 2.66·MR̄ (2.66 = 3/d₂, d₂ = 1.128 for
ranges of two), the "3σ" lines; near limits: mean ± (2/3)·2.66·MR̄, the "2σ" lines. The
special-cause rules are in ``spc_rules``; they are looked for only on a chart of at least
``min_points`` points (default ``MIN_POINTS``, 12: ``NHSRplotthedots`` warns that limits from
fewer are trial limits, and "Making Data Count" asks for 15–20), below which the chart shows
trial limits and judges nothing. Sources: NHS England and NHS Improvement, "Making
Data Count: getting started" (2019) and "Making Data Count" (2017); D. J. Wheeler,
*Understanding Variation* (1993); the same arithmetic as NHS-R's ``NHSRplotthedots``
(``ptd_spc``) without its optional moving-range outlier screening.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from services.kpi.domain.stats.spc_rules import Direction, Limits, Signal, special_causes

LIMIT_FACTOR: Final = 2.66
NEAR_FACTOR: Final = 2.0 / 3.0 * LIMIT_FACTOR
MIN_POINTS: Final = 12
"""Points a chart needs before any special cause is judged (the default of the setting)."""
TOO_FEW_POINTS: Final = "too few points"


@dataclass(frozen=True, slots=True)
class XmrChart:
    mean: float
    mr_bar: float
    ucl: float
    lcl: float
    """As computed; may be negative for counts."""
    lcl_floored: float
    """``lcl`` clamped at 0, for display of counts (which cannot go below 0)."""
    near_upper: float
    near_lower: float
    points: int
    baseline_points: int
    """How many leading points the mean and MR̄ come from."""
    signals: tuple[Signal, ...]
    """Empty when the chart is not judged."""
    judged: bool
    """False below the minimum number of points: the limits are trial limits, no special
    cause is looked for."""
    warning: str | None


def xmr(
    values: Sequence[float], *, direction: Direction, baseline_points: int | None = None,
    min_points: int = MIN_POINTS,
) -> XmrChart:  # fmt: skip
    """The XmR chart of ``values`` (in time order), limits from the first ``baseline_points``
    (all when None); with at least ``min_points`` points every point is tested against the
    special-cause rules, with fewer none is."""
    if min_points < 2:
        raise ValueError(f"min_points must be at least 2, got {min_points}")
    baseline = _baseline(values, baseline_points)
    mean = math.fsum(baseline) / len(baseline)
    mr_bar = math.fsum(abs(b - a) for a, b in pairwise(baseline)) / (len(baseline) - 1)
    limits = Limits(
        mean, mean + LIMIT_FACTOR * mr_bar, mean - LIMIT_FACTOR * mr_bar,
        mean + NEAR_FACTOR * mr_bar, mean - NEAR_FACTOR * mr_bar,
    )  # fmt: skip
    judged = len(values) >= min_points
    return XmrChart(
        mean, mr_bar, limits.upper, limits.lower, max(0.0, limits.lower),
        limits.near_upper, limits.near_lower, len(values), len(baseline),
        special_causes(values, limits, direction) if judged else (), judged,
        _warning(len(values), len(baseline), min_points),
    )  # fmt: skip


def _baseline(values: Sequence[float], baseline_points: int | None) -> Sequence[float]:
    if len(values) < 2:
        raise ValueError(f"an XmR chart needs at least 2 points, got {len(values)}")
    if not all(math.isfinite(v) for v in values):
        raise ValueError("XmR values must be finite numbers")
    count = len(values) if baseline_points is None else baseline_points
    if not 2 <= count <= len(values):
        raise ValueError(f"baseline_points must be between 2 and {len(values)}, got {count}")
    return values[:count]


def _warning(points: int, baseline: int, min_points: int) -> str | None:
    if points < min_points:
        return (f"{TOO_FEW_POINTS}: {points} of the {min_points} needed before special causes "
                "are judged; the limits are trial limits")  # fmt: skip
    if baseline < min_points:
        return (f"limits from fewer than {min_points} points are unreliable "
                f"(these come from {baseline})")  # fmt: skip
    return None
