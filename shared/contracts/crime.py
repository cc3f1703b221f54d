"""Crime events: as recorded and amended on CRIS, and as counted by the ingest service."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, StringConstraints, model_validator

from shared.contracts.base import PERSONAL_DATA, PSEUDONYM, Contract, check_rules, present_iff
from shared.contracts.codes import (
    EthnicityGroup,
    Pseudonym,
    RawPersonalId,
    RecordId,
    ShortText,
    Timestamp,
)
from shared.contracts.counting import CountedFields
from shared.contracts.envelope import TYPE_DOC, VERSION_DOC, Envelope
from shared.contracts.location import Location

HomeOfficeCode = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z/.]{1,16}$")]


class OffenceTaxonomy(StrEnum):
    """Which classification the offence categories come from."""

    MPS_UPPER = "mps_upper"
    MPS_MIXED = "mps_mixed"
    POLICE_UK = "police_uk"
    HOME_OFFICE = "home_office"


class Offence(Contract):
    """An offence classification as the source gives it."""

    taxonomy: OffenceTaxonomy = Field(description="Classification the categories come from")
    major: ShortText = Field(
        description="Major (upper) category, e.g. 'Violence Against the Person'"
    )
    minor: ShortText | None = Field(default=None, description="Minor category, if given")
    home_office_code: HomeOfficeCode | None = Field(
        default=None, description="Home Office offence code, e.g. 8/1 (required for home_office)"
    )

    @model_validator(mode="after")
    def _code_given(self) -> Self:
        if self.taxonomy is OffenceTaxonomy.HOME_OFFICE and self.home_office_code is None:
            check_rules([("home_office_code", "is required when taxonomy is 'home_office'")])
        return self


class CrimeRecordedV1(Contract):
    """A crime recorded on CRIS (or imported), before pseudonymisation and ward resolution."""

    crime_id: RecordId = Field(description="The crime's id on the source system")
    recorded_at: Timestamp = Field(description="When the crime was recorded (counts by this)")
    location: Location = Field(description="Where the crime happened")
    offence: Offence = Field(description="How the crime is classified")
    victim_id: RawPersonalId | None = Field(
        default=None,
        description="Victim identifier on the source system (personal data; ingest only)",
        json_schema_extra=PERSONAL_DATA,
    )
    victim_ethnicity: EthnicityGroup | None = Field(
        default=None, description="Victim's self-defined ethnicity group, if recorded"
    )


class AmendmentKind(StrEnum):
    """What an amendment does to a recorded crime."""

    RECLASSIFIED = "reclassified"
    RELOCATED = "relocated"
    CANCELLED = "cancelled"


class CancellationReason(StrEnum):
    """Why a crime stopped counting."""

    NO_CRIME = "no_crime"
    TRANSFERRED = "transferred"


class CrimeAmendedV1(Contract):
    """A change to a recorded crime: it moves the count, never adds a second one."""

    crime_id: RecordId = Field(description="The amended crime's id on the source system")
    kind: AmendmentKind = Field(description="reclassified, relocated or cancelled")
    offence: Offence | None = Field(
        default=None, description="The new classification (exactly when reclassified)"
    )
    location: Location | None = Field(
        default=None, description="The new location (exactly when relocated)"
    )
    cancellation_reason: CancellationReason | None = Field(
        default=None, description="no_crime or transferred (exactly when cancelled)"
    )
    effective_at: Timestamp = Field(description="When the amendment took effect")

    @model_validator(mode="after")
    def _fields_match_kind(self) -> Self:
        check_rules(self._problems())
        return self

    def _problems(self) -> Iterator[tuple[str, str]]:
        for kind, field in _AMENDED_FIELD.items():
            when = f"kind is '{kind.value}'"
            yield from present_iff(self.kind is kind, field, getattr(self, field), when)


_AMENDED_FIELD = {
    AmendmentKind.RECLASSIFIED: "offence",
    AmendmentKind.RELOCATED: "location",
    AmendmentKind.CANCELLED: "cancellation_reason",
}


class CrimeCountedV1(CountedFields):
    """A crime's count change in one area: pseudonymised, resolved and classified."""

    recorded_at: Timestamp = Field(
        description="When the crime was recorded (counts by this); for month precision, the "
        "first moment of the month in Europe/London"
    )
    offence: Offence = Field(description="The classification this count is for")
    victim_pseudonym: Pseudonym | None = Field(
        default=None, description="Keyed-hash pseudonym of the victim", json_schema_extra=PSEUDONYM
    )
    victim_ethnicity: EthnicityGroup | None = Field(
        default=None, description="Victim's self-defined ethnicity group, if recorded"
    )


class CrimeRecorded(Envelope[CrimeRecordedV1]):
    """crime.recorded v1: a crime as recorded on CRIS (topic snt.raw.cris.v1)."""

    event_type: Literal["crime.recorded"] = Field(default="crime.recorded", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)


class CrimeAmended(Envelope[CrimeAmendedV1]):
    """crime.amended v1: a change to a recorded crime (topic snt.raw.cris.v1)."""

    event_type: Literal["crime.amended"] = Field(default="crime.amended", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)


class CrimeCounted(Envelope[CrimeCountedV1]):
    """crime.counted v1: a crime count change in one area (topic snt.crime.v1)."""

    event_type: Literal["crime.counted"] = Field(default="crime.counted", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)
