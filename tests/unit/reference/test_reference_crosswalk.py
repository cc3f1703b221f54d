"""The 2018 → 2022 ward crosswalk: shares recomputed here from the published lookups and the
census alone, every changed ward's shares add up to 1, unchanged wards are never apportioned."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from shared.reference import LondonReference
from shared.reference.crosswalk import build_crosswalk
from shared.reference.errors import ReferenceDataError

GEO = "london_geography"


def _column(path: Path, key: str, value: str) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return {row[key]: row[value] for row in csv.DictReader(handle)}


def test_shares_equal_census_residents_of_the_shared_lsoas(
    reference: LondonReference, shared_data_dir: Path
) -> None:
    geo = shared_data_dir / GEO
    old = _column(geo / "lsoa11_to_ward21_to_lad21_london.csv", "LSOA11CD", "WD21CD")
    new = _column(geo / "lsoa21_to_ward25_to_lad25_bestfit_london.csv", "LSOA21CD", "WD25CD")
    people = _column(geo / "census2021_ts007a_age_by_lsoa21_london.csv", "geography code",
                     "Age: Total")  # fmt: skip
    codes_2022 = {w.code for w in reference.wards("2022", force=None)}
    shared: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for lsoa, ward in new.items():
        if lsoa in old and old[lsoa] not in codes_2022:
            shared[old[lsoa]][ward] += int(people[lsoa])
    changed = [w.code for w in reference.wards("2018") if w.code not in codes_2022]
    assert len(changed) == 483
    totals: dict[str, float] = defaultdict(float)
    for ward in reference.wards("2022"):
        for code, share in reference.apportioned_from(ward.code):
            assert share == pytest.approx(shared[code][ward.code] / sum(shared[code].values()))
            totals[code] += share
    assert set(totals) == set(changed)
    assert all(total == pytest.approx(1.0, abs=1e-12) for total in totals.values())


def test_an_unchanged_ward_takes_no_share_and_gives_none(reference: LondonReference) -> None:
    codes_2022 = {w.code for w in reference.wards("2022")}
    unchanged = [w.code for w in reference.wards("2018") if w.code in codes_2022]
    assert len(unchanged) == 149
    wards = reference.wards("2022")
    given = {code for w in wards for code, _ in reference.apportioned_from(w.code)}
    assert not given & set(unchanged)
    assert reference.apportioned_from(unchanged[0]) == ()


def test_a_changed_ward_with_no_shared_lsoa_is_refused() -> None:
    with pytest.raises(ReferenceDataError, match=r"no residents .* \['E05000001'\]"):
        build_crosswalk({"L1": "E05000001"}, {"L2": "E05099999"}, {"L2": 100},
                        ["E05000001"], ["E05099999"])  # fmt: skip
