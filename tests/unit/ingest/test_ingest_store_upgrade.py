"""An ingest database from before releases (cells in ``ingest_cell``, ward cell ids without
the borough label) or from the first release layout (``ingest_count_cell``, one wide row per
cell) is brought up to date at start-up, or refused: never counted twice.

The old databases are written with plain SQL, as the old code left them: the cells and the
first count event of each (its payload as that code published it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from services.ingest.bulk import run_import
from services.ingest.domain.releases import PlausibilityRule
from services.ingest.pipeline import Pipeline
from services.ingest.store.sql import SqlIngestStore, create_schema
from services.ingest.store.upgrade import LegacyCellsError
from services.ingest.wiring import context_factory
from shared.classification import Classifier
from shared.db import make_engine
from shared.reference import LondonReference
from tests.unit.ingest.conftest import KEY, NOW

HEADER = "MajorText,MinorText,WardName,WardCode,LookUp_BoroughName,202401,202402"
ABBEY = ("E05014053", "E09000002", None, "Barking and Dagenham")
HEATHROW = ("E05013570", "E09000017", "SO18", "Aviation Security (SO18)")
VIOLENCE = ("VIOLENCE AGAINST THE PERSON", "VIOLENCE WITH INJURY", "violence")
BURGLARY = ("BURGLARY", "RES BURGLARY OF A HOME", "property")
FILE_ROWS = [(ABBEY, VIOLENCE, (7, 3)), (ABBEY, BURGLARY, (2, 0)), (HEATHROW, VIOLENCE, (5, 4))]
"""What the old database imported: (ward, category, counts for 2024-01 and 2024-02)."""
RULE = PlausibilityRule(max_fall=0.5, min_area_count=20, version="test")

OLD_SCHEMA = [
    "CREATE TABLE ingest_cell (cell_id VARCHAR(160) PRIMARY KEY, value BIGINT NOT NULL, "
    "revision INTEGER NOT NULL)",
    "CREATE TABLE ingest_event (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id VARCHAR(128) "
    "NOT NULL UNIQUE, event_type VARCHAR(64) NOT NULL, topic VARCHAR(64) NOT NULL, key "
    "VARCHAR(64) NOT NULL, envelope TEXT NOT NULL, created_at DATETIME NOT NULL, published_at "
    "DATETIME)",
]
WIDE_SCHEMA = (
    "CREATE TABLE ingest_count_cell (cell_id VARCHAR(160) PRIMARY KEY, value BIGINT NOT NULL, "
    "revision INTEGER NOT NULL, release_id VARCHAR(64), dataset VARCHAR(32) NOT NULL, month "
    "VARCHAR(7) NOT NULL, area VARCHAR(100) NOT NULL, level VARCHAR(16) NOT NULL, taxonomy "
    "VARCHAR(32) NOT NULL, major VARCHAR(200) NOT NULL, minor VARCHAR(200), ward_code "
    "VARCHAR(16), borough_label VARCHAR(200))"
)


def digest(major: str, minor: str) -> str:
    return sha256(f"mps_upper|{major}|{minor}".encode()).hexdigest()[:16]


def old_cells() -> list[tuple[str, int, tuple[Any, ...], tuple[Any, ...], str]]:
    """The non-zero cells as the old importer keyed them: (id, value, ward, category, month)."""
    return [
        (f"mps-ward:{ward[0]}:{month}:{digest(*category[:2])}", value, ward, category, month)
        for ward, category, values in FILE_ROWS
        for month, value in zip(("202401", "202402"), values, strict=True)
        if value
    ]


def first_event(cell_id: str, value: int, ward: tuple[Any, ...], category: tuple[Any, ...],
                month: str) -> dict[str, Any]:  # fmt: skip
    """The old code's first count event of a cell (the fields the upgrade and tests read)."""
    at = f"{month[:4]}-{month[4:]}-01T00:00:00+00:00"
    payload = {
        "record_id": cell_id, "basis": "published_count", "delta": value,
        "change": "published", "date_precision": "month", "level": "ward",
        "ward_code": ward[0], "borough_code": ward[1], "reporting_unit": ward[2],
        "kpi_group": category[2], "recorded_at": at,
        "offence": {"taxonomy": "mps_upper", "major": category[0], "minor": category[1]},
    }  # fmt: skip
    return {"event_id": f"ingest:cell:{cell_id}:r1", "event_type": "crime.counted",
            "version": 1, "correlation_id": cell_id, "payload": payload}  # fmt: skip


def old_database(path: Path, *, events: bool = True) -> Engine:
    """An ingest database as the code before releases left it after importing FILE_ROWS."""
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        for statement in OLD_SCHEMA:
            conn.execute(text(statement))
        for cell_id, value, *what in old_cells():
            conn.execute(text("INSERT INTO ingest_cell VALUES (:id, :value, 1)"),
                         {"id": cell_id, "value": value})  # fmt: skip
            if events:
                insert_event(conn, first_event(cell_id, value, *what))
    return engine


