"""Build the borough table and each boundary set's ward records from the published files."""

from __future__ import annotations

from collections.abc import Mapping

from shared.reference.boundaries import boundary_set_named
from shared.reference.checks import BOROUGH_CODE, WARD_CODE, check_code, check_count, check_new
from shared.reference.errors import ReferenceDataError
from shared.reference.models import Borough, Force
from shared.reference.names import NameIndex
from shared.reference.population import PopulationRule
from shared.reference.sources import EXPECTED_BOROUGHS, EXPECTED_MPS_BOROUGHS, WardFile
from shared.reference.tables import Table
from shared.reference.units import BOROUGH_ALIASES, CITY_OF_LONDON
from shared.reference.ward import Ward


def build_boroughs(table: Table, spec: WardFile) -> dict[str, Borough]:
    """The 33 London boroughs (32 MPS boroughs and the City), keyed by code."""
    names: dict[str, str] = {}
    for index, row in enumerate(table.rows):
        where = table.where(index)
        code = check_code(BOROUGH_CODE, row[spec.borough_code], where)
        name = row[spec.borough_name].strip()
        if names.setdefault(code, name) != name:
            raise ReferenceDataError(f"{where}: borough {code} named {name!r} and {names[code]!r}")
    boroughs = {code: _new_borough(code, name) for code, name in sorted(names.items())}
    check_count(f"boroughs in {table.file}", len(boroughs), EXPECTED_BOROUGHS)
    mps = sum(1 for borough in boroughs.values() if borough.force is Force.MPS)
    check_count(f"MPS boroughs in {table.file}", mps, EXPECTED_MPS_BOROUGHS)
    return boroughs


def _new_borough(code: str, name: str) -> Borough:
    force = Force.CITY_OF_LONDON if code == CITY_OF_LONDON else Force.MPS
    return Borough(code=code, name=name, aliases=BOROUGH_ALIASES.get(code, ()), force=force)


def build_ward_set(
    table: Table,
    spec: WardFile,
    boroughs: Mapping[str, Borough],
    names: NameIndex,
    population: PopulationRule,
) -> dict[str, Ward]:
    """Validated ward records of one boundary set, keyed by ward code."""
    seen: dict[str, str] = {}
    wards: dict[str, Ward] = {}
    for index, row in enumerate(table.rows):
        where = table.where(index)
        code = check_code(WARD_CODE, row[spec.code], where)
        check_new(seen, code, where, f"{spec.boundary_set}-set ward code")
        borough = _ward_borough(row, spec, boroughs, names, where)
        wards[code] = _ward(code, row[spec.name], borough, spec, population)
    _check_counts(wards, spec, boroughs)
    return dict(sorted(wards.items()))


def _ward_borough(
    row: Mapping[str, str],
    spec: WardFile,
    boroughs: Mapping[str, Borough],
    names: NameIndex,
    where: str,
) -> Borough:
    code = check_code(BOROUGH_CODE, row[spec.borough_code], where)
    borough = boroughs.get(code)
    if borough is None:
        raise ReferenceDataError(f"{where}: ward's borough {code} is not a London borough")
    label = row[spec.borough_name]
    if names.resolve(label) != borough:
        raise ReferenceDataError(f"{where}: borough name {label!r} does not name {code}")
    return borough


def _ward(
    code: str, name: str, borough: Borough, spec: WardFile, population: PopulationRule
) -> Ward:
    estimate = population(code)
    return Ward(
        code=code,
        name=name.strip(),
        borough_code=borough.code,
        boundary_set=boundary_set_named(spec.boundary_set),
        population=estimate.value,
        population_source=estimate.source,
    )


def _check_counts(
    wards: Mapping[str, Ward], spec: WardFile, boroughs: Mapping[str, Borough]
) -> None:
    check_count(f"wards in {spec.file}", len(wards), spec.total)
    mps = sum(1 for ward in wards.values() if boroughs[ward.borough_code].force is Force.MPS)
    check_count(f"MPS wards in {spec.file}", mps, spec.mps)
