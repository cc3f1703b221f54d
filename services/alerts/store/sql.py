"""The alerts store on SQLAlchemy Core: SQLite (embedded) and PostgreSQL (distributed)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select, update

from services.alerts.domain.clock import DataClock
from services.alerts.domain.lifecycle import Alert
from services.alerts.domain.routing import Silence, Subscription
from services.alerts.store import tables as t
from services.alerts.store.base import DeliveryRow, T
from services.alerts.store.codec import (
    dump_alert,
    dump_silence,
    dump_subscription,
    load_alert,
    load_silence,
    load_subscription,
)
from shared.consumer import Position, Resume
from shared.db import BulkSql, claim, serialise_writers, writer
from shared.epoch import add_epoch_column

WRITER_LOCK = 0x534E_5441  # PostgreSQL advisory lock id of alerts' units of work ("SNTA")
_COLUMNS = ("key", "subscription_id", "alert_id", "sequence", "kind", "borough", "status",
            "held_reason", "attempts", "next_attempt_at", "created_at", "delivered_at",
            "last_error", "body")  # fmt: skip


def create_schema(engine: Engine) -> None:
    t.metadata.create_all(engine)
    add_epoch_column(engine, t.offsets.name)


class SqlAlertsUnit:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def claim(self, events: Sequence[T], event_id: Callable[[T], str]) -> list[T]:
        return claim(self._conn, t.applied.c.event_id, events, event_id)

    def put_alerts(self, alerts: Sequence[Alert]) -> None:
        rows = [(a.alert_id, a.state, dump_alert(a)) for a in alerts]
        BulkSql(self._conn).upsert("alert_alert", ("alert_id",), ("state", "body"), rows)

    def add_deliveries(self, rows: Sequence[DeliveryRow]) -> None:
        BulkSql(self._conn).insert("alert_delivery", _COLUMNS, [
            (r.key, r.subscription_id, r.alert_id, r.sequence, r.kind, r.borough, r.status,
             r.held_reason, r.attempts, r.next_attempt_at, r.created_at, r.delivered_at,
             r.last_error, json.dumps(r.body)) for r in rows], conflict=("key",))  # fmt: skip

    def mark(self, offsets: Mapping[Position, int], epoch: str | None = None) -> None:
        positions = [(tp, p, o, epoch) for (tp, p), o in offsets.items()]
        BulkSql(self._conn).upsert("alert_offset", ("topic", "partition"),
                                   ("next_offset", "epoch"), positions)  # fmt: skip

    def put_clock(self, clock: DataClock) -> None:
        rows = [(source, day) for source, day in clock.newest.items()]
        BulkSql(self._conn).upsert("alert_clock", ("source",), ("newest",), rows)

    def defer_history(self, until: datetime) -> None:
        c = t.deliveries.c
        self._conn.execute(update(t.deliveries).where(c.status == "pending", c.kind == "history")
                           .values(next_attempt_at=until))  # fmt: skip


class SqlAlertsStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._writer = writer(engine)

    @contextmanager
    def unit(self) -> Iterator[SqlAlertsUnit]:
        with self._writer.begin() as conn:
            serialise_writers(conn, WRITER_LOCK)
            yield SqlAlertsUnit(conn)

    def alerts(self) -> list[Alert]:
        with self._engine.connect() as conn:
            bodies: Any = conn.execute(select(t.alerts.c.body)).scalars()
            return [load_alert(b) for b in bodies]

    def subscriptions(self) -> list[Subscription]:
        with self._engine.connect() as conn:
            rows: Any = conn.execute(select(t.subscriptions.c.body)).scalars()
            return sorted((load_subscription(b) for b in rows), key=lambda s: s.subscription_id)

    def put_subscription(self, s: Subscription) -> None:
        with self._writer.begin() as conn:
            BulkSql(conn).upsert("alert_subscription", ("subscription_id",), ("body",),
                                 [(s.subscription_id, dump_subscription(s))])  # fmt: skip

    def delete_subscription(self, subscription_id: str) -> bool:
        with self._writer.begin() as conn:
            found = conn.execute(t.subscriptions.delete().where(
                t.subscriptions.c.subscription_id == subscription_id))  # fmt: skip
            return bool(found.rowcount)

    def silences(self) -> list[Silence]:
        with self._engine.connect() as conn:
            bodies: Any = conn.execute(select(t.silences.c.body)).scalars()
            return [load_silence(b) for b in bodies]

    def put_silence(self, s: Silence) -> None:
        with self._writer.begin() as conn:
            BulkSql(conn).upsert("alert_silence", ("silence_id",), ("body",),
                                 [(s.silence_id, dump_silence(s))])  # fmt: skip

    def due(self, now: datetime, limit: int) -> list[DeliveryRow]:
        c = t.deliveries.c
        query = (select(t.deliveries).where(c.status == "pending", c.next_attempt_at <= now)
                 .order_by(c.created_at, c.key).limit(limit))  # fmt: skip
        with self._engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def delivered(self, keys: Sequence[str], at: datetime) -> None:
        c = t.deliveries.c
        with self._writer.begin() as conn:
            conn.execute(update(t.deliveries).where(c.key.in_(list(keys)))
                         .values(status="delivered", delivered_at=at,
                                 attempts=c.attempts + 1, last_error=None))  # fmt: skip

    def failed(self, keys: Sequence[str], error: str, retry_at: datetime) -> None:
        c = t.deliveries.c
        with self._writer.begin() as conn:
            conn.execute(update(t.deliveries).where(c.key.in_(list(keys)))
                         .values(attempts=c.attempts + 1, next_attempt_at=retry_at,
                                 last_error=error[:500]))  # fmt: skip

    def hold(self, keys: Sequence[str], reason: str) -> None:
        c = t.deliveries.c
        with self._writer.begin() as conn:
            conn.execute(update(t.deliveries).where(c.key.in_(list(keys)))
                         .values(status="held", held_reason=reason[:200],
                                 next_attempt_at=None))  # fmt: skip

    def delivered_since(self, subscription_id: str, since: datetime) -> int:
        c = t.deliveries.c
        query = select(func.count()).select_from(t.deliveries).where(
            c.subscription_id == subscription_id, c.status == "delivered",
            c.kind != "history", c.delivered_at >= since)  # fmt: skip
        with self._engine.connect() as conn:
            return int(conn.execute(query).scalar_one())

    def unsent(self, now: datetime) -> tuple[int, datetime | None]:
        c = t.deliveries.c
        query = select(func.count(), func.min(c.created_at)).where(
            c.status == "pending", or_(c.next_attempt_at <= now, c.attempts > 0))  # fmt: skip
        with self._engine.connect() as conn:
            row = conn.execute(query).one()
        return int(row[0]), _aware(row[1])

    def clock(self) -> DataClock:
        with self._engine.connect() as conn:
            rows = conn.execute(select(t.clock))
            return DataClock({r.source: r.newest for r in rows})

    def log(self, *, alert_id: str | None = None, status: str | None = None,
            limit: int = 200) -> list[DeliveryRow]:  # fmt: skip
        c = t.deliveries.c
        query = select(t.deliveries).order_by(c.created_at.desc(), c.key).limit(limit)
        if alert_id is not None:
            query = query.where(c.alert_id == alert_id)
        if status is not None:
            query = query.where(c.status == status)
        with self._engine.connect() as conn:
            return [_row(r) for r in conn.execute(query)]

    def offsets(self) -> dict[Position, int]:
        with self._engine.connect() as conn:
            return {(r.topic, r.partition): r.next_offset for r in conn.execute(select(t.offsets))}

    def applied_ids(self) -> set[str]:
        """Ids of every event evaluated (each is evaluated once, whatever its log)."""
        with self._engine.connect() as conn:
            return set(conn.execute(select(t.applied.c.event_id)).scalars())

    def resume_points(self) -> dict[Position, Resume]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(t.offsets))
            return {(r.topic, r.partition): (r.next_offset, r.epoch) for r in rows}


def _row(r: Any) -> DeliveryRow:
    return DeliveryRow(r.key, r.subscription_id, r.alert_id, r.sequence, r.kind, r.borough,
                       r.status, r.held_reason, r.attempts, _aware(r.next_attempt_at),
                       _aware(r.created_at) or r.created_at, _aware(r.delivered_at), r.last_error,
                       json.loads(r.body))  # fmt: skip


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes: they were stored as UTC."""
    from datetime import UTC

    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
