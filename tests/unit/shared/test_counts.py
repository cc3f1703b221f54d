"""The count bank: batches added at once equal adding change by change, whichever way the
day columns and the rows grow; the row index makes a key's rows once and pads them."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.counts import CountBank, RowIndex


def ints(*values: int) -> np.ndarray:  # type: ignore[type-arg]
    return np.array(values, np.int64)


def month_of(day: int) -> int:
    return day // 30  # any monotone day → month mapping will do for the bank


def test_a_batch_adds_to_every_row_of_its_key_and_repeats_add_up() -> None:
    bank = CountBank(month_of)
    a, b, sink = bank.new_row(), bank.new_row(), bank.new_row()
    rows = np.array([[a, sink], [a, b], [a, b]], np.int64)
    bank.add(rows, ints(400, 401, 401), ints(13, 13, 13), ints(1, 2, 5))
    assert bank.by_day(a, 399, 402) == [0, 1, 7, 0]
    assert bank.by_day(b, 399, 402) == [0, 0, 7, 0]
    assert bank.by_month(a, 12, 14) == [0, 8, 0]
    assert bank.total(a, 0, 10_000) == 8
    assert bank.nonzero(b) == [(401, 7)]


def test_days_before_and_after_the_columns_held_widen_them_keeping_the_counts() -> None:
    bank = CountBank(month_of)
    row = bank.new_row()
    bank.add_one(row, 5000, 3)  # columns start at the chunk of day 5000
    bank.add_one(row, 100, 2)  # fifteen chunks earlier
    bank.add_one(row, 9000, 1)  # and eleven later
    assert bank.nonzero(row) == [(100, 2), (5000, 3), (9000, 1)]
    assert bank.total(row, 101, 8999) == 3
    assert bank.by_month(row, month_of(100) - 1, month_of(100)) == [0, 2]
    assert bank.by_day(row, -3, 0) == [0, 0, 0, 0]


def test_totals_of_many_rows_equal_each_rows_total_inside_and_outside_the_days_held() -> None:
    bank = CountBank(month_of)
    rows = [bank.new_row() for _ in range(4)]
    for n, row in enumerate(rows):
        for day in (370, 400, 700 + n):
            bank.add_one(row, day, n + 1)
    for first, last in ((0, 10_000), (380, 701), (-50, 369), (702, 703), (800, 700)):
        assert bank.totals(rows[::-1], first, last) == [bank.total(r, first, last)
                                                        for r in rows[::-1]]  # fmt: skip
    assert bank.totals([rows[2]], 380, 702) == [3 + 3]
    assert bank.totals([], 0, 10) == []


def test_the_stamp_of_a_row_moves_only_when_the_row_changes() -> None:
    bank = CountBank(month_of)
    a, b = bank.new_row(), bank.new_row()
    before = (bank.stamp(a), bank.stamp(b))
    bank.add_one(a, 10, 1)
    assert bank.stamp(a) != before[0]
    assert bank.stamp(b) == before[1]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(-800, 12_000), st.integers(-3, 5)),
                min_size=1, max_size=400),
       st.integers(1, 60))  # fmt: skip
def test_batches_equal_one_change_at_a_time(changes: list[tuple[int, int, int]],
                                            batch: int) -> None:  # fmt: skip
    bank, expected = CountBank(month_of, rows=1), {}
    rows = [bank.new_row() for _ in range(41)]  # grows from one row
    for i in range(0, len(changes), batch):
        part = changes[i : i + batch]
        keys = np.array([[rows[r]] for r, _, _ in part], np.int64)
        bank.add(keys, ints(*(d for _, d, _ in part)), ints(*(month_of(d) for _, d, _ in part)),
                 ints(*(n for _, _, n in part)))  # fmt: skip
        for r, d, n in part:
            expected[(r, d)] = expected.get((r, d), 0) + n
    for r in range(41):
        held = {(r, d): n for (row, d), n in expected.items() if row == r and n}
        assert {(r, d): n for d, n in bank.nonzero(rows[r])} == held
        assert bank.total(rows[r], -1000, 20_000) == sum(held.values())


def rows_by_key(index: RowIndex[str, str], keys: list[tuple[str, str, int, int]],
                ) -> list[list[int]]:  # fmt: skip
    """Each key's rows, by way of the index's tally of the keys (each given a zero)."""
    found = index.tally_of(dict.fromkeys(keys, 0))
    rows = dict(zip(found, index.rows_of(found.firsts, found.seconds).tolist(), strict=True))
    return [rows[k] for k in keys]


def test_the_row_index_makes_each_pairs_rows_once_and_pads_them() -> None:
    made: list[tuple[str, str]] = []
    spare = iter(range(100, 200))

    def make(unit: str, group: str) -> list[int]:
        made.append((unit, group))
        return [next(spare)] if unit == "alone" else [next(spare), next(spare)]

    index: RowIndex[str, str] = RowIndex(3, 7, make)
    keys = [("w1", "g", 1, 0), ("w1", "g", 2, 0), ("alone", "g", 1, 0), ("w1", "h", 1, 0)]
    first = rows_by_key(index, keys)
    assert first == [[100, 101, 7], [100, 101, 7], [104, 7, 7], [102, 103, 7]]
    assert made == [("w1", "g"), ("w1", "h"), ("alone", "g")]  # in the tally's (id) order
    rng = random.Random(1)
    again = list(dict.fromkeys(keys[rng.randrange(4)] for _ in range(50)))
    assert rows_by_key(index, again) == [first[keys.index(k)] for k in again]
    assert len(made) == 3  # nothing made twice


def test_the_row_index_grows_past_its_first_room() -> None:
    rows = iter(range(10_000))
    index: RowIndex[str, str] = RowIndex(1, -5, lambda a, b: [next(rows)])
    keys = [(f"{a:03d}", f"{b:02d}", 0, 0) for a in range(150) for b in range(12)]
    assert [r[0] for r in rows_by_key(index, keys)] == list(range(150 * 12))
    assert [r[0] for r in rows_by_key(index, keys)] == list(range(150 * 12))
    reverse = list(reversed(keys))
    assert [r[0] for r in rows_by_key(index, reverse)] == list(reversed(range(1800)))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("xy"), st.integers(-5, 900),
                          st.integers(-3, 3)), max_size=300))  # fmt: skip
def test_a_tally_is_the_net_per_pair_and_day(changes: list[tuple[str, str, int, int]]) -> None:
    index: RowIndex[str, str] = RowIndex(1, 0, lambda a, b: [0])
    found = index.tally((a for a, _, _, _ in changes), (b for _, b, _, _ in changes),
                        (d for _, _, d, _ in changes), (month_of(d) for _, _, d, _ in changes),
                        (n for _, _, _, n in changes), len(changes))  # fmt: skip
    net: dict[tuple[str, str, int, int], int] = {}
    for a, b, d, n in changes:
        key = (a, b, d, month_of(d))
        net[key] = net.get(key, 0) + n
    assert dict(found.items()) == {k: n for k, n in net.items() if n}
    assert len(found) == len([n for n in net.values() if n])
    assert found.pairs() == {(a, b) for (a, b, _, _), n in net.items() if n}
    keys = list(net)
    firsts, seconds, days, months = ([k[i] for k in keys] for i in range(4))
    keeping = index.tally(firsts, seconds, days, months, net.values(), len(net), zeros=True)
    assert dict(keeping.items()) == net
