"""XmR charts: published limits, and hand-built series that fire exactly one rule each."""

from __future__ import annotations

from typing import Any

import pytest

from services.kpi.domain.stats import Direction, Signal, xmr
from services.kpi.domain.stats.spc_rules import verdict_of

# Limits of this baseline: mean 11, MR̄ 2, limits 11 ± 5.32 = 5.68 / 16.32, near limits
# 11 ± (2/3)·5.32 = 7.4533 / 14.5467. It fires no rule itself; 11 (the mean) separates tails.
BASELINE = [12.0, 10.0] * 6


def _tail(*points: float) -> list[float]:
    return [*BASELINE, 11.0, *points, 11.0]


def _above(*points: float) -> list[float]:
    """Like ``_tail`` but bracketed by points just above the mean (11.5) instead of on it."""
    return [*BASELINE, 11.5, *points, 11.5]


def _signals(values: list[float], direction: Direction = "lower_is_better") -> list[Signal]:
    return list(xmr(values, direction=direction, baseline_points=len(BASELINE)).signals)


def test_nhs_england_spc_tool_worked_example() -> None:
    # NHS England "Making Data Count" SPC tool demonstration
    # (https://www.england.nhs.uk/statistical-process-control-tool/), as transcribed in
    # nhs-pycom/nhspy-plotthedots tests/unittests/test_pandas_spc_x_calc.py: mean 76.67,
    # process limits ≈ 57 and 96, and the 12th point (54) the only special cause.
    values = [89, 86, 75, 77, 81, 74, 72, 78, 76, 82, 77, 54, 66, 77, 86]
    chart = xmr(values, direction="higher_is_better")
    # By hand: mean = 1150/15; moving ranges sum to 103 over 14, MR̄ = 103/14.
    assert chart.mean == pytest.approx(1150 / 15, rel=1e-15)
    assert chart.mr_bar == pytest.approx(103 / 14, rel=1e-15)
    assert chart.ucl == pytest.approx(1150 / 15 + 2.66 * 103 / 14, rel=1e-15)  # 96.2367
    assert chart.lcl == pytest.approx(1150 / 15 - 2.66 * 103 / 14, rel=1e-15)  # 57.0967
    assert (round(chart.mean, 2), round(chart.lcl), round(chart.ucl)) == (76.67, 57, 96)
    assert chart.signals == (Signal("beyond_limits", (11,), "low", "concern"),)
    assert chart.warning is None


@pytest.mark.parametrize(
    ("values", "mean", "lcl", "ucl", "near_lower", "near_upper"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5.5, 2.84, 8.16, 3.7266666666666666, 7.273333333333333),
        ([1, 2, 3, 4, 5, 4, 3, 2, 1, 2], 2.7, 0.04, 5.36, 0.9266666666666667, 4.473333333333334),
        ([1, 2, 3], 2.0, -0.66, 4.66, 0.22666666666666657, 3.7733333333333334),
        ([3, 1, 4, 1, 5, 9, 2], 3.5714285714285716, -6.625238095238096, 13.768095238095238,
         -3.2263492063492065, 10.36920634920635),
        ([-1, -2, -3, -2, -1, -2, -3, -4, -5, -6, -7, -4, -3, -2, -1, -2], -3.0,
         -6.014666666666667, 0.014666666666666828, -5.009777777777778, -0.9902222222222221),
    ],
)  # fmt: skip
def test_limits_published_by_nhs_python_plot_the_dots(
    values: list[float], mean: float, lcl: float, ucl: float, near_lower: float, near_upper: float
) -> None:
    # nhs-pycom/nhspy-plotthedots tests/unittests/test_limits_calculations.py
    chart = xmr(values, direction="lower_is_better")
    got = (chart.mean, chart.lcl, chart.ucl, chart.near_lower, chart.near_upper)
    assert got == pytest.approx((mean, lcl, ucl, near_lower, near_upper), rel=1e-12, abs=1e-12)


