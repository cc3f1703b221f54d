"""The ingest store on SQLAlchemy Core: SQLite (embedded) and PostgreSQL (distributed).

One unit of work per batch: what the batch will read is fetched in bulk up front, every
write is buffered and flushed with executemany at the end, inside one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from services.ingest.domain.canonical import OutEvent
from services.ingest.domain.intake import AmendmentIntake, CountIntake, CrimeIntake, IncidentIntake
from services.ingest.domain.records import RecordState
from services.ingest.store import tables as t
from services.ingest.store.base import CellValue, Key, StoredEvent
from services.ingest.store.codec import dump_amendment, dump_state, load_amendment, load_state

CHUNK = 500


def create_schema(engine: Engine) -> None:
    t.metadata.create_all(engine)


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
        self._new_keys: list[dict[str, Any]] = []
        self._dirty_records: dict[tuple[str, str], RecordState] = {}
        self._dirty_cells: dict[str, CellValue] = {}
        self._new_parked: list[dict[str, Any]] = []
        self._taken: set[str] = set()
        self._events: list[dict[str, Any]] = []

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
            rows = self._conn.execute(select(t.cells).where(t.cells.c.cell_id.in_(part)))
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
        self._new_keys.append({"event_id": key[0], "version": key[1], "outcome": outcome})

    def records(self, kind: str, ids: Iterable[str]) -> dict[str, RecordState]:
        return {i: s for i in ids if (s := self._records.get((kind, i))) is not None}

    def save_record(self, state: RecordState) -> None:
        key = (state.kind, state.record_id)
        self._records[key] = self._dirty_records[key] = state

    def cells(self, ids: Iterable[str]) -> dict[str, CellValue]:
        return {i: v for i in ids if (v := self._cells.get(i)) is not None}

    def cell(self, cell_id: str) -> CellValue | None:
        return self._cells.get(cell_id)

    def save_cell(self, cell_id: str, value: CellValue) -> None:
        self._cells[cell_id] = self._dirty_cells[cell_id] = value

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
        self._events += [
            {"event_id": e.event_id, "event_type": e.event_type, "topic": e.topic, "key": e.key,
             "envelope": orjson.dumps(e.envelope(recorded_at)).decode(),
             "created_at": recorded_at}
            for e in events
        ]  # fmt: skip

    def flush(self) -> None:
        conn = self._conn
        if self._new_keys:
            conn.execute(t.received.insert(), self._new_keys)
        self._upsert(t.records, ["kind", "record_id"], [
            {"kind": k[0], "record_id": k[1], "version": s.version, "state": dump_state(s)}
            for k, s in self._dirty_records.items()
        ])  # fmt: skip
        self._upsert(t.cells, ["cell_id"], [
            {"cell_id": c, "value": v.value, "revision": v.revision}
            for c, v in self._dirty_cells.items()
        ])  # fmt: skip
        if self._taken:
            conn.execute(t.parked.delete().where(t.parked.c.crime_id.in_(sorted(self._taken))))
        if self._new_parked:
            conn.execute(t.parked.insert(), self._new_parked)
        if self._events:
            conn.execute(self._insert(t.events).on_conflict_do_nothing(), self._events)

    def _insert(self, table: Any) -> Any:
        dialect = postgresql if self._conn.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    def _upsert(self, table: Any, keys: list[str], rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        stmt = self._insert(table)
        changed = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
        self._conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changed), rows)


def _aware(at: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes (stored as UTC)."""
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)


class SqlIngestStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def unit(self) -> Iterator[SqlUnit]:
        with self._engine.begin() as conn:
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
