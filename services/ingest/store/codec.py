"""Stored forms of the states the store keeps: record states and parked amendments (JSON),
published cells (their id, value and row; a row's columns) and a release's findings (JSON)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from services.ingest.domain.intake import (
    AmendmentIntake,
    Category,
    CountIntake,
    CountLevelName,
    Origin,
    Place,
)
from services.ingest.domain.records import Classified, RecordState
from services.ingest.domain.releases import Finding
from services.ingest.domain.resolve import Resolved

ROW_COLUMNS = ("dataset", "area", "level", "taxonomy", "major", "minor", "ward_code",
               "borough_label")  # fmt: skip
"""The columns that say what a published row is (``row_columns`` gives their values)."""
HELD_COLUMNS = ("month", *ROW_COLUMNS)
"""What a held cell is: its month and its row (``held_columns`` gives their values)."""


def _default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


def dump_state(state: RecordState) -> str:
    return json.dumps(asdict(state), default=_default, separators=(",", ":"))


def load_state(text: str) -> RecordState:
    d = json.loads(text)
    what = d["what"]
    return RecordState(
        kind=d["kind"], record_id=d["record_id"], version=d["version"], status=d["status"],
        at=datetime.fromisoformat(d["at"]), precision=d["precision"],
        where=Resolved(**d["where"]),
        what=Classified(Category(**what["category"]), what["group"], what["kpi"],
                        what["version"]),
        person=d["person"], detail=tuple(tuple(pair) for pair in d["detail"]),
    )  # fmt: skip


def dump_amendment(item: AmendmentIntake) -> str:
    return json.dumps(asdict(item), default=_default, separators=(",", ":"))


def load_amendment(text: str) -> AmendmentIntake:
    d: dict[str, Any] = json.loads(text)
    return AmendmentIntake(
        origin=Origin(**d["origin"]), crime_id=d["crime_id"], kind=d["kind"],
        effective_at=datetime.fromisoformat(d["effective_at"]),
        category=Category(**d["category"]) if d["category"] else None,
        place=Place(**d["place"]) if d["place"] else None, reason=d["reason"],
    )  # fmt: skip


@lru_cache(maxsize=4096)
def month_text(month: date) -> str:
    """``2024-01`` (cached: a file has few months and hundreds of thousands of cells)."""
    return f"{month:%Y-%m}"


def text_month(text: str) -> date:
    return date(int(text[:4]), int(text[5:7]), 1)


def cell_row(cell_id: str) -> tuple[str, str]:
    """A published cell's row id (its id without the month) and its month ``YYYYMM``: ids
    end ``...:<YYYYMM>:<hash of the category>``."""
    head, month, digest = cell_id.rsplit(":", 2)
    return f"{head}:{digest}", month


@lru_cache(maxsize=4096)
def id_month(text: str) -> date:
    """The month ``YYYYMM`` of a cell id."""
    return date(int(text[:4]), int(text[4:6]), 1)


def row_columns(item: CountIntake) -> tuple[Any, ...]:
    """The values of ``ROW_COLUMNS`` for a cell's row."""
    return (item.dataset, *_what_and_where(item.level, item.place, item.category))


def held_columns(item: CountIntake) -> tuple[Any, ...]:
    """The values of ``HELD_COLUMNS`` for a cell."""
    return (month_text(item.month), *row_columns(item))


@lru_cache(maxsize=65_536)
def _what_and_where(level: str, place: Place, cat: Category) -> tuple[Any, ...]:
    """Cached: a file has some thousands of (area, category) rows and many cells each."""
    area = place.ward_code or place.borough_label or ""
    return (area, level, cat.taxonomy, cat.major, cat.minor, place.ward_code, place.borough_label)


def load_cell(
    cell_id: str, row: Any, month: date, count: int, source: str, line: int | None
) -> CountIntake:
    """A published cell back from its row's stored columns (``row`` has ``ROW_COLUMNS``)."""
    level: CountLevelName = "ward" if row.level == "ward" else "borough_total"
    return CountIntake(
        Origin(cell_id, 1, source, None, line), row.dataset, level,
        Place(ward_code=row.ward_code, borough_label=row.borough_label), month,
        Category(row.taxonomy, row.major, row.minor), count,
    )  # fmt: skip


def dump_findings(findings: tuple[Finding, ...]) -> str:
    return json.dumps([[f.area, month_text(f.month), f.previous, f.new] for f in findings])


def load_findings(text: str) -> tuple[Finding, ...]:
    return tuple(Finding(a, text_month(m), p, n) for a, m, p, n in json.loads(text))
