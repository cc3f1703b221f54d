"""CSV and JSON bytes parsed, with enough context for precise error messages."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shared.reference.errors import ReferenceDataError


@dataclass(frozen=True, slots=True)
class Table:
    """The data rows of one CSV file, keyed by its (verbatim) header."""

    file: str
    rows: tuple[dict[str, str], ...]

    def where(self, index: int) -> str:
        """Human-readable position of data row ``index`` (the header is line 1)."""
        return f"{self.file} line {index + 2}"


def parse_csv(file: str, data: bytes, columns: Iterable[str]) -> Table:
    """Parse UTF-8 CSV bytes, requiring ``columns`` and a full row under every header."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReferenceDataError(f"{file} is not UTF-8: {exc}") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise ReferenceDataError(f"{file} is empty")
    missing = [column for column in columns if column not in header]
    if missing:
        raise ReferenceDataError(f"{file} lacks column(s) {missing!r}; header is {header!r}")
    return Table(file, tuple(_rows(file, header, reader)))


def _rows(file: str, header: list[str], reader: Iterable[list[str]]) -> Iterable[dict[str, str]]:
    for line, fields in enumerate(reader, start=2):
        if len(fields) != len(header):
            raise ReferenceDataError(
                f"{file} line {line} has {len(fields)} fields; the header has {len(header)}"
            )
        yield dict(zip(header, fields, strict=True))


def parse_json(file: str, data: bytes) -> Any:
    """A JSON document, or a ReferenceDataError naming the file."""
    try:
        return json.loads(data)
    except ValueError as exc:
        raise ReferenceDataError(f"{file} is not valid JSON: {exc}") from exc
