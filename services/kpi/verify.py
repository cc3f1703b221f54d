"""Batch recomputation: every stored day count, every stored contact of a victim or ASB caller
and every survey sum and published survey figure recomputed from the event history, by a
path independent of the incremental fold (full contract validation, a plain GROUP BY in a
dict), and diffed with what the kpi service holds. The diff must be empty.

Only the events the kpi service has applied are recomputed (``applied``), so a service that
is still catching up is compared like with like; the events not yet applied are reported.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.kpi.domain.days import LONDON, day_index, month_index
from services.kpi.domain.survey import AggregateKey, SumKey
from shared.contracts import CadCountedV1, CrimeCountedV1, SurveyAggregateV1, parse_event

CountKey = tuple[str, str, str, int]
"""(unit kind, unit code, kpi group, day index) as stored by the kpi service."""
_KIND = {"ward": "ward", "borough_unlocated": "unlocated", "borough_total": "borough_total"}


ContactKey = tuple[str, ...]
"""(victim or caller, pseudonym, record id, unit kind, unit code, "count" or "vulnerable")."""


@dataclass
class Recomputed:
    counts: dict[CountKey, int] = field(default_factory=dict)
    contacts: dict[ContactKey, int] = field(default_factory=dict)
    survey_sums: dict[SumKey, list[float]] = field(default_factory=dict)
    survey_published: dict[AggregateKey, tuple[float, int | None]] = field(default_factory=dict)
    events: int = 0
    not_applied: int = 0


def recompute(raws: Iterable[bytes], applied: Callable[[str], bool]) -> Recomputed:
    """Sum every applied crime.counted / cad.counted event per unit, group and London day."""
    out = Recomputed()
    for raw in raws:
        event = parse_event(raw)
        if event.event_type in ("survey.recorded", "survey.aggregate"):
            if applied(event.event_id):
                _survey(out, event.payload)
            continue
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


def _survey(out: Recomputed, p: Any) -> None:
    if isinstance(p, SurveyAggregateV1):
        if p.period.value == "rolling_12m":
            found = (p.survey.value, p.measure, p.area_code, p.respondent_group.value, p.period_end)
            out.survey_published[found] = (p.proportion, p.n)
        return
    ethnicity = p.ethnicity_group.value if p.ethnicity_group else "not_stated"
    group = ethnicity if ethnicity in ("white", "not_stated") else "minority_ethnic"
    key = (p.survey.value, p.measure, p.borough_code, group, month_index(p.interviewed_on))
    sums = out.survey_sums.setdefault(key, [0, 0.0, 0.0, 0.0])
    sums[0] += 1
    sums[1] += p.weight
    sums[2] += p.weight * p.weight
    sums[3] += p.weight if p.positive else 0.0


def survey_differences(
    expected: Recomputed, sums: Mapping[SumKey, Sequence[float]],
    published: Mapping[AggregateKey, tuple[float, int | None]],
) -> int:  # fmt: skip
    """How many stored survey sums and published figures differ from the recomputation
    (weight sums compared to a relative 1e-9: floating additions in another order)."""
    differ = sum(1 for k in set(expected.survey_sums) | set(sums)
                 if not _close(expected.survey_sums.get(k), sums.get(k)))  # fmt: skip
    return differ + sum(1 for k in set(expected.survey_published) | set(published)
                        if expected.survey_published.get(k) != published.get(k))  # fmt: skip


def _close(a: Sequence[float] | None, b: Sequence[float] | None) -> bool:
    if a is None or b is None:
        return a is b
    return a[0] == b[0] and all(
        math.isclose(x, y, rel_tol=1e-9) for x, y in zip(a[1:], b[1:], strict=True)
    )


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
