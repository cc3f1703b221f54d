"""The canonical events ingest publishes, as JSON-ready envelopes.

Built as plain dicts (the bulk path publishes tens of thousands a second); the tests validate
every kind against its contract. Event ids are deterministic, so a replay or a re-import
produces the same ids and the event store's unique key keeps each one once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from services.ingest.domain.cells import CellChange
from services.ingest.domain.records import Classified, Move
from services.ingest.domain.resolve import Resolved

CRIME_TOPIC = "snt.crime.v1"
CAD_TOPIC = "snt.cad.v1"
DUTY_TOPIC = "snt.duty.v1"
SURVEY_TOPIC = "snt.survey.v1"
DEAD_LETTER_TOPIC = "snt.deadletter.v1"
MAX_ID = 128


@dataclass(frozen=True, slots=True)
class OutEvent:
    event_id: str
    event_type: str
    topic: str
    key: str
    occurred_at: datetime
    payload: dict[str, Any]
    correlation_id: str | None = None
    version: int = 1

    def envelope(self, recorded_at: datetime) -> dict[str, Any]:
        """The envelope as a dict (datetimes are serialised as RFC 3339 by the store)."""
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "schema_version": 1,
            "version": self.version,
            "occurred_at": self.occurred_at,
            "recorded_at": recorded_at,
            "source": "ingest",
            "correlation_id": self.correlation_id,
            "payload": self.payload,
        }


def bounded_id(*parts: str) -> str:
    """``ingest:<parts>``, or a hash of it when longer than an event id may be."""
    text = ":".join(("ingest", *parts))
    if len(text) <= MAX_ID:
        return text
    return "ingest:h:" + hashlib.sha256(text.encode()).hexdigest()[:48]


@lru_cache(maxsize=16_384)
def _where(w: Resolved, reference_version: str) -> dict[str, Any]:
    """The location fields of a payload (cached: few places, many events; never mutated)."""
    return {
        "level": w.level,
        "ward_code": w.ward_code,
        "borough_code": w.borough_code,
        "reporting_unit": w.reporting_unit,
        "lsoa_code": w.lsoa_code,
        "resolution": w.resolution,
        "boundary_set": w.boundary_set,
        "reference_version": reference_version,
    }


@lru_cache(maxsize=4096)
def _what(c: Classified) -> dict[str, Any]:
    """The classification fields of a payload (cached like :func:`_where`)."""
    return {"kpi_group": c.group, "kpi": c.kpi, "classification_version": c.version}


def _offence(c: Classified) -> dict[str, Any]:
    cat = c.category
    return {"taxonomy": cat.taxonomy, "major": cat.major, "minor": cat.minor}


def record_counted(move: Move, reference_version: str, correlation_id: str) -> OutEvent:
    """A crime.counted or cad.counted event for one move of one record."""
    state = move.state
    direction = "in" if move.delta > 0 else "out"
    crime = state.kind == "crime"
    payload: dict[str, Any] = {
        "record_id": state.record_id,
        "basis": "record",
        "delta": move.delta,
        "change": move.change,
        "date_precision": state.precision,
        **_where(state.where, reference_version),
        **_what(state.what),
        ("recorded_at" if crime else "incident_at"): state.at,
        ("victim_pseudonym" if crime else "caller_pseudonym"): state.person,
        **dict(state.detail),
    }
    if crime:
        payload["offence"] = _offence(state.what)
    return OutEvent(
        event_id=bounded_id(state.kind, state.record_id, f"v{state.version}", direction),
        event_type="crime.counted" if crime else "cad.counted",
        topic=CRIME_TOPIC if crime else CAD_TOPIC,
        key=state.where.ward_code or state.where.borough_code or "",
        occurred_at=state.at,
        payload=payload,
        correlation_id=correlation_id,
    )


@dataclass(frozen=True, slots=True)
class Cell:
    """A published table cell as resolved and classified."""

    cell_id: str
    at: datetime
    where: Resolved
    what: Classified
    asb: bool


def cell_counted(cell: Cell, change: CellChange, reference_version: str) -> OutEvent:
    """A count event for a published cell's first value or revision."""
    payload: dict[str, Any] = {
        "record_id": cell.cell_id,
        "basis": "published_count",
        "delta": change.delta,
        "change": change.change,
        "date_precision": "month",
        **_where(cell.where, reference_version),
        **_what(cell.what),
        ("incident_at" if cell.asb else "recorded_at"): cell.at,
    }
    if not cell.asb:
        payload["offence"] = _offence(cell.what)
    w = cell.where
    return OutEvent(
        event_id=bounded_id("cell", cell.cell_id, f"r{change.revision}"),
        event_type="cad.counted" if cell.asb else "crime.counted",
        topic=CAD_TOPIC if cell.asb else CRIME_TOPIC,
        key=w.ward_code or w.borough_code or w.reporting_unit or "",
        occurred_at=cell.at,
        payload=payload,
        correlation_id=cell.cell_id,
        version=change.revision,
    )
