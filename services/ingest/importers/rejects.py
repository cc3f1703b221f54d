"""What a parser yields, and how a row that cannot be read becomes a ``RowRejection``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from services.ingest.domain.intake import (
    CountIntake,
    CrimeIntake,
    IncidentIntake,
    Origin,
    RowRejection,
    SurveyIntake,
    problem,
)
from services.ingest.importers.errors import RowError
from shared.contracts import RejectReason
from shared.contracts.codes import SOURCE_PATTERN

Item = CrimeIntake | IncidentIntake | CountIntake | SurveyIntake | RowRejection
"""One thing a parser yields for a row or record."""

MAX_ORIGINAL: Final = 2_000
"""Longest ``original`` row text kept on a rejection (characters)."""

_SOURCE = re.compile(SOURCE_PATTERN)


def source_name(source: str | None, default: str) -> str:
    """The source system recorded on every item; an invalid name is a programming error."""
    name = default if source is None else source
    if not _SOURCE.fullmatch(name):
        raise ValueError(f"source {name!r} is not a system name like import:police-uk-csv")
    return name


@dataclass(frozen=True, slots=True)
class Rejector:
    """Builds the rejections of one file: its source and the event-id prefix of its rows."""

    source: str
    prefix: str

    def reject(
        self,
        line: int | None,
        reason: RejectReason,
        field: str,
        text: str,
        original: str,
        event_id: str | None = None,
    ) -> RowRejection:
        """A rejection naming one field; ``event_id`` defaults to a reference to the line."""
        ref = event_id or f"{self.prefix}:rejected:{line if line is not None else 'file'}"
        origin = Origin(ref, 1, self.source, None, line)
        return RowRejection(origin, reason, (problem(field, text),), original[:MAX_ORIGINAL])

    def from_error(
        self, error: RowError, line: int | None, original: str, event_id: str | None = None
    ) -> RowRejection:
        return self.reject(line, error.reason, error.field, error.problem, original, event_id)
