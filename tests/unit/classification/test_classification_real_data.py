"""The mapping against every category in the real published files under ../shared/data."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from shared.classification import (
    Category,
    Classifier,
    Kpi,
    KpiGroup,
    Taxonomy,
    load_classification,
)
from tests.support.services import unavailable

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
MPS = DATA / "mps_recorded_crime"
POLICE_UK = DATA / "police_uk"

# file -> (taxonomy, distinct (MajorText, MinorText) pairs, sum of every month cell)
MPS_FILES = {
    "ward_most_recent_24m_202307-202506.csv": (Taxonomy.MPS_UPPER, 31, 1_800_751),
    "ward_most_recent_24m_202401-202512.csv": (Taxonomy.MPS_UPPER, 33, 1_794_538),
    "borough_most_recent_24m_202401-202512.csv": (Taxonomy.MPS_UPPER, 33, 1_850_808),
    "ward_most_recent_24m_202009-202208_pre2022_wards.csv": (Taxonomy.MPS_MIXED, 54, 1_586_823),
    "borough_historical_201004-202111.csv": (Taxonomy.MPS_MIXED, 56, 9_221_260),
}
STREET_CSVS = sorted(f.name for f in (POLICE_UK / "street_csv").glob("*-street*.csv"))


@pytest.fixture(scope="module", autouse=True)
def _data_present() -> None:
    if not DATA.is_dir():
        unavailable("../shared/data", f"{DATA} does not exist")


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return load_classification()


@cache
def mps_rows(name: str) -> tuple[dict[str, str], ...]:
    with (MPS / name).open(newline="", encoding="utf-8-sig") as handle:
        return tuple(csv.DictReader(handle))


def mps_pairs(name: str) -> set[Category]:
    return {Category(row["MajorText"], row["MinorText"]) for row in mps_rows(name)}


def month_cells(row: dict[str, str]) -> Iterator[int]:
    return (int(value) for key, value in row.items() if key.isdigit())


def street_types(name: str) -> set[str]:
    with (POLICE_UK / "street_csv" / name).open(newline="", encoding="utf-8-sig") as handle:
        return {row["Crime type"] for row in csv.DictReader(handle)}


def api_categories() -> set[str]:
    files = (POLICE_UK / "api_crimes_street_by_ward").glob("*/*.json")
    return {record["category"] for file in files for record in json.loads(file.read_text())}


def test_every_release_file_in_the_folder_is_checked() -> None:
    """A release added to the folder is classified by the tests below, or this fails."""
    assert {path.name for path in MPS.glob("*.csv")} == set(MPS_FILES)


@pytest.mark.parametrize("name", sorted(path.name for path in MPS.glob("*.csv")))
def test_every_category_of_every_release_file_is_classified(
    classifier: Classifier, name: str
) -> None:
    pairs = sorted(mps_pairs(name))
    taxonomy = classifier.detect_taxonomy(pairs)
    missing = classifier.unmapped(taxonomy, pairs)
    assert not missing, f"unclassified {taxonomy} categories in {name}: {missing}"
    assert {classifier.classify(taxonomy, *pair).group for pair in pairs} <= set(KpiGroup)


@pytest.mark.parametrize("name", sorted(MPS_FILES))
def test_every_mps_pair_in_the_file_is_mapped(classifier: Classifier, name: str) -> None:
    taxonomy = MPS_FILES[name][0]
    missing = classifier.unmapped(taxonomy, sorted(mps_pairs(name)))
    assert not missing, f"unmapped {taxonomy} pairs in {name}: {missing}"


@pytest.mark.parametrize("name", sorted(MPS_FILES))
def test_each_mps_file_has_the_expected_number_of_pairs(name: str) -> None:
    assert len(mps_pairs(name)) == MPS_FILES[name][1]


@pytest.mark.parametrize("name", sorted(MPS_FILES))
def test_the_taxonomy_of_each_mps_file_is_detected_from_its_rows(
    classifier: Classifier, name: str
) -> None:
    assert classifier.detect_taxonomy(mps_pairs(name)) is MPS_FILES[name][0]


@pytest.mark.parametrize("name", sorted(MPS_FILES))
def test_every_cell_of_a_file_lands_in_exactly_one_group(classifier: Classifier, name: str) -> None:
    taxonomy, _, total = MPS_FILES[name]
    by_group: dict[str, int] = {}
    for row in mps_rows(name):
        group = classifier.classify(taxonomy, row["MajorText"], row["MinorText"]).group
        by_group[group] = by_group.get(group, 0) + sum(month_cells(row))
    assert sum(by_group.values()) == total


def taxonomy_pairs(taxonomy: Taxonomy) -> set[Category]:
    names = [name for name, spec in MPS_FILES.items() if spec[0] is taxonomy]
    return set().union(*(mps_pairs(name) for name in names))


def test_the_mps_entries_are_the_pairs_of_the_files(classifier: Classifier) -> None:
    def mapped(taxonomy: Taxonomy) -> set[Category]:
        return {Category(c.major, c.minor) for c in classifier.mappings(taxonomy)}

    upper, mixed = taxonomy_pairs(Taxonomy.MPS_UPPER), taxonomy_pairs(Taxonomy.MPS_MIXED)
    assert (len(upper), len(mixed)) == (35, 56)
    assert mapped(Taxonomy.MPS_UPPER) == upper
    assert mapped(Taxonomy.MPS_MIXED) == mixed


@pytest.mark.parametrize("name", STREET_CSVS)
def test_every_police_uk_crime_type_in_the_street_csvs_is_mapped(
    classifier: Classifier, name: str
) -> None:
    missing = classifier.unmapped(Taxonomy.POLICE_UK, sorted(street_types(name)))
    assert not missing, f"unmapped police.uk crime types in {name}: {missing}"


def test_every_police_uk_api_category_is_mapped(classifier: Classifier) -> None:
    missing = classifier.unmapped(Taxonomy.POLICE_UK, sorted(api_categories()))
    assert not missing, f"unmapped police.uk API categories: {missing}"


def test_police_uk_csv_names_and_api_slugs_are_the_same_14_types(classifier: Classifier) -> None:
    names = set().union(*(street_types(name) for name in STREET_CSVS))
    slugs = api_categories()
    assert (len(STREET_CSVS), len(names), len(slugs)) == (4, 14, 14)
    by_name = {classifier.classify(Taxonomy.POLICE_UK, name) for name in names}
    by_slug = {classifier.classify(Taxonomy.POLICE_UK, slug) for slug in slugs}
    assert by_name == by_slug
    assert {c.major for c in by_slug} == names


BOROUGH_FILE = "borough_most_recent_24m_202401-202512.csv"
# Majors counted independently of the mapping, and the total they give for Westminster 202404.
KPI_MAJORS = {
    Kpi.VIOLENT_CRIME: ({"VIOLENCE AGAINST THE PERSON", "SEXUAL OFFENCES"}, 929),
    Kpi.PROPERTY_CRIME: (
        {"ROBBERY", "BURGLARY", "THEFT", "VEHICLE OFFENCES", "ARSON AND CRIMINAL DAMAGE"},
        5_828,
    ),
}


@pytest.mark.parametrize("kpi", sorted(KPI_MAJORS))
def test_a_month_kpi_total_equals_the_sum_of_its_cells(classifier: Classifier, kpi: Kpi) -> None:
    majors, expected = KPI_MAJORS[kpi]
    rows = [row for row in mps_rows(BOROUGH_FILE) if row["BoroughName"] == "Westminster"]
    by_file = sum(int(row["202404"]) for row in rows if row["MajorText"] in majors)
    by_classifier = sum(
        int(row["202404"])
        for row in rows
        if classifier.classify(Taxonomy.MPS_UPPER, row["MajorText"], row["MinorText"]).kpi is kpi
    )
    assert by_classifier == by_file == expected
