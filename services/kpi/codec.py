"""Canonical count events (crime.counted, cad.counted) → the fold's :class:`Change`; survey
events (survey.recorded, survey.aggregate) → a :class:`Response` or :class:`Published`.

Ingest validated these events against their contracts before publishing them, so the hot
path reads the fields it needs straight from the JSON (including the pseudonym of the victim
or ASB caller a record names, for the repeat-victim and repeat-caller diagnostics); anything
that does not have them is a :class:`BadEventError` with the reason (dead-lettered by the
handler, never folded).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any, Final

import orjson

from services.kpi.domain.days import day_index, local_day, month_index
from services.kpi.domain.state import Change, Unit
from services.kpi.domain.survey import Published, Response

COUNT_TYPES: Final = frozenset({"crime.counted", "cad.counted"})
_UNIT_KIND: Final = {"ward": "ward", "borough_unlocated": "unlocated",
                     "borough_total": "borough_total"}  # fmt: skip


class BadEventError(ValueError):
    """An event on a count topic that cannot be folded, with the reason."""


def decode(raw: bytes) -> Change | Response | Published | None:
    """The change ``raw`` carries; None for an event type the fold does not use."""
    kind = None
    try:
        event = orjson.loads(raw)
        kind = event.get("event_type")
        if kind in COUNT_TYPES:
            return _change(event["event_id"], event["payload"])
        if kind == "survey.recorded":
            return _response(event["event_id"], event["payload"])
        if kind == "survey.aggregate":
            return _published(event["event_id"], event["payload"])
        return None
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        what = "survey" if str(kind).startswith("survey.") else "count"
        raise BadEventError(f"not a valid {what} event: {type(exc).__name__}: {exc}") from None


def decode_change(raw: bytes) -> Change | None:
    """The count change ``raw`` carries; None for any other event."""
    found = decode(raw)
    return found if isinstance(found, Change) else None


def _response(event_id: str, p: dict[str, Any]) -> Response:
    weight = p["weight"]
    if not isinstance(weight, int | float) or weight <= 0 or not isinstance(p["positive"], bool):
        raise ValueError("weight must be a positive number and positive a boolean")
    ethnicity = p.get("ethnicity_group") or "not_stated"
    group = ethnicity if ethnicity in ("white", "not_stated") else "minority_ethnic"
    return Response(event_id, p["survey"], p["measure"], p["borough_code"], group,
                    month_index(date.fromisoformat(p["interviewed_on"])), p["positive"],
                    float(weight))  # fmt: skip


def _published(event_id: str, p: dict[str, Any]) -> Published | None:
    """A published rolling 12 months (a published single quarter is not used: None)."""
    if p["period"] != "rolling_12m":
        return None
    proportion, n = p["proportion"], p.get("n")
    if not isinstance(proportion, int | float) or not 0 <= proportion <= 1:
        raise ValueError("proportion must be between 0 and 1")
    key = (p["survey"], p["measure"], p["area_code"], p.get("respondent_group") or "all",
           date.fromisoformat(p["period_end"]))  # fmt: skip
    return Published(event_id, key, float(proportion), n if isinstance(n, int) else None)


def _change(event_id: str, p: dict[str, Any]) -> Change:
    kind = _UNIT_KIND[p["level"]]
    borough = p.get("borough_code")
    code = p["ward_code"] if kind == "ward" else borough or p["reporting_unit"]
    at = p["recorded_at"] if "recorded_at" in p else p["incident_at"]
    day, month = london_day(at)
    delta = p["delta"]
    if not isinstance(delta, int) or not delta:
        raise ValueError("delta must be a non-zero whole number")
    group = p["kpi_group"]
    return Change(event_id, _unit(kind, code, borough), group, _category(p), day, month, delta,
                  p["record_id"], _person(p, kind, group),
                  p.get("date_precision") == "month", p.get("simulated") is True)  # fmt: skip


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


def london_day(at: str) -> tuple[int, int]:
    """(day index, month index) of the London date of an RFC 3339 time.

    London's offset changes only at the start of a UTC hour and by whole hours, so a time
    with a whole-hour offset has the London date of the start of its hour: such times are
    looked up by their hour (a few thousand keys cover years of records); any other time is
    converted exactly."""
    if len(at) >= 19 and at[13] == ":" and at[10] in "Tt ":
        if at[-1] in "Zz":
            return _hour_day(at[:13], "Z")
        if at[-6] in "+-" and at[-3:] == ":00":
            return _hour_day(at[:13], at[-6:])
    return _exact_day(at)


@lru_cache(maxsize=65_536)
def _hour_day(hour: str, offset: str) -> tuple[int, int]:
    return _london(f"{hour}:00:00{offset}")


@lru_cache(maxsize=4_096)
def _exact_day(at: str) -> tuple[int, int]:
    return _london(at)


def _london(at: str) -> tuple[int, int]:
    local = local_day(datetime.fromisoformat(at))
    return day_index(local), month_index(local)


def _category(p: dict[str, Any]) -> str:
    offence = p.get("offence")
    if offence:
        return f"{offence['major']}|{offence.get('minor') or ''}"
    return f"ASB|{p.get('asb_category') or ''}"
