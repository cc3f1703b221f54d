"""From intake to state and events: validation, resolution, classification, pseudonyms.

Pure: the pipeline supplies the current time and the previous states from its store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.ingest.domain.canonical import DUTY_TOPIC, SURVEY_TOPIC, Cell, OutEvent, bounded_id
from services.ingest.domain.intake import (
    AmendmentIntake,
    Category,
    CountIntake,
    CrimeIntake,
    DutyIntake,
    IncidentIntake,
    Origin,
    ResponseIntake,
    SurveyIntake,
)
from services.ingest.domain.pseudonymise import Pseudonymiser
from services.ingest.domain.records import Classified, RecordState, cancel, reclassify, relocate
from services.ingest.domain.rejection import RejectionError
from services.ingest.domain.resolve import Resolved, Resolver
from shared.contracts import RejectReason

LONDON = ZoneInfo("Europe/London")
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
"""Earliest time an input may carry (older dates are typing errors such as year 0001)."""
DUTY_HORIZON = timedelta(days=400)
"""Rosters are planned ahead: a duty may start up to this far in the future."""
Classify = Callable[[Category], Classified]


@dataclass(frozen=True, slots=True)
class Context:
    resolver: Resolver
    classify: Classify
    pseudonymise: Pseudonymiser
    now: datetime
    tolerance: timedelta = timedelta(minutes=5)

    def not_future(self, at: datetime, field: str) -> None:
        not_ancient(at, field)
        if at > self.now + self.tolerance:
            raise RejectionError(
                RejectReason.FUTURE_DATE, field, f"is in the future ({at.isoformat()})"
            )

    def not_beyond(self, at: datetime, horizon: timedelta, field: str) -> None:
        not_ancient(at, field)
        if at > self.now + horizon:
            raise RejectionError(
                RejectReason.FUTURE_DATE, field,
                f"is more than {horizon.days} days ahead ({at.isoformat()})",
            )  # fmt: skip


def not_ancient(at: datetime, field: str) -> None:
    """Reject a time before :data:`EARLIEST` (no police record is that old), or one with no
    UTC equivalent (0001-01-01T00:00+14:00, 9999-12-31T23:00-14:00)."""
    if EARLIEST.year < at.year < 9999:  # the usual case, decided without time-zone arithmetic
        return
    try:
        at.astimezone(UTC)
    except OverflowError:
        raise RejectionError(
            RejectReason.SCHEMA_VIOLATION, field, "is outside the range of dates that can be held"
        ) from None
    if at < EARLIEST:
        raise RejectionError(
            RejectReason.SCHEMA_VIOLATION, field,
            f"is before {EARLIEST.date().isoformat()}: no record this product counts is that old",
        )  # fmt: skip


def local_day(at: datetime) -> date:
    return at.astimezone(LONDON).date()


def crime_state(intake: CrimeIntake, ctx: Context) -> RecordState:
    ctx.not_future(intake.recorded_at, "payload.recorded_at")
    where = ctx.resolver.locate(intake.place, local_day(intake.recorded_at), "payload.location")
    detail = (("victim_ethnicity", intake.victim_ethnicity), *_simulated(intake.origin))
    return RecordState(
        "crime", intake.crime_id, intake.origin.version, "active", intake.recorded_at,
        intake.precision, where, ctx.classify(intake.category),
        ctx.pseudonymise.optional("victim", intake.victim_id), detail,
    )  # fmt: skip


def incident_state(intake: IncidentIntake, ctx: Context) -> RecordState:
    ctx.not_future(intake.incident_at, "payload.incident_at")
    where = ctx.resolver.locate(intake.place, local_day(intake.incident_at), "payload.location")
    detail = (
        ("opening_code", intake.opening_code), ("closing_code", intake.closing_code),
        ("asb_category", intake.asb_category), ("vulnerable_caller", intake.vulnerable_caller),
        ("linked_crime_id", intake.linked_crime_id), *_simulated(intake.origin),
    )  # fmt: skip
    return RecordState(
        "incident", intake.incident_id, intake.origin.version, "active", intake.incident_at,
        intake.precision, where, ctx.classify(intake.category),
        ctx.pseudonymise.optional("caller", intake.caller_id), detail,
    )  # fmt: skip


def _simulated(origin: Origin) -> tuple[tuple[str, bool], ...]:
    """The count events' ``simulated`` flag, for a record from a simulator (absent
    otherwise, so a real record's events are as before)."""
    return (("simulated", True),) if origin.simulated else ()


