"""London Datastore MPS monthly crime tables (wide: one column a month) → count cells.

One ``CountIntake`` per non-zero cell (every cell with ``include_zero``); a cell that is not a
whole number ≥ 0 is rejected on its own, naming its month column, and the row's other cells
still count. The taxonomy is detected once, from the letter case of the first row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from hashlib import sha256
from pathlib import Path

from services.ingest.domain.intake import Category, CountIntake, CountLevelName, Origin, Place
from services.ingest.domain.releases import ReleaseWindow
from services.ingest.importers.csvfile import CsvFile
from services.ingest.importers.errors import ImportFormatError, RowError
from services.ingest.importers.months import month_column
from services.ingest.importers.rejects import Item, Rejector
from shared.contracts import RejectReason

_NEGATIVE = re.compile(r"-\d+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def slug(label: str) -> str:
    """``Aviation Security (SO18)`` → ``aviation-security-so18``."""
    return _NOT_ALNUM.sub("-", label.casefold()).strip("-")


@dataclass(frozen=True, slots=True)
class Layout:
    """What distinguishes one wide table from another."""

    fmt: str
    dataset: str
    level: CountLevelName
    variants: tuple[tuple[str, ...], ...]
    """Accepted names of the columns before the months (any one variant)."""
    area: Callable[[list[str], tuple[str, ...]], tuple[str, Place]]
    """(event-id area part, place) of a row; raises ``RowError``."""


def parse_wide(path: Path, layout: Layout, source: str, include_zero: bool) -> Iterator[Item]:
    rejector = Rejector(source, layout.dataset)
    with CsvFile(path, rejector) as file:
        header = file.header()
        keys = _keys(path, layout, header)
        cells = _Cells(layout, rejector, keys, _months(path, layout, header, keys), include_zero)
        for fields in file.rows(len(header)):
            if isinstance(fields, list):
                yield from cells.row(fields, file)
            else:
                yield fields


class _Cells:
    """The cells of one row → count intakes; remembers the taxonomy and category hashes."""

    def __init__(
        self,
        layout: Layout,
        rejector: Rejector,
        keys: tuple[str, ...],
        months: list[tuple[str, date]],
        include_zero: bool,
    ) -> None:
        self._layout, self._rejector, self._keys = layout, rejector, keys
        self._months, self._include_zero = months, include_zero
        self._taxonomy: str | None = None
        self._categories: dict[tuple[str, str], tuple[Category, str]] = {}

    def row(self, fields: list[str], file: CsvFile) -> Iterator[Item]:
        try:
            area, place = self._layout.area(fields, self._keys)
            category, digest = self._category(fields[0], fields[1])
        except RowError as error:
            yield self._rejector.from_error(error, file.line, file.original())
            return
        base, line, source = f"{self._layout.dataset}:{area}:", file.line, self._rejector.source
        dataset, level, zero = self._layout.dataset, self._layout.level, self._include_zero
        for (column, month), value in zip(self._months, fields[len(self._keys) :], strict=True):
            if value == "0" and not zero:
                continue
            event_id = f"{base}{column}:{digest}"
            if not (value.isdigit() and value.isascii()):
                yield self._bad_cell(column, value, event_id, file)
                continue
            count = int(value)
            if count or zero:
                origin = Origin(event_id, 1, source, None, line)
                yield CountIntake(origin, dataset, level, place, month, category, count)

    def _category(self, major: str, minor: str) -> tuple[Category, str]:
        found = self._categories.get((major, minor))
        if found is None:
            found = self._categories[(major, minor)] = self._new_category(major, minor)
        return found

    def _new_category(self, major: str, minor: str) -> tuple[Category, str]:
        for field, text in (("MajorText", major), ("MinorText", minor)):
            if not text.strip():
                raise RowError(field, "is empty")
        if self._taxonomy is None:
            self._taxonomy = "mps_upper" if (major + minor).isupper() else "mps_mixed"
        digest = sha256(f"{self._taxonomy}|{major}|{minor}".encode()).hexdigest()[:16]
        return Category(self._taxonomy, major, minor), digest

    def _bad_cell(self, column: str, value: str, event_id: str, file: CsvFile) -> Item:
        if not value.strip():
            text = "is empty: expected a whole number of crimes"
        elif _NEGATIVE.fullmatch(value.strip()):
            text = "is negative: a count of crimes must be 0 or more"
        else:
            text = "is not a whole number: a count of crimes must be 0 or more"
        return self._rejector.reject(
            file.line, RejectReason.SCHEMA_VIOLATION, column, text, file.original(), event_id
        )


def release_of(path: Path, layout: Layout) -> tuple[ReleaseWindow, str]:
    """The release a file is: its dataset and month window (from the header alone), and the
    SHA-256 of its bytes. A file of the wrong format raises ``ImportFormatError``."""
    with CsvFile(path, Rejector("", layout.dataset)) as file:
        header = file.header()
        months = [m for _, m in _months(path, layout, header, _keys(path, layout, header))]
    digest = sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return ReleaseWindow(layout.dataset, min(months), max(months)), digest.hexdigest()


def _keys(path: Path, layout: Layout, header: list[str]) -> tuple[str, ...]:
    for variant in layout.variants:
        if tuple(header[: len(variant)]) == variant:
            return variant
    raise ImportFormatError.columns(path, layout.fmt, [*layout.variants[0], "YYYYMM…"], header)


def _months(
    path: Path, layout: Layout, header: list[str], keys: tuple[str, ...]
) -> list[tuple[str, date]]:
    names = header[len(keys) :]
    months = [(name, month_column(name)) for name in names]
    found = [(name, month) for name, month in months if month is not None]
    if not found or len(found) != len(names) or len(set(names)) != len(names):
        raise ImportFormatError(
            f"{path.name} is not a {layout.fmt} file: after {list(keys)} expected one column "
            f"per month named YYYYMM (each once), found {names}"
        )
    return found
