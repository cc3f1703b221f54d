"""What every canonical count change carries: where it counts, how it was resolved and
classified, and by how much. Crime and CAD count events extend this.

Two bases feed the same stream:

* ``record`` — one crime or incident: ``delta`` is +1 when it starts counting somewhere and -1
  when it stops (cancelled, or moved away by an amendment). An amendment is published as a -1
  for the old place/group and a +1 for the new one, each keyed by its own area.
* ``published_count`` — one cell of a published table (ward or borough, month, category):
  ``delta`` is the change of the cell's value (its first value, or new minus previous after a
  revision), so a consumer's sum always equals the published cell.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, StrictBool, StrictInt, StringConstraints, model_validator

from shared.contracts.base import Contract, check_rules, present_iff
from shared.contracts.codes import BoroughCode, LsoaCode, RecordId, Version, WardCode

KpiGroupName = Literal["violence", "property", "asb", "other", "excluded"]
UnitCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{1,15}$")]


class CountBasis(StrEnum):
    """Whether a count change is one record or a published table cell."""

    RECORD = "record"
    PUBLISHED_COUNT = "published_count"


class CountChange(StrEnum):
    """What caused a count change."""

    RECORDED = "recorded"
    RECLASSIFIED = "reclassified"
    RELOCATED = "relocated"
    CANCELLED = "cancelled"
    PUBLISHED = "published"
    REVISED = "revised"


class CountLevel(StrEnum):
    """Where a count change counts."""

    WARD = "ward"
    BOROUGH_UNLOCATED = "borough_unlocated"
    BOROUGH_TOTAL = "borough_total"


class Resolution(StrEnum):
    """How the ward (or borough) was found."""

    WARD_CODE = "ward_code"
    LSOA = "lsoa"
    POINT = "point"
    BOROUGH = "borough"
    PUBLISHED = "published"


class DatePrecision(StrEnum):
    """How precise the event's date is: a day, or only a month (published monthly data)."""

    DAY = "day"
    MONTH = "month"


class CountedFields(Contract):
    """Fields common to crime and CAD count changes."""

    record_id: RecordId = Field(description="Crime or incident id, or the published cell's id")
    basis: CountBasis = Field(description="record (one crime/incident) or published_count")
    delta: StrictInt = Field(
        description="Change of the count: ±1 for a record, any non-zero for a cell"
    )
    change: CountChange = Field(description="What caused this count change")
    level: CountLevel = Field(
        description="ward; borough_unlocated (no ward known); borough_total (a published "
        "borough total, for reconciliation only, never added to ward sums)"
    )
    ward_code: WardCode | None = Field(
        default=None, description="Ward it counts in (exactly when level is ward; the key)"
    )
    borough_code: BoroughCode | None = Field(
        default=None,
        description="Borough (geographic) it counts in; absent only for a published total of a "
        "special unit (reporting_unit) that spans boroughs",
    )
    reporting_unit: UnitCode | None = Field(
        default=None, description="Special policing unit the source files it under, e.g. SO18"
    )
    lsoa_code: LsoaCode | None = Field(default=None, description="LSOA, when known")
    resolution: Resolution = Field(description="How the ward or borough was found")
    date_precision: DatePrecision = Field(
        default=DatePrecision.DAY, description="day, or month for monthly published data"
    )
    simulated: StrictBool = Field(
        default=False,
        description="The record comes from a simulator (source system simulated:...), not from "
        "a real police system: every figure resting on it says so",
    )
    kpi_group: KpiGroupName = Field(description="KPI group of the classification")
    kpi: Literal[1, 4, 5] | None = Field(default=None, description="KPI counted toward, if any")
    classification_version: Version = Field(description="Version of the KPI classification used")
    boundary_set: Version = Field(description="Ward boundary set used, e.g. 2022")
    reference_version: Version = Field(description="Version of the reference data used")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_rules(self._count_problems())
        return self

    def _count_problems(self) -> Iterator[tuple[str, str]]:
        yield from present_iff(
            self.level is CountLevel.WARD, "ward_code", self.ward_code, "level is 'ward'"
        )
        if self.borough_code is None and not (
            self.level is CountLevel.BOROUGH_TOTAL and self.reporting_unit
        ):
            yield "borough_code", "is required unless this is a special unit's published total"
        if self.delta == 0:
            yield "delta", "must not be 0"
        elif self.basis is CountBasis.RECORD and self.delta not in (1, -1):
            yield "delta", "must be 1 or -1 when basis is 'record'"
        if self.level is CountLevel.BOROUGH_TOTAL and self.basis is CountBasis.RECORD:
            yield "level", "borough_total is only for published counts"
        expected = {"violence": 1, "property": 4, "asb": 5}.get(self.kpi_group)
        if self.kpi != expected:
            yield "kpi", f"must be {expected} for kpi_group '{self.kpi_group}'"

    @property
    def area_key(self) -> str:
        """The Kafka key: the ward, else the borough, else the special unit."""
        return self.ward_code or self.borough_code or self.reporting_unit or ""
