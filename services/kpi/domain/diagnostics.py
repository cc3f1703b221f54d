"""Diagnostics: repeat victims, repeat ASB callers and vulnerable callers, as of any date.

Each counted record that names a person (the keyed-hash pseudonym of a crime's victim or an
ASB incident's caller — never the identifier itself) is a **contact** of that person: the
record, the unit it counts in (a ward, or a borough's records with no ward), its day and its
net count. Amendments arrive as −1 where the record counted and +1 where it counts now, so a
relocated crime moves and a cancelled one disappears (a contact whose net is 0 is dropped).
A caller is vulnerable when the net count of the changes that flagged them so is positive.

For an as-of date the window is the rolling 12 months ending that day. A person with at
least ``threshold`` contacts in the window is a repeat victim (threshold 2) or a repeat
caller (configurable, default 3). The person belongs to one ward, by a configurable rule:

- ``most_recent`` (default): the unit of their latest contact in the window;
- ``first``: the unit of their earliest contact in the window;
- ``most_frequent``: the unit with most of their contacts in the window.

Ties go to the latest contact (then the highest unit code), so the owner is always one unit.
A borough's answer counts the persons its wards and its unlocated records own; the MPS
counts every person once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal

from services.kpi.domain.state import MPS, Unit

Kind = Literal["victim", "caller"]
OwnerRule = Literal["most_recent", "first", "most_frequent"]
OWNER_RULES: Final = ("most_recent", "first", "most_frequent")


@dataclass(frozen=True, slots=True)
class Contact:
    """One change of a person's contact (decoded from a count event)."""

    kind: Kind
    person: str
    record: str
    unit: Unit
    day: int
    delta: int
    vulnerable: bool = False


@dataclass(frozen=True, slots=True)
class Rules:
    owner: OwnerRule = "most_recent"
    repeat_victim: int = 2
    repeat_caller: int = 3


@dataclass
class Answer:
    """Counts for one scope and window (no pseudonyms)."""

    persons: int = 0
    """Distinct persons with a contact in the window, owned in the scope."""
    repeat_persons: int = 0
    contacts: int = 0
    """Contacts in the window of the persons owned in the scope."""
    repeat_contacts: int = 0
    """Of those, the contacts of repeat persons."""
    vulnerable_persons: int = 0
    vulnerable_contacts: int = 0
    vulnerable_repeat_persons: int = 0

    @property
    def repeat_share(self) -> float | None:
        """Share of the contacts that are repeat persons' (None when there are none)."""
        return None if not self.contacts else self.repeat_contacts / self.contacts


_Held = dict[tuple[str, Unit], list[int]]
"""(record, unit) → [day, net count, net count of the changes flagged vulnerable]."""


@dataclass
class Diagnostics:
    rules: Rules = field(default_factory=Rules)
    _people: dict[tuple[str, str], _Held] = field(default_factory=dict)

    def apply(self, contacts: Iterable[Contact]) -> None:
        """Fold contact changes (after they are stored)."""
        for c in contacts:
            self._add(c.kind, c.person, c.record, c.unit, c.day, c.delta,
                      c.delta if c.vulnerable else 0)  # fmt: skip

    def apply_nets(self, nets: Mapping[tuple[str, str, str, Unit], tuple[int, int, int]]) -> None:
        """Fold a batch's net contact changes: (kind, person, record, unit) → (day, net count,
        net count flagged vulnerable)."""
        for (kind, person, record, unit), (day, delta, flagged) in nets.items():
            self._add(kind, person, record, unit, day, delta, flagged)

    def _add(self, kind: str, person: str, record: str, unit: Unit, day: int, delta: int,
             flagged: int) -> None:  # fmt: skip
        held = self._people.setdefault((kind, person), {})
        entry = held.get((record, unit))
        if entry is None:
            held[(record, unit)] = [day, delta, flagged]
        else:
            entry[1] += delta
            entry[2] += flagged
            if entry[1] == 0 and entry[2] == 0:
                del held[(record, unit)]
        if not held:
            del self._people[(kind, person)]

    def restore(self, kind: str, person: str, record: str, unit: Unit, day: int, count: int,
                vulnerable: int) -> None:  # fmt: skip
        """Put back one stored contact as it was stored (at start)."""
        if count or vulnerable:
            held = self._people.setdefault((kind, person), {})
            held[(record, unit)] = [day, count, vulnerable]

    def persons(self) -> int:
        return len(self._people)

    def by_owner(self, kind: Kind, first: int, last: int) -> dict[Unit, Answer]:
        """One pass over the persons of ``kind``: each person's contacts in days
        ``first..last``, counted for the unit that owns the person. Every person has one
        owner, so a borough's or the MPS's answer is the sum of its units' (:func:`within`)."""
        threshold = self.rules.repeat_victim if kind == "victim" else self.rules.repeat_caller
        out: dict[Unit, Answer] = {}
        for (k, _), held in self._people.items():
            if k != kind:
                continue
            inside = [(d, n, v, unit) for (_, unit), (d, n, v) in held.items()
                      if first <= d <= last and n > 0]  # fmt: skip
            if inside:
                owner = self._owner(inside)
                _count(out.setdefault(owner, Answer()), inside, threshold)
        return out

    def _owner(self, inside: list[tuple[int, int, int, Unit]]) -> Unit:
        latest = max(inside, key=lambda c: (c[0], c[3].code))
        if self.rules.owner == "most_recent":
            return latest[3]
        if self.rules.owner == "first":
            return min(inside, key=lambda c: (c[0], c[3].code))[3]
        tally = Counter[Unit]()
        last_day: dict[Unit, int] = {}
        for d, n, _, unit in inside:
            tally[unit] += n
            last_day[unit] = max(last_day.get(unit, d), d)
        return max(tally, key=lambda u: (tally[u], last_day[u], u.code))


def _count(out: Answer, inside: list[tuple[int, int, int, Unit]], threshold: int) -> None:
    contacts = sum(n for _, n, _, _ in inside)
    vulnerable = sum(n for _, n, v, _ in inside if v > 0)
    repeat = contacts >= threshold
    out.persons += 1
    out.contacts += contacts
    out.repeat_persons += repeat
    out.repeat_contacts += contacts if repeat else 0
    if vulnerable:
        out.vulnerable_persons += 1
        out.vulnerable_contacts += vulnerable
        out.vulnerable_repeat_persons += repeat


def within(answers: dict[Unit, Answer], scope: Unit) -> Answer:
    """The answer of ``scope`` (a ward, a borough or the MPS) from :meth:`by_owner`'s."""
    out = Answer()
    for owner, found in answers.items():
        if _in_scope(owner, scope):
            for name in _FIELDS:
                setattr(out, name, getattr(out, name) + getattr(found, name))
    return out


_FIELDS: Final = (
    "persons", "repeat_persons", "contacts", "repeat_contacts", "vulnerable_persons",
    "vulnerable_contacts", "vulnerable_repeat_persons",
)  # fmt: skip


def _in_scope(owner: Unit, scope: Unit) -> bool:
    if scope == MPS:
        return owner.kind in ("ward", "unlocated")
    if scope.kind == "borough":
        return owner.borough == scope.code
    return owner == scope
