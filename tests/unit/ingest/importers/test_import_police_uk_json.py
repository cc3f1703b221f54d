"""police.uk API JSON parser on the real Lambeth and Sutton ward files (2017-05, 2017-06)."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from services.ingest.domain.intake import CrimeIntake, IncidentIntake, Place, RowRejection
from services.ingest.importers import police_uk_json
from services.ingest.importers.rejects import Item
from shared.contracts import RejectReason
from shared.contracts.codes import RECORD_ID_PATTERN


def records_of(folder: Path) -> list[dict[str, Any]]:
    """Every record, in the parser's order, read with the json module alone."""
    return [r for f in sorted(folder.glob("*.json")) for r in json.loads(f.read_text())]


@pytest.fixture(scope="module")
def june(data_dir: Path) -> Path:
    return data_dir / "police_uk" / "api_crimes_street_by_ward" / "2017-06"


@pytest.fixture(scope="module")
def june_items(june: Path) -> list[Item]:
    return list(police_uk_json.parse(june))


def test_june_folder_has_5061_records_and_4868_distinct_ids(
    june: Path, june_items: list[Item]
) -> None:
    records = records_of(june)
    assert len(june_items) == len(records) == police_uk_json.count_rows(june) == 5061
    assert [item.origin.line for item in june_items] == list(range(1, 5062))
    assert len({r["id"] for r in records}) == 4868
    assert len({item.origin.event_id for item in june_items}) == 4868


def test_each_kind_of_record(june: Path, june_items: list[Item]) -> None:
    records = records_of(june)
    asb = sum(r["category"] == "anti-social-behaviour" for r in records)
    btp = sum(r["location_type"] == "BTP" for r in records)
    kinds = Counter(type(item).__name__ for item in june_items)
    assert (asb, btp) == (1049, 101)
    assert kinds == {"CrimeIntake": 5061 - asb - btp, "IncidentIntake": asb, "RowRejection": btp}


def test_btp_records_are_rejected_as_out_of_area(june_items: list[Item]) -> None:
    rejected = [item for item in june_items if isinstance(item, RowRejection)]
    assert len(rejected) == 101
    assert {r.reason for r in rejected} == {RejectReason.OUT_OF_AREA}
    assert {p.field for r in rejected for p in r.problems} == {"location_type"}
    assert all('"location_type":"BTP"' in r.original for r in rejected)
    assert all(re.fullmatch(r"police-uk:api-\d+", r.origin.event_id) for r in rejected)


def test_a_record_repeated_in_two_ward_files_keeps_one_id(
    june: Path, june_items: list[Item]
) -> None:
    ids_of = defaultdict(set)
    for record, item in zip(records_of(june), june_items, strict=True):
        ids_of[record["id"]].add(item.origin.event_id)
    assert all(len(ids) == 1 for ids in ids_of.values())
    repeated = Counter(item.origin.event_id for item in june_items)
    assert sum(count - 1 for count in repeated.values()) == 5061 - 4868


def test_crime_id_is_the_persistent_id_numbered_per_offence(
    june: Path, june_items: list[Item]
) -> None:
    records = records_of(june)
    force = [r for r in records if r["location_type"] == "Force"]
    crimes = {r["id"]: r for r in force if r["category"] != "anti-social-behaviour"}
    persistent = {r["persistent_id"] for r in crimes.values()}
    assert (len(crimes), len(persistent)) == (3761, 3554)
    given = {i.crime_id for i in june_items if isinstance(i, CrimeIntake)}
    assert len(given) == 3761
    assert {c for c in given if ":" not in c} == persistent
    for record, item in zip(records, june_items, strict=True):
        if isinstance(item, CrimeIntake):
            assert item.crime_id.split(":")[0] == record["persistent_id"]
            assert item.origin.event_id == f"police-uk:{item.crime_id}"


def test_asb_records_become_incidents(june: Path, june_items: list[Item]) -> None:
    asb = [item for item in june_items if isinstance(item, IncidentIntake)]
    assert len({item.incident_id for item in asb}) == 1008
    assert all(re.fullmatch(r"police-uk-api-\d+", item.incident_id) for item in asb)
    assert {(i.category.taxonomy, i.category.major, i.precision) for i in asb} == {
        ("police_uk", "anti-social-behaviour", "month")
    }


def test_a_record_keeps_its_own_point_and_month(june: Path, june_items: list[Item]) -> None:
    first_record, first = records_of(june)[0], june_items[0]
    assert isinstance(first, IncidentIntake)
    location = first_record["location"]
    assert first.place == Place(
        latitude=float(location["latitude"]), longitude=float(location["longitude"])
    )
    assert first.place.ward_code is None
    assert first.incident_at.isoformat() == "2017-06-01T00:00:00+01:00"
    assert all(re.fullmatch(RECORD_ID_PATTERN, item.origin.event_id) for item in june_items)


def test_ids_are_stable_across_imports_and_months(data_dir: Path, june_items: list[Item]) -> None:
    folder = data_dir / "police_uk" / "api_crimes_street_by_ward"
    again = list(police_uk_json.parse(folder / "2017-06"))
    assert [i.origin.event_id for i in again] == [i.origin.event_id for i in june_items]
    may = list(police_uk_json.parse(folder / "2017-05"))
    assert len(may) == 5048
    assert len({item.origin.event_id for item in may}) == 4858
    assert sum(isinstance(item, RowRejection) for item in may) == 101


def test_a_single_file_parses_alone(june: Path) -> None:
    path = sorted(june.glob("*.json"))[0]
    items = list(police_uk_json.parse(path))
    assert len(items) == len(json.loads(path.read_text())) == police_uk_json.count_rows(path)
