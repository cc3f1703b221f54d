"""A unit's figure: value, last year, % change, trajectory, projection and the exact tests,
with numbers worked independently (binomial sums with math.comb)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from math import comb

import pytest

from services.kpi.domain.days import day_index, month_index
from services.kpi.domain.figures import figure, judge
from services.kpi.domain.periods import period
from services.kpi.domain.state import KpiState, Unit
from services.kpi.domain.targets import Target

W = Unit("ward", "E05013806", "E09000033")
KPI1 = Target(1, "violence", -0.02)


def state_with(counts: dict[date, int]) -> KpiState:
    state = KpiState()
    state.apply({(W, "violence", day_index(d), month_index(d)): n for d, n in counts.items()})
    return state


def binomial_two_sided_half(c: int, n: int) -> float:
    """Exact two-sided p of c successes in n at p = 1/2 (symmetric: twice the smaller tail)."""
    tail = sum(Fraction(comb(n, k), 2**n) for k in range(min(c, n - c) + 1))
    return float(min(Fraction(1), 2 * tail))


def test_fytd_figure_against_last_year_and_target() -> None:
    state = state_with({date(2024, 5, 1): 40, date(2024, 11, 1): 60,  # last year to date: 100
                        date(2025, 2, 1): 20,  # last year after the as-of day
                        date(2025, 5, 1): 30, date(2025, 6, 1): 30})  # this year: 60  # fmt: skip
    f = figure(state, W, "violence", period("fytd", date(2025, 12, 1)), KPI1)
    assert (f.value, f.last_year) == (60, 100)
    assert f.pct_change == pytest.approx(-40.0)
    assert f.trajectory == pytest.approx(98.0)
    assert f.gap_to_trajectory == pytest.approx(-38.0)
    assert f.projected_year_end == pytest.approx(60 * 120 / 100)  # last year's seasonal profile
    assert f.vs_last_year.p_value == pytest.approx(binomial_two_sided_half(60, 160), rel=1e-9)
    assert f.vs_last_year.verdict == "significant_better"
    assert f.vs_target is not None
    assert f.vs_target.null_ratio == 0.98
    assert f.vs_target.verdict == "significant_better"


def test_no_change_is_not_significant_and_nothing_is_insufficient() -> None:
    state = state_with({date(2024, 5, 1): 25, date(2025, 5, 1): 25})
    f = figure(state, W, "violence", period("fytd", date(2025, 5, 31)), KPI1)
    assert (f.pct_change, f.vs_last_year.verdict) == (0.0, "not_significant")
    assert f.vs_last_year.p_value == pytest.approx(1.0)
    empty = figure(KpiState(), W, "violence", period("month", date(2025, 5, 31)), None)
    assert (empty.pct_change, empty.trajectory, empty.vs_target) == (None, None, None)
    assert empty.vs_last_year.verdict == "insufficient_data"


def test_a_rise_from_zero_has_no_pct_change_but_is_judged() -> None:
    f = judge(9, 0, 1.0)
    assert (f.verdict, f.p_value) == ("significant_worse", pytest.approx(2 * 0.5**9))
    state = state_with({date(2025, 5, 1): 9})
    assert figure(state, W, "violence", period("fytd", date(2025, 5, 31)), KPI1).pct_change is None
