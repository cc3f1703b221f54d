"""Ranks and exception lists: by the exact test and the Poisson z, adjusted across the
scope for false alarms, never by raw % change."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.kpi.domain.days import day_index, month_index
from services.kpi.domain.league import league, ranks, ward_ranks
from services.kpi.domain.periods import period
from services.kpi.domain.state import MPS, KpiState, Unit
from services.kpi.domain.stats import poisson_ratio_test

B = "E09000033"
THIS, LAST = date(2024, 5, 1), date(2023, 5, 1)
FYTD = period("fytd", date(2024, 5, 31))  # 2024-04-01 .. 2024-05-31; last year the same


def ward(n: int) -> Unit:
    return Unit("ward", f"E0501{n:04d}", B)


def state_with(counts: dict[Unit, tuple[int, int]]) -> KpiState:
    """Each ward's (this year, last year) count, on one day each."""
    state = KpiState()
    for unit, (now, before) in counts.items():
        state.apply({(unit, "violence", day_index(THIS), month_index(THIS)): now,
                     (unit, "violence", day_index(LAST), month_index(LAST)): before})  # fmt: skip
    return state


def test_rank_follows_the_poisson_z_not_the_percent_change() -> None:
    # Ward 1: 3 -> 6 (+100%, z = 2(sqrt 6 - sqrt 3) = 1.43); ward 2: 100 -> 130 (+30%,
    # z = 2(sqrt 130 - sqrt 100) = 2.80): the smaller % rise is the more significant one.
    state = state_with({ward(1): (6, 3), ward(2): (130, 100), ward(3): (90, 100)})
    found = league(state, state.units("ward", B), "violence", FYTD)
    assert [s.unit for s in found.standings] == [ward(2), ward(1), ward(3)]
    assert [s.rank for s in found.standings] == [1, 2, 3]
    assert found.standings[0].z == pytest.approx(2 * (math.sqrt(130) - 10))
    assert found.rank_of(ward(1)) == 2
    assert found.rank_of(ward(9)) is None


def test_p_values_are_adjusted_across_the_scope() -> None:
    counts = {ward(1): (130, 100), ward(2): (60, 40), ward(3): (95, 100), ward(4): (50, 80)}
    state = state_with(counts)
    found = league(state, state.units("ward", B), "violence", FYTD)
    raw = {u: poisson_ratio_test(c, p).p_two_sided for u, (c, p) in counts.items()}
    # Benjamini–Hochberg by hand: sorted p, m/rank, running minimum from the largest.
    order = sorted(raw, key=raw.__getitem__)
    m, adjusted, running = len(order), {}, 1.0
    for rank in range(m, 0, -1):
        running = min(running, raw[order[rank - 1]] * m / rank)
        adjusted[order[rank - 1]] = running
    for s in found.standings:
        assert s.p_value == pytest.approx(raw[s.unit], rel=1e-12)
        assert s.q_value == pytest.approx(adjusted[s.unit], rel=1e-12)
        expected = "not_significant"
        if adjusted[s.unit] <= 0.05:
            expected = "significant_worse" if s.unit in (ward(1), ward(2)) else "significant_better"
        assert s.verdict == expected


def test_exceptions_are_the_significant_wards_most_significant_first() -> None:
    counts = {ward(1): (200, 100), ward(2): (150, 100), ward(3): (50, 100), ward(4): (101, 100),
              ward(5): (70, 100), ward(6): (0, 0)}  # fmt: skip
    state = state_with(counts)
    found = league(state, state.units("ward", B), "violence", FYTD)
    poor, good = found.exceptions()
    assert [s.unit for s in poor] == [ward(1), ward(2)]
    assert [s.unit for s in good] == [ward(3), ward(5)]
    assert all(s.q_value is not None and s.q_value <= 0.05 for s in (*poor, *good))
    one_each = found.exceptions(limit=1)
    assert [s.unit for s in one_each[0]] == [ward(1)]
    empty = next(s for s in found.standings if s.unit == ward(6))
    assert (empty.p_value, empty.q_value, empty.verdict) == (None, None, "insufficient_data")


