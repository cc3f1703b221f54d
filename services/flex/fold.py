"""Folding consumed batches of duty changes and KPI updates exactly once.

One transaction per batch stores the duty versions newer than those held, the wards' KPI
breach statuses, the ids of the events applied and the next offset of every partition; the
in-memory ledger changes only after the commit. A re-delivered event (same id) is skipped; an
older version of a duty than the one held changes nothing; so replays and restarts end with
the hours a batch recomputation finds.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from services.flex.codec import BadEventError, DutyVersion, KpiStatus, decode
from services.flex.domain.ledger import Duty, Ledger
from services.flex.store.base import FlexStore, StoredDuty
from shared.consumer import Decoded, Position, Record, decode_all, next_offsets

WardDay = tuple[str, date]


@dataclass(frozen=True, slots=True)
class FoldResult:
    applied: int
    duplicates: int
    ignored: int
    bad: tuple[tuple[Record, str], ...]
    touched: frozenset[WardDay] = frozenset()
    """Ward-days whose hours or staffing changed (home and worked wards)."""
    breach_changed: frozenset[str] = frozenset()
    """Wards whose crime KPI breach status changed."""

    @property
    def size(self) -> int:
        return self.applied + self.duplicates + self.ignored + len(self.bad)


class Folder:
    def __init__(self, store: FlexStore, ledger: Ledger) -> None:
        self._store = store
        self.ledger = ledger
        self.lock = threading.Lock()
        self.statuses: dict[tuple[str, int], bool] = {}
        self.applied_total = 0
        self.positions: dict[Position, int] = {}

    def load(self) -> int:
        """Rebuild the ledger from the stored duties; returns how many were read."""
        rows = 0
        with self.lock:
            for duty_id, version, duty in self._store.load():
                self.ledger.apply(duty_id, version, duty)
                rows += 1
            self.statuses = self._store.statuses()
            self.applied_total = self._store.applied()
            self.positions = self._store.offsets()
        return rows

    def breaching(self, ward: str) -> bool:
        return any(b for (w, _), b in self.statuses.items() if w == ward)

    def breaching_wards(self) -> frozenset[str]:
        """Every ward breaching on any crime KPI (one pass, for many wards at once)."""
        return frozenset(w for (w, _), b in self.statuses.items() if b)

    def fold(self, records: Sequence[Record], *, track_offsets: bool = True,
             epoch: str | None = None) -> FoldResult:  # fmt: skip
        """Fold ``records`` (read from the broker log of ``epoch``)."""
        decoded: Decoded[DutyVersion | KpiStatus] = decode_all(records, decode, BadEventError)
        items, bad, ignored = decoded
        offsets = next_offsets(records) if track_offsets else {}
        with self._store.unit() as unit:
            fresh = unit.claim(items)
            duties = _newest(self.ledger, [i for i in fresh if isinstance(i, DutyVersion)])
            statuses = {(s.ward, s.kpi): s.breaching for s in fresh if isinstance(s, KpiStatus)}
            unit.put(duties, statuses, offsets, epoch)
        touched: set[WardDay] = set()
        with self.lock:
            for duty_id, version, duty in duties:
                touched.update(_days(self.ledger.duty(duty_id)))
                self.ledger.apply(duty_id, version, duty)
                touched.update(_days(duty))
            changed = {w for (w, k), b in statuses.items() if self.statuses.get((w, k)) != b}
            self.statuses.update(statuses)
            self.applied_total += len(fresh)
            self.positions.update(offsets)
        return FoldResult(len(fresh), len(items) - len(fresh), ignored, tuple(bad),
                          frozenset(touched), frozenset(changed))  # fmt: skip


def _newest(ledger: Ledger, versions: list[DutyVersion]) -> list[StoredDuty]:
    """Of each duty, the highest version in the batch, when newer than the one held."""
    best: dict[str, DutyVersion] = {}
    for v in versions:
        if v.duty_id not in best or best[v.duty_id].version < v.version:
            best[v.duty_id] = v
    return [(v.duty_id, v.version, v.duty) for v in best.values()
            if ledger.newer(v.duty_id, v.version)]  # fmt: skip


def _days(duty: Duty | None) -> set[WardDay]:
    if duty is None:
        return set()
    found = {(duty.home_ward, duty.day)}
    if duty.worked_ward is not None:
        found.add((duty.worked_ward, duty.day))
    return found
