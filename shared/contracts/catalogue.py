"""Every event the product speaks, and the upcasters that bring old versions up to date.

Adding an event: define its payload and envelope class, list the class here, give it a topic
in ``shared/topics.py`` and regenerate the schema snapshot. A breaking change to an event is a
new class with the next ``schema_version`` plus an upcaster from the old version, listed in
``UPCASTERS`` as (event_type, from_version, function).
"""

from __future__ import annotations

from typing import Final

from shared.contracts.alerts import AlertUpdated
from shared.contracts.cad import CadCounted, CadIncident
from shared.contracts.crime import CrimeAmended, CrimeCounted, CrimeRecorded
from shared.contracts.deadletter import DeadLettered
from shared.contracts.duty import DutyChanged, DutyRecorded
from shared.contracts.flex import FlexExceptionRaised, FlexUpdated
from shared.contracts.kpi import KpiUpdated
from shared.contracts.registry import EventClass, Upcaster
from shared.contracts.survey import SurveyAggregate, SurveyRecorded, SurveyResponse

#: Inputs as the source systems send them (may carry raw personal identifiers).
INPUT_EVENTS: Final[tuple[EventClass, ...]] = (
    CrimeRecorded,
    CrimeAmended,
    CadIncident,
    DutyChanged,
    SurveyResponse,
    SurveyAggregate,
)

#: Canonical events published by the ingest service (pseudonymised, ward resolved).
CANONICAL_EVENTS: Final[tuple[EventClass, ...]] = (
    CrimeCounted,
    CadCounted,
    DutyRecorded,
    SurveyRecorded,
)

#: Events the kpi, flex and alerts services publish, and rejected inputs.
OUTPUT_EVENTS: Final[tuple[EventClass, ...]] = (
    KpiUpdated,
    FlexUpdated,
    FlexExceptionRaised,
    AlertUpdated,
    DeadLettered,
)

EVENT_CLASSES: Final = INPUT_EVENTS + CANONICAL_EVENTS + OUTPUT_EVENTS

UPCASTERS: Final[tuple[tuple[str, int, Upcaster], ...]] = ()
