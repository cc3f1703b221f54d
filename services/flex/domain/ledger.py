"""The flex ledger: minutes per ward, role and day, kept from the current version of every
CARM3 duty.

Each duty counts once, as its latest version says: a changed duty takes back what its
previous version added and adds its new minutes; a cancelled duty takes back everything; a
version older than the one held changes nothing. So hours move, never duplicate.

What a duty of an SN officer adds (``M`` = its minutes; H = the officer's home ward):

- leave or sickness: H's absent minutes by kind (not planned SN time);
- anything else is planned SN time of H: ``planned += M``, then
  - ward duty or authorised ward flex worked on H: on-ward minutes of H, and the officer
    counts as on duty on H that day;
  - worked on another ward W: H's ``flexed_out`` and W's ``flexed_in`` (the officer counts
    on duty on W); flexed out without authorisation by a superintendent or above is also
    H's ``flexed_out_unauthorised``;
  - aid, public order, court, training, other: H's abstracted minutes by kind.

The same minutes are also summed per home ward and month (:class:`Totals`), so KPI 9 over
whole months (the financial year to date) reads a dozen sums, not every day.

Who is available to a ward for the minimum staffing check (:meth:`Ledger.available`): only
officers on duty on that ward that day, that is holding a ward duty or authorised ward flex
worked on it, whether their own ward or flexed in from another. Not available to it: an
officer with no duty that day (a rest day), on leave or sick, abstracted (aid, public order,
court, training, other) or flexed out to another ward (they count for the ward they work).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

ON_WARD: Final = frozenset({"ward_duty", "authorised_ward_flex"})
ABSENCE: Final = frozenset({"leave", "sickness"})
ABSTRACTIONS: Final = ("aid", "public_order", "court", "training", "other")
ROLES: Final = ("PS", "PC", "PCSO")
AUTHORISING_RANKS: Final = frozenset({
    "superintendent", "chief_superintendent", "commander", "deputy_assistant_commissioner",
    "assistant_commissioner", "deputy_commissioner", "commissioner",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Duty:
    """What the ledger needs of one version of a duty (no personal data: a pseudonym)."""

    duty_id: str
    version: int
    officer: str
    role: str
    home_ward: str
    home_borough: str
    day: date
    start: datetime
    end: datetime
    planned_ward: str
    actual_ward: str | None
    kind: str
    authoriser_rank: str | None = None
    authorised_at: datetime | None = None
    problem_solving_ref: str | None = None

    @property
    def minutes(self) -> int:
        return round((self.end - self.start).total_seconds() / 60)

    @property
    def worked_ward(self) -> str | None:
        """The ward worked for an on-ward duty (actual, else planned); None otherwise."""
        if self.kind not in ON_WARD:
            return None
        return self.actual_ward or self.planned_ward

    @property
    def flexed(self) -> bool:
        """Worked on a ward other than the officer's own, or booked as ward flex."""
        worked = self.worked_ward
        return worked is not None and (worked != self.home_ward or self.kind != "ward_duty")

    @property
    def properly_authorised(self) -> bool:
        return self.authoriser_rank in AUTHORISING_RANKS

    @property
    def late_authorisation(self) -> bool:
        return self.authorised_at is not None and self.authorised_at > self.start


@dataclass
class Cell:
    """One ward, role and day."""

    planned: int = 0
    on_ward: int = 0
    flexed_out: int = 0
    flexed_out_unauthorised: int = 0
    flexed_in: int = 0
    abstracted: Counter[str] = field(default_factory=Counter)
    absent: Counter[str] = field(default_factory=Counter)
    officers: Counter[str] = field(default_factory=Counter)
    """Officers on duty on this ward (pseudonym → duties), whatever their home ward."""

    @property
    def officers_on_duty(self) -> int:
        """Officers of the role on duty on the ward: its own on the ward and those flexed in."""
        return sum(1 for n in self.officers.values() if n > 0)

    def totals(self) -> Totals:
        return Totals(self.planned, self.flexed_out, self.flexed_out_unauthorised,
                      sum(self.abstracted.values()))  # fmt: skip


@dataclass
class Totals:
    """Minutes of a ward's SN officers over some days (a day's cell, a month, a period)."""

    planned: int = 0
    flexed_out: int = 0
    flexed_out_unauthorised: int = 0
    abstracted: int = 0
    """Aid, public order, court, training and other together (not leave or sickness)."""

    @property
    def authorised_flex(self) -> int:
        """Authorised ward flex: flexed out to another ward, authorised by a
        superintendent or above (the KPI 9 numerator)."""
        return self.flexed_out - self.flexed_out_unauthorised

    def add(self, other: Totals) -> None:
        self.planned += other.planned
        self.flexed_out += other.flexed_out
        self.flexed_out_unauthorised += other.flexed_out_unauthorised
        self.abstracted += other.abstracted


CellKey = tuple[str, str, date]
"""(ward, role, day)."""


