"""Live inputs: raw bytes → contract (clear problems) → intake for the pipeline."""

from __future__ import annotations

import json
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
    SurveyIntake,
)
from services.ingest.pipeline import Submission
from shared.contracts import ContractError, Envelope, FieldProblem, RejectReason, parse_event
from shared.contracts.location import Location

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
    """The pipeline submission for one live input (a rejection if it cannot be decoded)."""
    from services.ingest.domain.intake import RowRejection

    text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
    try:
        event = decode(raw, max_bytes=max_bytes, expected=expected)
    except DecodeError as exc:
        origin = _origin_hint(text)
        return Submission(RowRejection(origin, exc.reason, exc.problems, text),
                          _type_hint(text), text, position)  # fmt: skip
    return Submission(to_intake(event), event.event_type, text, position)


def _origin_hint(text: str) -> Origin:
    data = _json(text)
    event_id = data.get("event_id") if isinstance(data.get("event_id"), str) else None
    raw_version = data.get("version")
    version = raw_version if isinstance(raw_version, int) else 1
    source = data.get("source") if isinstance(data.get("source"), str) else "unknown"
    if event_id is None or len(event_id) > 128:
        return Origin("", 0, str(source)[:32] or "unknown")
    return Origin(event_id, int(version), str(source)[:32])


def _type_hint(text: str) -> str:
    value = _json(text).get("event_type")
    return value if isinstance(value, str) and len(value) < 64 else "unknown"


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
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
