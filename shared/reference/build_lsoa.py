"""Build an LSOA-to-ward lookup, checked against the wards of its boundary set."""

from __future__ import annotations

from collections.abc import Mapping

from shared.reference.checks import (
    BOROUGH_CODE,
    LSOA_CODE,
    WARD_CODE,
    check_code,
    check_count,
    check_new,
)
from shared.reference.errors import ReferenceDataError
from shared.reference.sources import LsoaFile
from shared.reference.tables import Table
from shared.reference.ward import Ward

LsoaRows = dict[str, tuple[str, str]]
"""LSOA code to (ward code, borough code), as published."""


def read_lsoa_rows(table: Table, spec: LsoaFile) -> LsoaRows:
    """Well-formed, unique LSOA rows of a lookup file."""
    seen: dict[str, str] = {}
    rows: LsoaRows = {}
    for index, row in enumerate(table.rows):
        where = table.where(index)
        lsoa = check_code(LSOA_CODE, row[spec.lsoa], where)
        check_new(seen, lsoa, where, "LSOA")
        ward = check_code(WARD_CODE, row[spec.ward], where)
        rows[lsoa] = (ward, check_code(BOROUGH_CODE, row[spec.borough_code], where))
    check_count(f"LSOAs in {table.file}", len(rows), spec.rows)
    return rows


def ward_codes(rows: LsoaRows) -> dict[str, str]:
    """LSOA code to ward code."""
    return {lsoa: ward for lsoa, (ward, _) in rows.items()}


def check_lsoa_wards(rows: LsoaRows, spec: LsoaFile, wards: Mapping[str, Ward]) -> dict[str, str]:
    """LSOA code to ward code, once every ward is known in its set with the same borough."""
    for lsoa, (code, borough_code) in rows.items():
        ward = wards.get(code)
        where = f"{spec.file} LSOA {lsoa}"
        if ward is None:
            raise ReferenceDataError(f"{where}: ward {code} is not in the {spec.boundary_set} set")
        if ward.borough_code != borough_code:
            raise ReferenceDataError(
                f"{where}: ward {code} is in {ward.borough_code}, not {borough_code}"
            )
    return ward_codes(rows)