def amended_state(prev: RecordState, amendment: AmendmentIntake, ctx: Context) -> RecordState:
    """The crime after ``amendment``; its place moves, its identity stays."""
    ctx.not_future(amendment.effective_at, "payload.effective_at")
    if amendment.kind == "cancelled":
        return cancel(prev)
    if amendment.kind == "reclassified" and amendment.category is not None:
        return reclassify(prev, ctx.classify(amendment.category))
    if amendment.place is None:
        raise RejectionError(RejectReason.SCHEMA_VIOLATION, "payload.location", "is required")
    return relocate(
        prev, ctx.resolver.locate(amendment.place, local_day(prev.at), "payload.location")
    )


def published_cell(intake: CountIntake, ctx: Context) -> Cell:
    """A published table cell resolved to its ward or borough (or special unit)."""
    at = datetime(intake.month.year, intake.month.month, 1, tzinfo=LONDON)
    ctx.not_future(at, "month")
    where = ctx.resolver.published(intake.place, intake.level, intake.month)
    what = ctx.classify(intake.category)
    return Cell(intake.origin.event_id, at, where, what, asb=what.group == "asb")


def survey_event(intake: SurveyIntake, ctx: Context) -> OutEvent:
    agg = intake.aggregate
    at = datetime.combine(agg.period_end, datetime.min.time(), LONDON)
    ctx.not_future(at, "payload.period_end")
    return OutEvent(
        bounded_id(intake.origin.event_id, f"v{intake.origin.version}"), "survey.aggregate",
        SURVEY_TOPIC, agg.area_code, at, agg.model_dump(mode="json"), intake.origin.event_id,
        intake.origin.version,
    )  # fmt: skip


def response_event(intake: ResponseIntake, ctx: Context) -> OutEvent:
    raw = intake.response
    at = datetime.combine(raw.interviewed_on, datetime.min.time(), LONDON)
    ctx.not_future(at, "payload.interviewed_on")
    ctx.resolver.borough_in_force(raw.borough_code, "payload.borough_code")
    payload = raw.model_dump(mode="json", exclude={"respondent_id"})
    payload["respondent_pseudonym"] = ctx.pseudonymise.optional("respondent", raw.respondent_id)
    return OutEvent(
        bounded_id(intake.origin.event_id, f"v{intake.origin.version}"), "survey.recorded",
        SURVEY_TOPIC, raw.borough_code, at, payload, intake.origin.event_id,
        intake.origin.version,
    )  # fmt: skip


def duty_event(intake: DutyIntake, ctx: Context) -> OutEvent:
    duty = intake.duty
    ctx.not_beyond(duty.start, DUTY_HORIZON, "payload.start")
    home = ctx.resolver.ward_in_force(duty.home_ward_code, duty.duty_date, "payload.home_ward_code")
    for field in ("planned_ward_code", "actual_ward_code"):
        code = getattr(duty, field)
        if code is not None:
            ctx.resolver.ward_in_force(code, duty.duty_date, f"payload.{field}")
    return OutEvent(
        bounded_id(intake.origin.event_id, f"v{intake.origin.version}"), "duty.recorded",
        DUTY_TOPIC, duty.home_ward_code, duty.start, _duty_payload(intake, home, ctx),
        intake.origin.event_id, intake.origin.version,
    )  # fmt: skip


def _duty_payload(intake: DutyIntake, home: Resolved, ctx: Context) -> dict[str, Any]:
    duty = intake.duty
    payload = duty.model_dump(mode="json", exclude={"officer_id", "authoriser"})
    payload["home_borough_code"] = home.borough_code
    payload["officer_pseudonym"] = ctx.pseudonymise("officer", duty.officer_id)
    if duty.authoriser is not None:
        payload["authoriser"] = {
            "rank": duty.authoriser.rank.value,
            "officer_pseudonym": ctx.pseudonymise("officer", duty.authoriser.officer_id),
        }
    if intake.origin.simulated:
        payload["simulated"] = True
    return payload
