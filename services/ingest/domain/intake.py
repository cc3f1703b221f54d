"""What enters the ingest pipeline, from any surface (HTTP, Kafka, bulk file).

Live events are decoded from their contracts into these; bulk importers build them straight
from file rows (without per-row model validation, for speed) and report bad rows as
``RowRejection``. Raw personal identifiers appear here and nowhere downstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from shared.contracts import (
    DutyChangeV1,
    FieldProblem,
    RejectReason,
    SurveyAggregateV1,
    SurveyResponseV1,
)

Precision = Literal["day", "month"]
CountLevelName = Literal["ward", "borough_total"]


@dataclass(frozen=True, slots=True)
class Place:
    """A location as the source gives it; the resolver turns it into a ward or borough."""

    ward_code: str | None = None
    lsoa_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    borough_code: str | None = None
    borough_label: str | None = None
    """A borough or special-unit name as published (e.g. 'Aviation Security (SO18)')."""


@dataclass(frozen=True, slots=True)
class Category:
    """An offence or incident category in one of the classification's taxonomies."""

    taxonomy: str
    major: str
    minor: str | None = None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an input came from: its event id and version, source system, correlation."""

    event_id: str
    version: int
    source: str
    correlation_id: str | None = None
    line: int | None = None
    """Line or record number in a bulk file."""

    @property
    def simulated(self) -> bool:
        """The source system is a simulator (``simulated`` or ``simulated:<system>``)."""
        return self.source.partition(":")[0] == "simulated"


@dataclass(frozen=True, slots=True)
class CrimeIntake:
    origin: Origin
    crime_id: str
    recorded_at: datetime
    precision: Precision
    place: Place
    category: Category
    victim_id: str | None = None
    victim_ethnicity: str | None = None


@dataclass(frozen=True, slots=True)
class IncidentIntake:
    """A CAD incident, or a published ASB incident (police.uk) with only a month."""

    origin: Origin
    incident_id: str
    incident_at: datetime
    precision: Precision
    place: Place
    category: Category
    opening_code: str | None = None
    closing_code: str | None = None
    asb_category: str | None = None
    caller_id: str | None = None
    vulnerable_caller: bool = False
    linked_crime_id: str | None = None


@dataclass(frozen=True, slots=True)
class CountIntake:
    """One cell of a published monthly table: a count for an area, month and category."""

    origin: Origin
    dataset: str
    level: CountLevelName
    place: Place
    month: date
    category: Category
    count: int

    @property
    def cell_key(self) -> tuple[str, str, str, str, str, str, str]:
        area = self.place.ward_code or self.place.borough_code or self.place.borough_label or "?"
        cat = self.category
        return (self.dataset, area, self.month.isoformat(), cat.taxonomy, cat.major,
                cat.minor or "", self.level)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RowRejection:
    """A bulk-file row that could not become an intake: where, why and the row as read."""

    origin: Origin
    reason: RejectReason
    problems: tuple[FieldProblem, ...]
    original: str


def problem(field: str, text: str) -> FieldProblem:
    return FieldProblem(field=field, problem=text)


@dataclass(frozen=True, slots=True)
class SurveyIntake:
    """A published survey figure (already a valid aggregate contract)."""

    origin: Origin
    aggregate: SurveyAggregateV1


@dataclass(frozen=True, slots=True)
class AmendmentIntake:
    """A change to a recorded crime: exactly one of category, place or reason is given."""

    origin: Origin
    crime_id: str
    kind: Literal["reclassified", "relocated", "cancelled"]
    effective_at: datetime
    category: Category | None = None
    place: Place | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DutyIntake:
    origin: Origin
    duty: DutyChangeV1


@dataclass(frozen=True, slots=True)
class ResponseIntake:
    origin: Origin
    response: SurveyResponseV1


Intake = (
    CrimeIntake | AmendmentIntake | IncidentIntake | CountIntake | SurveyIntake | DutyIntake
    | ResponseIntake
)  # fmt: skip
