"""Factories for the kpi tests: canonical count events as ingest publishes them."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from services.kpi.domain.state import KpiState
from services.kpi.fold import Folder, Record
from services.kpi.store.sql import SqlKpiStore, create_schema
from shared.contracts import parse_event
from shared.contracts.examples import example_event
from shared.db import make_engine

WARD, BOROUGH = "E05013806", "E09000033"
_offsets = itertools.count()


def counted(n: int | str, *, delta: int = 1, at: str = "2024-05-01T09:30:00+01:00",
            ward: str | None = WARD, borough: str = BOROUGH, group: str = "violence",
            level: str = "ward", asb: bool = False,
            monthly: bool = False) -> bytes:  # fmt: skip
    """A contract-valid crime.counted (or cad.counted) event; a published monthly cell when
    ``monthly`` or ``delta`` is not ±1."""
    event: dict[str, Any] = example_event("cad.counted" if asb else "crime.counted",
                                          event_id=f"ingest:test:{n}")  # fmt: skip
    p = event["payload"]
    kpi = {"violence": 1, "property": 4, "asb": 5}.get(group)
    p.update(delta=delta, level=level, ward_code=ward if level == "ward" else None,
             borough_code=borough, kpi_group=group, kpi=kpi)  # fmt: skip
    if level != "ward":
        p["resolution"] = "borough" if level == "borough_unlocated" else "published"
    if abs(delta) != 1 or monthly:
        p["basis"], p["change"], p["date_precision"] = "published_count", "published", "month"
    p["incident_at" if asb else "recorded_at"] = at
    raw = json.dumps(event, default=str)
    parse_event(raw)  # the factory only makes events that meet their contract
    return raw.encode()


def record(value: bytes, topic: str = "snt.crime.v1", partition: int = 0) -> Record:
    return Record(topic, partition, next(_offsets), value)


MakeFolder = Callable[[], Folder]


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kpi.db'}"


@pytest.fixture
def make_folder(db_url: str) -> MakeFolder:
    """A folder on the same database each call (a restart: state reloaded from the store)."""

    def make() -> Folder:
        engine = make_engine(db_url)
        create_schema(engine)
        folder = Folder(SqlKpiStore(engine), KpiState())
        folder.load()
        return folder

    return make
