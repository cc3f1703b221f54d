"""Releases of a published ward file as revisions, on small hand-built releases through the
real pipeline (SQLite, real reference data and classification)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from services.ingest.bulk import run_import
from services.ingest.domain.releases import PlausibilityRule
from services.ingest.pipeline import Pipeline
from services.ingest.releases import NotHeldError, ReleaseDesk, UnknownReleaseError
from services.ingest.store.sql import SqlIngestStore
from shared.reference import LondonReference

HEADER = "MajorText,MinorText,WardName,WardCode,LookUp_BoroughName"
HEATHROW = "E05013570"
ABBEY = "E05014053"  # Barking and Dagenham
VIOLENCE = "VIOLENCE AGAINST THE PERSON,VIOLENCE WITH INJURY"
BURGLARY_OLD = "BURGLARY,BURGLARY NON-DWELLING"
BURGLARY_NEW = "BURGLARY,RES BURGLARY OF UNCONNECTED BUILDING"
RULE = PlausibilityRule(max_fall=0.5, min_area_count=20, version="test")


def release(tmp_path: Path, name: str, months: list[str], rows: list[tuple[str, ...]]) -> Path:
    """A ward file: rows of (category, ward name, ward code, borough label, *cells)."""
    path = tmp_path / name
    lines = [",".join([HEADER, *months]), *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def row(category: str, code: str, label: str, *cells: int) -> tuple[str, ...]:
    return (category, "Ward", code, label, *(str(c) for c in cells))


def net(store: SqlIngestStore) -> Counter[tuple[str, str, str]]:
    """The sum of every count event's delta per ward, month and KPI group."""
    found: Counter[tuple[str, str, str]] = Counter()
    for event in store.events(0, 1_000_000):
        body = json.loads(event.envelope)
        if body["event_type"] in ("crime.counted", "cad.counted"):
            p = body["payload"]
            found[(p["ward_code"], p["recorded_at"][:7], p["kpi_group"])] += p["delta"]
    return +found


@pytest.fixture
def run(
    make_pipeline: Callable[..., Pipeline], reference: LondonReference
) -> Callable[[Path], dict]:  # type: ignore[type-arg]
    pipeline = make_pipeline()

    def do(path: Path) -> dict:  # type: ignore[type-arg]
        return run_import(pipeline, "mps-ward-csv", path, reference, rule=RULE).as_dict()

    return do


@pytest.fixture
def desk(make_pipeline: Callable[..., Pipeline]) -> ReleaseDesk:
    return ReleaseDesk(make_pipeline(), RULE)


def test_a_ward_under_two_borough_labels_adds_both_rows(
    tmp_path: Path,
    run: Callable[[Path], dict],
    store: SqlIngestStore,  # type: ignore[type-arg]
) -> None:
    path = release(tmp_path, "w.csv", ["202401"], [
        row(VIOLENCE, HEATHROW, "Hillingdon", 7),
        row(VIOLENCE, HEATHROW, "Aviation Security (SO18)", 5),
    ])  # fmt: skip
    summary = run(path)
    assert summary["cells"]["new"]["cells"] == 2
    assert summary["cells"]["new"]["net"]["violence"] == 12
    assert net(store) == {(HEATHROW, "2024-01", "violence"): 12}


def test_a_later_release_revises_retracts_and_leaves_older_months(
    tmp_path: Path,
    run: Callable[[Path], dict],
    store: SqlIngestStore,  # type: ignore[type-arg]
) -> None:
    older = release(tmp_path, "a.csv", ["202312", "202401", "202402"], [
        row(VIOLENCE, ABBEY, "Barking and Dagenham", 30, 31, 32),
        row(BURGLARY_OLD, ABBEY, "Barking and Dagenham", 4, 5, 6),
    ])  # fmt: skip
    newer = release(tmp_path, "b.csv", ["202401", "202402", "202403"], [
        row(VIOLENCE, ABBEY, "Barking and Dagenham", 31, 30, 40),
        row(BURGLARY_NEW, ABBEY, "Barking and Dagenham", 5, 7, 8),
    ])  # fmt: skip
    run(older)
    summary = run(newer)
    cells = summary["cells"]
    assert summary["release"]["status"] == "applied"
    assert (cells["revised"]["cells"], cells["revised"]["net"]["violence"]) == (1, -2)
    assert (cells["retracted"]["cells"], cells["retracted"]["net"]["property"]) == (2, -11)
    assert cells["new"]["cells"] == 4  # burglary re-coded x2 months, then 202403 x2
    assert net(store) == {
        (ABBEY, "2023-12", "violence"): 30, (ABBEY, "2023-12", "property"): 4,
        (ABBEY, "2024-01", "violence"): 31, (ABBEY, "2024-01", "property"): 5,
        (ABBEY, "2024-02", "violence"): 30, (ABBEY, "2024-02", "property"): 7,
        (ABBEY, "2024-03", "violence"): 40, (ABBEY, "2024-03", "property"): 8,
    }  # fmt: skip
    events = len(store.events(0, 1_000_000))
    for again in (newer, older):
        assert run(again)["events_published"] == 0
    assert len(store.events(0, 1_000_000)) == events


