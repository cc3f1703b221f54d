"""The data files the reference is built from, their columns and their expected sizes.

A refreshed file with different counts is rejected at start-up rather than used silently.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class WardFile:
    """Where one boundary set's wards are listed, and how many there must be."""

    boundary_set: str
    file: str
    code: str
    name: str
    borough_code: str
    borough_name: str
    total: int
    mps: int


WARDS_2014 = WardFile(
    boundary_set="2014",
    file="london_wards_2014_attributes.csv",
    code="GSS_CODE",
    name="NAME",
    borough_code="LB_GSS_CD",
    borough_name="BOROUGH",
    total=654,
    mps=629,
)
WARDS_2018 = WardFile(
    boundary_set="2018",
    file="london_wards_2018_attributes.csv",
    code="GSS_CODE",
    name="NAME",
    borough_code="LAGSSCODE",
    borough_name="DISTRICT",
    total=657,
    mps=632,
)
WARDS_2022 = WardFile(
    boundary_set="2022",
    file="ward_to_lad_dec2023_london.csv",
    code="WD23CD",
    name=" WardName",  # the published header has a leading space
    borough_code="LAD23CD",
    borough_name="LAD23NM",
    total=704,
    mps=679,
)
WARD_FILES: tuple[WardFile, ...] = (WARDS_2014, WARDS_2018, WARDS_2022)

BOROUGHS_FILE = WARDS_2022
EXPECTED_BOROUGHS = 33
EXPECTED_MPS_BOROUGHS = 32


@dataclass(frozen=True, slots=True)
class LsoaFile:
    """An LSOA-to-ward lookup, and the boundary set its ward codes belong to."""

    boundary_set: str
    file: str
    lsoa: str
    ward: str
    borough_code: str
    rows: int


LSOA11_TO_WARD = LsoaFile(
    boundary_set="2018",
    file="lsoa11_to_ward21_to_lad21_london.csv",
    lsoa="LSOA11CD",
    ward="WD21CD",
    borough_code="LAD21CD",
    rows=4_835,
)
LSOA21_TO_WARD = LsoaFile(
    boundary_set="2022",
    file="lsoa21_to_ward25_to_lad25_bestfit_london.csv",
    lsoa="LSOA21CD",
    ward="WD25CD",
    borough_code="LAD25CD",
    rows=4_994,
)

CENSUS_FILE = "census2021_ts007a_age_by_lsoa21_london.csv"
CENSUS_LSOA = "geography code"
CENSUS_TOTAL = "Age: Total"
CENSUS_ROWS = 4_994

GLA_FILE = "gla_housing_density_ward_2011-2050.csv"
GLA_CODE = "Code"
GLA_YEAR = "Year"
GLA_POPULATION = "Population"
GLA_POPULATION_YEAR = "2018"
GLA_WARDS = 624

POLYGONS_FILE = "london_wards_2018_wgs84.geojson"
POLYGONS_SET = "2018"
POLYGON_CODE = "GSS_CODE"
POLYGON_FEATURES = 657

DATA_FILES: tuple[str, ...] = (
    *(spec.file for spec in WARD_FILES),
    LSOA11_TO_WARD.file,
    LSOA21_TO_WARD.file,
    CENSUS_FILE,
    GLA_FILE,
    POLYGONS_FILE,
)
"""Every file read at start-up, in the order they enter the version fingerprint."""
