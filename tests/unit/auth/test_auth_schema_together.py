"""Services starting together create the shared token tables without failing."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from sqlalchemy import inspect

from shared.auth import create_schema
from shared.db import make_engine


def _create(url: str, start: multiprocessing.synchronize.Barrier) -> None:  # type: ignore[name-defined]
    engine = make_engine(url)
    start.wait()
    create_schema(engine)


def test_eight_processes_create_the_schema_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'auth.db'}"
    context = multiprocessing.get_context("fork")
    start = context.Barrier(8)
    workers = [context.Process(target=_create, args=(url, start)) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0] * 8
    assert {"api_token", "access_log"} <= set(inspect(make_engine(url)).get_table_names())
