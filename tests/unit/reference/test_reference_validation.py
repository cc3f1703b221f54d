"""load_reference refuses missing or corrupted data with a specific message."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from shared.reference import LondonReference, ReferenceDataError, load_reference
from shared.reference.loader import DEFAULT_DATA_DIR
from shared.reference.version import fingerprint

DataCopy = Callable[[Mapping[str, str | None]], Path]

WARDS_2022 = "ward_to_lad_dec2023_london.csv"
WARDS_2018 = "london_wards_2018_attributes.csv"
WARDS_2014 = "london_wards_2014_attributes.csv"
LSOA11 = "lsoa11_to_ward21_to_lad21_london.csv"
CENSUS = "census2021_ts007a_age_by_lsoa21_london.csv"
POLYGONS = "london_wards_2018_wgs84.geojson"


def _edited(name: str, old: str, new: str) -> dict[str, str | None]:
    text = (DEFAULT_DATA_DIR / name).read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    return {name: text.replace(old, new, 1)}


def _without_line(name: str, line: int) -> dict[str, str | None]:
    lines = (DEFAULT_DATA_DIR / name).read_text(encoding="utf-8").splitlines(keepends=True)
    del lines[line - 1]
    return {name: "".join(lines)}


CASES = {
    "bad ward code": (
        _edited(WARDS_2022, "E05014070,Village", "E0501407,Village"),
        f"{WARDS_2022} line 2: ward code 'E0501407' is not E05 followed by six digits",
    ),
    "bad borough code": (
        _edited(WARDS_2018, "E09000021,755.173", "X09000021,755.173"),
        f"{WARDS_2018} line 2: borough code 'X09000021' is not E09 followed by six digits",
    ),
    "duplicate ward in a set": (
        _edited(WARDS_2018, "Tolworth and Hook Rise,E05000414", "Tolworth and Hook Rise,E05000405"),
        f"{WARDS_2018} line 3: duplicate 2018-set ward code E05000405, "
        f"first seen at {WARDS_2018} line 2",
    ),
    "ward in an unknown borough": (
        _edited(WARDS_2018, "Kingston upon Thames,E09000021", "Kingston upon Thames,E09000099"),
        f"{WARDS_2018} line 2: ward's borough E09000099 is not a London borough",
    ),
    "borough name contradicts code": (
        _edited(WARDS_2014, "E09000021,Kingston upon Thames,50840", "E09000021,Camden,50840"),
        f"{WARDS_2014} line 2: borough name 'Camden' does not name E09000021",
    ),
    "ward missing from a set": (
        _without_line(WARDS_2014, 2),
        f"expected 654 wards in {WARDS_2014}, found 653",
    ),
    "extra borough": (
        _edited(WARDS_2022, "E09000002,Barking and Dagenham,,6092", "E09000099,Nowhere,,6092"),
        f"expected 33 boroughs in {WARDS_2022}, found 34",
    ),
    "missing column": (
        _edited(WARDS_2018, "NAME,GSS_CODE,DISTRICT", "NAME,GSS_CODE,BOROUGH"),
        f"{WARDS_2018} lacks column(s) ['DISTRICT']",
    ),
    "short row": (
        _edited(WARDS_2014, "Kingston upon Thames,50840", "Kingston upon Thames"),
        f"{WARDS_2014} line 2 has 6 fields; the header has 7",
    ),
    "lsoa maps to a ward outside its set": (
        _edited(LSOA11, "001A,E05009288", "001A,E05099999"),
        f"{LSOA11} LSOA E01000001: ward E05099999 is not in the 2018 set",
    ),
    "census count not a number": (
        _edited(CENSUS, "E01000001,1473", "E01000001,14x3"),
        f"{CENSUS} line 2: population '14x3' is not a whole number",
    ),
    "polygon for an unknown ward": (
        _edited(POLYGONS, '"GSS_CODE":"E05000405"', '"GSS_CODE":"E05099999"'),
        f"{POLYGONS} feature 0: 'E05099999' is not a ward of the 2018 set",
    ),
    "truncated polygons": (
        {POLYGONS: '{"type":"FeatureCollection","features":['},
        f"{POLYGONS} is not valid JSON",
    ),
    "missing file": (
        {WARDS_2014: None},
        f"reference data file(s) ['{WARDS_2014}'] missing from ",
    ),
}


@pytest.mark.parametrize(("replacements", "message"), CASES.values(), ids=CASES.keys())
def test_corrupted_data_is_refused(
    data_copy: DataCopy, replacements: dict[str, str | None], message: str
) -> None:
    directory = data_copy(replacements)
    with pytest.raises(ReferenceDataError) as caught:
        load_reference(directory)
    assert message in str(caught.value)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match="does not exist"):
        load_reference(tmp_path / "absent")


def test_version_follows_the_data(reference: LondonReference, data_copy: DataCopy) -> None:
    directory = data_copy(_edited(WARDS_2014, "Chessington South", "Chessington Sth"))
    renamed = load_reference(directory)
    assert renamed.ward("E05000405", boundary_set="2014").name == "Chessington Sth"
    assert renamed.version != reference.version
    assert load_reference(directory).version == renamed.version
    assert load_reference().version == reference.version


def test_version_follows_the_code_version() -> None:
    files = {"a.csv": b"x\n1\n"}
    assert fingerprint(files, "1") != fingerprint(files, "2")
    assert fingerprint(files, "1") == fingerprint(dict(files), "1")
    assert fingerprint(files, "1") != fingerprint({"b.csv": b"x\n1\n"}, "1")
