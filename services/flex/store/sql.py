"""The flex store on SQLAlchemy Core: SQLite (embedded) and PostgreSQL (distributed)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from services.flex.domain.ledger import Duty
from services.flex.store import tables as t
from services.flex.store.base import StoredDuty
from shared.consumer import Event as T
from shared.consumer import Position, Resume, event_id_of
from shared.db import BulkSql, claim, serialise_writers, writer
from shared.epoch import add_epoch_column

WRITER_LOCK = 0x534E_5446  # PostgreSQL advisory lock id of flex's units of work ("SNTF")


def create_schema(engine: Engine) -> None:
    t.metadata.create_all(engine)
    add_epoch_column(engine, t.offsets.name)


def dump_duty(duty: Duty) -> str:
    return json.dumps({k: v.isoformat() if isinstance(v, date | datetime) else v
                       for k, v in asdict(duty).items()})  # fmt: skip


def load_duty(text: str) -> Duty:
    d = json.loads(text)
    d["day"] = date.fromisoformat(d["day"])
    for name in ("start", "end", "authorised_at"):
        if d[name] is not None:
            d[name] = datetime.fromisoformat(d[name])
    return Duty(**d)


class SqlFlexUnit:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def claim(self, items: Sequence[T]) -> list[T]:
        return claim(self._conn, t.applied.c.event_id, items, event_id_of)

    def put(self, duties: Sequence[StoredDuty], statuses: Mapping[tuple[str, int], bool],
            offsets: Mapping[Position, int], epoch: str | None = None) -> None:  # fmt: skip
        sql = BulkSql(self._conn)
        sql.upsert("flex_duty", ("duty_id",), ("version", "body"), [
            (duty_id, version, None if duty is None else dump_duty(duty))
            for duty_id, version, duty in duties
        ])  # fmt: skip
        sql.upsert("flex_kpi_status", ("ward", "kpi"), ("breaching",),
                   [(w, k, int(b)) for (w, k), b in statuses.items()])  # fmt: skip
        sql.upsert("flex_offset", ("topic", "partition"), ("next_offset", "epoch"),
                   [(tp, part, o, epoch) for (tp, part), o in offsets.items()])  # fmt: skip


class SqlFlexStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = writer(engine)

    @contextmanager
    def unit(self) -> Iterator[SqlFlexUnit]:
        with self._writer.begin() as conn:
            serialise_writers(conn, WRITER_LOCK)
            yield SqlFlexUnit(conn)

    def load(self) -> Iterator[StoredDuty]:
        with self._engine.connect() as conn:
            rows: Any = conn.execute(select(t.duties.c.duty_id, t.duties.c.version,
                                            t.duties.c.body))  # fmt: skip
            for duty_id, version, body in rows:
                yield duty_id, version, None if body is None else load_duty(body)

    def statuses(self) -> dict[tuple[str, int], bool]:
        with self._engine.connect() as conn:
            return {(r.ward, r.kpi): bool(r.breaching) for r in conn.execute(select(t.statuses))}

    def offsets(self) -> dict[Position, int]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(t.offsets))
            return {(r.topic, r.partition): r.next_offset for r in rows}

    def resume_points(self) -> dict[Position, Resume]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(t.offsets))
            return {(r.topic, r.partition): (r.next_offset, r.epoch) for r in rows}

    def applied_ids(self) -> set[str]:
        with self._engine.connect() as conn:
            return set(conn.execute(select(t.applied.c.event_id)).scalars())

    def applied(self) -> int:
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t.applied)).scalar_one())
