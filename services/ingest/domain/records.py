"""Where a crime or incident counts, and how a new version or an amendment moves it.

A record counts in exactly one place (area × KPI group × day) while active. Any change of
that place is published as a -1 for the old place and a +1 for the new one; a cancellation
as a -1; a re-sent identical version as nothing. Versions only move forward.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from services.ingest.domain.intake import Category, Precision
from services.ingest.domain.resolve import Resolved

Status = Literal["active", "cancelled"]
Change = Literal["recorded", "reclassified", "relocated", "cancelled"]


@dataclass(frozen=True, slots=True)
class Classified:
    category: Category
    group: str
    kpi: int | None
    version: str


@dataclass(frozen=True, slots=True)
class RecordState:
    """The current version of a crime or incident as ingest last accepted it."""

    kind: Literal["crime", "incident"]
    record_id: str
    version: int
    status: Status
    at: datetime
    precision: Precision
    where: Resolved
    what: Classified
    person: str | None = None
    """Pseudonym of the victim (crime) or caller (incident)."""
    detail: tuple[tuple[str, str | bool | None], ...] = ()
    """Kind-specific fields carried onto count events (ethnicity, CAD codes...)."""

    def place(self) -> tuple[object, ...]:
        """What decides where the record counts."""
        w = self.where
        return (w.level, w.ward_code, w.borough_code, self.what.group, self.what.category,
                self.at, self.precision)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Move:
    """One count change: ``delta`` for ``state``'s place, caused by ``change``."""

    state: RecordState
    delta: Literal[1, -1]
    change: Change


def apply_version(prev: RecordState | None, new: RecordState) -> list[Move]:
    """Moves for a new version of a record (its first, or a later one replacing ``prev``)."""
    if prev is None:
        return [Move(new, 1, "recorded")] if new.status == "active" else []
    if prev.status == "cancelled":
        return [Move(new, 1, "recorded")] if new.status == "active" else []
    if prev.place() == new.place() and new.status == "active":
        return []
    change = _change_between(prev, new)
    moves = [Move(prev, -1, change)]
    return moves + ([Move(new, 1, change)] if new.status == "active" else [])


def _change_between(prev: RecordState, new: RecordState) -> Change:
    if new.status == "cancelled":
        return "cancelled"
    if (prev.what.group, prev.what.category) != (new.what.group, new.what.category):
        return "reclassified"
    return "relocated"


def cancel(prev: RecordState) -> RecordState:
    return replace(prev, version=prev.version + 1, status="cancelled")


def reclassify(prev: RecordState, what: Classified) -> RecordState:
    return replace(prev, version=prev.version + 1, what=what)


def relocate(prev: RecordState, where: Resolved) -> RecordState:
    return replace(prev, version=prev.version + 1, where=where)