def test_limits_of_the_nhs_r_plot_the_dots_snapshot() -> None:
    # nhs-r-community/NHSRplotthedots tests/testthat/_snaps/ptd_spc_standard.md: the chart of
    # R's set.seed(123); rnorm(20) has mean 0.142 and limits -3.01 / 3.29 (3 s.f.).
    values = [-0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774, 1.71506499,
              0.46091621, -1.26506123, -0.68685285, -0.44566197, 1.22408180, 0.35981383,
              0.40077145, 0.11068272, -0.55584113, 1.78691314, 0.49785048, -1.96661716,
              0.70135590, -0.47279141]  # fmt: skip
    chart = xmr(values, direction="higher_is_better")
    assert (round(chart.mean, 3), round(chart.lcl, 2), round(chart.ucl, 2)) == (0.142, -3.01, 3.29)


def test_the_hand_built_baseline_fires_nothing() -> None:
    chart = xmr(BASELINE, direction="lower_is_better")
    assert (chart.mean, chart.mr_bar, chart.ucl, chart.lcl) == pytest.approx((11, 2, 16.32, 5.68))
    assert (chart.near_upper, chart.near_lower) == pytest.approx((14.5466667, 7.4533333))
    assert chart.signals == ()


R7 = tuple(range(13, 20))
SINGLE_RULE = [
    # beyond_limits: one point past a limit (a point exactly on a limit is not beyond it)
    (_tail(17), [Signal("beyond_limits", (13,), "high", "concern")]),
    (_tail(5), [Signal("beyond_limits", (13,), "low", "improvement")]),
    # run_of_7: 7 points on one side of the mean; 6 are not enough; a point on the mean breaks
    (_tail(12, 13, 12, 13, 12, 13, 12), [Signal("run_of_7", R7, "high", "concern")]),
    (_tail(10, 9, 10, 9, 10, 9, 10), [Signal("run_of_7", R7, "low", "improvement")]),
    (_tail(12, 13, 12, 13, 12, 13, 12, 13),
     [Signal("run_of_7", (*R7, 20), "high", "concern")]),
    (_tail(12, 13, 12, 13, 12, 13), []),
    (_tail(12, 13, 12, 11, 13, 12, 13), []),
    # trend_of_7: 7 points each strictly rising (or falling), i.e. 6 steps; a tie breaks it
    (_tail(8, 9, 10, 10.5, 11.5, 12, 13), [Signal("trend_of_7", R7, "high", "concern")]),
    (_tail(14, 13, 12, 11.5, 10.5, 10, 9), [Signal("trend_of_7", R7, "low", "improvement")]),
    (_tail(8, 9, 10, 11.5, 12, 13), []),
    (_tail(8, 9, 10, 10, 11.5, 12, 13), []),
    # two_of_three_beyond_2_sigma: 2 of 3 consecutive points beyond the same near limit, all
    # 3 on that side of the mean
    (_tail(15, 11.5, 15), [Signal("two_of_three_beyond_2_sigma", (13, 15), "high", "concern")]),
    (_tail(7, 10.5, 7), [Signal("two_of_three_beyond_2_sigma", (13, 15), "low", "improvement")]),
    (_above(15, 15), [Signal("two_of_three_beyond_2_sigma", (13, 14), "high", "concern")]),
    (_tail(15, 11, 7), []),
    (_tail(15, 11.5, 11.5, 15), []),
    (_tail(15, 15, 11.5, 15),
     [Signal("two_of_three_beyond_2_sigma", (13, 14, 16), "high", "concern")]),
    (_above(15, 15, 11, 11, 15, 15),
     [Signal("two_of_three_beyond_2_sigma", (13, 14), "high", "concern"),
      Signal("two_of_three_beyond_2_sigma", (17, 18), "high", "concern")]),
    # ... so a point on the mean (11) or across it (8, 10.5) in every window breaks the rule
    (_tail(15, 15), []),
    (_tail(15, 8, 15), []),
    (_tail(7, 11.5, 7), []),
    # one point past the upper and one past the lower near limit never make the rule
    (_tail(15, 7), []),
    (_above(15, 7, 15), []),
    # a point beyond the process limit is beyond the near limit too
    (_tail(17, 11.5, 15),
     [Signal("beyond_limits", (13,), "high", "concern"),
      Signal("two_of_three_beyond_2_sigma", (13, 15), "high", "concern")]),
]  # fmt: skip


@pytest.mark.parametrize(("values", "expected"), SINGLE_RULE)
def test_each_rule_fires_on_its_own_pattern_and_nothing_else(
    values: list[float], expected: list[Signal]
) -> None:
    assert _signals(values) == expected


