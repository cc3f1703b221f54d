"""Targets: the change against the same period last year each crime KPI aims for, and the
points an SPC chart needs before it is judged.

The figures come from versioned configuration (``services/kpi/targets.toml``); this module
holds the parsed, validated form the domain works with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from services.kpi.domain.stats import MIN_POINTS

KPI_OF_GROUP: Final = {"violence": 1, "property": 4, "asb": 5}
LOWER_IS_BETTER: Final = frozenset(KPI_OF_GROUP)


@dataclass(frozen=True, slots=True)
class Target:
    kpi: int
    group: str
    change: float | None
    """e.g. -0.02 for a 2% reduction; None for a baseline KPI (no target yet)."""

    @property
    def ratio(self) -> float | None:
        """The target as a ratio to last year (0.98 for −2%)."""
        return None if self.change is None else 1.0 + self.change


@dataclass(frozen=True, slots=True)
class Significance:
    """The product's significance rules across many areas (:mod:`controlled`)."""

    fdr: float = 0.05
    """False discovery rate: a verdict is significant when its adjusted p-value is at most
    this (Benjamini–Hochberg across the level's areas)."""
    winsor: float = 0.10
    """Share of the wards' z-scores winsorised at each end before φ is estimated."""
    min_units: int = 10
    """Fewest wards φ is estimated from (fewer: φ = 1, plain Poisson)."""


@dataclass(frozen=True, slots=True)
class Targets:
    version: str
    by_group: dict[str, Target]
    spc_min_points: int = MIN_POINTS
    """Points an SPC chart needs before any special cause is judged (fewer: too few points)."""
    significance: Significance = Significance()

    def for_group(self, group: str) -> Target | None:
        return self.by_group.get(group)
