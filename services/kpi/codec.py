"""Canonical count events (crime.counted, cad.counted) → the fold's :class:`Change`.

Ingest validated these events against their contracts before publishing them, so the hot
path reads the fields it needs straight from the JSON (including the pseudonym of the victim
or ASB caller a record names, for the repeat-victim and repeat-caller diagnostics); anything
that does not have them is a :class:`BadEventError` with the reason (dead-lettered by the
handler, never folded).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, Final

import orjson

from services.kpi.domain.days import day_index, local_day, month_index
from services.kpi.domain.state import Change, Unit

COUNT_TYPES: Final = frozenset({"crime.counted", "cad.counted"})
_UNIT_KIND: Final = {"ward": "ward", "borough_unlocated": "unlocated",
                     "borough_total": "borough_total"}  # fmt: skip


class BadEventError(ValueError):
    """An event on a count topic that cannot be folded, with the reason."""


def decode(raw: bytes) -> Change | None:
    """The change ``raw`` carries; None for an event type the fold does not count."""
    try:
        event = orjson.loads(raw)
        if event.get("event_type") not in COUNT_TYPES:
            return None
        return _change(event["event_id"], event["payload"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadEventError(f"not a valid count event: {type(exc).__name__}: {exc}") from None


def _change(event_id: str, p: dict[str, Any]) -> Change:
    kind = _UNIT_KIND[p["level"]]
    borough = p.get("borough_code")
    code = p["ward_code"] if kind == "ward" else borough or p["reporting_unit"]
    at = p["recorded_at"] if "recorded_at" in p else p["incident_at"]
    day, month = _day(at)
    delta = p["delta"]
    if not isinstance(delta, int) or not delta:
        raise ValueError("delta must be a non-zero whole number")
    group = p["kpi_group"]
    return Change(event_id, _unit(kind, code, borough), group, _category(p), day, month, delta,
                  p["record_id"], _person(p, kind, group))  # fmt: skip


def _person(p: dict[str, Any], kind: str, group: str) -> tuple[str, str, bool] | None:
    """The person a record names: a crime's victim (not for excluded crime), an ASB
    incident's caller; never for a published count."""
    if kind == "borough_total" or p.get("basis") != "record":
        return None
    victim = p.get("victim_pseudonym")
    if victim and group != "excluded":
        return ("victim", victim, False)
    caller = p.get("caller_pseudonym")
    if caller and p.get("asb_category"):
        return ("caller", caller, p.get("vulnerable_caller") is True)
    return None


@lru_cache(maxsize=65_536)
def _unit(kind: str, code: str, borough: str | None) -> Unit:
    return Unit(kind, code, borough)  # type: ignore[arg-type]


@lru_cache(maxsize=65_536)
def _day(at: str) -> tuple[int, int]:
    """(day index, month index) of the London date of an RFC 3339 time."""
    local = local_day(datetime.fromisoformat(at))
    return day_index(local), month_index(local)


def _category(p: dict[str, Any]) -> str:
    offence = p.get("offence")
    if offence:
        return f"{offence['major']}|{offence.get('minor') or ''}"
    return f"ASB|{p.get('asb_category') or ''}"
