"""Batch recomputation: every stored day count and every stored contact of a victim or ASB
caller recomputed from the event history, by a path independent of the incremental fold
(full contract validation, a plain GROUP BY in a dict), and diffed with what the kpi service
holds. The diff must be empty.

Only the events the kpi service has applied are recomputed (``applied``), so a service that
is still catching up is compared like with like; the events not yet applied are reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.kpi.domain.days import LONDON, day_index
from shared.contracts import CadCountedV1, CrimeCountedV1, parse_event

CountKey = tuple[str, str, str, int]
"""(unit kind, unit code, kpi group, day index) as stored by the kpi service."""
_KIND = {"ward": "ward", "borough_unlocated": "unlocated", "borough_total": "borough_total"}


ContactKey = tuple[str, ...]
"""(victim or caller, pseudonym, record id, unit kind, unit code, "count" or "vulnerable")."""


@dataclass
class Recomputed:
    counts: dict[CountKey, int] = field(default_factory=dict)
    contacts: dict[ContactKey, int] = field(default_factory=dict)
    events: int = 0
    not_applied: int = 0


def recompute(raws: Iterable[bytes], applied: Callable[[str], bool]) -> Recomputed:
    """Sum every applied crime.counted / cad.counted event per unit, group and London day."""
    out = Recomputed()
    for raw in raws:
        event = parse_event(raw)
        if event.event_type not in ("crime.counted", "cad.counted"):
            continue
        if not applied(event.event_id):
            out.not_applied += 1
            continue
        p = event.payload
        at = p.recorded_at if event.event_type == "crime.counted" else p.incident_at
        kind = _KIND[p.level.value]
        code = p.ward_code if kind == "ward" else (p.borough_code or p.reporting_unit)
        key = (kind, code, p.kpi_group, day_index(_london_date(at)))
        out.counts[key] = out.counts.get(key, 0) + p.delta
        out.events += 1
        person = _person(event.payload, kind)
        if person is not None:
            where = (*person[:2], p.record_id, kind, code)
            _add(out.contacts, (*where, "count"), p.delta)
            _add(out.contacts, (*where, "vulnerable"), p.delta if person[2] else 0)
    out.counts = {k: v for k, v in out.counts.items() if v}
    out.contacts = {k: v for k, v in out.contacts.items() if v}
    return out


def _person(p: CrimeCountedV1 | CadCountedV1, kind: str) -> tuple[str, str, bool] | None:
    if kind == "borough_total" or p.basis.value != "record":
        return None
    if isinstance(p, CrimeCountedV1):
        excluded = p.kpi_group == "excluded"
        return None if excluded or not p.victim_pseudonym else ("victim", p.victim_pseudonym, False)
    if p.caller_pseudonym and p.asb_category:
        return ("caller", p.caller_pseudonym, p.vulnerable_caller)
    return None


def _add(into: dict[ContactKey, int], key: ContactKey, n: int) -> None:
    into[key] = into.get(key, 0) + n


def _london_date(at: object) -> date:
    return at.astimezone(LONDON).date()  # type: ignore[attr-defined, no-any-return]


@dataclass(frozen=True, slots=True)
class Difference:
    key: tuple[Any, ...]
    expected: int
    held: int


def diff(expected: Mapping[Any, int], held: Mapping[Any, int]) -> list[Difference]:
    """Every count that differs (a missing count is 0)."""
    keys = sorted(set(expected) | set(held))
    return [Difference(k, expected.get(k, 0), held.get(k, 0)) for k in keys
            if expected.get(k, 0) != held.get(k, 0)]  # fmt: skip
