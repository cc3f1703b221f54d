"""Exact sizes of the reference tables, checked against the published files."""

from __future__ import annotations

import csv
import filecmp
from datetime import date
from pathlib import Path

import pytest

from shared.reference import Force, LondonReference, UnknownCodeError
from shared.reference.loader import DEFAULT_DATA_DIR
from shared.reference.sources import DATA_FILES


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_packaged_files_are_byte_for_byte_copies(shared_data_dir: Path) -> None:
    for name in DATA_FILES:
        upstream = shared_data_dir / "london_geography" / name
        assert filecmp.cmp(DEFAULT_DATA_DIR / name, upstream, shallow=False), name


def test_33_boroughs_32_policed_by_the_mps(reference: LondonReference) -> None:
    assert len(reference.boroughs(force=None)) == 33
    assert len(reference.boroughs()) == 32
    (city,) = reference.boroughs(force=Force.CITY_OF_LONDON)
    assert (city.code, city.name) == ("E09000001", "City of London")


def test_boroughs_match_the_ward_to_lad_lookup(
    reference: LondonReference, shared_data_dir: Path
) -> None:
    rows = _rows(shared_data_dir / "london_geography" / "ward_to_lad_dec2023_london.csv")
    published = {(row["LAD23CD"], row["LAD23NM"]) for row in rows}
    assert {(b.code, b.name) for b in reference.boroughs(force=None)} == published


@pytest.mark.parametrize(
    ("boundary_set", "total", "mps"),
    [("2014", 654, 629), ("2018", 657, 632), ("2022", 704, 679)],
)
def test_ward_counts_per_boundary_set(
    reference: LondonReference, boundary_set: str, total: int, mps: int
) -> None:
    assert len(reference.wards(boundary_set, force=None)) == total
    assert len(reference.wards(boundary_set)) == mps
    city = reference.wards(boundary_set, force=Force.CITY_OF_LONDON)
    assert len(city) == 25
    assert {ward.borough_code for ward in city} == {"E09000001"}


def test_wards_filtered_by_borough(reference: LondonReference) -> None:
    sutton = reference.wards("2022", borough_code="E09000029")
    assert len(sutton) == 20
    assert [w.code for w in sutton] == sorted(w.code for w in sutton)
    assert reference.wards(reference.boundary_set("2022"), "E09000001") == ()
    assert len(reference.wards("2022", "E09000001", force=None)) == 25


def test_unchanged_wards_have_a_record_per_set(reference: LondonReference) -> None:
    sets = {
        name: {w.code for w in reference.wards(name, force=None)}
        for name in ("2014", "2018", "2022")
    }
    assert len(sets["2014"] & sets["2018"]) == 567
    assert len(sets["2018"] & sets["2022"]) == 174
    assert len(sets["2014"] & sets["2022"]) == 84
    history = reference.ward_history("E05011115")
    assert [(w.boundary_set.name, w.name) for w in history] == [
        ("2018", "St. Giles"),
        ("2022", "St Giles"),
    ]


def test_lsoa_lookup_sizes(reference: LondonReference) -> None:
    assert len(reference.lsoa_codes(2011)) == 4_835
    assert len(reference.lsoa_codes(2021)) == 4_994
    assert len(reference.lsoa_codes(2011) & reference.lsoa_codes(2021)) == 4_659
    with pytest.raises(ValueError, match="2011 or 2021"):
        reference.lsoa_codes(2001)


def test_boundary_set_dates_are_election_days(reference: LondonReference) -> None:
    spans = [(s.name, s.effective_from, s.effective_to) for s in reference.boundary_sets]
    assert spans == [
        ("2014", date(2014, 5, 22), date(2018, 5, 2)),
        ("2018", date(2018, 5, 3), date(2022, 5, 4)),
        ("2022", date(2022, 5, 5), None),
    ]
    assert reference.boundary_set_on(date(2022, 5, 4)).name == "2018"
    assert reference.boundary_set_on(date(2022, 5, 5)).name == "2022"
    assert reference.boundary_set_on(date(2018, 5, 2)).name == "2014"
    with pytest.raises(UnknownCodeError, match="2014-05-22"):
        reference.boundary_set_on(date(2014, 5, 21))
    with pytest.raises(UnknownCodeError, match="known sets: 2014, 2018, 2022"):
        reference.boundary_set("2010")


def test_borough_lookups_by_code_and_name(reference: LondonReference) -> None:
    westminster = reference.borough("E09000033")
    assert westminster.name == "Westminster"
    for name in ("Westminster", "City of Westminster", "  city OF westminster "):
        assert reference.borough_by_name(name) == westminster
    richmond = reference.borough_by_name("Richmond Upon Thames")
    assert richmond == reference.borough_by_name("Richmond upon Thames")
    assert richmond.code == "E09000027"
    assert reference.borough_by_name("City and County of the City of London").code == "E09000001"
    with pytest.raises(UnknownCodeError, match="E09000099"):
        reference.borough("E09000099")
    with pytest.raises(UnknownCodeError, match="not a London borough name"):
        reference.borough_by_name("Aviation Security (SO18)")


def test_version_is_a_stable_short_fingerprint(reference: LondonReference) -> None:
    assert reference.version.startswith("ref1-")
    assert len(reference.version) == len("ref1-") + 12


def test_unknown_force_is_refused(reference: LondonReference) -> None:
    assert len(reference.boroughs("City of London Police")) == 1
    with pytest.raises(ValueError, match="Met"):
        reference.wards("2022", force="Met")
    with pytest.raises(ValueError, match="Met"):
        reference.boroughs(force="Met")
