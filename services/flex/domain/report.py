"""The monthly SNT abstraction report (the figures the Commissioner reports to the police
authority): per ward of a borough, or per borough of the MPS, the planned SN hours, hours on
the ward, flexed out (authorised / not), flexed in, abstracted by reason, absent, the shares
abstracted and flexed, and the days below the minimum staffing model.

KPI 9, "Use of Resources (SNT Flex)" (seed 000): the share of planned SN hours that was
Authorised Ward Flex recorded on CARM3, i.e. flexed out to another ward with authorisation by
a superintendent or above, against the same period last year (a baseline: no target).
Unauthorised flex and the other abstractions are not KPI 9; they keep their own columns."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.flex.domain.exceptions import Model
from services.flex.domain.ledger import ABSTRACTIONS, ROLES, Ledger, Totals

ABSENCES = ("leave", "sickness")
KPI9_MEASURE = "authorised_ward_flex_share"
KPI9_DEFINITION = (
    "Use of Resources (SNT Flex), seed 000: hours of the ward's SN officers flexed out to "
    "another ward as Authorised Ward Flex (authorised on CARM3 by a superintendent or above) "
    "as a share of planned SN hours; unauthorised flex and other abstractions are not counted"
)


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
        """All hours flexed out (authorised or not) as a share of planned hours."""
        return None if not self.planned else self.flexed_out / self.planned

    @property
    def flexed_out_authorised(self) -> int:
        """Authorised ward flex: the KPI 9 numerator."""
        return self.flexed_out - self.flexed_out_unauthorised

    @property
    def authorised_flex_share(self) -> float | None:
        """KPI 9 of the row: authorised ward flex as a share of planned hours."""
        return None if not self.planned else self.flexed_out_authorised / self.planned

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
        row.days_below_minimum += below_minimum(ledger, ward, day)
        for role in ROLES:
            cell = ledger.cells.get((ward.code, role, day))
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
        day += timedelta(days=1)
    return row


def below_minimum(ledger: Ledger, ward: WardInfo, day: date) -> bool:
    """Whether, for some role, fewer officers were on duty on the ward than its model asks."""
    for role in ROLES:
        available = ledger.available(ward.code, role, day)
        if available is not None and available < ward.model.get(role, 0):
            return True
    return False


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
    """KPI 9: authorised ward flex as a share of planned SN hours, this period and the same
    period last year; the abstracted minutes ride along for context (they are not KPI 9)."""

    first: date
    last: date
    now: Totals
    last_year: Totals

    @property
    def authorised_flex(self) -> int:
        return self.now.authorised_flex

    @property
    def planned(self) -> int:
        return self.now.planned

    @property
    def share(self) -> float | None:
        return _share(self.now)

    @property
    def last_year_share(self) -> float | None:
        return _share(self.last_year)

    @property
    def change_points(self) -> float | None:
        now, before = self.share, self.last_year_share
        return None if now is None or before is None else 100 * (now - before)


def _share(totals: Totals) -> float | None:
    return None if not totals.planned else totals.authorised_flex / totals.planned


def kpi9(ledger: Ledger, wards: Iterable[WardInfo], first: date, last: date) -> Kpi9:
    """KPI 9 of ``wards`` together over ``first..last`` against a year before."""
    codes = [w.code for w in wards]
    now = totals(ledger, codes, first, last)
    then = totals(ledger, codes, _year_before(first), _year_before(last))
    return Kpi9(first, last, now, then)


def totals(ledger: Ledger, wards: Sequence[str], first: date, last: date) -> Totals:
    """The minutes of the wards' officers over ``first..last``: whole months from the
    ledger's monthly sums, the days of a part month from its cells."""
    found = Totals()
    for start, end in _months(first, last):
        whole = start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]
        for ward in wards:
            if whole:
                found.add(ledger.months.get((ward, start.year, start.month)) or Totals())
            else:
                found.add(_days(ledger, ward, start, end))
    return found


def _days(ledger: Ledger, ward: str, first: date, last: date) -> Totals:
    found = Totals()
    day = first
    while day <= last:
        for role in ROLES:
            cell = ledger.cells.get((ward, role, day))
            if cell is not None:
                found.add(cell.totals())
        day += timedelta(days=1)
    return found


def _months(first: date, last: date) -> Iterator[tuple[date, date]]:
    """``first..last`` cut at month ends."""
    start = first
    while start <= last:
        end = date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
        yield start, min(end, last)
        start = end + timedelta(days=1)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
