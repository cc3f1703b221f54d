"""The vectorised Poisson-z ranking equals ranking each area in Python, to the last bit of
every z-score, ties included."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.ranking import poisson_z_order


def by_python(codes: list[str], values: list[int], previous: list[int],
              exposure: float) -> tuple[list[float], list[int]]:  # fmt: skip
    zs = [2.0 * (math.sqrt(max(v, 0)) - math.sqrt(max(p, 0) * exposure))
          for v, p in zip(values, previous, strict=True)]  # fmt: skip
    order = sorted(range(len(codes)), key=lambda i: (-zs[i], -values[i], codes[i]))
    return zs, order


def test_worked_ranks_highest_z_first_then_the_higher_count_then_the_code() -> None:
    # z: A 2(√130 − √100) = 2.80; B 2(√6 − √3) = 1.43; C and D 0 (4 on 4), D the higher
    # count; E 0 too with 1 on 1, after D, and before F by its code ("E" < "F").
    codes = ["F", "A", "B", "C", "D", "E"]
    zs, order = poisson_z_order(codes, [1, 130, 6, 4, 9, 1], [1, 100, 3, 4, 9, 1], 1.0)
    assert [codes[i] for i in order] == ["A", "B", "D", "C", "E", "F"]
    assert round(zs[1], 4) == 2.8035
    assert zs[3] == 0.0


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(-3, 60), st.integers(-3, 60), st.sampled_from("abcdef")),
                max_size=40),
       st.sampled_from([1.0, 0.5, 365 / 366, 28 / 31, 2.0]))  # fmt: skip
def test_equals_the_python_ranking(rows: list[tuple[int, int, str]], exposure: float) -> None:
    codes = [f"{code}{i % 3}" for i, (_, _, code) in enumerate(rows)]
    values, previous = [v for v, _, _ in rows], [p for _, p, _ in rows]
    assert poisson_z_order(codes, values, previous, exposure) == by_python(
        codes, values, previous, exposure)  # fmt: skip
