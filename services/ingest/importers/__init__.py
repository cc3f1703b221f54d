"""Bulk-file parsers: each published format → a stream of intake items (see docs/imports.md).

Every parser is a pure, streaming function ``parse(path, *, source=None) -> Iterator[Item]``:
one item per row, record or count cell, each with an ``Origin`` whose event id is stable
across re-imports of the same file. Rows that cannot be read are yielded as ``RowRejection``;
only a file of the wrong format raises (``ImportFormatError``, before any row is yielded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from services.ingest.domain.releases import ReleaseWindow
from services.ingest.importers import (
    mps_borough_csv,
    mps_ward_csv,
    pas_borough_csv,
    police_uk_csv,
    police_uk_json,
)
from services.ingest.importers.errors import ImportFormatError
from services.ingest.importers.rejects import Item


class Parser(Protocol):
    def __call__(self, path: Path, *, source: str | None = None) -> Iterator[Item]: ...


@dataclass(frozen=True, slots=True)
class Format:
    """A bulk format: its parser, a progress-bar row count, and the source it records."""

    name: str
    description: str
    source: str
    parse: Parser
    count_rows: Callable[[Path], int]
    release: Callable[[Path], tuple[ReleaseWindow, str]] | None = None
    """For a release of a published monthly file: its window and digest (see releases.py)."""


FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format(
            police_uk_csv.FORMAT,
            "data.police.uk street-level CSV: one crime or ASB incident per row",
            police_uk_csv.SOURCE, police_uk_csv.parse, police_uk_csv.count_rows,
        ),
        Format(
            police_uk_json.FORMAT,
            "police.uk API crimes-street JSON: a file, or a folder of files in name order",
            police_uk_json.SOURCE, police_uk_json.parse, police_uk_json.count_rows,
        ),
        Format(
            mps_ward_csv.FORMAT,
            "London Datastore MPS ward-level monthly crime: one count per non-zero cell",
            mps_ward_csv.SOURCE, mps_ward_csv.parse, mps_ward_csv.count_rows,
            mps_ward_csv.release,
        ),
        Format(
            mps_borough_csv.FORMAT,
            "London Datastore MPS borough-level monthly crime: one count per non-zero cell",
            mps_borough_csv.SOURCE, mps_borough_csv.parse, mps_borough_csv.count_rows,
            mps_borough_csv.release,
        ),
        Format(
            pas_borough_csv.FORMAT,
            "MOPAC PAS borough dashboard export: borough and MPS survey aggregates",
            pas_borough_csv.SOURCE, pas_borough_csv.parse, pas_borough_csv.count_rows,
        ),
    )
}  # fmt: skip
"""Format name → format, e.g. ``FORMATS["mps-ward-csv"].parse(path)``."""

__all__ = ["FORMATS", "Format", "ImportFormatError", "Item", "Parser"]
