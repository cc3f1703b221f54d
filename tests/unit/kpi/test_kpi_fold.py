"""Folding batches: exactly once per event id, offsets stored with the state, restarts
rebuild the same state, bad events reported with a reason and never folded."""

from __future__ import annotations

from datetime import date

from services.kpi.domain.days import day_index
from services.kpi.domain.state import MPS, Unit
from services.kpi.store.sql import SqlKpiStore
from shared.db import make_engine
from tests.unit.kpi.conftest import BOROUGH, WARD, MakeFolder, counted, record

W = Unit("ward", WARD, BOROUGH)
MAY_1 = day_index(date(2024, 5, 1))


def test_each_event_id_counts_once_across_batches_and_restarts(make_folder: MakeFolder) -> None:
    folder = make_folder()
    first = folder.fold([record(counted(1)), record(counted(2)), record(counted(1))])
    assert (first.applied, first.duplicates) == (2, 1)
    second = make_folder().fold([record(counted(2)), record(counted(3))])
    assert (second.applied, second.duplicates) == (1, 1)
    restarted = make_folder()
    assert restarted.state.total(W, "violence", MAY_1, MAY_1) == 3
    assert restarted.state.total(MPS, "violence", 0, 99999) == 3


def test_amendment_moves_and_cancellations_net_out(make_folder: MakeFolder) -> None:
    folder = make_folder()
    other = "E05013807"
    folder.fold([record(counted("c1:v1:in")), record(counted("c1:v2:out", delta=-1)),
                 record(counted("c1:v2:in", ward=other))])  # fmt: skip
    state = make_folder().state
    assert state.total(W, "violence", 0, 99999) == 0
    assert state.total(Unit("ward", other, BOROUGH), "violence", 0, 99999) == 1
    assert state.total(Unit("borough", BOROUGH, BOROUGH), "violence", 0, 99999) == 1


def test_days_are_london_dates_and_published_months_land_on_the_first(
    make_folder: MakeFolder,
) -> None:
    folder = make_folder()
    folder.fold([
        record(counted(1, at="2024-04-30T23:30:00+00:00")),  # 00:30 BST on 1 May
        record(counted(2, at="2024-05-01T00:00:00+01:00", delta=12)),
    ])  # fmt: skip
    assert folder.state.total(W, "violence", MAY_1, MAY_1) == 13
    assert folder.state.total(W, "violence", MAY_1 - 1, MAY_1 - 1) == 0


def test_offsets_are_stored_with_the_state(make_folder: MakeFolder, db_url: str) -> None:
    folder = make_folder()
    a = record(counted(1), partition=3)
    b = record(counted(2), topic="snt.cad.v1", partition=1)
    c = record(counted(3), partition=3)
    folder.fold([a, b, c])
    store = SqlKpiStore(make_engine(db_url))
    assert store.offsets() == {("snt.crime.v1", 3): c.offset + 1, ("snt.cad.v1", 1): b.offset + 1}
    assert store.applied() == 3


def test_bad_events_are_reported_and_not_folded(make_folder: MakeFolder) -> None:
    folder = make_folder()
    raws = [b"{not json", b'{"event_type": "crime.counted"}', b'{"event_type": "kpi.updated"}']
    result = folder.fold([*(record(r) for r in raws), record(counted(1))])
    assert (result.applied, result.ignored, len(result.bad)) == (1, 1, 2)
    reported = [why for _record, why in result.bad]
    assert reported[0].startswith("not a valid count event: JSONDecodeError")
    assert "KeyError" in reported[1]


def test_categories_for_drill_down(make_folder: MakeFolder, db_url: str) -> None:
    folder = make_folder()
    asb = counted(3, group="asb", asb=True)
    folder.fold([record(counted(1)), record(counted(2)), record(asb)])
    store = SqlKpiStore(make_engine(db_url))
    assert store.categories(W, "violence", MAY_1, MAY_1) == {
        "VIOLENCE AGAINST THE PERSON|VIOLENCE WITH INJURY": 2
    }
    assert store.categories(W, "asb", MAY_1, MAY_1) == {"ASB|nuisance": 1}
    assert store.categories(W, "violence", MAY_1 + 1, MAY_1 + 9) == {}
