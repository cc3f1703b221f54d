"""PAS borough dashboard parser on the real MOPAC export (2014-12 to 2023-12)."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from services.ingest.domain.intake import SurveyIntake
from services.ingest.importers import pas_borough_csv
from shared.reference import LondonReference

PAS = "PAS_TandC_dashboard_borough_2014-12_to_2023-12.csv"
MEASURES = {
    "good_job", "contact_ward_officer", "informed_local", "listen_to_concerns",
    "relied_on_to_be_there", "treat_everyone_fairly", "understand_issues", "trust_mps",
}  # fmt: skip


@pytest.fixture(scope="module")
def path(data_dir: Path) -> Path:
    return data_dir / "pas" / PAS


@pytest.fixture(scope="module")
def rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))[1:]


@pytest.fixture(scope="module")
def items(path: Path, reference: LondonReference) -> list[SurveyIntake]:
    parsed = list(pas_borough_csv.parse(path, reference=reference))
    assert all(isinstance(item, SurveyIntake) for item in parsed)
    return [item for item in parsed if isinstance(item, SurveyIntake)]


def boroughs(items: list[SurveyIntake]) -> list[SurveyIntake]:
    return [item for item in items if item.aggregate.area_code != "MPS"]


def test_every_row_is_a_borough_aggregate(
    path: Path, rows: list[list[str]], items: list[SurveyIntake]
) -> None:
    assert len(rows) == pas_borough_csv.count_rows(path) == 9312
    assert len(boroughs(items)) == 9312
    assert [item.origin.line for item in boroughs(items)] == list(range(1, 9313))


def test_one_mps_aggregate_per_date_and_measure(
    rows: list[list[str]], items: list[SurveyIntake]
) -> None:
    london: dict[tuple[str, str], set[str]] = {(row[0], row[3]): set() for row in rows}
    for row in rows:
        london[(row[0], row[3])].add(row[5])
    assert all(len(values) == 1 for values in london.values())  # no conflicts in the file
    mps = [item for item in items if item.aggregate.area_code == "MPS"]
    assert len(mps) == len(london) == 291
    assert len({(i.aggregate.period_end, i.aggregate.measure) for i in mps}) == 291
    assert len(items) == 9312 + 291


def test_decimal_commas_are_read_exactly(rows: list[list[str]], items: list[SurveyIntake]) -> None:
    first_borough, first_mps = items[0].aggregate, items[1].aggregate
    assert (first_borough.area_code, first_borough.proportion) == ("E09000002", 0.56)
    assert (first_mps.area_code, first_mps.proportion) == ("MPS", 0.67)
    published = [float(row[4].replace(",", ".")) for row in rows]
    assert [item.aggregate.proportion for item in boroughs(items)] == published


def test_borough_spellings_resolve_to_one_code(
    rows: list[list[str]], items: list[SurveyIntake]
) -> None:
    by_name: dict[str, set[str]] = {}
    for row, item in zip(rows, boroughs(items), strict=True):
        by_name.setdefault(row[2], set()).add(item.aggregate.area_code)
    assert by_name["Richmond upon Thames"] == by_name["Richmond Upon Thames"] == {"E09000027"}
    assert by_name["City of Westminster"] == {"E09000033"}
    counted = Counter(item.aggregate.area_code for item in boroughs(items))
    assert len(counted) == 32
    assert counted["E09000027"] == 267 + 24


def test_measures_dates_and_period(items: list[SurveyIntake]) -> None:
    measures = Counter(item.aggregate.measure for item in boroughs(items))
    assert set(measures) == MEASURES
    assert measures["trust_mps"] == 1024
    assert measures["good_job"] == 1184
    dates = {item.aggregate.period_end for item in items}
    assert (len(dates), min(dates), max(dates)) == (37, date(2014, 12, 31), date(2023, 12, 31))
    assert {(i.aggregate.period.value, i.aggregate.n) for i in items} == {("rolling_12m", None)}
    assert {i.aggregate.survey.value for i in items} == {"pas"}


def test_event_ids_name_area_date_and_measure(items: list[SurveyIntake]) -> None:
    assert items[0].origin.event_id == "pas:E09000002:2014-12-31:good_job"
    assert items[1].origin.event_id == "pas:MPS:2014-12-31:good_job"
    assert len({item.origin.event_id for item in items}) == len(items)
    assert {item.origin.source for item in items} == {"import:pas-borough-csv"}


def test_the_row_with_a_stray_note_in_unnamed_columns_still_counts(
    rows: list[list[str]], items: list[SurveyIntake]
) -> None:
    noted = [n for n, row in enumerate(rows, start=1) if any(row[6:])]
    assert noted == [8033]
    item = next(i for i in items if i.origin.line == 8033 and i.aggregate.area_code != "MPS")
    assert (item.aggregate.measure, item.aggregate.proportion) == ("trust_mps", 0.73)
