"""JSON forms of the states the store keeps (record states, parked amendments)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from services.ingest.domain.intake import AmendmentIntake, Category, Origin, Place
from services.ingest.domain.records import Classified, RecordState
from services.ingest.domain.resolve import Resolved


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
