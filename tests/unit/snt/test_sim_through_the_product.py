"""The live feed through the product without a broker: the simulator submits to ingest's
pipeline (SQLite), the events ingest stores for publishing are folded by kpi, and the
figures, the KPI updates and the repeat diagnostics show what a live run shows: KPI 5 and
the crime KPIs counted, every figure and topic payload saying simulated, repeat victims
and repeat callers present; a restarted feed stores nothing twice."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from services.kpi.board import Board
from services.kpi.domain.diagnostics import within
from services.kpi.domain.figures import figure
from services.kpi.domain.periods import period
from services.kpi.domain.state import MPS, KpiState, Unit
from services.kpi.fold import Folder, Record
from services.kpi.store.sql import SqlKpiStore, create_schema
from services.kpi.target_config import load_targets
from services.kpi.updates import update_payload
from services.kpi.views import judged_body
from shared.contracts import parse_event
from shared.contracts.kpi import KpiUpdateV1
from shared.db import make_engine
from snt.sim.run import build
from snt.sim.settings import SimSettings

LEWISHAM = "E09000023"
Run = tuple[Path, list[dict[str, Any]]]
"""The data directory, and every event ingest stored for publishing."""
NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Three weeks of the feed for Lewisham's wards, stopped and restarted half way."""
    data = tmp_path_factory.mktemp("sim")
    env = {"SNT_INGEST_DATABASE_URL": f"sqlite:///{data / 'ingest.db'}"}
    counts = []
    for _ in range(2):
        feed = build(data, SimSettings(day_seconds=60), environ=env, boroughs=[LEWISHAM])
        feed.real_now = lambda: NOW
        feed.advance(10.5 * 60)
        feed.close()
        counts.append(_stored(data))
    events = [json.loads(e) for (e,) in _rows(data, "select envelope from ingest_event")]
    assert counts[1][0] > counts[0][0]  # the restart went on where it stopped...
    assert counts[1][1] == counts[1][0]  # ...and no event id is stored twice
    return data, events


def _rows(data: Path, query: str) -> list[tuple[Any, ...]]:
    import sqlite3

    with sqlite3.connect(data / "ingest.db") as conn:
        return list(conn.execute(query))


def _stored(data: Path) -> tuple[int, int]:
    (found,) = _rows(data, "select count(*), count(distinct event_id) from ingest_event")
    return found[0], found[1]


def _folded(run: Run, tmp_path: Path) -> Folder:
    _, events = run
    topics = {"crime.counted": "snt.crime.v1", "cad.counted": "snt.cad.v1"}
    engine = make_engine(f"sqlite:///{tmp_path / 'kpi.db'}")
    create_schema(engine)
    folder = Folder(SqlKpiStore(engine), KpiState())
    folder.fold([Record(topics[e["event_type"]], 0, n, json.dumps(e).encode())
                 for n, e in enumerate(events) if e["event_type"] in topics])  # fmt: skip
    return folder


def test_every_published_event_says_simulated(run: Run) -> None:
    _, events = run
    kinds = {e["event_type"] for e in events}
    assert {"crime.counted", "cad.counted", "duty.recorded"} <= kinds
    for event in events:
        assert event["payload"]["simulated"] is True
        if event["event_type"] != "duty.recorded":  # duties keep CARM3's id form
            assert event["correlation_id"].startswith("simulated:")
        assert parse_event(json.dumps(event)).payload.simulated  # type: ignore[attr-defined]


def test_kpi_figures_and_updates_count_and_say_simulated(run: Run, tmp_path: Path) -> None:
    folder = _folded(run, tmp_path)
    board = Board(folder, load_targets())
    month = period("month", date(2026, 1, 21))
    borough = Unit("borough", LEWISHAM, LEWISHAM)
    for group in ("violence", "property", "asb"):
        found = figure(folder.state, borough, group, month, None)
        assert found.value > 0, group
        assert found.sources[0].simulated
        assert found.sources[0].label == "simulated event-level records"
        payload = update_payload(borough, judged_body(board, found), "2026-01-21T00:00:00Z",
                                 {"classification_version": "x", "reference_version": "x",
                                  "target_config_version": "x", "boundary_set": "2022",
                                  "events_counted": 1})  # fmt: skip
        update = KpiUpdateV1.model_validate(payload)
        assert update.sources is not None
        assert update.sources.this_year.simulated


def test_repeat_victims_and_callers_appear_in_the_diagnostics(run: Run, tmp_path: Path) -> None:
    board = Board(_folded(run, tmp_path), load_targets())
    months = period("rolling_12m", date(2026, 1, 21))
    victims = within(board.diagnostics("victim", months), MPS)
    callers = within(board.diagnostics("caller", months), MPS)
    assert victims.repeat_persons > 0
    assert callers.repeat_persons > 0
    assert callers.vulnerable_persons > 0
    assert 0 < (victims.repeat_share or 0) < 0.5
