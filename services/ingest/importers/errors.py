"""The two ways a bulk file can be wrong: the whole file (raised) or one row (yielded)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from shared.contracts import RejectReason


class ImportFormatError(ValueError):
    """The file is not in the format asked for (wrong header, wrong kind of file).

    An operator error, raised before any row is read: no row of such a file is imported.
    """

    @classmethod
    def columns(
        cls, path: Path, fmt: str, expected: Sequence[str], found: Sequence[str]
    ) -> ImportFormatError:
        return cls(
            f"{path.name} is not a {fmt} file: expected columns {list(expected)}, "
            f"found {list(found)}"
        )


class RowError(Exception):
    """One field of one row cannot be read; the row becomes a ``RowRejection``."""

    def __init__(
        self, field: str, problem: str, reason: RejectReason = RejectReason.SCHEMA_VIOLATION
    ) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem
        self.reason = reason
