"""police.uk API JSON: unreadable files and bad records are rejections, never exceptions."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from services.ingest.domain.intake import CrimeIntake, IncidentIntake, Place, RowRejection
from services.ingest.importers import ImportFormatError, police_uk_json
from services.ingest.importers.rejects import Item
from shared.contracts import RejectReason

Write = Callable[[str, str | bytes], Path]


def record(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "category": "burglary", "location_type": "Force", "context": "", "id": 7,
        "location": {"latitude": "51.5", "street": {"id": 1, "name": "X"}, "longitude": "-0.1"},
        "outcome_status": None, "persistent_id": "abc", "location_subtype": "", "month": "2024-02",
    }  # fmt: skip
    base.update(changes)
    return base


def parse(write: Write, *records: object) -> list[Item]:
    return list(police_uk_json.parse(write("r.json", json.dumps(list(records)))))


def where(item: Item) -> tuple[RejectReason, str, int | None]:
    assert isinstance(item, RowRejection)
    [problem] = item.problems
    return item.reason, problem.field, item.origin.line


def test_a_good_record(write: Write) -> None:
    [crime] = parse(write, record())
    assert isinstance(crime, CrimeIntake)
    assert (crime.crime_id, crime.origin.event_id) == ("abc", "police-uk:abc")
    assert crime.place == Place(latitude=51.5, longitude=-0.1)
    assert crime.recorded_at.isoformat() == "2024-02-01T00:00:00+00:00"


def test_ids_without_persistent_id_and_numeric_or_missing_points(write: Write) -> None:
    items = parse(
        write,
        record(persistent_id="", location={"latitude": 51.5, "longitude": -0.1}),
        record(id=8, location=None),
        record(id=9, category="anti-social-behaviour", persistent_id=""),
    )
    assert isinstance(items[0], CrimeIntake)
    assert (items[0].crime_id, items[0].place.latitude) == ("api-7", 51.5)
    assert isinstance(items[1], CrimeIntake)
    assert items[1].place == Place()
    assert isinstance(items[2], IncidentIntake)
    assert items[2].origin.event_id == "police-uk:police-uk-api-9"


@pytest.mark.parametrize(
    ("bad", "field"),
    [("not an object", "(record)"),
     (record(id=None), "id"),
     (record(id=-3), "id"),
     (record(month="June 2017"), "month"),
     (record(category=""), "category"),
     (record(location={"latitude": "51.5", "longitude": ""}), "location.longitude"),
     (record(location={"latitude": "north", "longitude": "-0.1"}), "location.latitude"),
     (record(location="here"), "location"),
     (record(persistent_id="has space"), "persistent_id")],
)  # fmt: skip
def test_bad_records_name_the_field(write: Write, bad: object, field: str) -> None:
    items = parse(write, record(id=1, persistent_id="p1"), bad, record(id=2, persistent_id="p2"))
    assert where(items[1]) == (RejectReason.SCHEMA_VIOLATION, field, 2)
    assert isinstance(items[0], CrimeIntake)
    assert isinstance(items[2], CrimeIntake)
    assert isinstance(items[1], RowRejection)
    assert items[1].original == json.dumps(bad, separators=(",", ":"))


def test_btp_records_are_out_of_area(write: Write) -> None:
    [item] = parse(write, record(location_type="BTP", persistent_id=""))
    assert where(item) == (RejectReason.OUT_OF_AREA, "location_type", 1)
    assert item.origin.event_id == "police-uk:api-7"


def test_invalid_json_and_bad_encoding_reject_the_file(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('[{"id": 1,')
    (tmp_path / "b.json").write_bytes(b'[{"id": "\xff"}]')
    (tmp_path / "c.json").write_text(json.dumps([record()]))
    (tmp_path / "notes.txt").write_text("not read")
    items = list(police_uk_json.parse(tmp_path))
    assert [where(item)[:2] for item in items[:2]] == [
        (RejectReason.INVALID_JSON, "(file)"),
        (RejectReason.BAD_ENCODING, "(file)"),
    ]
    assert items[0].origin.event_id == "police-uk:file:a.json"
    assert isinstance(items[0], RowRejection)
    assert "a.json" in items[0].problems[0].problem
    assert isinstance(items[2], CrimeIntake)
    assert items[2].origin.line == 1
    assert police_uk_json.count_rows(tmp_path) == 1


def test_a_file_that_is_not_an_array_or_an_empty_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(ImportFormatError, match=r"holds no \.json files"):
        list(police_uk_json.parse(tmp_path))
    (tmp_path / "a.json").write_text('{"crimes": []}')
    with pytest.raises(ImportFormatError, match="expected a JSON array"):
        list(police_uk_json.parse(tmp_path))


def test_a_persistent_id_shared_by_offences_is_numbered_once_per_record(write: Write) -> None:
    items = parse(write, record(id=1), record(id=2), record(id=1), record(id=3, persistent_id="z"))
    assert [i.crime_id for i in items if isinstance(i, CrimeIntake)] == ["abc", "abc:2", "abc", "z"]
