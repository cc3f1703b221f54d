"""ward_for_lsoa: 2011 LSOAs before the 2022 election, 2021 LSOAs after, with fallbacks."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from shared.reference import LondonReference, UnknownCodeError

BEFORE = date(2021, 6, 1)
AFTER = date(2023, 6, 1)


def _lookup(directory: Path, name: str, lsoa: str, ward: str) -> dict[str, str]:
    with (directory / "london_geography" / name).open(newline="", encoding="utf-8") as handle:
        return {row[lsoa]: row[ward] for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def lsoa11(shared_data_dir: Path) -> dict[str, str]:
    return _lookup(shared_data_dir, "lsoa11_to_ward21_to_lad21_london.csv", "LSOA11CD", "WD21CD")


@pytest.fixture(scope="module")
def lsoa21(shared_data_dir: Path) -> dict[str, str]:
    name = "lsoa21_to_ward25_to_lad25_bestfit_london.csv"
    return _lookup(shared_data_dir, name, "LSOA21CD", "WD25CD")


def test_2011_lsoas_map_to_2018_set_wards_before_may_2022(
    reference: LondonReference, lsoa11: dict[str, str]
) -> None:
    for lsoa, ward_code in lsoa11.items():
        ward = reference.ward_for_lsoa(lsoa, BEFORE)
        assert (ward.code, ward.boundary_set.name) == (ward_code, "2018")


def test_2021_lsoas_map_to_2022_set_wards_from_may_2022(
    reference: LondonReference, lsoa21: dict[str, str]
) -> None:
    for lsoa, ward_code in lsoa21.items():
        ward = reference.ward_for_lsoa(lsoa, AFTER)
        assert (ward.code, ward.boundary_set.name) == (ward_code, "2022")


def test_codes_in_only_one_lookup_fall_back_to_it(
    reference: LondonReference, lsoa11: dict[str, str], lsoa21: dict[str, str]
) -> None:
    only_2021 = sorted(set(lsoa21) - set(lsoa11))
    only_2011 = sorted(set(lsoa11) - set(lsoa21))
    assert (len(only_2011), len(only_2021)) == (176, 335)
    for lsoa in only_2021:
        assert reference.ward_for_lsoa(lsoa, BEFORE).code == lsoa21[lsoa]
    for lsoa in only_2011:
        assert reference.ward_for_lsoa(lsoa, AFTER).code == lsoa11[lsoa]


def test_the_record_of_the_set_in_force_is_preferred(reference: LondonReference) -> None:
    # E01000001 (City of London 001A) lies in Aldersgate, unchanged since 2014.
    on_2016 = reference.ward_for_lsoa("E01000001", date(2016, 1, 1))
    assert (on_2016.code, on_2016.boundary_set.name) == ("E05009288", "2014")
    on_2023 = reference.ward_for_lsoa("E01000001", AFTER)
    assert (on_2023.code, on_2023.boundary_set.name) == ("E05009288", "2022")


def test_switch_is_on_election_day(reference: LondonReference) -> None:
    # E01000027 (Barking and Dagenham 001A): Chadwell Heath (2018 set), Chadwell Heath (2022 set).
    before = reference.ward_for_lsoa("E01000027", date(2022, 5, 4))
    after = reference.ward_for_lsoa("E01000027", date(2022, 5, 5))
    assert before.boundary_set.name == "2018"
    assert after.boundary_set.name == "2022"
    assert before.code != after.code
    assert before.borough_code == after.borough_code == "E09000002"


def test_unknown_lsoa(reference: LondonReference) -> None:
    with pytest.raises(UnknownCodeError, match="E01999999"):
        reference.ward_for_lsoa("E01999999", AFTER)
