"""The ward-in-boundary-set record, its population and its minimum SNT staffing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from shared.reference.models import BoundarySet

POPULATION_THRESHOLD = 14_000
"""Wards with more residents than this get the enhanced staffing model."""


class PopulationSource(StrEnum):
    """Where a ward's resident population figure comes from."""

    CENSUS_BESTFIT = "census2021-lsoa-bestfit"
    GLA_2018 = "gla-2018"
    CENSUS_LSOA11 = "census2021-lsoa11"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class StaffingModel:
    """Minimum Safer Neighbourhoods team: sergeants, constables and PCSOs."""

    ps: int
    pc: int
    pcso: int

    @property
    def total(self) -> int:
        return self.ps + self.pc + self.pcso


BASE_STAFFING = StaffingModel(ps=1, pc=2, pcso=3)
ENHANCED_STAFFING = StaffingModel(ps=1, pc=2, pcso=6)


@dataclass(frozen=True, slots=True)
class Ward:
    """One ward as it stands in one boundary set.

    An unchanged ward keeps its code across sets and has one record per set.
    """

    code: str
    name: str
    borough_code: str
    boundary_set: BoundarySet
    population: int | None
    population_source: PopulationSource

    @property
    def effective_from(self) -> date:
        return self.boundary_set.effective_from

    @property
    def effective_to(self) -> date | None:
        return self.boundary_set.effective_to

    @property
    def over_14k(self) -> bool:
        """True when the resident population is known and above 14,000."""
        return self.population is not None and self.population > POPULATION_THRESHOLD

    @property
    def staffing_model(self) -> StaffingModel:
        """1 PS, 2 PC, 3 PCSO; 6 PCSOs where the population is over 14,000."""
        return ENHANCED_STAFFING if self.over_14k else BASE_STAFFING
