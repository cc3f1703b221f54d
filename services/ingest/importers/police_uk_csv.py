"""data.police.uk street-level CSV (``YYYY-MM-<force>-street.csv``) → crimes and ASB incidents.

Every row counts once: a Crime ID shared by several rows (several offences of one crime) gives
``<id>``, ``<id>:2``, ``<id>:3`` … in file order. ASB rows have no id; theirs is a hash of the
row and its occurrence number, so identical rows stay distinct and re-imports keep their ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from hashlib import sha256
from pathlib import Path
from typing import Final

from services.ingest.domain.intake import Category, CrimeIntake, IncidentIntake, Origin, Place
from services.ingest.importers.coordinates import point
from services.ingest.importers.csvfile import CsvFile, check_columns, count_data_lines
from services.ingest.importers.errors import RowError
from services.ingest.importers.months import MonthStarts
from services.ingest.importers.rejects import Item, Rejector, source_name
from shared.contracts import RejectReason

FORMAT: Final = "police-uk-csv"
SOURCE: Final = "import:police-uk-csv"
TAXONOMY: Final = "police_uk"
ASB: Final = "Anti-social behaviour"
COLUMNS: Final = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)  # fmt: skip

_CRIME_ID = re.compile(r"[A-Za-z0-9._/-]{1,100}")
MPS: Final = "Metropolitan Police Service"
"""Only the Met's records count; other forces' files (e.g. City of London Police, whose
records can lie in Met boroughs) are rejected row by row as out of area."""


def parse(path: Path, *, source: str | None = None) -> Iterator[Item]:
    """One ``CrimeIntake`` or ``IncidentIntake`` (ASB) per row, or a ``RowRejection``."""
    rows = _Rows(source_name(source, SOURCE))
    rejector = Rejector(rows.source, "police-uk")
    with CsvFile(path, rejector) as file:
        check_columns(path, FORMAT, COLUMNS, file.header())
        for fields in file.rows(len(COLUMNS)):
            if not isinstance(fields, list):
                yield fields
                continue
            try:
                yield rows.item(fields, file.line)
            except RowError as error:
                yield rejector.from_error(error, file.line, file.original())


def count_rows(path: Path) -> int:
    return count_data_lines(path)


class _Rows:
    """Turns rows into intakes, remembering ids seen earlier in the file."""

    __slots__ = ("_asb", "_categories", "_crimes", "_months", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._months = MonthStarts("Month")
        self._crimes: dict[str, int] = {}
        self._asb: dict[str, int] = {}
        self._categories: dict[str, Category] = {}

    def item(self, fields: list[str], line: int) -> CrimeIntake | IncidentIntake:
        crime_id, month, _, falls, lon, lat, location, lsoa, _, kind, _, context = fields
        if falls != MPS:
            raise RowError(
                "Falls within", f"is {falls!r}: only {MPS} records count",
                RejectReason.OUT_OF_AREA,
            )  # fmt: skip
        at = self._months(month)
        latitude, longitude = point(lat, lon)
        place = Place(None, lsoa or None, latitude, longitude)
        category = self._category(kind)
        if kind == ASB:
            key = "\x1f".join((month, falls, lon, lat, location, lsoa, kind, context))
            incident_id = f"police-uk-asb-{self._asb_hash(key)}"
            origin = Origin(f"police-uk:{incident_id}", 1, self.source, None, line)
            return IncidentIntake(origin, incident_id, at, "month", place, category)
        crime = self._crime_id(crime_id)
        origin = Origin(f"police-uk:{crime}", 1, self.source, None, line)
        return CrimeIntake(origin, crime, at, "month", place, category)

    def _category(self, kind: str) -> Category:
        category = self._categories.get(kind)
        if category is None:
            if not kind.strip():
                raise RowError("Crime type", "is empty")
            category = self._categories[kind] = Category(TAXONOMY, kind)
        return category

    def _crime_id(self, crime_id: str) -> str:
        if not crime_id:
            raise RowError("Crime ID", f"is empty: only {ASB} rows have no Crime ID")
        if not _CRIME_ID.fullmatch(crime_id):
            raise RowError("Crime ID", "must be 1-100 characters from A-Z a-z 0-9 . _ / -")
        seen = self._crimes.get(crime_id, 0) + 1
        self._crimes[crime_id] = seen
        return crime_id if seen == 1 else f"{crime_id}:{seen}"

    def _asb_hash(self, key: str) -> str:
        earlier = self._asb.get(key, 0)
        self._asb[key] = earlier + 1
        return sha256(f"{key}\x1f{earlier}".encode()).hexdigest()[:32]
