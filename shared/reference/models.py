"""Immutable models for boroughs, boundary sets and special policing units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Force(StrEnum):
    """The police force responsible for an area."""

    MPS = "MPS"
    CITY_OF_LONDON = "City of London Police"


@dataclass(frozen=True, slots=True)
class BoundarySet:
    """A vintage of ward boundaries, in force between two London borough election days.

    ``effective_to`` is inclusive; ``None`` means still in force.
    """

    name: str
    effective_from: date
    effective_to: date | None

    def contains(self, on: date) -> bool:
        """True when ``on`` falls inside this set's period."""
        if on < self.effective_from:
            return False
        return self.effective_to is None or on <= self.effective_to


@dataclass(frozen=True, slots=True)
class Borough:
    """A London borough (local authority district, ``E09…``) and the force policing it."""

    code: str
    name: str
    aliases: tuple[str, ...]
    force: Force

    @property
    def names(self) -> tuple[str, ...]:
        """The official name followed by every accepted alias."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class SpecialUnit:
    """A policing unit that MPS files report crime under instead of a borough.

    ``ward_codes`` lists wards whose crimes the MPS ward files attribute to this unit; those
    wards keep their geographic borough (see ``Ward.borough_code``).
    """

    code: str
    name: str
    labels: tuple[str, ...]
    description: str
    ward_codes: tuple[str, ...] = ()
    force: Force = Force.MPS
