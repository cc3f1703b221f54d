"""The store Protocol the pipeline works against: one unit of work per batch."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from services.ingest.domain.canonical import OutEvent
from services.ingest.domain.intake import AmendmentIntake, CountIntake
from services.ingest.domain.records import RecordState
from services.ingest.domain.releases import AreaMonth, ReleaseRecord

Key = tuple[str, int]
"""(event id, version) of a received input."""


@dataclass(frozen=True, slots=True)
class CellValue:
    value: int
    revision: int


@dataclass(frozen=True, slots=True)
class StoredCell:
    """A published cell as stored: what it is (``intake``, count = its value) and its value."""

    intake: CountIntake
    value: CellValue


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """A row of the event store: what was published (or is waiting to be), in order."""

    seq: int
    event_id: str
    topic: str
    key: str
    envelope: str
    published: bool
    created_at: datetime | None = None


class IngestUnit(Protocol):
    """Reads and writes of one transaction; nothing is visible to others before commit."""

    def prefetch(self, items: Sequence[object]) -> None:
        """Load in bulk what the items will look up (keys, records, cells, parked)."""
        ...

    def seen(self, keys: Iterable[Key]) -> set[Key]: ...
    def remember(self, key: Key, outcome: str) -> None: ...
    def digest(self, key: Key) -> str | None:
        """The content digest kept with a received key (None: none was kept)."""
        ...

    def remember_digest(self, key: Key, digest: str) -> None: ...
    def records(self, kind: str, ids: Iterable[str]) -> dict[str, RecordState]: ...
    def save_record(self, state: RecordState) -> None: ...
    def cells(self, ids: Iterable[str]) -> dict[str, CellValue]: ...
    def cell(self, cell_id: str) -> CellValue | None: ...
    def save_cell(self, item: CountIntake, value: CellValue) -> None:
        """Keep ``item``'s applied value (and what its row is, for a later retraction)."""
        ...

    def stored_cells(self, ids: Sequence[str]) -> dict[str, StoredCell]:
        """The stored cells among ``ids``, with what each one is."""
        ...

    def hold_cell(self, release_id: str, item: CountIntake) -> None:
        """Keep a cell of a held release, as published, without applying it."""
        ...

    def park(self, amendment: AmendmentIntake) -> None: ...
    def take_parked(self, crime_id: str) -> list[AmendmentIntake]: ...
    def append(self, events: Sequence[OutEvent], recorded_at: datetime) -> None: ...


class IngestStore(Protocol):
    def unit(self) -> AbstractContextManager[IngestUnit]:
        """A transaction: committed when the block ends normally, rolled back otherwise."""
        ...

    def unpublished(self, limit: int) -> list[StoredEvent]: ...
    def mark_published(self, seqs: Sequence[int], at: datetime) -> None: ...
    def backlog(self) -> int: ...
    def oldest_unpublished(self) -> datetime | None:
        """When the oldest event not yet published was stored; None: every one is."""
        ...

    def events(self, after_seq: int, limit: int) -> list[StoredEvent]:
        """The event store in order, for replays and batch recomputation."""
        ...

    def releases(self, dataset: str | None = None) -> list[ReleaseRecord]:
        """Every release (of ``dataset``), oldest window first."""
        ...

    def release(self, release_id: str) -> ReleaseRecord | None: ...
    def save_release(self, record: ReleaseRecord) -> None: ...
    def live_cells(self, dataset: str, months: Sequence[date]) -> set[str]:
        """Ids of the dataset's cells in ``months`` whose applied value is not zero (one query:
        what a release must retract if it no longer has them)."""
        ...

    def area_totals(self, dataset: str, months: Sequence[date]) -> dict[AreaMonth, int]:
        """The applied figures of the dataset per area and month, in ``months``."""
        ...

    def held_cells(self, release_id: str, after: str, limit: int) -> list[CountIntake]:
        """A held release's cells in cell-id order, from the first id after ``after``."""
        ...

    def drop_held(self, release_id: str) -> int:
        """Forget a release's held cells; how many there were."""
        ...
