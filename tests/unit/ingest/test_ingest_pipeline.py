"""The pipeline on SQLite with the real reference data and classification."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime

from services.ingest.domain.intake import (
    AmendmentIntake,
    Category,
    CountIntake,
    CrimeIntake,
    Origin,
    Place,
)
from services.ingest.pipeline import Pipeline, Submission
from services.ingest.store.sql import SqlIngestStore
from shared.contracts import parse_event

WESTMINSTER_WARD = "E05013806"  # a 2022-set ward (checked by the reference tests)
AT = datetime(2025, 5, 1, 10, 30, tzinfo=UTC)
VIOLENCE = Category("mps_upper", "VIOLENCE AGAINST THE PERSON", "VIOLENCE WITH INJURY")
BURGLARY = Category("mps_upper", "BURGLARY", "RES BURGLARY OF A HOME")


def crime(crime_id: str = "C1", version: int = 1, **kw: object) -> Submission:
    intake = CrimeIntake(
        origin=Origin(f"cris:{crime_id}", version, "cris"),
        crime_id=crime_id,
        recorded_at=kw.pop("at", AT),  # type: ignore[arg-type]
        precision="day",
        place=kw.pop("place", Place(ward_code=WESTMINSTER_WARD)),  # type: ignore[arg-type]
        category=kw.pop("category", VIOLENCE),  # type: ignore[arg-type]
        victim_id="VICTIM-RAW-0001",
    )
    return Submission(
        intake, "crime.recorded", original=json.dumps({"victim_id": "VICTIM-RAW-0001"})
    )


def published(store: SqlIngestStore) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(e.envelope) for e in store.events(0, 10_000)]


def test_a_crime_counts_once_and_every_event_meets_its_contract(
    make_pipeline: Callable[..., Pipeline], store: SqlIngestStore
) -> None:
    pipeline = make_pipeline()
    first = pipeline.submit([crime()])
    again = pipeline.submit([crime()])
    assert [o.status for o in first + again] == ["accepted", "duplicate"]
    events = published(store)
    assert len(events) == 1
    event = parse_event(json.dumps(events[0]))
    payload = event.payload
    assert (payload.delta, payload.ward_code, payload.kpi_group, payload.kpi) == (
        1,
        WESTMINSTER_WARD,
        "violence",
        1,
    )
    assert payload.victim_pseudonym
    assert "VICTIM-RAW" not in json.dumps(events)


def test_reclassify_then_cancel_moves_counts_never_adds(
    make_pipeline: Callable[..., Pipeline], store: SqlIngestStore
) -> None:
    pipeline = make_pipeline()
    pipeline.submit([crime()])
    amend = AmendmentIntake(
        Origin("cris:amend:1", 1, "cris"), "C1", "reclassified", AT, category=BURGLARY
    )
    cancel = AmendmentIntake(
        Origin("cris:amend:2", 1, "cris"), "C1", "cancelled", AT, reason="no_crime"
    )
    outcomes = pipeline.submit(
        [Submission(amend, "crime.amended"), Submission(cancel, "crime.amended")]
    )
    assert [o.status for o in outcomes] == ["accepted", "accepted"]
    moves = [
        (e["payload"]["delta"], e["payload"]["kpi_group"], e["payload"]["change"])
        for e in published(store)
    ]
    assert moves == [
        (1, "violence", "recorded"),
        (-1, "violence", "reclassified"),
        (1, "property", "reclassified"),
        (-1, "property", "cancelled"),
    ]
    assert sum(d for d, _, _ in moves) == 0


def test_an_amendment_before_its_crime_is_parked_then_applied(
    make_pipeline: Callable[..., Pipeline], store: SqlIngestStore
) -> None:
    pipeline = make_pipeline()
    cancel = AmendmentIntake(
        Origin("cris:amend:9", 1, "cris"), "C9", "cancelled", AT, reason="transferred"
    )
    [parked] = pipeline.submit([Submission(cancel, "crime.amended")])
    assert parked.status == "parked"
    assert parked.problems[0].problem == "no such crime yet; parked until it arrives"
    [accepted] = pipeline.submit([crime("C9")])
    assert accepted.status == "accepted"
    assert [e["payload"]["delta"] for e in published(store)] == [1, -1]


def test_rejections_name_the_field_and_reach_the_dead_letter_topic(
    make_pipeline: Callable[..., Pipeline], store: SqlIngestStore
) -> None:
    pipeline = make_pipeline()
    cases = [
        crime("F1", at=datetime(2026, 1, 1, tzinfo=UTC)),
        crime("U1", place=Place(ward_code="E05999999")),
        crime("K1", category=Category("mps_upper", "BURGLARY", "SCRUMPING")),
        crime("L1", place=Place(latitude=50.82, longitude=-0.14)),
        crime("N1", place=Place(lsoa_code="E01999999")),
        crime("CITY", place=Place(ward_code="E05009288")),
    ]
    outcomes = pipeline.submit(cases)
    got = [(o.status, o.reason.value if o.reason else None, o.problems[0].field) for o in outcomes]
    assert got == [
        ("rejected", "future_date", "payload.recorded_at"),
        ("rejected", "unknown_ward", "payload.location.ward_code"),
        ("rejected", "unknown_category", "payload.offence"),
        ("rejected", "out_of_area", "payload.location.latitude"),
        ("rejected", "out_of_area", "payload.location.lsoa_code"),
        ("rejected", "out_of_area", "payload.location.ward_code"),
    ]
    letters = [e for e in published(store) if e["event_type"] == "dead_letter.recorded"]
    assert len(letters) == 6
    assert all("VICTIM-RAW" not in e["payload"]["original_text"] for e in letters)
    assert all(parse_event(json.dumps(e)).payload.reason for e in letters)


def test_unlocated_with_a_known_borough_counts_at_borough_level(
    make_pipeline: Callable[..., Pipeline], store: SqlIngestStore
) -> None:
    [outcome] = make_pipeline().submit([crime("B1", place=Place(borough_code="E09000033"))])
    assert outcome.status == "accepted"
    [event] = published(store)
    assert event["payload"]["level"] == "borough_unlocated"
    assert event["payload"]["ward_code"] is None


def test_a_published_cell_is_its_value_then_its_revision(
    make_pipeline: Callable[..., Pipeline], store: SqlIngestStore
) -> None:
    def cell(value: int) -> Submission:
        return Submission(CountIntake(
            Origin("mps-ward:E05013806:202404:abc", 1, "import:mps-ward"), "mps-ward", "ward",
            Place(ward_code=WESTMINSTER_WARD, borough_label="Westminster"), date(2024, 4, 1),
            VIOLENCE, value,
        ), "crime.counted")  # fmt: skip

    pipeline = make_pipeline()
    statuses = [o.status for v in (7, 7, 10, 0) for o in pipeline.submit([cell(v)])]
    assert statuses == ["accepted", "unchanged", "accepted", "accepted"]
    deltas = [(e["payload"]["delta"], e["payload"]["change"]) for e in published(store)]
    assert deltas == [(7, "published"), (3, "revised"), (-10, "revised")]
    for e in published(store):
        parse_event(json.dumps(e))
