"""duty.recorded events → a duty version for the ledger; kpi.updated ward crime figures →
whether the ward is breaching its trajectory (for the flexed-while-breaching rule).

Ingest validated duty events against their contract before publishing them, so the hot path
reads the fields it needs from the JSON; an event without them is a :class:`BadEventError`
with the reason (dead-lettered, never applied).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

import orjson

from services.flex.domain.ledger import Duty

BREACH_KPIS: Final = frozenset({1, 4})
"""Crime KPIs with a target: a ward breaches when worse than its trajectory significantly."""


class BadEventError(ValueError):
    """An event on an input topic that cannot be applied, with the reason."""


@dataclass(frozen=True, slots=True)
class DutyVersion:
    event_id: str
    duty_id: str
    version: int
    duty: Duty | None
    """None: the duty was cancelled."""


@dataclass(frozen=True, slots=True)
class KpiStatus:
    event_id: str
    ward: str
    kpi: int
    breaching: bool


def decode(raw: bytes) -> DutyVersion | KpiStatus | None:
    """What ``raw`` carries for the flex service; None for anything it does not use."""
    try:
        event = orjson.loads(raw)
        kind = event.get("event_type")
        if kind == "duty.recorded":
            return _duty(event)
        if kind == "kpi.updated":
            return _status(event)
        return None
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadEventError(f"not a valid duty event: {type(exc).__name__}: {exc}") from None


def _duty(event: dict[str, Any]) -> DutyVersion:
    p = event["payload"]
    version = event["version"]
    if not isinstance(version, int) or version < 1:
        raise ValueError("version must be a whole number from 1")
    if p["change"] == "cancelled":
        return DutyVersion(event["event_id"], p["duty_id"], version, None)
    authoriser = p.get("authoriser") or {}
    authorised = p.get("authorised_at")
    duty = Duty(
        p["duty_id"], version, p["officer_pseudonym"], p["role"], p["home_ward_code"],
        p["home_borough_code"], date.fromisoformat(p["duty_date"]),
        datetime.fromisoformat(p["start"]), datetime.fromisoformat(p["end"]),
        p["planned_ward_code"], p.get("actual_ward_code"), p["activity_kind"],
        authoriser.get("rank"), datetime.fromisoformat(authorised) if authorised else None,
        p.get("problem_solving_ref"),
    )  # fmt: skip
    if duty.end <= duty.start:
        raise ValueError("end must be after start")
    return DutyVersion(event["event_id"], duty.duty_id, version, duty)


def _status(event: dict[str, Any]) -> KpiStatus | None:
    """A ward's FYTD crime KPI figure: breaching when above its trajectory and significantly
    worse than the target ratio allows."""
    p = event["payload"]
    if p.get("level") != "ward" or p.get("kpi") not in BREACH_KPIS or p.get("period") != "fytd":
        return None
    gap = p.get("gap_to_trajectory")
    verdict = (p.get("target_significance") or {}).get("verdict")
    breaching = gap is not None and gap > 0 and verdict == "significant_worse"
    return KpiStatus(event["event_id"], p["area_code"], p["kpi"], breaching)
