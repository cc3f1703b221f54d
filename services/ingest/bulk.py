"""Bulk import: a published file through the same pipeline as live events, in batches.

Each batch is one transaction (states, de-duplication keys and outbox together), so an
import killed half-way and run again loses nothing and duplicates nothing: the batches that
committed come back as duplicates (records) or unchanged (cells), the rest are processed.
A release of a published monthly file goes through ``releases.ReleaseDesk`` (revisions,
retractions and holds).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from pathlib import Path

from services.ingest.domain.releases import PlausibilityRule
from services.ingest.feed import event_type, items, submissions
from services.ingest.importers import FORMATS
from services.ingest.pipeline import Pipeline
from services.ingest.release_rule import load_release_rule
from services.ingest.releases import BATCH, ReleaseDesk
from services.ingest.summary import ImportSummary
from shared.reference import LondonReference

__all__ = ["BATCH", "ImportSummary", "event_type", "items", "run_import", "submissions"]


def run_import(
    pipeline: Pipeline, fmt: str, path: Path, reference: LondonReference, *,
    progress: Callable[[int], None] = lambda _n: None, batch: int = BATCH,
    rule: PlausibilityRule | None = None,
) -> ImportSummary:  # fmt: skip
    """Import ``path`` as ``fmt``; ``progress`` is called with the rows done per batch. A
    release of a published monthly file is judged by ``rule`` (default: the versioned
    ``release_rule.toml``) and applied or held."""
    if FORMATS[fmt].release is not None:
        desk = ReleaseDesk(pipeline, rule or load_release_rule(), batch=batch)
        return desk.import_release(fmt, path, reference, progress=progress)
    summary = ImportSummary(fmt, str(path))
    stream = submissions(items(fmt, path, reference))
    while chunk := list(islice(stream, batch)):
        summary.add(pipeline.submit(chunk))
        progress(len(chunk))
    return summary
