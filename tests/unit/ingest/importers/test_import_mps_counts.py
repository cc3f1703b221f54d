"""MPS ward- and borough-level monthly crime parsers on the real London Datastore files."""

from __future__ import annotations

import csv
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from services.ingest.domain.intake import CountIntake, Place
from services.ingest.importers import mps_borough_csv, mps_ward_csv
from services.ingest.importers.rejects import Item
from shared.contracts.codes import RECORD_ID_PATTERN

WARD_2024 = "ward_most_recent_24m_202401-202512.csv"
WARD_PRE_2022 = "ward_most_recent_24m_202009-202208_pre2022_wards.csv"
BOROUGH_2024 = "borough_most_recent_24m_202401-202512.csv"
BOROUGH_HISTORICAL = "borough_historical_201004-202111.csv"


def cells(path: Path, first_month: int) -> list[tuple[list[str], str, int]]:
    """(row, month column, value) for every cell, read with the csv module alone."""
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return [(row, header[i], int(row[i])) for row in reader
                for i in range(first_month, len(header))]  # fmt: skip


def counts(items: list[Item]) -> list[CountIntake]:
    assert all(isinstance(item, CountIntake) for item in items)
    return [item for item in items if isinstance(item, CountIntake)]


@pytest.fixture(scope="module")
def mps(data_dir: Path) -> Path:
    return data_dir / "mps_recorded_crime"


@pytest.fixture(scope="module")
def ward_2024(mps: Path) -> list[CountIntake]:
    return counts(list(mps_ward_csv.parse(mps / WARD_2024)))


def test_ward_2024_emits_every_non_zero_cell(
    mps: Path, ward_2024: list[CountIntake], ward_2024_cells: list[tuple[list[str], str, int]]
) -> None:
    published = ward_2024_cells
    non_zero = [cell for cell in published if cell[2]]
    assert (len(published), len(non_zero)) == (448_968, 315_576)
    assert len(ward_2024) == len(non_zero)
    assert sum(item.count for item in ward_2024) == sum(c[2] for c in published) == 1_794_538
    assert mps_ward_csv.count_rows(mps / WARD_2024) == 18_707


@pytest.fixture(scope="module")
def ward_2024_cells(mps: Path) -> list[tuple[list[str], str, int]]:
    return cells(mps / WARD_2024, 5)


@pytest.mark.parametrize(
    "ward",
    ["E05013570", "E05014053", "E05013810", "E05013825", "E05014070", "E05013792", "E05011462"],
)
def test_per_ward_sums_equal_the_published_cells(
    ward_2024_cells: list[tuple[list[str], str, int]], ward_2024: list[CountIntake], ward: str
) -> None:
    direct = sum(value for row, _, value in ward_2024_cells if row[3] == ward)
    parsed = sum(item.count for item in ward_2024 if item.place.ward_code == ward)
    assert parsed == direct > 0


def test_every_cell_matches_its_published_row_and_month(
    ward_2024: list[CountIntake], ward_2024_cells: list[tuple[list[str], str, int]]
) -> None:
    published = [(row[3], row[0], row[1], month, value)
                 for row, month, value in ward_2024_cells if value]  # fmt: skip
    parsed = [(i.place.ward_code, i.category.major, i.category.minor,
               i.month.strftime("%Y%m"), i.count) for i in ward_2024]  # fmt: skip
    assert parsed == published


def test_a_ward_cell_carries_its_area_month_and_category(ward_2024: list[CountIntake]) -> None:
    first = ward_2024[0]  # ARSON AND CRIMINAL DAMAGE / ARSON, Heathrow Villages, 202401: 3
    assert first.place == Place(ward_code="E05013570", borough_label="Aviation Security (SO18)")
    assert (first.dataset, first.level, first.month, first.count) == (
        "mps-ward",
        "ward",
        date(2024, 1, 1),
        3,
    )
    assert (first.category.taxonomy, first.category.major, first.category.minor) == (
        "mps_upper", "ARSON AND CRIMINAL DAMAGE", "ARSON",
    )  # fmt: skip
    assert re.fullmatch(
        r"mps-ward:E05013570:aviation-security-so18:202401:[0-9a-f]{16}", first.origin.event_id
    )
    assert (first.origin.line, first.origin.version) == (1, 1)


def test_so18_rows_keep_their_label(ward_2024: list[CountIntake]) -> None:
    so18 = {
        i.place.ward_code for i in ward_2024 if i.place.borough_label == "Aviation Security (SO18)"
    }
    assert so18 == {"E05013570"}
    labels = {item.place.borough_label for item in ward_2024}
    assert len(labels) == 33


def test_ward_cell_ids_are_distinct_valid_and_stable(
    mps: Path, ward_2024: list[CountIntake]
) -> None:
    ids = [item.origin.event_id for item in ward_2024]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(RECORD_ID_PATTERN, event_id) for event_id in ids)
    with_zero = counts(list(mps_ward_csv.parse(mps / WARD_2024, include_zero=True)))
    assert len(with_zero) == 448_968
    assert [i.origin.event_id for i in with_zero if i.count] == ids


def test_pre_2022_ward_file_is_the_mixed_case_taxonomy(mps: Path) -> None:
    items = counts(list(mps_ward_csv.parse(mps / WARD_PRE_2022)))
    published = cells(mps / WARD_PRE_2022, 5)
    assert sum(item.count for item in items) == 1_586_823
    assert len(items) == sum(1 for cell in published if cell[2]) == 273_699
    assert {item.category.taxonomy for item in items} == {"mps_mixed"}
    assert len({item.place.ward_code for item in items}) == 632


@pytest.mark.parametrize(
    ("name", "total", "non_zero", "column"),
    [(BOROUGH_2024, 1_850_808, 21_786, "BoroughName"),
     (BOROUGH_HISTORICAL, 9_221_260, 161_009, "LookUp_BoroughName")],
)  # fmt: skip
def test_borough_files_sum_to_the_published_totals(
    mps: Path, name: str, total: int, non_zero: int, column: str
) -> None:
    items = counts(list(mps_borough_csv.parse(mps / name)))
    assert sum(item.count for item in items) == total
    assert len(items) == non_zero == sum(1 for cell in cells(mps / name, 3) if cell[2])
    assert {(item.dataset, item.level) for item in items} == {("mps-borough", "borough_total")}
    assert all(item.place.ward_code is None for item in items)
    with (mps / name).open(newline="") as handle:
        assert next(csv.reader(handle))[2] == column


def test_borough_labels_are_kept_and_slugged_into_ids(mps: Path) -> None:
    items = counts(list(mps_borough_csv.parse(mps / BOROUGH_2024)))
    labels = Counter(item.place.borough_label for item in items)
    assert len(labels) == 34
    assert {"London Heathrow and London City Airports", "Unknown"} <= set(labels)
    airport = next(
        i for i in items if i.place.borough_label == "London Heathrow and London City Airports"
    )
    assert airport.origin.event_id.startswith(
        "mps-borough:london-heathrow-and-london-city-airports:"
    )
    assert {i.category.taxonomy for i in items} == {"mps_upper"}
    historical = counts(list(mps_borough_csv.parse(mps / BOROUGH_HISTORICAL)))
    assert {i.category.taxonomy for i in historical} == {"mps_mixed"}
    assert min(i.month for i in historical) == date(2010, 4, 1)
