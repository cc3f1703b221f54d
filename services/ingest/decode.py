"""Live inputs: raw bytes → contract (clear problems) → intake for the pipeline.

A live input that is refused keeps, for its dead letter, only what can be kept safely: an
input that is not a JSON object is withheld (size, SHA-256, where reading failed), and in a
JSON object the value of every field no input contract knows is withheld. An accepted one
carries the digest of its content, so the same id and version with other content is a
conflict. Envelope times must lie in the :class:`DateWindow`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from pydantic import BaseModel

from services.ingest.domain.deadletter import Original, Withheld, withhold_unknown
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
from shared.contracts import (
    ContractError,
    Envelope,
    FieldProblem,
    RejectReason,
    default_registry,
    parse_event,
)
from shared.contracts.codes import RECORD_ID_PATTERN, SOURCE_PATTERN
from shared.contracts.errors import ParsePosition
from shared.contracts.location import Location
from shared.contracts.personal import nested_models

MAX_VERSION = 2**31 - 1
"""Highest source-record version stored (a 32-bit column in the event store)."""
_RECORD_ID = re.compile(RECORD_ID_PATTERN)
_SOURCE = re.compile(SOURCE_PATTERN)
INPUT_TYPES = (
    "crime.recorded", "crime.amended", "cad.incident", "duty.changed", "survey.response",
    "survey.aggregate",
)  # fmt: skip
_UNREADABLE = (RejectReason.OVERSIZED, RejectReason.BAD_ENCODING, RejectReason.INVALID_JSON)
"""Refusals whose input is not read again: it is withheld whole."""
_UNDATED = ("recorded_at", "correlation_id")
"""Envelope fields left out of the content digest: a re-send may stamp them anew."""


@dataclass(frozen=True, slots=True)
class DateWindow:
    """The times a live event's envelope (``occurred_at``, ``recorded_at``) may carry: from
    ``earliest`` to ``ahead`` past the receiving clock."""

    earliest: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    ahead: timedelta = timedelta(days=1)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def check(self, event: Envelope[Any]) -> DecodeError | None:
        """The rejection of an envelope time outside the window, if any."""
        latest = self.clock() + self.ahead
        for name in ("occurred_at", "recorded_at"):
            at: datetime = getattr(event, name)
            if at < self.earliest:
                problem = f"is before {self.earliest.date().isoformat()}, the earliest accepted"
                return DecodeError.single(RejectReason.SCHEMA_VIOLATION, name, problem)
            if at > latest:
                problem = f"is more than {_hours(self.ahead)} ahead of the receiving clock"
                return DecodeError.single(RejectReason.FUTURE_DATE, name, problem)
        return None


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


class DecodeError(Exception):
    def __init__(
        self, reason: RejectReason, problems: tuple[FieldProblem, ...],
        at: ParsePosition | None = None,
    ) -> None:  # fmt: skip
        super().__init__("; ".join(f"{p.field} {p.problem}" for p in problems))
        self.reason = reason
        self.problems = problems
        self.at = at

    @classmethod
    def single(cls, reason: RejectReason, field: str, problem: str) -> DecodeError:
        return cls(reason, (FieldProblem(field=field, problem=problem),))


def decode(raw: bytes | str, *, max_bytes: int, expected: str | None = None) -> Envelope[Any]:
    """A live input as its contract, or DecodeError naming the field and the problem."""
    try:
        event = parse_event(raw, max_bytes=max_bytes)
    except ContractError as exc:
        raise DecodeError(exc.reason, tuple(exc.problems), exc.at) from None
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
               position: dict[str, Any] | None = None,
               window: DateWindow | None = None) -> Submission:  # fmt: skip
    """The pipeline submission for one live input (a rejection if it cannot be decoded).

    A decoded input keeps ``raw`` itself (its dead letter, if the pipeline refuses it, is
    ``raw`` with identifiers pseudonymised); one that cannot be decoded keeps only what
    :func:`safe_original` allows.
    """
    try:
        event = decode(raw, max_bytes=max_bytes, expected=expected)
        refused = _refused(event, window or DateWindow())
        if refused is not None:
            raise refused
    except DecodeError as exc:
        return refusal(raw, exc.reason, exc.problems, exc.at, position)
    return Submission(to_intake(event), event.event_type, raw, position, digest(event))


def refusal(
    raw: bytes | str, reason: RejectReason, problems: tuple[FieldProblem, ...],
    at: ParsePosition | None = None, position: dict[str, Any] | None = None,
) -> Submission:  # fmt: skip
    """The rejected submission of a live input refused before the pipeline saw its content."""
    data = None if reason in _UNREADABLE else _json(raw)
    rejection = RowRejection(_origin_hint(data or {}), reason, problems, "")
    return Submission(rejection, _type_hint(data or {}), safe_original(raw, data, at), position)


def safe_original(
    raw: bytes | str, data: dict[str, Any] | None, at: ParsePosition | None
) -> Original:
    """What a refused live input's dead letter may keep: ``raw`` when it is a JSON object
    (``data``) of known fields, the object with unknown fields' values withheld, or nothing
    but its size, SHA-256 and ``at`` when it is not a JSON object."""
    if data is None:
        return Withheld.of(raw, at)
    try:
        masked = withhold_unknown(data, known_fields())
    except RecursionError:
        return Withheld.of(raw, at)
    return raw if masked is None else json.dumps(masked, ensure_ascii=False)


def _refused(event: Envelope[Any], window: DateWindow) -> DecodeError | None:
    if event.version > MAX_VERSION:
        return DecodeError.single(RejectReason.SCHEMA_VIOLATION, "version",
                                  f"must be at most {MAX_VERSION}")  # fmt: skip
    return window.check(event)


def digest(event: Envelope[Any]) -> str:
    """SHA-256 of an event's content: the validated envelope without the times a re-send may
    stamp anew (``recorded_at``, ``correlation_id``)."""
    content = event.model_dump(mode="json", exclude=set(_UNDATED))
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


@cache
def known_fields() -> frozenset[str]:
    """Every field name of every version of every input contract, nested models included."""
    registry = default_registry()
    names: set[str] = set()
    todo: list[type[BaseModel]] = [c for c in registry.classes() if _type_of(c) in INPUT_TYPES]
    while todo:
        model = todo.pop()
        for name, info in model.model_fields.items():
            names.add(name)
            todo += [m for m in nested_models(info.annotation) if m is not model]
    return frozenset(names)


def _type_of(cls: type[Envelope[Any]]) -> str:
    return str(cls.model_fields["event_type"].default)


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
    """The event type an input names, if it is one this product knows ("unknown" otherwise:
    a hint is logged and kept on the dead letter, so nothing else is trusted)."""
    named = data.get("event_type")
    return named if isinstance(named, str) and named in _known_types() else "unknown"


@cache
def _known_types() -> frozenset[str]:
    return frozenset(default_registry().event_types())


def _json(raw: bytes | str) -> dict[str, Any] | None:
    """``raw`` as a JSON object (UTF-8 only: no guessing of encodings), or None."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError included
        return None
    return data if isinstance(data, dict) else None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


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