def test_an_older_release_after_a_newer_one_only_fills_the_months_no_newer_one_covers(
    tmp_path: Path,
    run: Callable[[Path], dict],
    store: SqlIngestStore,  # type: ignore[type-arg]
) -> None:
    older = release(tmp_path, "a.csv", ["202312", "202401"], [
        row(VIOLENCE, ABBEY, "Barking and Dagenham", 30, 99),
    ])  # fmt: skip
    newer = release(tmp_path, "b.csv", ["202401", "202402"], [
        row(VIOLENCE, ABBEY, "Barking and Dagenham", 31, 33),
    ])  # fmt: skip
    run(newer)
    summary = run(older)
    assert summary["cells"]["superseded"]["cells"] == 1
    assert summary["release"]["governed_months"] == ["2023-12"]
    assert net(store) == {(ABBEY, "2023-12", "violence"): 30, (ABBEY, "2024-01", "violence"): 31,
                          (ABBEY, "2024-02", "violence"): 33}  # fmt: skip


def held_setup(tmp_path: Path, run: Callable[[Path], dict]) -> dict:  # type: ignore[type-arg]
    """A plausible release, then one whose first month holds a tenth of what it said."""
    run(release(tmp_path, "a.csv", ["202401", "202402"], [
        row(VIOLENCE, ABBEY, "Barking and Dagenham", 100, 90),
        row(BURGLARY_NEW, HEATHROW, "Hillingdon", 10, 12),
    ]))  # fmt: skip
    return run(release(tmp_path, "b.csv", ["202401", "202402", "202403"], [
        row(VIOLENCE, ABBEY, "Barking and Dagenham", 10, 91, 95),
        row(BURGLARY_NEW, HEATHROW, "Hillingdon", 10, 12, 11),
    ]))  # fmt: skip


BEFORE = {(ABBEY, "2024-01", "violence"): 100, (ABBEY, "2024-02", "violence"): 90,
          (HEATHROW, "2024-01", "property"): 10, (HEATHROW, "2024-02", "property"): 12}  # fmt: skip


def test_an_implausible_release_is_held_and_changes_nothing(
    tmp_path: Path,
    run: Callable[[Path], dict],
    store: SqlIngestStore,
    desk: ReleaseDesk,  # type: ignore[type-arg]
) -> None:
    summary = held_setup(tmp_path, run)
    assert summary["release"]["status"] == "held"
    findings = summary["release"]["findings"]
    assert findings[0] == {"area": ABBEY, "month": "2024-01", "previous": 100, "new": 10}
    assert {"area": "*", "month": "2024-01", "previous": 110, "new": 20} in findings
    assert summary["events_published"] == 0
    assert summary["cells"]["held"]["cells"] == 6
    assert summary["cells"]["held"]["value"]["violence"] == 196
    assert net(store) == BEFORE
    assert [r.release_id for r in desk.held()] == ["mps-ward:202401-202403"]


def test_a_held_release_accepted_is_applied(
    tmp_path: Path,
    run: Callable[[Path], dict],
    store: SqlIngestStore,
    desk: ReleaseDesk,  # type: ignore[type-arg]
) -> None:
    held_setup(tmp_path, run)
    summary = desk.accept("mps-ward:202401-202403", "analyst", "checked with MPS").as_dict()
    assert summary["release"]["status"] == "applied"
    assert summary["release"]["decided_by"] == "analyst"
    assert summary["cells"]["revised"]["net"]["violence"] == -90 + 1
    assert net(store) == {
        (ABBEY, "2024-01", "violence"): 10, (ABBEY, "2024-02", "violence"): 91,
        (ABBEY, "2024-03", "violence"): 95, (HEATHROW, "2024-01", "property"): 10,
        (HEATHROW, "2024-02", "property"): 12, (HEATHROW, "2024-03", "property"): 11,
    }  # fmt: skip
    assert desk.held() == []
    with pytest.raises(NotHeldError):
        desk.accept("mps-ward:202401-202403", "analyst")


def test_a_held_release_rejected_leaves_the_figures_and_drops_its_cells(
    tmp_path: Path,
    run: Callable[[Path], dict],
    store: SqlIngestStore,
    desk: ReleaseDesk,  # type: ignore[type-arg]
) -> None:
    held_setup(tmp_path, run)
    record = desk.reject("mps-ward:202401-202403", "analyst", "truncated extract")
    assert (record.status, record.note) == ("rejected", "truncated extract")
    assert store.held_cells("mps-ward:202401-202403", "", 100) == []
    assert net(store) == BEFORE
    again = held_setup(tmp_path, run)  # the same rejected file imported again: nothing
    assert again["release"]["status"] == "rejected"
    assert net(store) == BEFORE
    with pytest.raises(UnknownReleaseError):
        desk.reject("mps-ward:209901-209912", "analyst")