def test_a_ward_significant_alone_is_not_flagged_among_many_quiet_wards() -> None:
    # 15 -> 30 is significant on its own (p < 0.05), but tested with 40 unchanged wards the
    # adjustment (q = 41 p) keeps it from being flagged.
    lone = poisson_ratio_test(30, 15).p_two_sided
    assert lone < 0.05
    counts = {ward(1): (30, 15), **{ward(n): (20, 20) for n in range(2, 42)}}
    state = state_with(counts)
    found = league(state, state.units("ward", B), "violence", FYTD)
    top = found.standings[0]
    assert top.unit == ward(1)
    assert top.p_value == pytest.approx(lone)
    assert top.q_value == pytest.approx(min(1.0, lone * 41))
    assert top.verdict == "not_significant"
    assert found.exceptions() == ((), ())


def test_boroughs_rank_within_the_mps() -> None:
    other = Unit("ward", "E05000001", "E09000001")
    state = state_with({ward(1): (130, 100), other: (100, 100)})
    boroughs = state.units("borough")
    found = league(state, boroughs, "violence", FYTD)
    assert [s.unit.code for s in found.standings] == [B, "E09000001"]
    assert MPS not in boroughs


def test_ranks_alone_match_the_league() -> None:
    state = state_with({ward(n): (n * 7 % 23, n * 5 % 19) for n in range(1, 30)})
    units = state.units("ward", B)
    assert ranks(state, units, "violence", FYTD) == {
        s.unit: s.rank for s in league(state, units, "violence", FYTD).standings
    }


def test_ward_ranks_in_the_mps_and_each_borough_match_each_ranked_alone() -> None:
    other = "E09000001"
    counts = {ward(n): (n * 7 % 23, n * 5 % 19) for n in range(1, 30)}
    counts |= {Unit("ward", f"E0500{n:04d}", other): (n * 3 % 17, n * 11 % 13)
               for n in range(1, 20)}  # fmt: skip
    state = state_with(counts)
    in_mps, in_borough = ward_ranks(state, state.units("ward"), "violence", FYTD)
    assert in_mps == ranks(state, state.units("ward"), "violence", FYTD)
    assert set(in_borough) == {B, other}
    for code in (B, other):
        assert in_borough[code] == ranks(state, state.units("ward", code), "violence", FYTD)


def test_league_totals_include_the_apportioned_shares_of_changed_wards() -> None:
    # A 2022-set ward with 10 of its own and 0.4 of a 2018-set ward's 20 (8 more) ranks on
    # 18 this year, as its own figure does; the 2018-set ward's counts are not its own.
    new, old = ward(1), Unit("ward", "E05000400", B)
    state = KpiState({new: ((old, 0.4),)})
    first, last = day_index(FYTD.first), day_index(FYTD.last)
    assert state.comparable_totals([new, ward(2), old], "violence", first, last) == [0, 0, 0]
    for unit, now in ((new, 10), (old, 20), (ward(2), 17)):  # their series are made now
        state.apply({(unit, "violence", day_index(THIS), month_index(THIS)): now})
    assert state.comparable_totals([new, ward(2), old], "violence", first, last) == [18, 17, 20]
    assert state.comparable_total(new, "violence", first, last) == (18, 8.0)
    standings = league(state, [new, ward(2)], "violence", FYTD).standings
    assert [(s.unit, s.value) for s in standings] == [(new, 18), (ward(2), 17)]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 400), st.integers(-30, 90)),
                min_size=1, max_size=80),
       st.lists(st.lists(st.tuples(st.integers(0, 11),
                                   st.sampled_from([0.1, 0.2, 1 / 3, 0.7, 0.45, 0.05])),
                         max_size=3), min_size=6, max_size=6))  # fmt: skip
def test_totals_read_at_once_equal_each_units_comparable_total(
    counts: list[tuple[int, int, int]], shares: list[list[tuple[int, float]]],
) -> None:  # fmt: skip
    # Units 0-5 are 2022-set wards taking shares of units 6-11 (2018-set codes); some units
    # hold no counts at all, some shares are of units that hold none.
    units = [ward(n) for n in range(12)]
    state = KpiState({units[i]: tuple((units[6 + o % 6], s) for o, s in found)
                      for i, found in enumerate(shares) if found})  # fmt: skip
    for n, day, delta in counts:
        at = day_index(THIS) + day
        state.apply({(units[n], "violence", at, month_index(THIS) + day // 31): delta})
    scopes = [units, units[:6], units[::-1], [units[3]] * 2 + [units[0]]]
    for first, last in ((day_index(THIS), day_index(THIS) + 60), (0, 40_000)):
        for scope in scopes:
            assert state.comparable_totals(scope, "violence", first, last) == [
                state.comparable_total(u, "violence", first, last)[0] for u in scope
            ]
