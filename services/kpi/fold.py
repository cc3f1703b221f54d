"""Folding consumed batches: decode, de-duplicate, store with the offsets, then apply.

One database transaction per batch holds the new day counts, the category counts, the
contacts of the persons the records name (for the repeat diagnostics), the survey response
sums and published survey figures, the ids of the events applied and the next offset of
every partition in the batch: a crash before the commit leaves nothing, a crash after it
leaves everything, and on restart consumption resumes from the stored offsets. An event id
applied before (a re-delivery, or the outbox re-sending after a crash) is skipped, so every
event counts exactly once. The in-memory state is changed only after the commit: the counts
under :attr:`Folder.lock`, then the diagnostics under their own lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter

from services.kpi.codec import BadEventError, decode
from services.kpi.domain.diagnostics import Diagnostics
from services.kpi.domain.state import Change, DayKey, KpiState, Unit
from services.kpi.domain.survey import Published, Response, SurveyBook, sum_nets
from services.kpi.store.base import CategoryKey, ContactKey, ContactNet, KpiStore, MonthKey, nonzero
from shared.consumer import Decoded, Position, decode_all, next_offsets
from shared.consumer import Record as Record  # re-exported: the fold's input

log = logging.getLogger(__name__)

LOAD_CHUNK = 50_000
"""Stored day counts folded into the state at once when it is loaded."""


@dataclass(frozen=True, slots=True)
class FoldResult:
    applied: int
    duplicates: int
    ignored: int
    bad: tuple[tuple[Record, str], ...]
    """Records that could not be folded, with the reason (the caller dead-letters them)."""
    touched: frozenset[Unit] = frozenset()
    """Stored units whose counts changed (their figures and roll-ups need publishing)."""
    touched_groups: frozenset[tuple[Unit, str]] = frozenset()
    """The same, with the KPI group whose counts changed."""
    surveyed: frozenset[str] = frozenset()
    """Boroughs (or MPS) whose survey figures changed."""

    @property
    def size(self) -> int:
        """Records in the batch."""
        return self.applied + self.duplicates + self.ignored + len(self.bad)


class Folder:
    def __init__(self, store: KpiStore, state: KpiState, diagnostics: Diagnostics | None = None,
                 survey: SurveyBook | None = None) -> None:  # fmt: skip
        self._store = store
        self.state = state
        self.diagnostics = diagnostics or Diagnostics()
        self.survey = survey or SurveyBook()
        self.lock = threading.Lock()
        """Held to change or read the counts and survey state (short: a batch's counts are
        added in one vectorised pass)."""
        self.generation = 0
        """Bumped whenever the state changes (readers cache derived figures by it)."""
        self.people_lock = threading.Lock()
        """Held to change or read the diagnostics (the persons records name): a batch's
        contacts take tens of milliseconds to apply, and KPI readers do not wait for them."""
        self.people_generation = 0
        """Bumped whenever the diagnostics change."""
        self.applied_total = 0
        """Events applied, as stored (kept current without a count query)."""
        self.positions: dict[Position, int] = {}
        """The next offset to read per topic partition, as stored."""

    def load(self) -> int:
        """Rebuild the in-memory state from the stored counts; returns the rows read."""
        rows = 0
        with self.lock, self.people_lock:
            chunk: dict[DayKey, int] = {}
            for key, count in self._store.load():  # one row per key
                chunk[key] = count
                if len(chunk) >= LOAD_CHUNK:
                    self.state.apply(chunk)
                    rows, chunk = rows + len(chunk), {}
            self.state.apply(chunk)
            rows += len(chunk)
            for (kind, person, record, unit), (
                day,
                count,
                vulnerable,
            ) in self._store.load_contacts():
                self.diagnostics.restore(kind, person, record, unit, day, count, vulnerable)
            self.state.resolution.add(self._store.load_monthly())
            self.state.simulated.add(self._store.load_simulated())
            sums, published = self._store.load_survey()
            self.survey.apply_sums(sums)
            self.survey.apply_published(published)
            self.generation += 1
            self.people_generation += 1
            self.applied_total = self._store.applied()
            self.positions = self._store.offsets()
        return rows

    def fold(self, records: Sequence[Record], *, track_offsets: bool = True,
             epoch: str | None = None) -> FoldResult:  # fmt: skip
        """Fold ``records`` (read from the broker log of ``epoch``); ``track_offsets=False``
        for a replay from the event store, whose positions are not Kafka offsets."""
        decoded: Decoded[Item] = decode_all(records, decode, BadEventError)
        items, bad, ignored = decoded
        offsets = next_offsets(records) if track_offsets else {}
        with self._store.unit() as unit:
            fresh = unit.claim(items)
            changes = [c for c in fresh if isinstance(c, Change)]
            responses = [c for c in fresh if isinstance(c, Response)]
            published = [c for c in fresh if isinstance(c, Published)]
            net = self.state.net(changes)  # gives units first seen an id: only this thread does
            contacts = _contacts(changes)
            sums = sum_nets(responses)
            monthly = self.state.resolution.new(_monthly(changes))
            simulated = self.state.simulated.new(_simulated(changes))
            unit.add(net, _categories(changes), offsets, epoch)
            if monthly:
                unit.add_monthly(monthly)
            if simulated:
                unit.add_simulated(simulated)
            unit.add_contacts(contacts)
            if sums or published:
                unit.add_survey(sums, published)
        with self.lock:
            self.state.apply(net)
            self.state.resolution.add(monthly)
            self.state.simulated.add(simulated)
            self.survey.apply_sums(sums)
            self.survey.apply_published(published)
            self.generation += 1
            self.applied_total += len(fresh)
            self.positions.update(offsets)
        if contacts:
            with self.people_lock:
                self.diagnostics.apply_nets(contacts)
                self.people_generation += 1
        touched_groups = net.pairs()
        touched = frozenset(map(_unit_of, touched_groups))
        surveyed = frozenset([*(r.borough for r in responses), *(p.key[2] for p in published)])
        return FoldResult(len(fresh), len(items) - len(fresh), ignored, tuple(bad), touched,
                          touched_groups, surveyed)  # fmt: skip


Item = Change | Response | Published
_unit_of = itemgetter(0)


def _categories(changes: Sequence[Change]) -> dict[CategoryKey, int]:
    return nonzero(((c.unit, c.group, c.category, c.day), c.delta) for c in changes)


def _monthly(changes: Sequence[Change]) -> set[MonthKey]:
    """The (unit, group, month) of the batch's counts known only to their month."""
    return {(c.unit, c.group, c.month) for c in changes if c.monthly}


def _simulated(changes: Sequence[Change]) -> set[MonthKey]:
    """The (unit, group, month) of the batch's counts of simulated records."""
    return {(c.unit, c.group, c.month) for c in changes if c.simulated}


def _contacts(changes: Sequence[Change]) -> dict[ContactKey, ContactNet]:
    """The net contact change per person, record and unit of a batch."""
    out: dict[ContactKey, list[int]] = {}
    for c in changes:
        if c.person is None:
            continue
        kind, person, vulnerable = c.person
        held = out.setdefault((kind, person, c.record, c.unit), [c.day, 0, 0])
        held[1] += c.delta
        held[2] += c.delta if vulnerable else 0
    return {k: (day, n, v) for k, (day, n, v) in out.items() if n or v}
