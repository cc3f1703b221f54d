"""The format registry: names, sources, and each parser on a real file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.ingest.domain.intake import RowRejection
from services.ingest.importers import FORMATS
from shared.contracts.codes import SOURCE_PATTERN

REAL = {
    "police-uk-csv": "police_uk/street_csv/2023-01-metropolitan-street_BURGLARY_ONLY.csv",
    "police-uk-json": "police_uk/api_crimes_street_by_ward/2017-05",
    "mps-ward-csv": "mps_recorded_crime/ward_most_recent_24m_202009-202208_pre2022_wards.csv",
    "mps-borough-csv": "mps_recorded_crime/borough_most_recent_24m_202401-202512.csv",
    "pas-borough-csv": "pas/PAS_TandC_dashboard_borough_2014-12_to_2023-12.csv",
}


def test_the_registry_holds_the_five_formats() -> None:
    assert set(FORMATS) == set(REAL)
    for name, fmt in FORMATS.items():
        assert fmt.name == name
        assert fmt.source == f"import:{name}"
        assert re.fullmatch(SOURCE_PATTERN, fmt.source)
        assert fmt.description


@pytest.mark.parametrize("name", sorted(REAL))
def test_each_format_parses_its_real_file_lazily(data_dir: Path, name: str) -> None:
    fmt, path = FORMATS[name], data_dir / REAL[name]
    items = fmt.parse(path)
    first = next(iter(items))
    assert first.origin.source == fmt.source
    rest = list(items)
    lines = {item.origin.line for item in [first, *rest]}
    assert max(line for line in lines if line is not None) == fmt.count_rows(path)
    if name != "police-uk-json":
        assert not any(isinstance(item, RowRejection) for item in rest)
