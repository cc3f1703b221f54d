"""Bulk import: a published file through the same pipeline as live events, in batches.

Each batch is one transaction (states, de-duplication keys and outbox together), so an
import killed half-way and run again loses nothing and duplicates nothing: the batches that
committed come back as duplicates (records) or unchanged (cells), the rest are processed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from services.ingest.domain.intake import (
    CountIntake,
    CrimeIntake,
    IncidentIntake,
    RowRejection,
    SurveyIntake,
)
from services.ingest.importers import FORMATS, Item
from services.ingest.pipeline import Outcome, Pipeline, Submission
from shared.reference import LondonReference

BATCH = 2000


@dataclass
class ImportSummary:
    format: str
    path: str
    read: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    published: int = 0

    def add(self, outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            self.read += 1
            self.outcomes[outcome.status] += 1
            self.published += len(outcome.published)
            if outcome.reason is not None:
                self.rejected_by_reason[outcome.reason.value] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format, "path": self.path, "read": self.read,
            "outcomes": dict(self.outcomes), "rejected_by_reason": dict(self.rejected_by_reason),
            "events_published": self.published,
        }  # fmt: skip


def event_type(item: Item) -> str:
    if isinstance(item, CrimeIntake):
        return "crime.recorded"
    if isinstance(item, IncidentIntake):
        return "cad.incident"
    if isinstance(item, CountIntake):
        return "cad.counted" if item.category.major == "Anti-social behaviour" else "crime.counted"
    if isinstance(item, SurveyIntake):
        return "survey.aggregate"
    return "unknown"


def items(fmt: str, path: Path, reference: LondonReference) -> Iterator[Item]:
    spec = FORMATS[fmt]
    if fmt in ("mps-ward-csv", "mps-borough-csv"):
        return spec.parse(path, include_zero=True)  # type: ignore[call-arg]
    if fmt == "pas-borough-csv":
        return spec.parse(path, reference=reference)  # type: ignore[call-arg]
    return spec.parse(path)


def submissions(stream: Iterator[Item]) -> Iterator[Submission]:
    for item in stream:
        original = item.original if isinstance(item, RowRejection) else ""
        yield Submission(item, event_type(item), original)


def run_import(
    pipeline: Pipeline, fmt: str, path: Path, reference: LondonReference, *,
    progress: Callable[[int], None] = lambda _n: None, batch: int = BATCH,
) -> ImportSummary:  # fmt: skip
    """Import ``path`` as ``fmt``; ``progress`` is called with the rows done per batch."""
    summary = ImportSummary(fmt, str(path))
    stream = submissions(items(fmt, path, reference))
    while chunk := list(islice(stream, batch)):
        summary.add(pipeline.submit(chunk))
        progress(len(chunk))
    return summary
