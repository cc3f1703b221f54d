"""CAD incidents (calls for assistance): as received, and as counted by the ingest service."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints

from shared.contracts.base import PERSONAL_DATA, PSEUDONYM, Contract
from shared.contracts.codes import (
    Pseudonym,
    RawPersonalId,
    RecordId,
    Timestamp,
)
from shared.contracts.counting import CountedFields
from shared.contracts.envelope import TYPE_DOC, VERSION_DOC, Envelope
from shared.contracts.location import Location

CadCode = Annotated[str, StringConstraints(min_length=1, max_length=32)]


class AsbCategory(StrEnum):
    """The anti-social behaviour category of an incident."""

    PERSONAL = "personal"
    NUISANCE = "nuisance"
    ENVIRONMENTAL = "environmental"


class CadIncidentV1(Contract):
    """A CAD incident as received, before pseudonymisation and ward resolution."""

    incident_id: RecordId = Field(description="The incident's id on CAD")
    incident_at: Timestamp = Field(description="When the incident happened (ASB counts by this)")
    location: Location = Field(description="Where the incident happened")
    opening_code: CadCode = Field(description="CAD opening code")
    closing_code: CadCode | None = Field(default=None, description="CAD closing code, once closed")
    asb_category: AsbCategory | None = Field(
        default=None,
        description="ASB category: personal, nuisance or environmental (None: not ASB)",
    )
    caller_id: RawPersonalId | None = Field(
        default=None,
        description="Caller identifier on CAD (personal data; ingest only)",
        json_schema_extra=PERSONAL_DATA,
    )
    vulnerable_caller: StrictBool = Field(
        default=False, description="The caller was flagged vulnerable"
    )
    linked_crime_id: RecordId | None = Field(default=None, description="Linked crime's id, if any")


class CadCountedV1(CountedFields):
    """An incident's count change in one area: pseudonymised, resolved and classified."""

    incident_at: Timestamp = Field(
        description="When the incident happened (ASB counts by this); for month precision, "
        "the first moment of the month in Europe/London"
    )
    opening_code: CadCode | None = Field(
        default=None, description="CAD opening code (absent for published police.uk ASB)"
    )
    closing_code: CadCode | None = Field(default=None, description="CAD closing code, once closed")
    asb_category: AsbCategory | None = Field(
        default=None,
        description="ASB category: personal, nuisance or environmental (None: not ASB)",
    )
    caller_pseudonym: Pseudonym | None = Field(
        default=None, description="Keyed-hash pseudonym of the caller", json_schema_extra=PSEUDONYM
    )
    vulnerable_caller: StrictBool = Field(
        default=False, description="The caller was flagged vulnerable"
    )
    linked_crime_id: RecordId | None = Field(default=None, description="Linked crime's id, if any")


class CadIncident(Envelope[CadIncidentV1]):
    """cad.incident v1: a CAD incident as received (topic snt.raw.cad.v1)."""

    event_type: Literal["cad.incident"] = Field(default="cad.incident", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)


class CadCounted(Envelope[CadCountedV1]):
    """cad.counted v1: an incident's count change in one ward (topic snt.cad.v1)."""

    event_type: Literal["cad.counted"] = Field(default="cad.counted", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)
