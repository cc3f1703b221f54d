"""Assemble validated reference tables from the raw bytes of the data files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from shared.reference.build_areas import build_boroughs, build_ward_set
from shared.reference.build_lsoa import LsoaRows, check_lsoa_wards, read_lsoa_rows, ward_codes
from shared.reference.build_shapes import build_shapes
from shared.reference.crosswalk import build_crosswalk
from shared.reference.lsoa import LsoaLookup
from shared.reference.models import Borough
from shared.reference.names import NameIndex
from shared.reference.population import (
    PopulationRule,
    bestfit_rule,
    census_by_lsoa,
    gla_populations,
    pre2022_rule,
    sum_by_ward,
)
from shared.reference.reference import ReferenceTables
from shared.reference.sources import (
    BOROUGHS_FILE,
    CENSUS_FILE,
    CENSUS_LSOA,
    CENSUS_TOTAL,
    GLA_CODE,
    GLA_FILE,
    GLA_POPULATION,
    GLA_POPULATION_YEAR,
    GLA_YEAR,
    LSOA11_TO_WARD,
    LSOA21_TO_WARD,
    POLYGONS_FILE,
    POLYGONS_SET,
    WARD_FILES,
    LsoaFile,
    WardFile,
)
from shared.reference.tables import Table, parse_csv, parse_json
from shared.reference.units import SPECIAL_UNITS
from shared.reference.version import fingerprint
from shared.reference.ward import Ward


def build_tables(raw: Mapping[str, bytes]) -> ReferenceTables:
    """Parse and cross-check every file; raise ReferenceDataError on the first problem."""
    boroughs = build_boroughs(_ward_table(raw, BOROUGHS_FILE), BOROUGHS_FILE)
    lsoa11 = read_lsoa_rows(_lsoa_table(raw, LSOA11_TO_WARD), LSOA11_TO_WARD)
    lsoa21 = read_lsoa_rows(_lsoa_table(raw, LSOA21_TO_WARD), LSOA21_TO_WARD)
    wards = _ward_sets(raw, boroughs, _population_rules(raw, lsoa11, lsoa21))
    lsoas = LsoaLookup(
        check_lsoa_wards(lsoa11, LSOA11_TO_WARD, wards[LSOA11_TO_WARD.boundary_set]),
        check_lsoa_wards(lsoa21, LSOA21_TO_WARD, wards[LSOA21_TO_WARD.boundary_set]),
    )
    document = parse_json(POLYGONS_FILE, raw[POLYGONS_FILE])
    shapes = build_shapes(POLYGONS_FILE, document, wards[POLYGONS_SET])
    crosswalk = build_crosswalk(
        ward_codes(lsoa11), ward_codes(lsoa21), _census(raw), wards["2018"], wards["2022"]
    )
    return ReferenceTables(boroughs, wards, lsoas, shapes, fingerprint(raw), crosswalk)


def _ward_sets(
    raw: Mapping[str, bytes], boroughs: Mapping[str, Borough], rules: Mapping[str, PopulationRule]
) -> dict[str, dict[str, Ward]]:
    names = NameIndex(boroughs.values(), SPECIAL_UNITS)
    return {
        spec.boundary_set: build_ward_set(
            _ward_table(raw, spec), spec, boroughs, names, rules[spec.boundary_set]
        )
        for spec in WARD_FILES
    }


def _population_rules(
    raw: Mapping[str, bytes], lsoa11: LsoaRows, lsoa21: LsoaRows
) -> dict[str, PopulationRule]:
    census = _census(raw)
    gla_table = _csv(raw, GLA_FILE, (GLA_CODE, GLA_YEAR, GLA_POPULATION))
    pre2022 = pre2022_rule(
        gla_populations(gla_table, GLA_POPULATION_YEAR),
        sum_by_ward(ward_codes(lsoa11), census),
    )
    bestfit = bestfit_rule(sum_by_ward(ward_codes(lsoa21), census))
    return {"2014": pre2022, "2018": pre2022, "2022": bestfit}


def _census(raw: Mapping[str, bytes]) -> dict[str, int]:
    return census_by_lsoa(_csv(raw, CENSUS_FILE, (CENSUS_LSOA, CENSUS_TOTAL)))


def _ward_table(raw: Mapping[str, bytes], spec: WardFile) -> Table:
    columns = (spec.code, spec.name, spec.borough_code, spec.borough_name)
    return _csv(raw, spec.file, columns)


def _lsoa_table(raw: Mapping[str, bytes], spec: LsoaFile) -> Table:
    return _csv(raw, spec.file, (spec.lsoa, spec.ward, spec.borough_code))


def _csv(raw: Mapping[str, bytes], file: str, columns: Iterable[str]) -> Table:
    return parse_csv(file, raw[file], columns)
