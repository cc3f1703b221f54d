"""Releases of a published monthly file (MPS ward and borough tables) as revisions.

A release is the whole truth for the months it governs (those of its window that no newer
applied release covers, newer meaning a later last month, then a later first month): its
cells are applied (new or revised, zero cells included), and every stored cell of its dataset
in those months that it no longer has is retracted (brought to zero). A release whose figures
fall implausibly against the figures as they stand is held whole: its cells are stored, not
applied, until an analyst accepts it (then applied as above) or rejects it (then dropped).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Any

from services.ingest.domain.intake import CountIntake
from services.ingest.domain.releases import (
    AreaMonth,
    PlausibilityRule,
    ReleaseRecord,
    ReleaseScope,
    ReleaseWindow,
    add_totals,
    governed_months,
    judge,
    with_whole_file,
)
from services.ingest.feed import items, submissions
from services.ingest.importers import FORMATS
from services.ingest.pipeline import Pipeline, Submission
from services.ingest.summary import ImportSummary
from shared.reference import LondonReference

BATCH = 2000
Progress = Callable[[int], None]


def _quiet(_rows: int) -> None:
    """No progress bar."""


class ReleaseError(Exception):
    """A release decision that cannot be made."""


class UnknownReleaseError(ReleaseError):
    """No release has that id."""


class NotHeldError(ReleaseError):
    """The release was applied or rejected already: only a held release is decided."""


def describe(record: ReleaseRecord, months: Sequence[Any] = ()) -> dict[str, Any]:
    """A release as the command line and the API show it."""
    w = record.window
    body: dict[str, Any] = {
        "release_id": record.release_id, "dataset": w.dataset, "status": record.status,
        "window": [f"{w.first:%Y-%m}", f"{w.last:%Y-%m}"], "source": record.source,
        "digest": record.digest, "imported_at": record.imported_at.isoformat(),
        "rule": record.rule, "findings": [_finding(f) for f in record.findings],
    }  # fmt: skip
    if months:
        body["governed_months"] = [f"{m:%Y-%m}" for m in months]
    if record.decided_at is not None:
        body.update(decided_at=record.decided_at.isoformat(), decided_by=record.decided_by,
                    note=record.note)  # fmt: skip
    return body


def _finding(f: Any) -> dict[str, Any]:
    return {"area": f.area, "month": f"{f.month:%Y-%m}", "previous": f.previous, "new": f.new}


class ReleaseDesk:
    """Imports releases, and lists, accepts and rejects the held ones."""

    def __init__(self, pipeline: Pipeline, rule: PlausibilityRule, *, batch: int = BATCH):
        self._pipeline = pipeline
        self._store = pipeline.store
        self._rule = rule
        self._batch = batch

    def releases(self) -> list[ReleaseRecord]:
        return self._store.releases()

    def held(self) -> list[ReleaseRecord]:
        return [r for r in self._store.releases() if r.status == "held"]

    def import_release(
        self, fmt: str, path: Path, reference: LondonReference, *, progress: Progress = _quiet
    ) -> ImportSummary:
        spec = FORMATS[fmt]
        assert spec.release is not None, f"{fmt} is not a release format"
        window, digest = spec.release(path)
        summary = ImportSummary(fmt, str(path))
        known = self._store.release(window.release_id)
        if known and known.digest == digest and known.status in ("held", "rejected"):
            summary.release = describe(known) | {"unchanged": f"already {known.status}"}
            return summary
        if known and known.status == "held":
            self._store.drop_held(window.release_id)  # a different file of that window
        months = self._governed(window)
        previous = self._store.area_totals(window.dataset, months)
        findings = self._judge(spec.parse(path), months, previous) if previous else ()
        record = ReleaseRecord(window, digest, "held" if findings else "applied", path.name,
                               self._pipeline.now(), findings, self._rule.describe())  # fmt: skip
        stream = submissions(items(fmt, path, reference))
        if findings:
            self._hold(record, stream, summary, progress)
        else:
            self._store.save_release(record)
            scope = ReleaseScope(record.release_id, window.dataset, frozenset(months))
            self._apply(scope, stream, summary, progress)
        summary.release = describe(record, months)
        return summary

    def accept(
        self, release_id: str, by: str, note: str | None = None, *, progress: Progress = _quiet
    ) -> ImportSummary:
        """Apply a held release as if it had been plausible; the figures change now."""
        record = self._held_record(release_id)
        months = self._governed(record.window)
        summary = ImportSummary("release", release_id)
        scope = ReleaseScope(release_id, record.window.dataset, frozenset(months))
        self._apply(scope, submissions(self._held_cells(release_id)), summary, progress)
        self._store.drop_held(release_id)
        decided = self._decided(record, "applied", by, note)
        summary.release = describe(decided, months)
        return summary

    def reject(self, release_id: str, by: str, note: str | None = None) -> ReleaseRecord:
        """Drop a held release's cells; the figures stay as they were."""
        record = self._held_record(release_id)
        self._store.drop_held(release_id)
        return self._decided(record, "rejected", by, note)

    def _decided(
        self, record: ReleaseRecord, status: Any, by: str, note: str | None
    ) -> ReleaseRecord:
        decided = replace(record, status=status, decided_at=self._pipeline.now(), decided_by=by,
                          note=note)  # fmt: skip
        self._store.save_release(decided)
        return decided

    def _held_record(self, release_id: str) -> ReleaseRecord:
        record = self._store.release(release_id)
        if record is None:
            raise UnknownReleaseError(f"no release {release_id!r}")
        if record.status != "held":
            raise NotHeldError(f"release {release_id} is {record.status}, not held")
        return record

    def _governed(self, window: ReleaseWindow) -> list[Any]:
        applied = [r.window for r in self._store.releases(window.dataset) if r.status == "applied"]
        return governed_months(window, applied)

    def _judge(
        self, parsed: Iterable[object], months: Sequence[Any], previous: dict[AreaMonth, int]
    ) -> tuple[Any, ...]:
        """Pass one: the release's month totals over the months it governs, judged."""
        wanted, totals = frozenset(months), Counter[AreaMonth]()
        for item in parsed:
            if isinstance(item, CountIntake) and item.month in wanted:
                add_totals(totals, item)
        return judge(with_whole_file(previous), totals, self._rule)

    def _hold(
        self, record: ReleaseRecord, stream: Iterator[Submission], summary: ImportSummary,
        progress: Progress,
    ) -> None:  # fmt: skip
        self._store.save_release(record)
        w = record.window
        scope = ReleaseScope(record.release_id, w.dataset, frozenset(w.months()), hold=True)
        while chunk := list(islice(stream, self._batch)):
            summary.add(self._pipeline.submit(chunk, scope))
            progress(len(chunk))

    def _apply(
        self, scope: ReleaseScope, stream: Iterator[Submission], summary: ImportSummary,
        progress: Progress,
    ) -> None:  # fmt: skip
        """Pass two: apply the cells, then retract what the release no longer has."""
        pending = self._store.live_cells(scope.dataset, sorted(scope.months))
        while chunk := list(islice(stream, self._batch)):
            if pending:
                pending.difference_update(s.item.origin.event_id for s in chunk)
            summary.add(self._pipeline.submit(chunk, scope))
            progress(len(chunk))
        ordered = sorted(pending)
        for start in range(0, len(ordered), self._batch):
            part = ordered[start : start + self._batch]
            summary.add(self._pipeline.retract(scope, part), read=False)

    def _held_cells(self, release_id: str) -> Iterator[CountIntake]:
        after = ""
        while page := self._store.held_cells(release_id, after, self._batch):
            yield from page
            after = page[-1].origin.event_id
