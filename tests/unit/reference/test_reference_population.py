"""Ward populations and staffing models, recomputed here from the published files."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from shared.reference import (
    BASE_STAFFING,
    ENHANCED_STAFFING,
    LondonReference,
    PopulationSource,
    StaffingModel,
)
from shared.reference.boundaries import SET_2022
from shared.reference.ward import Ward


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / "london_geography" / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def expected(shared_data_dir: Path) -> dict[str, dict[str, tuple[int | None, str]]]:
    """Independent recomputation of every ward's (population, source) per boundary set."""
    census = {
        r["geography code"]: int(r["Age: Total"])
        for r in _rows(shared_data_dir, "census2021_ts007a_age_by_lsoa21_london.csv")
    }
    bestfit: dict[str, int] = defaultdict(int)
    for r in _rows(shared_data_dir, "lsoa21_to_ward25_to_lad25_bestfit_london.csv"):
        bestfit[r["WD25CD"]] += census[r["LSOA21CD"]]
    lsoa11: dict[str, int] = defaultdict(int)
    for r in _rows(shared_data_dir, "lsoa11_to_ward21_to_lad21_london.csv"):
        if r["LSOA11CD"] in census:
            lsoa11[r["WD21CD"]] += census[r["LSOA11CD"]]
    gla = {
        r["Code"]: int(r["Population"])
        for r in _rows(shared_data_dir, "gla_housing_density_ward_2011-2050.csv")
        if r["Year"] == "2018"
    }

    def old(code: str) -> tuple[int | None, str]:
        if code in gla:
            return gla[code], "gla-2018"
        if code in lsoa11:
            return lsoa11[code], "census2021-lsoa11"
        return None, "unknown"

    def new(code: str) -> tuple[int | None, str]:
        return (bestfit[code], "census2021-lsoa-bestfit") if code in bestfit else (None, "unknown")

    sets = {
        "2014": ("london_wards_2014_attributes.csv", "GSS_CODE", old),
        "2018": ("london_wards_2018_attributes.csv", "GSS_CODE", old),
        "2022": ("ward_to_lad_dec2023_london.csv", "WD23CD", new),
    }
    return {
        name: {r[column]: rule(r[column]) for r in _rows(shared_data_dir, file)}
        for name, (file, column, rule) in sets.items()
    }


@pytest.mark.parametrize("boundary_set", ["2014", "2018", "2022"])
def test_every_ward_population_matches_the_recomputation(
    reference: LondonReference,
    expected: dict[str, dict[str, tuple[int | None, str]]],
    boundary_set: str,
) -> None:
    wards = reference.wards(boundary_set, force=None)
    actual = {w.code: (w.population, w.population_source.value) for w in wards}
    assert actual == expected[boundary_set]


@pytest.mark.parametrize(
    ("boundary_set", "sources", "over_14k"),
    [
        ("2014", {"gla-2018": 570, "census2021-lsoa11": 64, "unknown": 20}, 308),
        ("2018", {"gla-2018": 483, "census2021-lsoa11": 154, "unknown": 20}, 304),
        ("2022", {"census2021-lsoa-bestfit": 684, "unknown": 20}, 262),
    ],
)
def test_population_sources_and_over_14k_counts(
    reference: LondonReference, boundary_set: str, sources: dict[str, int], over_14k: int
) -> None:
    wards = reference.wards(boundary_set, force=None)
    assert Counter(w.population_source.value for w in wards) == sources
    assert sum(w.over_14k for w in reference.wards(boundary_set)) == over_14k
    assert sum(w.over_14k for w in wards) == over_14k  # no City ward is over 14,000


def test_every_mps_ward_has_a_population(reference: LondonReference) -> None:
    for boundary_set in ("2014", "2018", "2022"):
        assert all(w.population is not None for w in reference.wards(boundary_set))
    mps_2022 = reference.wards("2022")
    assert sum(w.population or 0 for w in mps_2022) == 8_791_052
    assert min(w.population or 0 for w in mps_2022) == 4_504
    assert max(w.population or 0 for w in mps_2022) == 23_740


def test_city_wards_without_a_best_fit_lsoa_have_unknown_population(
    reference: LondonReference,
) -> None:
    city = reference.wards("2022", "E09000001", force=None)
    known = {w.code: w.population for w in city if w.population is not None}
    assert known == {
        "E05009288": 1_473,
        "E05009302": 2_997,
        "E05009305": 1_393,
        "E05009308": 1_101,
        "E05009312": 1_615,
    }
    unknown = [w for w in city if w.population is None]
    assert len(unknown) == 20
    assert {w.population_source for w in unknown} == {PopulationSource.UNKNOWN}
    assert {w.staffing_model for w in unknown} == {BASE_STAFFING}


def test_heathrow_villages_just_over_the_threshold(reference: LondonReference) -> None:
    ward = reference.ward("E05013570")
    assert (ward.population, ward.over_14k) == (14_041, True)
    assert ward.staffing_model == StaffingModel(ps=1, pc=2, pcso=6)


@pytest.mark.parametrize(
    ("population", "over", "staffing"),
    [
        (None, False, BASE_STAFFING),
        (0, False, BASE_STAFFING),
        (14_000, False, BASE_STAFFING),
        (14_001, True, ENHANCED_STAFFING),
        (23_740, True, ENHANCED_STAFFING),
    ],
)
def test_staffing_model_threshold(
    population: int | None, over: bool, staffing: StaffingModel
) -> None:
    ward = Ward("E05000001", "Test", "E09000002", SET_2022, population, PopulationSource.UNKNOWN)
    assert ward.over_14k is over
    assert ward.staffing_model == staffing


def test_staffing_models() -> None:
    assert (BASE_STAFFING.ps, BASE_STAFFING.pc, BASE_STAFFING.pcso) == (1, 2, 3)
    assert (ENHANCED_STAFFING.ps, ENHANCED_STAFFING.pc, ENHANCED_STAFFING.pcso) == (1, 2, 6)
    assert (BASE_STAFFING.total, ENHANCED_STAFFING.total) == (6, 9)