def test_a_point_exactly_on_a_limit_is_not_beyond_it() -> None:
    limits = xmr(BASELINE, direction="lower_is_better")
    assert _signals(_tail(limits.ucl, limits.lcl)) == []


def test_opposite_near_limits_are_not_two_of_three() -> None:
    # nhs-r-community/NHSRplotthedots tests/testthat/test-ptd_spc_standard.R: symmetric ±1
    # data with 5.5 then -5.5 at the end (each past its near limit, on opposite sides).
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    chart = xmr(values, direction="higher_is_better")
    assert (chart.mean, chart.mr_bar) == pytest.approx((0.0, 43.5 / 15))
    assert chart.near_upper < 5.5 < chart.ucl
    assert chart.signals == ()


def test_limits_from_a_baseline_judge_the_later_points() -> None:
    # nhspy-plotthedots test_fix_point_mean: 1..10 with the limits fixed after 5 points has
    # mean 3; MR̄ 1, so the limits are 0.34 / 5.66 and the near upper limit 4.7733.
    # Judged from 10 points here (by default a chart is judged from 12).
    chart = xmr(list(range(1, 11)), direction="higher_is_better", baseline_points=5,
                min_points=10)  # fmt: skip
    assert (chart.mean, chart.mr_bar, chart.ucl) == pytest.approx((3.0, 1.0, 5.66))
    assert chart.signals == (
        Signal("trend_of_7", tuple(range(10)), "high", "improvement"),
        Signal("run_of_7", tuple(range(3, 10)), "high", "improvement"),
        Signal("two_of_three_beyond_2_sigma", tuple(range(4, 10)), "high", "improvement"),
        *(Signal("beyond_limits", (i,), "high", "improvement") for i in range(5, 10)),
    )
    assert (chart.points, chart.baseline_points) == (10, 5)


@pytest.mark.parametrize(
    ("side", "direction", "verdict"),
    [
        ("high", "lower_is_better", "concern"),
        ("low", "lower_is_better", "improvement"),
        ("high", "higher_is_better", "improvement"),
        ("low", "higher_is_better", "concern"),
    ],
)
def test_verdict_follows_the_direction(side: Any, direction: Direction, verdict: str) -> None:
    assert verdict_of(side, direction) == verdict
    values = _tail(17 if side == "high" else 5)
    assert [s.verdict for s in _signals(values, direction)] == [verdict]


TOO_FEW = "too few points: 11 of the 12 needed before special causes are judged"
FEW_IN_BASELINE = "limits from fewer than 12 points are unreliable (these come from 11)"


@pytest.mark.parametrize(
    ("points", "baseline_points", "warning"),
    [(11, None, TOO_FEW), (12, None, None), (30, None, None), (30, 11, FEW_IN_BASELINE),
     (30, 12, None)],
)  # fmt: skip
def test_warning_when_limits_come_from_fewer_than_12_points(
    points: int, baseline_points: int | None, warning: str | None
) -> None:
    chart = xmr(([10.0, 12.0] * 15)[:points], direction="lower_is_better",
                baseline_points=baseline_points)  # fmt: skip
    if warning is None:
        assert chart.warning is None
    else:
        assert warning in (chart.warning or "")


@pytest.mark.parametrize(
    ("values", "lcl", "lcl_floored"),
    [([0.0, 3.0] * 6, 1.5 - 2.66 * 3, 0.0), ([10.0, 12.0] * 6, 11 - 2.66 * 2, 11 - 2.66 * 2)],
)
def test_a_negative_lower_limit_is_kept_and_floored_for_display(
    values: list[float], lcl: float, lcl_floored: float
) -> None:
    chart = xmr(values, direction="lower_is_better")
    assert (chart.lcl, chart.lcl_floored) == pytest.approx((lcl, lcl_floored))


