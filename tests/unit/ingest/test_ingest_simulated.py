"""Records from a simulator (source ``simulated:…``) keep the mark on every event ingest
publishes for them; a real record's events carry no such field."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from services.ingest.decode import submission
from services.ingest.pipeline import Pipeline
from services.ingest.store.sql import SqlIngestStore
from shared.contracts import parse_event
from shared.contracts.examples import example_event

NOW = datetime(2026, 1, 31, 12, tzinfo=UTC)


def _raw(event_type: str, source: str, n: int) -> bytes:
    event = example_event(event_type, event_id=f"{source}:{n}", source=source)
    return json.dumps(event, default=str).encode()


def _published(store: SqlIngestStore) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(e.envelope) for e in store.events(0, 10_000)]


@pytest.mark.parametrize(
    ("event_type", "source", "simulated"),
    [
        ("crime.recorded", "simulated:cris", True),
        ("cad.incident", "simulated:cad", True),
        ("duty.changed", "simulated:carm3", True),
        ("crime.recorded", "cris", False),
        ("cad.incident", "cad", False),
        ("duty.changed", "carm3", False),
    ],
)
def test_the_simulated_mark_travels_onto_the_published_events(
    make_pipeline: Callable[..., Pipeline], store: SqlIngestStore, event_type: str,
    source: str, simulated: bool,
) -> None:  # fmt: skip
    outcomes = make_pipeline(NOW).submit([submission(_raw(event_type, source, 1),
                                                     max_bytes=65_536)])  # fmt: skip
    assert [o.status for o in outcomes] == ["accepted"]
    events = _published(store)
    assert events
    for event in events:
        assert event["payload"].get("simulated", False) is simulated
        assert ("simulated" in event["payload"]) is simulated  # real events are as before
        assert parse_event(json.dumps(event)).payload.simulated is simulated


def test_an_amended_simulated_crime_stays_simulated(
    make_pipeline: Callable[..., Pipeline], store: SqlIngestStore
) -> None:
    pipeline = make_pipeline(NOW)
    crime = example_event("crime.recorded", event_id="simulated:cris:1", source="simulated:cris")
    amended = example_event("crime.amended", event_id="simulated:cris:1:a", source="cris")
    amended["payload"]["crime_id"] = crime["payload"]["crime_id"]
    raws = [json.dumps(e, default=str).encode() for e in (crime, amended)]
    pipeline.submit([submission(raw, max_bytes=65_536) for raw in raws])
    moves = [e["payload"] for e in _published(store) if e["event_type"] == "crime.counted"]
    assert len(moves) >= 2
    assert all(m["simulated"] is True for m in moves)
