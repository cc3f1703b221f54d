"""Live inputs: raw bytes → contract (clear problems) → intake for the pipeline."""

from __future__ import annotations

import json
import re
from typing import Any

from services.ingest.domain.intake import (
    AmendmentIntake,
    Category,
    CrimeIntake,
    DutyIntake,
    IncidentIntake,
    Intake,
    Origin,
    Place,
    ResponseIntake,
    RowRejection,
    SurveyIntake,
)
from services.ingest.pipeline import Submission
from shared.contracts import ContractError, Envelope, FieldProblem, RejectReason, parse_event
from shared.contracts.codes import EVENT_TYPE_PATTERN, RECORD_ID_PATTERN, SOURCE_PATTERN
from shared.contracts.location import Location

MAX_VERSION = 2**31 - 1
"""Highest source-record version stored (a 32-bit column in the event store)."""
_RECORD_ID = re.compile(RECORD_ID_PATTERN)
_SOURCE = re.compile(SOURCE_PATTERN)
_EVENT_TYPE = re.compile(EVENT_TYPE_PATTERN)
INPUT_TYPES = (
    "crime.recorded", "crime.amended", "cad.incident", "duty.changed", "survey.response",
    "survey.aggregate",
)  # fmt: skip


class DecodeError(Exception):
    def __init__(self, reason: RejectReason, problems: tuple[FieldProblem, ...]) -> None:
        super().__init__("; ".join(f"{p.field} {p.problem}" for p in problems))
        self.reason = reason
        self.problems = problems


def decode(raw: bytes | str, *, max_bytes: int, expected: str | None = None) -> Envelope[Any]:
    """A live input as its contract, or DecodeError naming the field and the problem."""
    try:
        event = parse_event(raw, max_bytes=max_bytes)
    except ContractError as exc:
        raise DecodeError(exc.reason, tuple(exc.problems)) from None
    if event.event_type not in INPUT_TYPES or (expected and event.event_type != expected):
        want = expected or " or ".join(INPUT_TYPES)
        raise DecodeError(
            RejectReason.UNKNOWN_EVENT_TYPE,
            (
                FieldProblem(
                    field="event_type", problem=f"must be {want} here, not {event.event_type}"
                ),
            ),
        )
    return event


def submission(raw: bytes | str, *, max_bytes: int, expected: str | None = None,
               position: dict[str, Any] | None = None) -> Submission:  # fmt: skip
    """The pipeline submission for one live input (a rejection if it cannot be decoded).

    The submission keeps ``raw`` itself, so a dead letter carries the bytes received.
    """
    try:
        event = decode(raw, max_bytes=max_bytes, expected=expected)
    except DecodeError as exc:
        data = _json(raw)
        rejection = RowRejection(_origin_hint(data), exc.reason, exc.problems, "")
        return Submission(rejection, _type_hint(data), raw, position)
    if event.version > MAX_VERSION:
        problem = FieldProblem(field="version", problem=f"must be at most {MAX_VERSION}")
        rejection = RowRejection(_origin_hint(_json(raw)), RejectReason.SCHEMA_VIOLATION,
                                 (problem,), "")  # fmt: skip
        return Submission(rejection, event.event_type, raw, position)
    return Submission(to_intake(event), event.event_type, raw, position)


def _valid(value: object, pattern: re.Pattern[str]) -> str | None:
    """``value`` when it is a string matching ``pattern``: hints are never trusted blindly."""
    return value if isinstance(value, str) and pattern.fullmatch(value) else None


def _origin_hint(data: dict[str, Any]) -> Origin:
    """Who sent an input that failed its contract, as far as it can be read."""
    source = _valid(data.get("source"), _SOURCE) or "unknown"
    event_id = _valid(data.get("event_id"), _RECORD_ID)
    if event_id is None:
        return Origin("", 0, source)
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
        version = 1
    return Origin(event_id, version, source)


def _type_hint(data: dict[str, Any]) -> str:
    return _valid(data.get("event_type"), _EVENT_TYPE) or "unknown"


def _json(raw: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def place(location: Location) -> Place:
    return Place(location.ward_code, location.lsoa_code, location.latitude, location.longitude,
                 location.borough_code)  # fmt: skip


def to_intake(event: Envelope[Any]) -> Intake:
    origin = Origin(event.event_id, event.version, event.source, event.correlation_id)
    p = event.payload
    kind = event.event_type
    if kind == "crime.recorded":
        return CrimeIntake(origin, p.crime_id, p.recorded_at, "day", place(p.location),
                           _category(p.offence), p.victim_id,
                           p.victim_ethnicity.value if p.victim_ethnicity else None)  # fmt: skip
    if kind == "crime.amended":
        reason = p.cancellation_reason.value if p.cancellation_reason else None
        return AmendmentIntake(origin, p.crime_id, p.kind.value, p.effective_at,
                               _category(p.offence) if p.offence else None,
                               place(p.location) if p.location else None, reason)  # fmt: skip
    if kind == "cad.incident":
        return _incident(origin, p)
    if kind == "duty.changed":
        return DutyIntake(origin, p)
    if kind == "survey.response":
        return ResponseIntake(origin, p)
    return SurveyIntake(origin, p)


def _incident(origin: Origin, p: Any) -> IncidentIntake:
    asb = p.asb_category.value if p.asb_category else None
    category = Category("cad_asb", asb) if asb else Category("cad_asb", "not_asb")
    return IncidentIntake(origin, p.incident_id, p.incident_at, "day", place(p.location),
                          category, p.opening_code, p.closing_code, asb, p.caller_id,
                          p.vulnerable_caller, p.linked_crime_id)  # fmt: skip


def _category(offence: Any) -> Category:
    return Category(offence.taxonomy.value, offence.major, offence.minor)