@pytest.mark.parametrize(
    ("values", "baseline_points", "message"),
    [
        ([], None, "at least 2 points"),
        ([4.0], None, "at least 2 points"),
        ([4.0, 5.0, 6.0], 1, "baseline_points must be between 2 and 3"),
        ([4.0, 5.0, 6.0], 4, "baseline_points must be between 2 and 3"),
        ([4.0, float("nan"), 6.0], None, "must be finite"),
    ],
)
def test_bad_series_are_refused(
    values: list[float], baseline_points: int | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        xmr(values, direction="lower_is_better", baseline_points=baseline_points)


# nhs-r-community/NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R, the
# ``ptd_two_in_three`` and ``ptd_part_of_two_in_three`` cases: per point, whether it is close
# to a limit (past the near limit) and its side of the mean, then which points the rule marks.
# Drawn on BASELINE's limits: close and above = 15, above = 12, close and below = 7,
# below = 10; bracketed by points on the mean (11), as the package pads with zeros.
_POINT = {(1, 1): 15.0, (0, 1): 12.0, (1, -1): 7.0, (0, -1): 10.0}
TWO_IN_THREE = [
    ((1, 0, 1), (1, 1, 1), (1, 0, 1)),
    ((0, 1, 1), (1, 1, 1), (0, 1, 1)),
    ((1, 1, 0), (1, 1, 1), (1, 1, 0)),
    ((0, 0, 1, 0, 1, 0, 0), (1,) * 7, (0, 0, 1, 0, 1, 0, 0)),
    ((0, 0, 1, 1, 0, 0, 0), (1,) * 7, (0, 0, 1, 1, 0, 0, 0)),
    ((1, 0, 0, 1), (1, 1, 1, 1), (0, 0, 0, 0)),
    ((1, 0, 0, 1, 1), (1, 1, 1, 1, 1), (0, 0, 0, 1, 1)),
    # points on opposite sides of the mean: never
    ((1, 0, 1), (1, -1, 1), (0, 0, 0)),
    ((0, 1, 1), (1, -1, 1), (0, 0, 0)),
    ((1, 1, 0), (1, -1, 1), (0, 0, 0)),
    ((0, 0, 1, 0, 1, 0, 0), (1, -1, 1, -1, 1, -1, 1), (0,) * 7),
    ((0, 0, 1, 1, 0, 0, 0), (-1, 1, -1, 1, -1, 1, -1), (0,) * 7),
]  # fmt: skip


@pytest.mark.parametrize(("close", "side", "marked"), TWO_IN_THREE)
def test_two_in_three_as_nhsr_plot_the_dots_marks_it(
    close: tuple[int, ...], side: tuple[int, ...], marked: tuple[int, ...]
) -> None:
    values = _tail(*(_POINT[c, s] for c, s in zip(close, side, strict=True)))
    found = {i - 13 for s in _signals(values) if s.rule == "two_of_three_beyond_2_sigma"
             for i in s.indices}  # fmt: skip
    assert found == {i for i, m in enumerate(marked) if m}


# Worked series for the minimum number of points: a spike far beyond any limit as the last
# point, after n - 1 points alternating 10 and 12 (beyond the upper limit for every n ≥ 5).
def _spiked(n: int) -> list[float]:
    return [*([10.0, 12.0] * 12)[: n - 1], 60.0]


@pytest.mark.parametrize(
    ("points", "min_points", "judged"),
    [(2, 12, False), (11, 12, False), (12, 12, True), (13, 12, True), (14, 15, False),
     (15, 15, True), (5, 5, True), (4, 5, False)],
)  # fmt: skip
def test_no_special_cause_is_judged_below_the_minimum_points(
    points: int, min_points: int, judged: bool
) -> None:
    chart = xmr(_spiked(points), direction="lower_is_better", min_points=min_points)
    assert chart.judged is judged
    if judged:
        assert Signal("beyond_limits", (points - 1,), "high", "concern") in chart.signals
        assert chart.warning is None
    else:
        assert chart.signals == ()
        assert chart.warning == (
            f"too few points: {points} of the {min_points} needed before special causes are "
            "judged; the limits are trial limits"
        )
    # the trial limits are the same arithmetic either way
    assert chart.ucl == xmr(_spiked(points), direction="lower_is_better", min_points=2).ucl


def test_the_default_minimum_is_12_points() -> None:
    assert not xmr(_spiked(11), direction="lower_is_better").judged
    assert xmr(_spiked(12), direction="lower_is_better").judged


def test_a_minimum_below_2_points_is_refused() -> None:
    with pytest.raises(ValueError, match="min_points must be at least 2"):
        xmr([1.0, 2.0], direction="lower_is_better", min_points=1)