def insert_event(conn: Any, envelope: dict[str, Any]) -> None:
    conn.execute(
        text("INSERT INTO ingest_event (event_id, event_type, topic, key, envelope, created_at) "
             "VALUES (:id, 'crime.counted', 'snt.crime.v1', :key, :envelope, :at)"),
        {"id": envelope["event_id"], "key": envelope["payload"]["ward_code"],
         "envelope": json.dumps(envelope), "at": "2025-06-30 12:00:00.000000"},
    )  # fmt: skip


def ward_file(
    tmp_path: Path, changed: dict[tuple[str, str], tuple[int, int]] | None = None
) -> Path:
    """FILE_ROWS as a ward file (with ``changed`` counts per (ward code, minor))."""
    lines = [HEADER]
    for ward, category, values in FILE_ROWS:
        counts = (changed or {}).get((ward[0], category[1]), values)
        lines.append(",".join([*category[:2], "Ward", ward[0], ward[3], *map(str, counts)]))
    path = tmp_path / "ward.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def start(
    reference: LondonReference, classifier: Classifier
) -> Callable[[Engine], tuple[SqlIngestStore, Pipeline]]:
    def do(engine: Engine) -> tuple[SqlIngestStore, Pipeline]:
        create_schema(engine, lambda: reference)
        store = SqlIngestStore(engine)
        context = context_factory(reference, classifier, KEY, lambda: NOW)
        return store, Pipeline(store=store, context=context)

    return do


def net(store: SqlIngestStore) -> dict[tuple[str, str, str], int]:
    """The sum of every count event's delta per ward, month and KPI group."""
    found: dict[tuple[str, str, str], int] = {}
    for event in store.events(0, 1_000_000):
        p = json.loads(event.envelope)["payload"]
        key = (p["ward_code"], p["recorded_at"][:7], p["kpi_group"])
        found[key] = found.get(key, 0) + p["delta"]
    return {k: v for k, v in found.items() if v}


FILE_NET = {
    ("E05014053", "2024-01", "violence"): 7, ("E05014053", "2024-02", "violence"): 3,
    ("E05014053", "2024-01", "property"): 2, ("E05013570", "2024-01", "violence"): 5,
    ("E05013570", "2024-02", "violence"): 4,
}  # fmt: skip


def test_cells_from_before_releases_are_re_keyed_and_the_same_file_changes_nothing(
    tmp_path: Path, start: Callable[..., tuple[SqlIngestStore, Pipeline]],
    reference: LondonReference,
) -> None:  # fmt: skip
    engine = old_database(tmp_path / "ingest.db")
    store, pipeline = start(engine)
    tables = set(inspect(engine).get_table_names())
    assert "ingest_cell" not in tables
    assert "ingest_published_cell" in tables
    with engine.connect() as conn:
        ids = sorted(r[0] for r in conn.execute(text("SELECT cell_id FROM ingest_published_cell")))
    assert ids == sorted([
        f"mps-ward:E05014053:barking-and-dagenham:202401:{digest(*VIOLENCE[:2])}",
        f"mps-ward:E05014053:barking-and-dagenham:202402:{digest(*VIOLENCE[:2])}",
        f"mps-ward:E05014053:barking-and-dagenham:202401:{digest(*BURGLARY[:2])}",
        f"mps-ward:E05013570:aviation-security-so18:202401:{digest(*VIOLENCE[:2])}",
        f"mps-ward:E05013570:aviation-security-so18:202402:{digest(*VIOLENCE[:2])}",
    ])  # fmt: skip
    before = len(store.events(0, 1_000_000))
    summary = run_import(pipeline, "mps-ward-csv", ward_file(tmp_path), reference, rule=RULE)
    cells = summary.as_dict()["cells"]
    assert (cells["new"]["cells"], cells["revised"]["cells"], cells["retracted"]["cells"]) == (
        0, 0, 0)  # fmt: skip
    assert cells["unchanged"]["cells"] == 6  # five stored cells and one zero cell
    assert len(store.events(0, 1_000_000)) == before
    assert net(store) == FILE_NET


