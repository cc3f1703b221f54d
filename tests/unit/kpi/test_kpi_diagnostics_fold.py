"""Repeat victims and callers from the fold: contacts stored with the counts in one
transaction, amendments and cancellations move them, re-deliveries never add them twice,
restarts rebuild the same answers, and a batch recomputation finds the same contacts."""

from __future__ import annotations

import json
from datetime import date

from services.kpi.board import Board
from services.kpi.domain.diagnostics import Answer, within
from services.kpi.domain.periods import period
from services.kpi.domain.state import MPS, Unit
from services.kpi.store.sql import SqlKpiStore
from services.kpi.target_config import load_targets
from services.kpi.verify import diff, recompute
from shared.db import make_engine
from tests.unit.kpi.conftest import BOROUGH, WARD, MakeFolder, counted, record

OTHER = "E05013807"  # another Westminster ward
W, X = Unit("ward", WARD, BOROUGH), Unit("ward", OTHER, BOROUGH)
WINDOW = period("rolling_12m", date(2025, 3, 31))  # 1 Apr 2024 – 31 Mar 2025


def crime(n: str, record_id: str, victim: str, at: str, *, ward: str = WARD,
          delta: int = 1) -> bytes:  # fmt: skip
    return _person(counted(n, at=at, ward=ward, delta=1), record_id, delta,
                   victim_pseudonym=victim)  # fmt: skip


def asb(n: str, record_id: str, caller: str, at: str, *, vulnerable: bool) -> bytes:
    return _person(counted(n, at=at, asb=True, group="asb"), record_id, 1,
                   caller_pseudonym=caller, vulnerable_caller=vulnerable)  # fmt: skip


def _person(raw: bytes, record_id: str, delta: int, **fields: object) -> bytes:
    event = json.loads(raw)
    event["payload"].update(record_id=record_id, delta=delta, **fields)
    if delta < 0:
        event["payload"]["change"] = "cancelled"
    return json.dumps(event).encode()


def pseudo(name: str) -> str:
    return name.encode().hex().ljust(64, "0")


EVENTS = [
    crime("a1", "CR-1", pseudo("A"), "2025-01-10T10:00:00+00:00"),
    crime("a2", "CR-2", pseudo("A"), "2025-02-10T10:00:00+00:00"),
    crime("b1", "CR-3", pseudo("B"), "2025-01-15T10:00:00+00:00"),
    crime("b2", "CR-4", pseudo("B"), "2025-03-01T10:00:00+00:00", ward=OTHER),
    crime("c1", "CR-5", pseudo("C"), "2025-02-01T10:00:00+00:00"),
    crime("c2", "CR-5", pseudo("C"), "2025-02-01T10:00:00+00:00", delta=-1),  # cancelled
    crime("d1", "CR-6", pseudo("D"), "2023-01-01T10:00:00+00:00"),  # before the window
    crime("d2", "CR-7", pseudo("D"), "2025-01-20T10:00:00+00:00"),
    *(
        asb(f"e{i}", f"CAD-{i}", pseudo("E"), f"2025-0{i}-05T10:00:00+00:00", vulnerable=True)
        for i in (1, 2, 3)
    ),
    asb("f1", "CAD-9", pseudo("F"), "2025-01-05T10:00:00+00:00", vulnerable=False),
    counted("cell", delta=12, at="2025-01-01T00:00:00+00:00"),  # a published cell: no person
]


def answers(board: Board, kind: str) -> dict[str, Answer]:
    found = board.diagnostics(kind, WINDOW)  # type: ignore[arg-type]
    return {
        name: within(found, unit)
        for name, unit in (
            ("W", W),
            ("X", X),
            ("borough", Unit("borough", BOROUGH, BOROUGH)),
            ("mps", MPS),
        )
    }


def test_repeat_victims_and_callers_are_counted_once_and_survive_a_restart(
    make_folder: MakeFolder, db_url: str
) -> None:
    folder = make_folder()
    folder.fold([record(e) for e in EVENTS[:7]])
    folder.fold([record(e) for e in [*EVENTS[7:], EVENTS[0], EVENTS[3]]])  # 2 re-deliveries
    for board in (Board(folder, load_targets()), Board(make_folder(), load_targets())):
        victims = answers(board, "victim")
        assert victims["W"] == Answer(persons=2, repeat_persons=1, contacts=3, repeat_contacts=2)
        assert victims["X"] == Answer(persons=1, repeat_persons=1, contacts=2, repeat_contacts=2)
        assert victims["borough"] == Answer(persons=3, repeat_persons=2, contacts=5,
                                            repeat_contacts=4)  # fmt: skip
        assert victims["mps"] == victims["borough"]
        callers = answers(board, "caller")
        assert callers["W"] == Answer(persons=2, repeat_persons=1, contacts=4, repeat_contacts=3,
                                      vulnerable_persons=1, vulnerable_contacts=3,
                                      vulnerable_repeat_persons=1)  # fmt: skip
    held = SqlKpiStore(make_engine(db_url)).held_contacts()
    assert diff(recompute(EVENTS, lambda _: True).contacts, held) == []
    assert len([k for k in held if k[-1] == "count"]) == 10  # CR-5 netted out, no cell


def test_a_relocated_crime_moves_its_victim_to_the_new_ward(make_folder: MakeFolder) -> None:
    folder = make_folder()
    folder.fold([record(e) for e in EVENTS[:2]])
    moved = [
        _person(counted("a2:out", at="2025-02-10T10:00:00+00:00"), "CR-2", -1,
                victim_pseudonym=pseudo("A")),
        crime("a2:in", "CR-2", pseudo("A"), "2025-02-10T10:00:00+00:00", ward=OTHER),
    ]  # fmt: skip
    folder.fold([record(e) for e in moved])
    victims = answers(Board(make_folder(), load_targets()), "victim")
    assert victims["X"] == Answer(persons=1, repeat_persons=1, contacts=2, repeat_contacts=2)
    assert victims["W"] == Answer()


def test_a_board_answers_with_the_contacts_of_every_batch_folded_since_it_last_answered(
    make_folder: MakeFolder,
) -> None:
    folder = make_folder()
    board = Board(folder, load_targets())
    folder.fold([record(EVENTS[0])])
    assert answers(board, "victim")["W"] == Answer(persons=1, contacts=1)
    counts_seen = folder.generation
    folder.fold([record(EVENTS[1])])  # the diagnostics change under their own lock
    assert folder.generation == counts_seen + 1
    assert answers(board, "victim")["W"] == Answer(persons=1, repeat_persons=1, contacts=2,
                                                   repeat_contacts=2)  # fmt: skip
    people_seen = folder.people_generation
    folder.fold([record(EVENTS[-1])])  # a published cell names nobody: no new answers
    assert folder.people_generation == people_seen
    assert answers(board, "victim")["W"].contacts == 2
