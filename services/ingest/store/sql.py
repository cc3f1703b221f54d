"""The ingest store on SQLAlchemy Core: SQLite (embedded) and PostgreSQL (distributed).

One unit of work per batch: what the batch will read is fetched in bulk up front, every
write is buffered and flushed with executemany at the end, inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, func, select, update

from services.ingest.domain.canonical import OutEvent
from services.ingest.domain.intake import AmendmentIntake, CountIntake, CrimeIntake, IncidentIntake
from services.ingest.domain.records import RecordState
from services.ingest.store import tables as t
from services.ingest.store.base import CellValue, Key, StoredCell, StoredEvent
from services.ingest.store.codec import (
    HELD_COLUMNS,
    ROW_COLUMNS,
    cell_row,
    dump_amendment,
    dump_state,
    held_columns,
    id_month,
    load_amendment,
    load_cell,
    load_state,
    row_columns,
)
from services.ingest.store.releases import SqlReleases
from services.ingest.store.upgrade import upgrade
from shared.db import BulkSql, serialise_writers, writer
from shared.reference import LondonReference, load_reference

CHUNK = 500
WRITER_LOCK = 0x534E_5449  # PostgreSQL advisory lock id of ingest's units of work ("SNTI")


def create_schema(
    engine: Engine, reference: Callable[[], LondonReference] = load_reference
) -> None:
    """Create the tables, and bring published cells kept in an earlier layout up to date
    (``upgrade``; ``reference`` is read only then). Raises ``LegacyCellsError`` when they
    cannot be brought up to date exactly."""
    t.metadata.create_all(engine)
    with writer(engine).begin() as conn:
        serialise_writers(conn, WRITER_LOCK)
        upgrade(conn, reference)


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for i in range(0, len(values), CHUNK):
        yield values[i : i + CHUNK]


class SqlUnit:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._seen: set[Key] = set()
        self._records: dict[tuple[str, str], RecordState] = {}
        self._cells: dict[str, CellValue] = {}
        self._parked: dict[str, list[AmendmentIntake]] = {}
        self._new_keys: list[tuple[str, int, str]] = []
        self._digests: dict[Key, str | None] = {}
        self._new_digests: list[tuple[str, int, str]] = []
        self._dirty_records: dict[tuple[str, str], RecordState] = {}
        self._dirty_cells: dict[str, tuple[Any, ...]] = {}
        self._rows: dict[str, tuple[Any, ...]] = {}
        self._held: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._new_parked: list[dict[str, Any]] = []
        self._taken: set[str] = set()
        self._events: list[tuple[Any, ...]] = []

    def prefetch(self, items: Sequence[object]) -> None:
        keys, crimes, incidents, cell_ids = [], set(), set(), []
        for item in items:
            origin = getattr(item, "origin", None)
            if isinstance(item, CountIntake):
                cell_ids.append(item.origin.event_id)
            elif origin is not None:
                keys.append((origin.event_id, origin.version))
            if isinstance(item, CrimeIntake | AmendmentIntake):
                crimes.add(item.crime_id)
            elif isinstance(item, IncidentIntake):
                incidents.add(item.incident_id)
        self._fetch_keys(keys)
        self._fetch_records("crime", sorted(crimes))
        self._fetch_records("incident", sorted(incidents))
        self._fetch_cells(cell_ids)
        self._fetch_parked(sorted(crimes))

    def _fetch_keys(self, keys: list[Key]) -> None:
        ids = sorted({k[0] for k in keys})
        for part in _chunks(ids):
            rows = self._conn.execute(
                select(t.received.c.event_id, t.received.c.version).where(
                    t.received.c.event_id.in_(part)
                )
            )
            self._seen.update((r.event_id, r.version) for r in rows)

    def _fetch_records(self, kind: str, ids: Sequence[str]) -> None:
        for part in _chunks(ids):
            rows = self._conn.execute(
                select(t.records.c.record_id, t.records.c.state).where(
                    t.records.c.kind == kind, t.records.c.record_id.in_(part)
                )
            )
            self._records.update({(kind, r.record_id): load_state(r.state) for r in rows})

    def _fetch_cells(self, ids: Sequence[str]) -> None:
        for part in _chunks(sorted(set(ids))):
            query = select(t.cells.c.cell_id, t.cells.c.value, t.cells.c.revision)
            rows = self._conn.execute(query.where(t.cells.c.cell_id.in_(part)))
            self._cells.update({r.cell_id: CellValue(r.value, r.revision) for r in rows})

    def _fetch_parked(self, crime_ids: Sequence[str]) -> None:
        for part in _chunks(crime_ids):
            query = select(t.parked).where(t.parked.c.crime_id.in_(part)).order_by(t.parked.c.id)
            for row in self._conn.execute(query):
                self._parked.setdefault(row.crime_id, []).append(load_amendment(row.amendment))

    def seen(self, keys: Iterable[Key]) -> set[Key]:
        return {k for k in keys if k in self._seen}

    def remember(self, key: Key, outcome: str) -> None:
        self._seen.add(key)
        self._new_keys.append((key[0], key[1], outcome))

    def digest(self, key: Key) -> str | None:
        if key not in self._digests:
            table = t.received_digests
            query = select(table.c.digest).where(
                table.c.event_id == key[0], table.c.version == key[1]
            )
            self._digests[key] = self._conn.execute(query).scalar_one_or_none()
        return self._digests[key]

    def remember_digest(self, key: Key, digest: str) -> None:
        self._digests[key] = digest
        self._new_digests.append((key[0], key[1], digest))

    def records(self, kind: str, ids: Iterable[str]) -> dict[str, RecordState]:
        return {i: s for i in ids if (s := self._records.get((kind, i))) is not None}

    def save_record(self, state: RecordState) -> None:
        key = (state.kind, state.record_id)
        self._records[key] = self._dirty_records[key] = state

    def cells(self, ids: Iterable[str]) -> dict[str, CellValue]:
        return {i: v for i in ids if (v := self._cells.get(i)) is not None}

    def cell(self, cell_id: str) -> CellValue | None:
        return self._cells.get(cell_id)

    def save_cell(self, item: CountIntake, value: CellValue) -> None:
        cell_id = item.origin.event_id
        self._cells[cell_id] = value
        self._dirty_cells[cell_id] = (cell_id, value.value, value.revision)
        row_id = cell_row(cell_id)[0]
        if row_id not in self._rows:
            self._rows[row_id] = (row_id, *row_columns(item))

    def stored_cells(self, ids: Sequence[str]) -> dict[str, StoredCell]:
        found: dict[str, StoredCell] = {}
        for part in _chunks(sorted(set(ids))):
            query = select(t.cells).where(t.cells.c.cell_id.in_(part))
            values = {r.cell_id: CellValue(r.value, r.revision) for r in self._conn.execute(query)}
            rows = self._stored_rows({cell_row(i)[0] for i in values})
            for cell_id, value in values.items():
                row_id, month = cell_row(cell_id)
                intake = load_cell(cell_id, rows[row_id], id_month(month), value.value, "store",
                                   None)  # fmt: skip
                found[cell_id] = StoredCell(intake, value)
        return found

    def _stored_rows(self, row_ids: set[str]) -> dict[str, Any]:
        query = select(t.rows).where(t.rows.c.row_id.in_(sorted(row_ids)))
        return {r.row_id: r for r in self._conn.execute(query)}

    def hold_cell(self, release_id: str, item: CountIntake) -> None:
        origin = item.origin
        self._held[(release_id, origin.event_id)] = (
            release_id, origin.event_id, origin.line, item.count, origin.source,
            *held_columns(item),
        )  # fmt: skip

    def park(self, amendment: AmendmentIntake) -> None:
        self._parked.setdefault(amendment.crime_id, []).append(amendment)
        self._new_parked.append(
            {"crime_id": amendment.crime_id, "amendment": dump_amendment(amendment)}
        )

    def take_parked(self, crime_id: str) -> list[AmendmentIntake]:
        found = self._parked.pop(crime_id, [])
        if found:
            self._taken.add(crime_id)
            self._new_parked = [p for p in self._new_parked if p["crime_id"] != crime_id]
        return found

    def append(self, events: Sequence[OutEvent], recorded_at: datetime) -> None:
        created = self._created_at(recorded_at)
        self._events += [
            (e.event_id, e.event_type, e.topic, e.key,
             orjson.dumps(e.envelope(recorded_at)).decode(), created)
            for e in events
        ]  # fmt: skip

    def _created_at(self, at: datetime) -> Any:
        """``at`` as the driver stores it (SQLAlchemy's own format on SQLite)."""
        process = t.events.c.created_at.type.bind_processor(self._conn.dialect)
        return process(at) if process else at

    def flush(self) -> None:
        """Write every buffered change: plain driver-level executemany, no per-row ORM work."""
        sql = BulkSql(self._conn)
        sql.insert("ingest_received", ("event_id", "version", "outcome"), self._new_keys)
        sql.insert("ingest_received_digest", ("event_id", "version", "digest"), self._new_digests)
        sql.upsert("ingest_record", ("kind", "record_id"), ("version", "state"), [
            (k[0], k[1], s.version, dump_state(s)) for k, s in self._dirty_records.items()
        ])  # fmt: skip
        sql.insert("ingest_published_row", ("row_id", *ROW_COLUMNS), list(self._rows.values()),
                   conflict=("row_id",))  # fmt: skip
        sql.upsert("ingest_published_cell", ("cell_id",), ("value", "revision"),
                   sorted(self._dirty_cells.values()))  # fmt: skip
        held_values = ("line", "value", "source", *HELD_COLUMNS)
        sql.upsert("ingest_held_cell", ("release_id", "cell_id"), held_values,
                   list(self._held.values()))  # fmt: skip
        if self._taken:
            self._conn.execute(
                t.parked.delete().where(t.parked.c.crime_id.in_(sorted(self._taken)))
            )
        sql.insert("ingest_parked", ("crime_id", "amendment"),
                   [(p["crime_id"], p["amendment"]) for p in self._new_parked])  # fmt: skip
        sql.insert("ingest_event", _EVENT_COLUMNS, self._events, conflict=("event_id",))


_EVENT_COLUMNS = ("event_id", "event_type", "topic", "key", "envelope", "created_at")


def _aware(at: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes (stored as UTC)."""
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


class SqlIngestStore(SqlReleases):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._engine = engine
        self._writer = writer(engine)

    @contextmanager
    def unit(self) -> Iterator[SqlUnit]:
        """One batch's unit of work: a single writer at a time (the import command and the
        service may share the store), so what a unit read stays true until it commits."""
        with self._writer.begin() as conn:
            serialise_writers(conn, WRITER_LOCK)
            unit = SqlUnit(conn)
            yield unit
            unit.flush()

    def unpublished(self, limit: int) -> list[StoredEvent]:
        query = (select(t.events).where(t.events.c.published_at.is_(None))
                 .order_by(t.events.c.seq).limit(limit))  # fmt: skip
        return self._stored(query)

    def events(self, after_seq: int, limit: int) -> list[StoredEvent]:
        query = (select(t.events).where(t.events.c.seq > after_seq)
                 .order_by(t.events.c.seq).limit(limit))  # fmt: skip
        return self._stored(query)

    def _stored(self, query: Any) -> list[StoredEvent]:
        with self._engine.connect() as conn:
            return [
                StoredEvent(r.seq, r.event_id, r.topic, r.key, r.envelope,
                            r.published_at is not None, _aware(r.created_at))
                for r in conn.execute(query)
            ]  # fmt: skip

    def mark_published(self, seqs: Sequence[int], at: datetime) -> None:
        with self._engine.begin() as conn:
            for part in _chunks(list(seqs)):
                conn.execute(
                    update(t.events).where(t.events.c.seq.in_(part)).values(published_at=at)
                )

    def backlog(self) -> int:
        query = select(func.count()).select_from(t.events).where(t.events.c.published_at.is_(None))
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def oldest_unpublished(self) -> datetime | None:
        c = t.events.c
        query = select(c.created_at).where(c.published_at.is_(None)).order_by(c.seq).limit(1)
        with self._engine.connect() as conn:
            return _aware(conn.execute(query).scalar_one_or_none())