def test_a_re_keyed_cell_is_revised_and_retracted_like_any_other(
    tmp_path: Path, start: Callable[..., tuple[SqlIngestStore, Pipeline]],
    reference: LondonReference,
) -> None:  # fmt: skip
    store, pipeline = start(old_database(tmp_path / "ingest.db"))
    path = ward_file(tmp_path, {("E05014053", VIOLENCE[1]): (9, 3)})
    path.write_text("\n".join(
        line for line in path.read_text().splitlines() if BURGLARY[1] not in line
    ) + "\n")  # fmt: skip
    cells = run_import(pipeline, "mps-ward-csv", path, reference, rule=RULE).as_dict()["cells"]
    assert cells["revised"] == {"cells": 1, "net": {"violence": 2, "property": 0, "asb": 0,
                                                    "other": 0, "excluded": 0}}  # fmt: skip
    assert cells["retracted"]["cells"] == 1
    assert cells["retracted"]["net"]["property"] == -2
    expected = FILE_NET | {("E05014053", "2024-01", "violence"): 9}
    del expected[("E05014053", "2024-01", "property")]
    assert net(store) == expected


def test_a_cell_without_its_count_event_refuses_to_start_and_keeps_the_old_cells(
    tmp_path: Path, start: Callable[..., tuple[SqlIngestStore, Pipeline]]
) -> None:
    engine = old_database(tmp_path / "ingest.db", events=False)
    with pytest.raises(LegacyCellsError) as caught:
        start(engine)
    message = str(caught.value)
    assert str(tmp_path / "ingest.db") in message
    assert "first count event" in message
    assert "snt import mps-ward-csv" in message
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ingest_cell")).scalar_one() == 5
        assert conn.execute(text("SELECT count(*) FROM ingest_published_cell")).scalar_one() == 0


def test_a_cell_whose_event_names_another_category_refuses_to_start(
    tmp_path: Path, start: Callable[..., tuple[SqlIngestStore, Pipeline]]
) -> None:
    engine = old_database(tmp_path / "ingest.db")
    with engine.begin() as conn:
        row = conn.execute(text("SELECT seq, envelope FROM ingest_event LIMIT 1")).one()
        envelope = json.loads(row.envelope)
        envelope["payload"]["offence"]["minor"] = "ASSAULT WITH INJURY"
        conn.execute(text("UPDATE ingest_event SET envelope = :e WHERE seq = :s"),
                     {"e": json.dumps(envelope), "s": row.seq})  # fmt: skip
    with pytest.raises(LegacyCellsError, match="not the category its id names"):
        start(engine)


def test_a_cell_held_in_both_layouts_refuses_to_start(
    tmp_path: Path, start: Callable[..., tuple[SqlIngestStore, Pipeline]]
) -> None:
    """A database imported before releases and again after: counted twice already."""
    engine = old_database(tmp_path / "ingest.db")
    new_id = f"mps-ward:E05014053:barking-and-dagenham:202401:{digest(*VIOLENCE[:2])}"
    with engine.begin() as conn:
        conn.execute(text(WIDE_SCHEMA))
        conn.execute(text(
            "INSERT INTO ingest_count_cell VALUES (:id, 7, 1, 'mps-ward:202401-202402', "
            "'mps-ward', '2024-01', 'E05014053', 'ward', 'mps_upper', :major, :minor, "
            "'E05014053', 'Barking and Dagenham')"
        ), {"id": new_id, "major": VIOLENCE[0], "minor": VIOLENCE[1]})  # fmt: skip
    with pytest.raises(LegacyCellsError, match="is held in ingest_cell and in"):
        start(engine)


def test_cells_of_the_first_release_layout_are_split_into_cells_and_rows(
    tmp_path: Path, start: Callable[..., tuple[SqlIngestStore, Pipeline]],
    reference: LondonReference,
) -> None:  # fmt: skip
    engine = old_database(tmp_path / "ingest.db")
    with engine.begin() as conn:  # the same cells, as the first release layout kept them
        conn.execute(text(WIDE_SCHEMA))
        for cell_id, value, ward, category, month in old_cells():
            new_id = cell_id.replace(f":{month}:", f":{_slug(ward[3])}:{month}:")
            conn.execute(text(
                "INSERT INTO ingest_count_cell VALUES (:id, :value, 1, NULL, 'mps-ward', "
                ":month, :ward, 'ward', 'mps_upper', :major, :minor, :ward, :label)"
            ), {"id": new_id, "value": value, "month": f"{month[:4]}-{month[4:]}",
                "ward": ward[0], "major": category[0], "minor": category[1],
                "label": ward[3]})  # fmt: skip
        conn.execute(text("DROP TABLE ingest_cell"))
    store, pipeline = start(engine)
    assert "ingest_count_cell" not in set(inspect(engine).get_table_names())
    cells = run_import(pipeline, "mps-ward-csv", ward_file(tmp_path), reference,
                       rule=RULE).as_dict()["cells"]  # fmt: skip
    assert cells["unchanged"]["cells"] == 6
    assert cells["new"]["cells"] == 0
    assert net(store) == FILE_NET


def _slug(label: str) -> str:
    return {"Barking and Dagenham": "barking-and-dagenham",
            "Aviation Security (SO18)": "aviation-security-so18"}[label]  # fmt: skip
