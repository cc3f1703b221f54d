"""A UTF-8 CSV file read row by row, keeping each row's raw text for its rejection.

Bytes are decoded line by line, so one line that is not UTF-8 rejects only its row
(``bad_encoding``); a UTF-8 byte-order mark is dropped. Memory is constant: one row at a time.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from services.ingest.domain.intake import RowRejection
from services.ingest.importers.errors import ImportFormatError
from services.ingest.importers.rejects import Rejector
from shared.contracts import RejectReason

ROW: str = "(row)"
"""The ``field`` of a problem with a row as a whole."""


class CsvFile:
    """Open with ``with``; read ``header()``, then iterate ``rows()``."""

    def __init__(self, path: Path, rejector: Rejector) -> None:
        self.path = path
        self.line = 0
        """Data line of the current row: 1 for the line after the header."""
        self._rejector = rejector
        self._buffer: list[str] = []
        self._bad: str | None = None
        self._physical = 0
        self._start = 0
        self._handle: BinaryIO | None = None
        self._reader: Iterator[list[str]] = iter(())

    def __enter__(self) -> CsvFile:
        self._handle = self.path.open("rb")
        self._reader = csv.reader(self._lines(self._handle))
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._handle is not None:
            self._handle.close()

    def header(self) -> list[str]:
        """The column names; an empty or undecodable header is an ``ImportFormatError``."""
        try:
            names = next(self._reader, None)
        except csv.Error as exc:
            raise ImportFormatError(f"{self.path.name}: unreadable header: {exc}") from None
        if names is None:
            raise ImportFormatError(f"{self.path.name} is empty: expected a header line")
        if self._bad is not None:
            raise ImportFormatError(f"{self.path.name}: header line {self._bad}")
        self._buffer.clear()
        return [name.strip() for name in names]

    def rows(self, width: int) -> Iterator[list[str] | RowRejection]:
        """Each data row with exactly ``width`` fields; any other row as a rejection."""
        reader = self._reader
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield self._reject(f"cannot be read as CSV: {exc}")
            else:
                self.line = self._start - 1
                if self._bad is not None:
                    yield self._reject(self._bad, RejectReason.BAD_ENCODING)
                elif len(fields) == width:
                    yield fields
                elif fields:
                    yield self._reject(f"has {len(fields)} fields, expected {width}")
            self._buffer.clear()
            self._bad = None

    def original(self) -> str:
        """The current row as it is in the file (undecodable bytes shown as U+FFFD)."""
        return "".join(self._buffer).rstrip("\r\n")

    def _reject(
        self, text: str, reason: RejectReason = RejectReason.SCHEMA_VIOLATION
    ) -> RowRejection:
        self.line = self._start - 1
        return self._rejector.reject(self.line, reason, ROW, text, self.original())

    def _lines(self, handle: BinaryIO) -> Iterator[str]:
        for raw in handle:
            self._physical += 1
            if not self._buffer:
                self._start = self._physical
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                text = raw.decode("utf-8", "replace")
                self._bad = (
                    f"is not valid UTF-8 (byte {exc.start + 1} of file line {self._physical})"
                )
            if self._physical == 1:
                text = text.removeprefix("\ufeff")
            self._buffer.append(text)
            yield text


def count_data_lines(path: Path) -> int:
    """Lines after the header, counted without parsing (a progress-bar total)."""
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(lines - 1, 0)


def check_columns(path: Path, fmt: str, expected: tuple[str, ...], found: list[str]) -> None:
    """Raise ``ImportFormatError`` unless the header is exactly ``expected``."""
    if tuple(found) != expected:
        raise ImportFormatError.columns(path, fmt, expected, found)
