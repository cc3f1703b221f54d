"""MPS borough-level monthly crime (London Datastore, ``MPS Borough Level Crime``) → totals.

The borough column is ``BoroughName`` in the most-recent-24-months file and
``LookUp_BoroughName`` in the historical one. Labels are kept as published (including
``London Heathrow and London City Airports`` and ``Unknown``); the pipeline resolves them.
Event id ``mps-borough:<slug of the label>:<YYYYMM>:<hash>`` (hash as for ward cells).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Final

from services.ingest.domain.intake import Place
from services.ingest.domain.releases import ReleaseWindow
from services.ingest.importers.csvfile import count_data_lines
from services.ingest.importers.errors import RowError
from services.ingest.importers.mps_wide import Layout, parse_wide, release_of, slug
from services.ingest.importers.rejects import Item, source_name

FORMAT: Final = "mps-borough-csv"
SOURCE: Final = "import:mps-borough-csv"
VARIANTS: Final = (
    ("MajorText", "MinorText", "BoroughName"),
    ("MajorText", "MinorText", "LookUp_BoroughName"),
)


def _area(fields: list[str], keys: tuple[str, ...]) -> tuple[str, Place]:
    label = fields[2]
    area = slug(label)
    if not area:
        raise RowError(keys[2], "must name a borough")
    return area, Place(borough_label=label)


LAYOUT: Final = Layout(FORMAT, "mps-borough", "borough_total", VARIANTS, _area)


def parse(path: Path, *, source: str | None = None, include_zero: bool = False) -> Iterator[Item]:
    """One ``CountIntake`` per non-zero cell (all cells with ``include_zero``)."""
    return parse_wide(path, LAYOUT, source_name(source, SOURCE), include_zero)


def count_rows(path: Path) -> int:
    return count_data_lines(path)


def release(path: Path) -> tuple[ReleaseWindow, str]:
    """The file's release: dataset ``mps-borough``, its month window, and its digest."""
    return release_of(path, LAYOUT)
