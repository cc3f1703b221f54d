"""The monthly SNT abstraction report (the figures the Commissioner reports to the police
authority): per ward of a borough, or per borough of the MPS, the planned SN hours, hours on
the ward, flexed out (authorised / not), flexed in, abstracted by reason, absent, the shares
abstracted and flexed, and the days below the minimum staffing model; and KPI 9, the share of
planned SN hours abstracted this year against the same period last year (the baseline)."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.flex.domain.exceptions import Model
from services.flex.domain.ledger import ABSTRACTIONS, ROLES, Ledger

ABSENCES = ("leave", "sickness")


@dataclass(frozen=True, slots=True)
class WardInfo:
    code: str
    name: str
    borough: str
    model: Model


@dataclass
class Row:
    """Minutes of one ward (or one borough: the sum of its wards)."""

    code: str
    name: str
    model: str = ""
    planned: int = 0
    on_ward: int = 0
    flexed_out: int = 0
    flexed_out_unauthorised: int = 0
    flexed_in: int = 0
    abstracted: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ABSTRACTIONS, 0))
    absent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ABSENCES, 0))
    days_below_minimum: int = 0

    @property
    def abstracted_total(self) -> int:
        return sum(self.abstracted.values())

    @property
    def abstraction_share(self) -> float | None:
        return None if not self.planned else self.abstracted_total / self.planned

    @property
    def flex_share(self) -> float | None:
        return None if not self.planned else self.flexed_out / self.planned

    def add(self, other: Row) -> None:
        for name in ("planned", "on_ward", "flexed_out", "flexed_out_unauthorised", "flexed_in",
                     "days_below_minimum"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, n in other.abstracted.items():
            self.abstracted[kind] += n
        for kind, n in other.absent.items():
            self.absent[kind] += n


@dataclass(frozen=True, slots=True)
class Report:
    scope: str
    """A borough code, or MPS."""
    year: int
    month: int
    rows: tuple[Row, ...]
    total: Row


def ward_row(ledger: Ledger, ward: WardInfo, first: date, last: date) -> Row:
    """One ward's minutes over the days ``first..last``."""
    model = "-".join(str(ward.model.get(r, 0)) for r in ROLES)
    row = Row(ward.code, ward.name, model)
    day = first
    while day <= last:
        below = False
        for role in ROLES:
            cell = ledger.cells.get((ward.code, role, day))
            team = ledger.team(ward.code, role, day)
            if team and ledger.cell(ward.code, role, day).strength(team) < ward.model.get(role, 0):
                below = True
            if cell is None:
                continue
            row.planned += cell.planned
            row.on_ward += cell.on_ward
            row.flexed_out += cell.flexed_out
            row.flexed_out_unauthorised += cell.flexed_out_unauthorised
            row.flexed_in += cell.flexed_in
            for kind, n in cell.abstracted.items():
                row.abstracted[kind] = row.abstracted.get(kind, 0) + n
            for kind, n in cell.absent.items():
                row.absent[kind] = row.absent.get(kind, 0) + n
        row.days_below_minimum += below
        day += timedelta(days=1)
    return row


def monthly_report(ledger: Ledger, wards: Iterable[WardInfo], scope: str, year: int,
                   month: int, borough_name: Callable[[str], str] = str) -> Report:  # fmt: skip
    """The report of a borough (a row per ward) or of the MPS (``scope`` "MPS": a row per
    borough) for one calendar month."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    chosen = [w for w in wards if scope == "MPS" or w.borough == scope]
    by_ward = [ward_row(ledger, w, first, last) for w in chosen]
    if scope == "MPS":
        boroughs: dict[str, Row] = {}
        for w, row in zip(chosen, by_ward, strict=True):
            boroughs.setdefault(w.borough, Row(w.borough, borough_name(w.borough))).add(row)
        rows = [boroughs[b] for b in sorted(boroughs)]
    else:
        rows = sorted(by_ward, key=lambda r: r.code)
    total = Row(scope, "Total")
    for row in rows:
        total.add(row)
    return Report(scope, year, month, tuple(rows), total)


@dataclass(frozen=True, slots=True)
class Kpi9:
    """Share of planned SN hours abstracted, this period and the same period last year."""

    first: date
    last: date
    abstracted: int
    planned: int
    last_year_abstracted: int
    last_year_planned: int

    @property
    def share(self) -> float | None:
        return None if not self.planned else self.abstracted / self.planned

    @property
    def last_year_share(self) -> float | None:
        return None if not self.last_year_planned else (
            self.last_year_abstracted / self.last_year_planned)  # fmt: skip

    @property
    def change_points(self) -> float | None:
        now, before = self.share, self.last_year_share
        return None if now is None or before is None else 100 * (now - before)


def kpi9(ledger: Ledger, wards: Iterable[WardInfo], first: date, last: date) -> Kpi9:
    """KPI 9 of ``wards`` together over ``first..last`` against a year before."""
    chosen = list(wards)
    now = [ward_row(ledger, w, first, last) for w in chosen]
    before_first, before_last = _year_before(first), _year_before(last)
    then = [ward_row(ledger, w, before_first, before_last) for w in chosen]
    return Kpi9(first, last, sum(r.abstracted_total for r in now), sum(r.planned for r in now),
                sum(r.abstracted_total for r in then), sum(r.planned for r in then))  # fmt: skip


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
