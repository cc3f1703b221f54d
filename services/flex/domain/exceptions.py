"""Flex and staffing exceptions, each naming the duties behind it.

- ``unauthorised_flex``: a ward-day whose officers were flexed (worked another ward, or booked
  as ward flex) without authorisation by a superintendent or above;
- ``late_authorisation``: a ward-day with a duty authorised after it started;
- ``below_minimum_staffing``: a ward-day on which, for a role, the officers on duty on the
  ward (its own officers on ward duty there and those flexed in; not those on a rest day, on
  leave, sick, abstracted or flexed out: see :meth:`Ledger.available`) are fewer than the
  ward's minimum staffing model (1 PS, 2 PC, 3 PCSO; 6 PCSOs over 14,000 residents); judged
  for a role only when the ward holds a roster of it that month;
- ``abstraction_over_threshold``: a ward-month whose abstracted minutes exceed the configured
  share of its planned minutes;
- ``flexed_while_breaching``: a ward-month with officers flexed out on at least the
  configured number of days while the ward's crime KPIs are breaching their trajectory.

An exception's id is its kind, ward and date (the month's first day for ward-month rules), so
the same exception keeps its id as its figures change.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.flex.domain.ledger import ROLES, Duty, Ledger

MAX_DUTIES = 200
"""Duty ids named by one exception at most (the detail says when there are more)."""
Model = dict[str, int]
"""Role → the minimum number of officers."""


@dataclass(frozen=True, slots=True)
class Rules:
    version: str = "flex-rules-1"
    abstraction_share: float = 0.15
    repeated_flex_days: int = 3


@dataclass(frozen=True, slots=True)
class FlexException:
    kind: str
    ward: str
    borough: str
    day: date
    duty_ids: tuple[str, ...]
    detail: str
    figures: dict[str, float] = field(default_factory=dict)

    @property
    def exception_id(self) -> str:
        return f"{self.kind}:{self.ward}:{self.day.isoformat()}"


def ward_day_exceptions(ledger: Ledger, ward: str, day: date,
                        model: Model) -> Iterator[FlexException]:  # fmt: skip
    """The exceptions of one ward-day."""
    borough = ledger.boroughs.get(ward, "")
    duties = _home_duties(ledger, ward, day)
    unauthorised = [d for d in duties if d.flexed and not d.properly_authorised]
    if unauthorised:
        minutes = sum(d.minutes for d in unauthorised)
        yield FlexException(
            "unauthorised_flex", ward, borough, day, _ids(unauthorised),
            f"{len(unauthorised)} duties ({minutes / 60:g} h) flexed without authorisation "
            "by a superintendent or above", {"duties": len(unauthorised), "minutes": minutes},
        )  # fmt: skip
    late = [d for d in duties if d.late_authorisation]
    if late:
        worst = max((a - d.start).total_seconds() / 60
                    for d in late if (a := d.authorised_at) is not None)  # fmt: skip
        yield FlexException(
            "late_authorisation", ward, borough, day, _ids(late),
            f"{len(late)} duties authorised after they started (up to {worst:g} minutes late)",
            {"duties": len(late), "max_minutes_late": worst},
        )  # fmt: skip
    yield from _staffing(ledger, ward, borough, day, model, duties)


def _staffing(ledger: Ledger, ward: str, borough: str, day: date, model: Model,
              duties: list[Duty]) -> Iterator[FlexException]:  # fmt: skip
    short: dict[str, float] = {}
    for role in ROLES:
        available = ledger.available(ward, role, day)
        if available is not None and available < model.get(role, 0):
            short[f"{role.lower()}_available"] = available
            short[f"{role.lower()}_required"] = model[role]
    if short:
        away = [d for d in duties if d.worked_ward != ward]
        roles = ", ".join(f"{k[:-10].upper()} {int(v)} of {int(short[k[:-10] + '_required'])}"
                          for k, v in short.items() if k.endswith("_available"))  # fmt: skip
        yield FlexException(
            "below_minimum_staffing",
            ward,
            borough,
            day,
            _ids(away),
            f"below the minimum staffing model: {roles} available",
            short,
        )


def ward_month_exceptions(ledger: Ledger, ward: str, year: int, month: int, rules: Rules,
                          breaching: bool) -> Iterator[FlexException]:  # fmt: skip
    """The exceptions of one ward-month (dated the month's first day)."""
    first = date(year, month, 1)
    days = [first + timedelta(days=i) for i in range(calendar.monthrange(year, month)[1])]
    borough = ledger.boroughs.get(ward, "")
    planned = abstracted = 0
    flexed_days: list[date] = []
    for day in days:
        for role in ROLES:
            cell = ledger.cells.get((ward, role, day))
            if cell is None:
                continue
            planned += cell.planned
            abstracted += sum(cell.abstracted.values())
            if cell.flexed_out > 0 and (not flexed_days or flexed_days[-1] != day):
                flexed_days.append(day)
    if planned > 0 and abstracted / planned > rules.abstraction_share:
        duties = [d for day in days for d in _home_duties(ledger, ward, day)
                  if d.worked_ward is None and d.kind not in ("leave", "sickness")]  # fmt: skip
        yield FlexException(
            "abstraction_over_threshold", ward, borough, first, _ids(duties),
            f"{100 * abstracted / planned:.1f}% of planned SN hours abstracted in "
            f"{first:%B %Y} (threshold {100 * rules.abstraction_share:g}%)",
            {"abstracted_minutes": abstracted, "planned_minutes": planned,
             "share": abstracted / planned, "threshold": rules.abstraction_share},
        )  # fmt: skip
    if breaching and len(flexed_days) >= rules.repeated_flex_days:
        duties = [d for day in flexed_days for d in _home_duties(ledger, ward, day)
                  if d.flexed and d.worked_ward != ward]  # fmt: skip
        yield FlexException(
            "flexed_while_breaching", ward, borough, first, _ids(duties),
            f"officers flexed out on {len(flexed_days)} days of {first:%B %Y} while the "
            "ward's crime KPIs are breaching their trajectory",
            {"days_flexed_out": len(flexed_days), "threshold_days": rules.repeated_flex_days},
        )  # fmt: skip


def _home_duties(ledger: Ledger, ward: str, day: date) -> list[Duty]:
    ids = sorted(ledger.home_duties.get((ward, day), ()))
    return [d for i in ids if (d := ledger.duty(i)) is not None]


def _ids(duties: list[Duty]) -> tuple[str, ...]:
    return tuple(sorted(d.duty_id for d in duties))[:MAX_DUTIES]


ModelOf = Callable[[str], Model]
