"""Repeat victims, repeat callers and vulnerable callers: window edges, ownership rules,
amendments and cancellations, thresholds — and a brute-force recomputation."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.kpi.domain.diagnostics import Answer, Contact, Diagnostics, Rules, within
from services.kpi.domain.state import MPS, Unit

B1, B2 = "E09000033", "E09000012"
W1, W2, W3 = (
    Unit("ward", "E05013806", B1),
    Unit("ward", "E05013807", B1),
    Unit("ward", "E05009367", B2),
)
LOOSE = Unit("unlocated", B1, B1)
BOROUGH1 = Unit("borough", B1, B1)
FIRST, LAST = 9000, 9364  # a 365-day window


def victim(person: str, record: str, unit: Unit, day: int, delta: int = 1) -> Contact:
    return Contact("victim", person, record, unit, day, delta)


def caller(person: str, record: str, unit: Unit, day: int, vulnerable: bool = False) -> Contact:
    return Contact("caller", person, record, unit, day, 1, vulnerable)


def answers(contacts: list[Contact], rules: Rules | None = None) -> Diagnostics:
    found = Diagnostics(rules or Rules())
    found.apply(contacts)
    return found


def test_two_offences_in_the_window_make_a_repeat_victim_owned_by_the_latest_ward() -> None:
    d = answers([victim("p", "c1", W1, 9100), victim("p", "c2", W2, 9200),
                 victim("q", "c3", W1, 9150)])  # fmt: skip
    by = d.by_owner("victim", FIRST, LAST)
    assert within(by, W2).repeat_persons == 1  # the most recent offence was in W2
    assert within(by, W1).repeat_persons == 0
    assert within(by, W1).persons == 1  # q, once
    borough = within(by, BOROUGH1)
    assert (borough.persons, borough.repeat_persons) == (2, 1)
    assert (borough.contacts, borough.repeat_contacts) == (3, 2)
    assert borough.repeat_share == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("days", "repeat"),
    [
        ((FIRST, LAST), True),  # both on the window's edges: in
        ((FIRST - 1, LAST), False),  # one a day before the window: out
        ((LAST, LAST + 1), False),  # one after the as-of date: out
    ],
)
def test_the_window_edges(days: tuple[int, int], repeat: bool) -> None:
    d = answers([victim("p", "c1", W1, days[0]), victim("p", "c2", W1, days[1])])
    assert within(d.by_owner("victim", FIRST, LAST), W1).repeat_persons == int(repeat)


@pytest.mark.parametrize(
    ("rule", "owner"),
    [("most_recent", W3), ("first", W1), ("most_frequent", W2)],
)
def test_owner_rules(rule: str, owner: Unit) -> None:
    contacts = [victim("p", "a", W1, 9001), victim("p", "b", W2, 9050),
                victim("p", "c", W2, 9060), victim("p", "d", W3, 9300)]  # fmt: skip
    d = answers(contacts, rules=Rules(owner=rule))  # type: ignore[arg-type]
    by = d.by_owner("victim", FIRST, LAST)
    assert list(by) == [owner]
    assert by[owner].repeat_contacts == 4


def test_a_tie_goes_to_the_latest_contact() -> None:
    d = answers([victim("p", "a", W1, 9001), victim("p", "b", W2, 9100)],
                rules=Rules(owner="most_frequent"))  # fmt: skip
    assert list(d.by_owner("victim", FIRST, LAST)) == [W2]


def test_a_cancelled_offence_makes_a_repeat_victim_single_again() -> None:
    d = answers([victim("p", "c1", W1, 9100), victim("p", "c2", W1, 9200)])
    assert within(d.by_owner("victim", FIRST, LAST), W1).repeat_persons == 1
    d.apply([victim("p", "c2", W1, 9200, -1)])
    found = within(d.by_owner("victim", FIRST, LAST), W1)
    assert (found.persons, found.repeat_persons, found.contacts) == (1, 0, 1)
    d.apply([victim("p", "c1", W1, 9100, -1)])
    assert d.persons() == 0


def test_a_relocated_offence_moves_the_victim() -> None:
    d = answers([victim("p", "c1", W1, 9100), victim("p", "c2", W1, 9200)])
    d.apply([victim("p", "c2", W1, 9200, -1), victim("p", "c2", W3, 9200)])
    by = d.by_owner("victim", FIRST, LAST)
    assert list(by) == [W3]
    assert within(by, BOROUGH1).persons == 0
    assert within(by, Unit("borough", B2, B2)).repeat_persons == 1


def test_repeat_callers_use_their_own_threshold_and_vulnerable_callers_are_counted() -> None:
    calls = [caller("a", "i1", W1, 9100), caller("a", "i2", W1, 9101, vulnerable=True),
             caller("b", "i3", W1, 9102), caller("b", "i4", W1, 9103),
             caller("b", "i5", LOOSE, 9104)]  # fmt: skip
    d = answers(calls)
    by = d.by_owner("caller", FIRST, LAST)
    mps = within(by, MPS)
    assert (mps.persons, mps.repeat_persons, mps.contacts) == (2, 1, 5)  # b: 3 calls
    assert (mps.vulnerable_persons, mps.vulnerable_contacts) == (1, 1)
    assert mps.vulnerable_repeat_persons == 0  # a called twice: not a repeat caller at 3
    assert within(by, LOOSE).repeat_persons == 1  # b's latest call had no ward
    stricter = answers(calls, rules=Rules(repeat_caller=2))
    assert within(stricter.by_owner("caller", FIRST, LAST), MPS).vulnerable_repeat_persons == 1
    assert within(d.by_owner("victim", FIRST, LAST), MPS).persons == 0  # kinds apart


contact_changes = st.lists(
    st.tuples(
        st.sampled_from(["p", "q", "r"]),
        st.sampled_from(["c1", "c2", "c3", "c4"]),
        st.sampled_from([W1, W2, W3, LOOSE]),
        st.integers(8990, 9370),
        st.sampled_from([1, 1, -1]),
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(contact_changes, st.sampled_from(["most_recent", "first", "most_frequent"]))
def test_incremental_answers_equal_a_brute_force_recomputation(
    changes: list[tuple[str, str, Unit, int, int]], rule: str
) -> None:
    # A record keeps its day; its net count per unit is the sum of its changes there.
    days: dict[str, int] = {}
    contacts = []
    for person, record, unit, day, delta in changes:
        day = days.setdefault(person + record, day)
        contacts.append(victim(person, person + record, unit, day, delta))
    d = answers(contacts, rules=Rules(owner=rule))  # type: ignore[arg-type]
    assert d.by_owner("victim", FIRST, LAST) == _brute(contacts, rule)


def _brute(contacts: list[Contact], rule: str) -> dict[Unit, Answer]:
    net: Counter[tuple[str, str, Unit]] = Counter()
    day: dict[tuple[str, str, Unit], int] = {}
    for c in contacts:
        net[(c.person, c.record, c.unit)] += c.delta
        day.setdefault((c.person, c.record, c.unit), c.day)
    per_person: dict[str, list[tuple[int, int, Unit]]] = defaultdict(list)
    for (person, record, unit), n in net.items():
        if n > 0 and FIRST <= day[(person, record, unit)] <= LAST:
            per_person[person].append((day[(person, record, unit)], n, unit))
    out: dict[Unit, Answer] = {}
    for inside in per_person.values():
        total = sum(n for _, n, _ in inside)
        found = out.setdefault(_owner(inside, rule), Answer())
        found.persons += 1
        found.contacts += total
        found.repeat_persons += total >= 2
        found.repeat_contacts += total if total >= 2 else 0
    return out


def _owner(inside: list[tuple[int, int, Unit]], rule: str) -> Unit:
    """Ownership by the rule, worked out directly."""
    if rule == "most_recent":
        return max(inside, key=lambda c: (c[0], c[2].code))[2]
    if rule == "first":
        return min(inside, key=lambda c: (c[0], c[2].code))[2]
    tally: Counter[Unit] = Counter()
    last: dict[Unit, int] = {}
    for d, n, u in inside:
        tally[u] += n
        last[u] = max(last.get(u, d), d)
    return max(tally, key=lambda u: (tally[u], last[u], u.code))
