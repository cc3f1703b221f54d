"""Resident population per ward, from Census 2021 LSOA counts and GLA ward estimates.

Pure functions over parsed tables; the rule for each boundary set is documented in README.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from shared.reference.checks import (
    LSOA_CODE,
    WARD_CODE,
    check_code,
    check_count,
    check_new,
    parse_count,
)
from shared.reference.sources import (
    CENSUS_LSOA,
    CENSUS_ROWS,
    CENSUS_TOTAL,
    GLA_CODE,
    GLA_POPULATION,
    GLA_WARDS,
    GLA_YEAR,
)
from shared.reference.tables import Table
from shared.reference.ward import PopulationSource


@dataclass(frozen=True, slots=True)
class PopulationEstimate:
    value: int | None
    source: PopulationSource


UNKNOWN_POPULATION = PopulationEstimate(None, PopulationSource.UNKNOWN)

PopulationRule = Callable[[str], PopulationEstimate]


def census_by_lsoa(table: Table) -> dict[str, int]:
    """Census 2021 usual residents per 2021 LSOA."""
    seen: dict[str, str] = {}
    counts: dict[str, int] = {}
    for index, row in enumerate(table.rows):
        where = table.where(index)
        lsoa = check_code(LSOA_CODE, row[CENSUS_LSOA], where)
        check_new(seen, lsoa, where, "LSOA")
        counts[lsoa] = parse_count(row[CENSUS_TOTAL], where, "population")
    check_count(f"LSOAs in {table.file}", len(counts), CENSUS_ROWS)
    return counts


def gla_populations(table: Table, year: str) -> dict[str, int]:
    """GLA ward population estimates for one year, keyed by ward code."""
    seen: dict[str, str] = {}
    populations: dict[str, int] = {}
    for index, row in enumerate(table.rows):
        if row[GLA_YEAR] != year:
            continue
        where = table.where(index)
        code = check_code(WARD_CODE, row[GLA_CODE], where)
        check_new(seen, code, where, f"{year} ward code")
        populations[code] = parse_count(row[GLA_POPULATION], where, "population")
    check_count(f"wards for {year} in {table.file}", len(populations), GLA_WARDS)
    return populations


def sum_by_ward(lsoa_to_ward: Mapping[str, str], census: Mapping[str, int]) -> dict[str, int]:
    """Census residents summed per ward over the LSOAs the census counts."""
    totals: dict[str, int] = defaultdict(int)
    for lsoa, ward in lsoa_to_ward.items():
        residents = census.get(lsoa)
        if residents is not None:
            totals[ward] += residents
    return dict(totals)


def bestfit_rule(bestfit_sums: Mapping[str, int]) -> PopulationRule:
    """2022 set: Census 2021 summed over the LSOA21 best-fit lookup."""

    def population(code: str) -> PopulationEstimate:
        value = bestfit_sums.get(code)
        if value is None:
            return UNKNOWN_POPULATION
        return PopulationEstimate(value, PopulationSource.CENSUS_BESTFIT)

    return population


def pre2022_rule(gla: Mapping[str, int], lsoa11_sums: Mapping[str, int]) -> PopulationRule:
    """2014 and 2018 sets: GLA 2018 estimate, else Census 2021 over matching 2011 LSOAs."""

    def population(code: str) -> PopulationEstimate:
        if code in gla:
            return PopulationEstimate(gla[code], PopulationSource.GLA_2018)
        if code in lsoa11_sums:
            return PopulationEstimate(lsoa11_sums[code], PopulationSource.CENSUS_LSOA11)
        return UNKNOWN_POPULATION

    return population
