"""Every ward code and borough label in the published MPS crime files resolves."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from shared.reference import Borough, LondonReference, SpecialUnit, UnknownCodeError

WARDS_2024 = "ward_most_recent_24m_202401-202512.csv"
WARDS_PRE2022 = "ward_most_recent_24m_202009-202208_pre2022_wards.csv"
BOROUGHS_2024 = "borough_most_recent_24m_202401-202512.csv"
BOROUGHS_HISTORICAL = "borough_historical_201004-202111.csv"
HILLINGDON = "E09000017"
HEATHROW_VILLAGES = "E05013570"


def _read(directory: Path, name: str) -> tuple[list[str], list[dict[str, str]]]:
    path = directory / "mps_recorded_crime" / name
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _month_span(header: list[str]) -> tuple[date, date]:
    months = sorted(column for column in header if re.fullmatch(r"[0-9]{6}", column))
    first, last = months[0], months[-1]
    last_day = date(int(last[:4]) + int(last[4:] == "12"), int(last[4:]) % 12 + 1, 1)
    return date(int(first[:4]), int(first[4:]), 1), date.fromordinal(last_day.toordinal() - 1)


def _ward_labels(directory: Path, name: str) -> tuple[tuple[date, date], set[tuple[str, str]]]:
    header, rows = _read(directory, name)
    return _month_span(header), {(r["WardCode"], r["LookUp_BoroughName"]) for r in rows}


def _check_filed_under(
    reference: LondonReference, ward_code: str, borough: str, label: str
) -> None:
    unit = reference.resolve_unit(label)
    assert reference.reporting_unit(ward_code) == unit
    if isinstance(unit, SpecialUnit):
        assert unit.code == "SO18"
        assert ward_code in unit.ward_codes
    else:
        assert unit.code == borough


def test_2024_25_ward_file_resolves_on_the_2022_set(
    reference: LondonReference, shared_data_dir: Path
) -> None:
    (first, last), pairs = _ward_labels(shared_data_dir, WARDS_2024)
    assert (first, last) == (date(2024, 1, 1), date(2025, 12, 31))
    assert len(pairs) == 679
    for code, label in pairs:
        for day in (first, last):
            ward = reference.ward(code, on=day)
            assert ward.boundary_set.name == "2022"
            _check_filed_under(reference, code, ward.borough_code, label)


def test_heathrow_villages_is_filed_under_so18_but_stays_in_hillingdon(
    reference: LondonReference, shared_data_dir: Path
) -> None:
    _, pairs = _ward_labels(shared_data_dir, WARDS_2024)
    so18 = {code for code, label in pairs if label == "Aviation Security (SO18)"}
    assert so18 == {HEATHROW_VILLAGES}
    ward = reference.ward(HEATHROW_VILLAGES, on=date(2025, 6, 1))
    assert (ward.name, ward.borough_code) == ("Heathrow Villages", HILLINGDON)
    unit = reference.resolve_unit("Aviation Security (SO18)")
    assert isinstance(unit, SpecialUnit)
    assert unit.code == "SO18"
    assert reference.resolve_unit("London Heathrow and London City Airports") == unit
    assert reference.borough_by_name("Hillingdon").code == HILLINGDON


def test_pre2022_ward_file_resolves_on_the_2018_set_before_may_2022(
    reference: LondonReference, shared_data_dir: Path
) -> None:
    (first, last), pairs = _ward_labels(shared_data_dir, WARDS_PRE2022)
    assert (first, last) == (date(2020, 9, 1), date(2022, 8, 31))
    assert len(pairs) == 632
    for code, label in pairs:
        for day in (first, date(2022, 5, 4)):
            ward = reference.ward(code, on=day)
            assert ward.boundary_set.name == "2018"
            _check_filed_under(reference, code, ward.borough_code, label)


def test_pre2022_ward_file_codes_after_the_2022_election(
    reference: LondonReference, shared_data_dir: Path
) -> None:
    """Months 2022-05..2022-08 are still published on 2018-set codes.

    Name the file's set explicitly (``boundary_set="2018"``); without a date every code still
    resolves to its latest record; a date after 2022-05-04 alone finds only unchanged wards.
    """
    _, pairs = _ward_labels(shared_data_dir, WARDS_PRE2022)
    lookup = shared_data_dir / "london_geography" / "ward_to_lad_dec2023_london.csv"
    with lookup.open(newline="", encoding="utf-8") as handle:
        codes_2022 = {row["WD23CD"] for row in csv.DictReader(handle)}
    unchanged = {code for code, _ in pairs if code in codes_2022}
    assert len(unchanged) == 149
    for code, label in pairs:
        explicit = reference.ward(code, on=date(2022, 6, 1), boundary_set="2018")
        assert explicit.boundary_set.name == "2018"
        _check_filed_under(reference, code, explicit.borough_code, label)
        latest = reference.ward(code)
        assert latest.borough_code == explicit.borough_code
        assert latest.boundary_set.name == ("2022" if code in unchanged else "2018")
        if code in unchanged:
            assert reference.ward(code, on=date(2022, 8, 31)).boundary_set.name == "2022"
        else:
            with pytest.raises(UnknownCodeError, match="boundary_set="):
                reference.ward(code, on=date(2022, 8, 31))


@pytest.mark.parametrize(
    ("name", "column", "special"),
    [
        (WARDS_2024, "LookUp_BoroughName", {"SO18"}),
        (WARDS_PRE2022, "LookUp_BoroughName", set()),
        (BOROUGHS_2024, "BoroughName", {"SO18", "UNKNOWN"}),
        (BOROUGHS_HISTORICAL, "LookUp_BoroughName", {"SO18"}),
    ],
)
def test_every_borough_label_resolves(
    reference: LondonReference, shared_data_dir: Path, name: str, column: str, special: set[str]
) -> None:
    _, rows = _read(shared_data_dir, name)
    units = {label: reference.resolve_unit(label) for label in {r[column] for r in rows}}
    boroughs = {u.code for u in units.values() if isinstance(u, Borough)}
    assert boroughs == {b.code for b in reference.boroughs()}
    assert {u.code for u in units.values() if isinstance(u, SpecialUnit)} == special


def test_unknown_labels_and_codes_are_refused(reference: LondonReference) -> None:
    with pytest.raises(UnknownCodeError, match="no borough or special policing unit"):
        reference.resolve_unit("Gotham")
    assert reference.resolve_unit("unknown").code == "UNKNOWN"
    with pytest.raises(UnknownCodeError, match="not a London ward code"):
        reference.ward("E05999999")
    with pytest.raises(UnknownCodeError, match="unknown boundary set"):
        reference.ward("E05013570", boundary_set="2019")
