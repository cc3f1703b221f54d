"""MPS ward-level monthly crime (London Datastore, ``MPS Ward Level Crime``) → ward counts.

Event id ``mps-ward:<WardCode>:<slug of LookUp_BoroughName>:<YYYYMM>:<hash>``, hash = first
16 hex of sha256(``taxonomy|MajorText|MinorText``): the same cell of any release has the same
id, and a ward published under two borough labels (Heathrow Villages under ``Hillingdon`` and
``Aviation Security (SO18)``) is two cells, both counted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from services.ingest.domain.intake import Place
from services.ingest.domain.releases import ReleaseWindow
from services.ingest.importers.csvfile import count_data_lines
from services.ingest.importers.errors import RowError
from services.ingest.importers.mps_wide import Layout, parse_wide, release_of, slug
from services.ingest.importers.rejects import Item, source_name

FORMAT: Final = "mps-ward-csv"
SOURCE: Final = "import:mps-ward-csv"
COLUMNS: Final = ("MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName")

_WARD = re.compile(r"E05\d{6}")


def _area(fields: list[str], keys: tuple[str, ...]) -> tuple[str, Place]:
    code, label = fields[3], fields[4]
    if not _WARD.fullmatch(code):
        raise RowError("WardCode", "must be a ward code like E05013570")
    area = slug(label)
    if not area:
        raise RowError("LookUp_BoroughName", "must name a borough")
    return f"{code}:{area}", Place(ward_code=code, borough_label=label)


LAYOUT: Final = Layout(FORMAT, "mps-ward", "ward", (COLUMNS,), _area)


def parse(path: Path, *, source: str | None = None, include_zero: bool = False) -> Iterator[Item]:
    """One ``CountIntake`` per non-zero cell (all cells with ``include_zero``)."""
    return parse_wide(path, LAYOUT, source_name(source, SOURCE), include_zero)


def count_rows(path: Path) -> int:
    return count_data_lines(path)


def release(path: Path) -> tuple[ReleaseWindow, str]:
    """The file's release: dataset ``mps-ward``, its month window, and its digest."""
    return release_of(path, LAYOUT)
