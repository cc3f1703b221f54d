"""The one envelope every event travels in.

A concrete event class fixes ``event_type`` and ``schema_version`` with ``Literal`` types::

    class CrimeRecorded(Envelope[CrimeRecordedV1]):
        event_type: Literal["crime.recorded"] = Field(
            default="crime.recorded", description=TYPE_DOC
        )
        schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)
"""

from __future__ import annotations

from typing import Final, Generic, TypeVar

from pydantic import BaseModel, Field, StrictInt

from shared.contracts.base import Contract
from shared.contracts.codes import EventType, RecordId, SourceSystem, Timestamp

P = TypeVar("P", bound=BaseModel)

TYPE_DOC: Final = "What happened (fixed for this event class)"
VERSION_DOC: Final = "Version of the payload's schema (fixed for this event class)"


class Envelope(Contract, Generic[P]):
    """Identity, type, version, timing and origin of one event, around its payload."""

    event_id: RecordId = Field(
        description="Unique id of this event (1-128 characters from A-Z a-z 0-9 . _ : / -)"
    )
    event_type: EventType = Field(description="What happened, e.g. crime.recorded")
    schema_version: StrictInt = Field(ge=1, description="Version of the payload's schema")
    version: StrictInt = Field(
        ge=1,
        description=(
            "Version of the source record; a re-delivery of the same (event_id, version) "
            "is a no-op downstream"
        ),
    )
    occurred_at: Timestamp = Field(
        description="When it happened in the source system (with a timezone offset)"
    )
    recorded_at: Timestamp = Field(
        description="When this event was written (with a timezone offset)"
    )
    source: SourceSystem = Field(
        description="System the event came from: cris, cad, carm3, pas, uss, ingest, kpi, "
        "flex, alerts or import:<format>"
    )
    correlation_id: RecordId | None = Field(
        default=None, description="Id shared by events caused by the same request or import"
    )
    payload: P = Field(description="The event's content, typed by event_type/schema_version")
