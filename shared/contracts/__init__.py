"""Message contracts every service speaks: one envelope, versioned payloads, a registry.

Import event classes from here; decode incoming messages with :func:`parse_event`, which
raises :class:`ContractError` (reason + field/problem items) for anything it cannot accept.
See docs/contracts.md for the versioning rule and the topic of each event.
"""

from shared.contracts.alerts import AlertState, AlertUpdated, AlertV1, Severity
from shared.contracts.cad import AsbCategory, CadCounted, CadCountedV1, CadIncident, CadIncidentV1
from shared.contracts.codes import EthnicityGroup, Level, Role
from shared.contracts.crime import (
    AmendmentKind,
    CancellationReason,
    CrimeAmended,
    CrimeAmendedV1,
    CrimeCounted,
    CrimeCountedV1,
    CrimeRecorded,
    CrimeRecordedV1,
    Offence,
    OffenceTaxonomy,
)
from shared.contracts.deadletter import DeadLettered, DeadLetterV1, capture_original
from shared.contracts.duty import (
    ActivityKind,
    Authoriser,
    DutyChange,
    DutyChanged,
    DutyChangeV1,
    DutyRecorded,
    DutyRecordedV1,
    PseudonymousAuthoriser,
    Rank,
)
from shared.contracts.envelope import Envelope
from shared.contracts.errors import ContractError, FieldProblem, RejectReason, flatten_errors
from shared.contracts.flex import (
    FlexExceptionKind,
    FlexExceptionRaised,
    FlexExceptionV1,
    FlexUpdated,
    FlexUpdateV1,
)
from shared.contracts.kpi import (
    Interval,
    KpiUpdated,
    KpiUpdateV1,
    PeriodKind,
    Provenance,
    Significance,
    Spc,
    SpcRule,
    SpcSignal,
    Unit,
    Verdict,
)
from shared.contracts.location import Location
from shared.contracts.personal import personal_data_fields, pseudonym_fields
from shared.contracts.refs import EventRef, TopicOffset
from shared.contracts.registry import ContractRegistry, default_registry, parse_event
from shared.contracts.survey import (
    RespondentGroup,
    Survey,
    SurveyAggregate,
    SurveyAggregateV1,
    SurveyPeriod,
    SurveyRecorded,
    SurveyRecordedV1,
    SurveyResponse,
    SurveyResponseV1,
)

__all__ = [
    "ActivityKind",
    "AlertState",
    "AlertUpdated",
    "AlertV1",
    "AmendmentKind",
    "AsbCategory",
    "Authoriser",
    "CadCounted",
    "CadCountedV1",
    "CadIncident",
    "CadIncidentV1",
    "CancellationReason",
    "ContractError",
    "ContractRegistry",
    "CrimeAmended",
    "CrimeAmendedV1",
    "CrimeCounted",
    "CrimeCountedV1",
    "CrimeRecorded",
    "CrimeRecordedV1",
    "DeadLetterV1",
    "DeadLettered",
    "DutyChange",
    "DutyChangeV1",
    "DutyChanged",
    "DutyRecorded",
    "DutyRecordedV1",
    "Envelope",
    "EthnicityGroup",
    "EventRef",
    "FieldProblem",
    "FlexExceptionKind",
    "FlexExceptionRaised",
    "FlexExceptionV1",
    "FlexUpdateV1",
    "FlexUpdated",
    "Interval",
    "KpiUpdateV1",
    "KpiUpdated",
    "Level",
    "Location",
    "Offence",
    "OffenceTaxonomy",
    "PeriodKind",
    "Provenance",
    "PseudonymousAuthoriser",
    "Rank",
    "RejectReason",
    "RespondentGroup",
    "Role",
    "Severity",
    "Significance",
    "Spc",
    "SpcRule",
    "SpcSignal",
    "Survey",
    "SurveyAggregate",
    "SurveyAggregateV1",
    "SurveyPeriod",
    "SurveyRecorded",
    "SurveyRecordedV1",
    "SurveyResponse",
    "SurveyResponseV1",
    "TopicOffset",
    "Unit",
    "Verdict",
    "capture_original",
    "default_registry",
    "flatten_errors",
    "parse_event",
    "personal_data_fields",
    "pseudonym_fields",
]
