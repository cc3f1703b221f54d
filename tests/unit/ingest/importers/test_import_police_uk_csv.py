"""police.uk street-level CSV parser on the real 2023-01 Met and City of London files."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.ingest.domain.intake import CrimeIntake, IncidentIntake, Place, RowRejection
from services.ingest.importers import police_uk_csv
from services.ingest.importers.rejects import Item
from shared.contracts.codes import RECORD_ID_PATTERN

CsvRows = Callable[[Path], list[dict[str, str]]]
FIRST_4000 = "2023-01-metropolitan-street_FIRST_4000_ROWS.csv"
BARKING_AND_DAGENHAM = {  # police_uk/PROVENANCE.md
    "Violence and sexual offences": 561, "Anti-social behaviour": 306, "Vehicle crime": 256,
    "Other theft": 191, "Shoplifting": 126, "Drugs": 123, "Burglary": 119,
    "Criminal damage and arson": 99, "Public order": 73, "Robbery": 70,
    "Theft from the person": 31, "Other crime": 22, "Possession of weapons": 16,
    "Bicycle theft": 9,
}  # fmt: skip


@pytest.fixture(scope="module")
def street(data_dir: Path) -> Path:
    return data_dir / "police_uk" / "street_csv"


@pytest.fixture(scope="module")
def first_4000(street: Path) -> list[Item]:
    return list(police_uk_csv.parse(street / FIRST_4000))


def test_first_4000_rows_are_3301_crimes_and_699_asb_incidents(
    first_4000: list[Item], street: Path
) -> None:
    kinds = Counter(type(item).__name__ for item in first_4000)
    assert kinds == {"CrimeIntake": 3301, "IncidentIntake": 699}
    assert police_uk_csv.count_rows(street / FIRST_4000) == 4000
    assert [item.origin.line for item in first_4000] == list(range(1, 4001))


def test_barking_and_dagenham_by_crime_type_matches_provenance(
    first_4000: list[Item], street: Path, csv_rows: CsvRows
) -> None:
    rows = csv_rows(street / FIRST_4000)
    in_borough = [
        item for item in first_4000
        if rows[_line(item) - 1]["LSOA name"].startswith("Barking and Dagenham")
    ]  # fmt: skip
    by_type = Counter(_category(item) for item in in_borough)
    assert by_type == BARKING_AND_DAGENHAM
    direct = Counter(r["Crime type"] for r in rows if r["LSOA name"].startswith("Barking and D"))
    assert by_type == direct
    assert sum(by_type.values()) == 2002


def test_ids_are_stable_distinct_and_valid(first_4000: list[Item], street: Path) -> None:
    again = list(police_uk_csv.parse(street / FIRST_4000))
    assert [i.origin.event_id for i in again] == [i.origin.event_id for i in first_4000]
    event_ids = {item.origin.event_id for item in first_4000}
    assert len(event_ids) == 4000
    assert all(re.fullmatch(RECORD_ID_PATTERN, event_id) for event_id in event_ids)
    asb = [item for item in first_4000 if isinstance(item, IncidentIntake)]
    assert len({item.incident_id for item in asb}) == 699
    assert all(re.fullmatch(r"police-uk-asb-[0-9a-f]{32}", item.incident_id) for item in asb)
    assert all(item.origin.event_id == f"police-uk:{item.incident_id}" for item in asb)


def test_rows_sharing_a_crime_id_each_count_once(
    first_4000: list[Item], street: Path, csv_rows: CsvRows
) -> None:
    rows = csv_rows(street / FIRST_4000)
    crimes = [item for item in first_4000 if isinstance(item, CrimeIntake)]
    for crime in crimes:
        assert crime.crime_id.split(":")[0] == rows[_line(crime) - 1]["Crime ID"]
        assert crime.origin.event_id == f"police-uk:{crime.crime_id}"
    published = Counter(r["Crime ID"] for r in rows if r["Crime ID"])
    assert len(published) == 3301 - 181  # 141 ids are on 322 rows
    assert len({crime.crime_id for crime in crimes}) == 3301
    assert sum(":" in crime.crime_id for crime in crimes) == 181
    first_seen = {c.crime_id for c in crimes if ":" not in c.crime_id}
    assert first_seen == set(published)


def test_a_crime_row_becomes_a_month_precision_crime(first_4000: list[Item]) -> None:
    first = first_4000[0]
    assert isinstance(first, CrimeIntake)
    assert first.crime_id == "8536e93fb3ce916daa4251bd53c1a4416ba4159a938340be4a7c40cd4873bfcf"
    assert first.recorded_at == datetime(2023, 1, 1, tzinfo=ZoneInfo("Europe/London"))
    assert first.recorded_at.tzinfo is not None
    assert first.precision == "month"
    assert first.place == Place(lsoa_code="E01031444", latitude=50.792113, longitude=-0.681541)
    assert (first.category.taxonomy, first.category.major) == (
        "police_uk",
        "Violence and sexual offences",
    )
    assert first.origin.source == "import:police-uk-csv"
    assert first.origin.version == 1


def test_asb_rows_are_month_precision_incidents(first_4000: list[Item]) -> None:
    asb = [item for item in first_4000 if isinstance(item, IncidentIntake)]
    assert {(i.category.taxonomy, i.category.major) for i in asb} == {
        ("police_uk", "Anti-social behaviour")
    }
    assert {(i.precision, i.incident_at.isoformat()) for i in asb} == {
        ("month", "2023-01-01T00:00:00+00:00")
    }


@pytest.mark.parametrize(
    ("name", "rows"),
    [("2023-01-city-of-london-street.csv", 719), ("2023-02-city-of-london-street.csv", 783)],
)
def test_other_forces_rows_are_rejected_as_out_of_area(street: Path, name: str, rows: int) -> None:
    items = list(police_uk_csv.parse(street / name))
    assert len(items) == rows
    assert all(isinstance(i, RowRejection) for i in items)
    reasons = {(i.reason.value, i.problems[0].field, i.problems[0].problem) for i in items}  # type: ignore[union-attr]
    assert reasons == {(
        "out_of_area", "Falls within",
        "is 'City of London Police': only Metropolitan Police Service records count",
    )}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "crimes", "asb", "no_point"),
    [("2023-01-metropolitan-street_BURGLARY_ONLY.csv", 5143, 0, 159)],
)
def test_other_street_files_parse_every_row(
    street: Path, csv_rows: CsvRows, name: str, crimes: int, asb: int, no_point: int
) -> None:
    items = list(police_uk_csv.parse(street / name))
    rows = csv_rows(street / name)
    assert len(items) == len(rows) == crimes + asb
    kinds = Counter(type(item).__name__ for item in items)
    assert kinds == {k: v for k, v in {"CrimeIntake": crimes, "IncidentIntake": asb}.items() if v}
    pointless = [
        i for i in items if isinstance(i, CrimeIntake | IncidentIntake) and i.place.latitude is None
    ]
    assert len(pointless) == no_point == sum(not r["Latitude"] for r in rows)
    assert all(i.place.longitude is None and i.place.lsoa_code is None for i in pointless)


def _line(item: Item) -> int:
    assert item.origin.line is not None
    return item.origin.line


def _category(item: Item) -> str:
    assert isinstance(item, CrimeIntake | IncidentIntake)
    return item.category.major