@dataclass
class Ledger:
    _duties: dict[str, tuple[int, Duty | None]] = field(default_factory=dict)
    cells: dict[CellKey, Cell] = field(default_factory=dict)
    boroughs: dict[str, str] = field(default_factory=dict)
    """Ward → borough, of every ward seen as a home ward."""
    teams: dict[tuple[str, str, int, int], Counter[str]] = field(default_factory=dict)
    """(ward, role, year, month) → the ward's officers of the role with duties that month."""

    home_duties: dict[tuple[str, date], set[str]] = field(default_factory=dict)
    """(home ward, day) → ids of the current duties of its officers that day."""
    months: dict[tuple[str, int, int], Totals] = field(default_factory=dict)
    """(home ward, year, month) → the minutes of its officers that month, all roles."""

    def duty(self, duty_id: str) -> Duty | None:
        held = self._duties.get(duty_id)
        return None if held is None else held[1]

    def team(self, ward: str, role: str, day: date) -> int:
        """Officers of the role posted to the ward in the day's month (any duty held)."""
        found = self.teams.get((ward, role, day.year, day.month))
        return 0 if found is None else sum(1 for n in found.values() if n > 0)

    def available(self, ward: str, role: str, day: date) -> int | None:
        """Officers of the role available to the ward on the day for the minimum staffing
        check: those on duty on it (see the module docstring). None when the ward holds no
        roster of the role that month, so there is nothing to judge."""
        if not self.team(ward, role, day):
            return None
        return self.cell(ward, role, day).officers_on_duty

    def apply(self, duty_id: str, version: int, duty: Duty | None) -> bool:
        """Make ``duty`` (None: cancelled) the duty's version ``version``; False (nothing
        changes) when a version as new is already held."""
        held = self._duties.get(duty_id)
        if held is not None and held[0] >= version:
            return False
        if held is not None and held[1] is not None:
            self._add(held[1], -1)
        self._duties[duty_id] = (version, duty)
        if duty is not None:
            self._add(duty, +1)
        return True

    def newer(self, duty_id: str, version: int) -> bool:
        held = self._duties.get(duty_id)
        return held is None or held[0] < version

    def duties(self) -> Iterator[Duty]:
        """Every current (not cancelled) duty."""
        for _, duty in self._duties.values():
            if duty is not None:
                yield duty

    def cell(self, ward: str, role: str, day: date) -> Cell:
        return self.cells.get((ward, role, day)) or Cell()

    def data_date(self, today: date) -> date:
        """The latest day holding a current duty, never after ``today`` (``today`` when none
        is held): the data's clock, which reports and KPI 9 open on, not the machine's."""
        held = (day for (_, day), ids in self.home_duties.items() if ids and day <= today)
        return max(held, default=today)

    def _add(self, d: Duty, sign: int) -> None:
        self.boroughs[d.home_ward] = d.home_borough
        minutes = sign * d.minutes
        ids = self.home_duties.setdefault((d.home_ward, d.day), set())
        if sign > 0:
            ids.add(d.duty_id)
        else:
            ids.discard(d.duty_id)
        team = self.teams.setdefault((d.home_ward, d.role, d.day.year, d.day.month), Counter())
        team[d.officer] += sign
        home = self._cell(d.home_ward, d.role, d.day)
        if d.kind in ABSENCE:
            home.absent[d.kind] += minutes
            return
        home.planned += minutes
        self._place(d, home, minutes, sign)
        month = self.months.setdefault((d.home_ward, d.day.year, d.day.month), Totals())
        month.add(_month_minutes(d, minutes))

    def _place(self, d: Duty, home: Cell, minutes: int, sign: int) -> None:
        """Where the planned minutes of a duty went: on the ward, flexed out, or abstracted."""
        worked = d.worked_ward
        if worked is None:
            home.abstracted[d.kind if d.kind in ABSTRACTIONS else "other"] += minutes
            return
        there = self._cell(worked, d.role, d.day)
        if worked == d.home_ward:
            home.on_ward += minutes
        else:
            home.flexed_out += minutes
            if not d.properly_authorised:
                home.flexed_out_unauthorised += minutes
            there.flexed_in += minutes
        there.officers[d.officer] += sign

    def _cell(self, ward: str, role: str, day: date) -> Cell:
        found = self.cells.get((ward, role, day))
        if found is None:
            found = self.cells[(ward, role, day)] = Cell()
        return found


def _month_minutes(d: Duty, minutes: int) -> Totals:
    """What a planned duty adds to its home ward's month (``minutes`` signed), as it adds
    to the home cell in :meth:`Ledger._place`."""
    worked = d.worked_ward
    if worked is None:
        return Totals(planned=minutes, abstracted=minutes)
    if worked == d.home_ward:
        return Totals(planned=minutes)
    unauthorised = 0 if d.properly_authorised else minutes
    return Totals(planned=minutes, flexed_out=minutes, flexed_out_unauthorised=unauthorised)


def recompute(duties: Iterable[Duty]) -> Ledger:
    """A ledger built afresh from current duties (the batch check of the incremental one)."""
    ledger = Ledger()
    for d in duties:
        ledger.apply(d.duty_id, d.version, d)
    return ledger
