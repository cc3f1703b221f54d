"""What ``shared.db.claim`` must do on any database: record ids as applied and return, in
order and each once, those never recorded before (shared by the SQLite and PostgreSQL tests)."""

from __future__ import annotations

from operator import itemgetter

from sqlalchemy import Column, Engine, MetaData, String, Table, select

from shared.db import claim, writer

metadata = MetaData()
applied = Table("claim_applied", metadata, Column("event_id", String(64), primary_key=True))


def claimed(engine: Engine, ids: list[str], *, fail: bool = False) -> list[str]:
    """Claim ``ids`` in one transaction (rolled back when ``fail``)."""
    try:
        with writer(engine).begin() as conn:
            new = claim(conn, applied.c.event_id, ids, str)
            if fail:
                raise RuntimeError("the unit of work failed after claiming")
    except RuntimeError:
        return []
    return new


def held(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(applied.c.event_id)).scalars())


def check_claims(engine: Engine) -> None:
    metadata.create_all(engine)
    assert claimed(engine, ["e3", "e1", "e2"]) == ["e3", "e1", "e2"]
    # a batch repeating an id of its own: the first of it only
    assert claimed(engine, ["e5", "e4", "e5"]) == ["e5", "e4"]
    # a batch holding ids applied before: only the new ones, in the batch's order
    assert claimed(engine, ["e6", "e1", "e7", "e4", "e6"]) == ["e6", "e7"]
    assert claimed(engine, ["e2", "e3"]) == []
    assert claimed(engine, []) == []
    assert held(engine) == ["e1", "e2", "e3", "e4", "e5", "e6", "e7"]
    # a unit of work that fails leaves none of its ids applied: the next attempt claims them
    assert claimed(engine, ["e8", "e1", "e9"], fail=True) == []
    assert claimed(engine, ["e9", "e8"], fail=True) == []
    assert held(engine) == ["e1", "e2", "e3", "e4", "e5", "e6", "e7"]
    assert claimed(engine, ["e8", "e1", "e9"]) == ["e8", "e9"]
    assert held(engine) == ["e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"]
    # items other than the ids themselves: the first item of each new id is returned
    with writer(engine).begin() as conn:
        items = [("e10", "first"), ("e1", "old"), ("e10", "again"), ("e11", "only")]
        fresh = claim(conn, applied.c.event_id, items, itemgetter(0))
    assert fresh == [("e10", "first"), ("e11", "only")]
    assert held(engine) == sorted(f"e{n}" for n in range(1, 12))
