"""`snt kpi rebuild` and `snt kpi verify`: the kpi state against ingest's event store.

rebuild: forget the kpi state and fold every event in the event store again (stop the kpi
service first; when it starts again it re-reads its topics from the beginning and skips every
event already applied). verify: recompute every stored count from the event store by an
independent batch path and diff it with the kpi state; every accepted event kpi folds but has
not applied is a difference too (:func:`pending`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from services.ingest.store.sql import SqlIngestStore
from services.kpi.domain.state import KpiState
from services.kpi.fold import Folder, Record
from services.kpi.store.sql import SqlKpiStore, create_schema
from services.kpi.verify import Difference, diff, recompute, survey_differences
from shared.db import make_engine
from snt.accepted import unapplied

COUNT_TOPICS = ("snt.crime.v1", "snt.cad.v1", "snt.survey.v1")
APPLIED_TYPES = ("crime.counted", "cad.counted", "survey.recorded")
"""The event types kpi applies whatever they hold (a published survey aggregate is applied
only for some periods, so it is not counted as accepted-but-unapplied)."""
PAGE = 5000


def open_stores(
    environ: dict[str, str], data_dir: Path | None
) -> tuple[SqlIngestStore, SqlKpiStore]:
    """The ingest event store and the kpi store (environment, else the embedded stack's)."""
    from snt.cli import stack_settings
    from snt.stack import sqlite_url

    stack_dir = stack_settings(data_dir=data_dir).data_dir
    ingest_url = environ.get("SNT_INGEST_DATABASE_URL") or sqlite_url(stack_dir / "ingest.db")
    kpi_url = environ.get("SNT_KPI_DATABASE_URL") or sqlite_url(stack_dir / "kpi.db")
    kpi_engine = make_engine(kpi_url)
    create_schema(kpi_engine)
    return SqlIngestStore(make_engine(ingest_url)), SqlKpiStore(kpi_engine)


def count_events(store: SqlIngestStore) -> Iterator[list[Record]]:
    """The event store's count events in store order, a page at a time."""
    seq = 0
    while page := store.events(seq, PAGE):
        seq = page[-1].seq
        yield [Record(e.topic, 0, e.seq, e.envelope.encode()) for e in page
               if e.topic in COUNT_TOPICS]  # fmt: skip


@dataclass(frozen=True, slots=True)
class RebuildSummary:
    applied: int
    duplicates: int
    bad: int


def rebuild(ingest: SqlIngestStore, kpi: SqlKpiStore) -> RebuildSummary:
    kpi.clear()
    folder = Folder(kpi, KpiState())
    applied = duplicates = bad = 0
    for records in count_events(ingest):
        result = folder.fold(records, track_offsets=False)
        applied, duplicates = applied + result.applied, duplicates + result.duplicates
        bad += len(result.bad)
    return RebuildSummary(applied, duplicates, bad)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    events_recomputed: int
    events_not_applied: int
    counts_compared: int
    differences: list[Difference]
    contacts_compared: int = 0
    contact_differences: int = 0
    """Contacts of victims and ASB callers that differ (counted only: keys hold pseudonyms)."""
    survey_compared: int = 0
    survey_differences: int = 0


def pending(ingest: SqlIngestStore, kpi: SqlKpiStore) -> tuple[int, int]:
    """(accepted events kpi applies, how many of them it has not applied)."""
    return unapplied(ingest, COUNT_TOPICS, APPLIED_TYPES, kpi.applied_ids)


def verify(ingest: SqlIngestStore, kpi: SqlKpiStore) -> VerifyReport:
    applied = kpi.applied_ids()
    raws = (r.value for records in count_events(ingest) for r in records)
    expected = recompute(raws, applied.__contains__)
    held = kpi.held_counts()
    compared = len(set(expected.counts) | set(held))
    contacts = kpi.held_contacts()
    sums, stored = kpi.load_survey()
    published = {p.key: (p.proportion, p.n) for p in stored}
    return VerifyReport(expected.events, expected.not_applied, compared,
                        diff(expected.counts, held),
                        len(set(expected.contacts) | set(contacts)),
                        len(diff(expected.contacts, contacts)),
                        len(expected.survey_sums) + len(expected.survey_published),
                        survey_differences(expected, sums, published))  # fmt: skip
