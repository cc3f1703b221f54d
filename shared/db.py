"""Database engines for the services' own state: SQLite embedded, PostgreSQL distributed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Column, Connection, event, select, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

T = TypeVar("T")


def make_engine(url: str, *, echo: bool = False, sqlite_cache_mib: int = 2) -> Engine:
    """An engine for ``url``; SQLite files get WAL, a busy timeout, a page cache of up to
    ``sqlite_cache_mib`` per connection (SQLite's own default is 2 MiB; a store written
    at thousands of rows a second into a large file wants more) and their folder created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database, echo, sqlite_cache_mib)
    if parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_engine(url: str, database: str | None, echo: bool, cache_mib: int) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver's implicit BEGIN is replaced below
        cursor = dbapi_conn.cursor()
        # the busy timeout first: switching a new file to WAL takes a lock that a process
        # opening the same file at the same moment must wait for, not fail on
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA cache_size=-{cache_mib * 1024}")  # negative: KiB
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # A transaction begins at its first statement, reads included, so what a unit of work
        # read stays its snapshot; writers ask for IMMEDIATE and wait (busy timeout) in turn.
        mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


BEGIN_OPTION = "sqlite_begin"
"""Execution option: ``{BEGIN_OPTION: "IMMEDIATE"}`` for a SQLite transaction that will write
after reading (it takes the write lock up front, so no other writer slips in between)."""


def writer(engine: Engine) -> Engine:
    """``engine`` for read-then-write units of work: one writer at a time on SQLite; on
    PostgreSQL units serialise with :func:`serialise_writers`."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def serialise_writers(conn: Any, lock_id: int) -> None:
    """On PostgreSQL, hold transaction-level advisory lock ``lock_id`` (no-op on SQLite)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})


def ping(engine: Engine) -> None:
    """Raise if the database cannot answer ``SELECT 1``."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def _held_among(conn: Connection, column: Column[Any], values: Iterable[str],
               chunk: int = 500) -> set[str]:  # fmt: skip
    """Which of ``values`` the table of ``column`` already holds (looked up in chunks, so the
    statement's parameters stay bounded): e.g. the event ids already applied."""
    wanted = sorted(set(values))
    held: set[str] = set()
    for i in range(0, len(wanted), chunk):
        held.update(conn.execute(select(column).where(column.in_(wanted[i : i + chunk]))).scalars())
    return held


def claim(conn: Connection, column: Column[Any], items: Sequence[T],
          key: Callable[[T], str]) -> list[T]:  # fmt: skip
    """Record the ids (``key``) of ``items`` in the table of ``column`` (e.g. the event ids
    applied) and return the items whose id it did not hold before: the first of each id, in
    order.

    The usual batch holds no id seen before: one insert under a savepoint finds that out
    (every row is new), without looking each id up first. Otherwise the savepoint is rolled
    back, the ids held are looked up and only the new ones are inserted."""
    first: dict[str, T] = {}
    for item in items:
        first.setdefault(key(item), item)
    if not first:
        return []
    sql = BulkSql(conn)
    table, name = column.table.name, column.name
    savepoint = conn.begin_nested()
    rows = [(v,) for v in sorted(first)]  # in key order: each page of the index once
    if sql.insert(table, (name,), rows, conflict=(name,)) == len(first):
        savepoint.commit()
        return list(first.values())
    savepoint.rollback()
    held = _held_among(conn, column, first)
    new = [v for v in first if v not in held]
    sql.insert(table, (name,), [(v,) for v in new])
    return [first[v] for v in new]


class BulkSql:
    """Many-row INSERT / upsert in the driver's own parameter style, without per-row ORM work
    (SQLite and PostgreSQL share the ``ON CONFLICT`` syntax)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"

    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]],
        conflict: Sequence[str] = (),
    ) -> int:  # fmt: skip
        """Insert ``rows`` (those whose ``conflict`` key is held already are left out); returns
        how many rows were inserted."""
        if not rows:
            return 0
        tail = f" ON CONFLICT ({_names(conflict)}) DO NOTHING" if conflict else ""
        return self._run(table, columns, rows, tail)

    def upsert(
        self, table: str, keys: Sequence[str], values: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
    ) -> None:  # fmt: skip
        if rows:
            changed = ", ".join(f'"{c}" = excluded."{c}"' for c in values)
            tail = f" ON CONFLICT ({_names(keys)}) DO UPDATE SET {changed}"
            self._run(table, (*keys, *values), rows, tail)

    def add(
        self, table: str, keys: Sequence[str], values: Sequence[str],
        rows: Sequence[tuple[Any, ...]], *, fixed: Sequence[str] = (),
    ) -> None:  # fmt: skip
        """Upsert that adds ``values`` to what is stored (a counter table); each row is
        ``(*keys, *fixed, *values)``, ``fixed`` columns being written only by the first row."""
        if rows:
            changed = ", ".join(f'"{c}" = "{table}"."{c}" + excluded."{c}"' for c in values)
            tail = f" ON CONFLICT ({_names(keys)}) DO UPDATE SET {changed}"
            self._run(table, (*keys, *fixed, *values), rows, tail)

    def _run(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], tail: str
    ) -> int:
        marks = ", ".join([self._mark] * len(columns))
        statement = f'INSERT INTO "{table}" ({_names(columns)}) VALUES ({marks}){tail}'
        return int(self._conn.exec_driver_sql(statement, list(rows)).rowcount)


def _names(columns: Sequence[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)
