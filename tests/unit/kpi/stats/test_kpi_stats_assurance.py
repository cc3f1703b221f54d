"""Assurance against a target, from the process limits (NHS "Making Data Count")."""

from __future__ import annotations

import pytest

from services.kpi.domain.stats import Direction, XmrChart, assurance, xmr


def _chart(lcl: float, mean: float, ucl: float) -> XmrChart:
    return XmrChart(
        mean=mean, mr_bar=(ucl - mean) / 2.66, ucl=ucl, lcl=lcl, lcl_floored=max(0.0, lcl),
        near_upper=mean, near_lower=mean, points=20, baseline_points=20, signals=(),
        judged=True, warning=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("lcl", "mean", "ucl", "direction", "expected"),
    [
        # nhs-r-community/NHSRplotthedots tests/testthat/test-ptd_calculate_assurance_type.R:
        # limits (1, 3), (5, 7), (1, 5) against a target of 4.
        (1, 2, 3, "higher_is_better", "consistently_miss"),
        (5, 6, 7, "higher_is_better", "consistently_meet"),
        (1, 4, 5, "higher_is_better", "inconsistent"),
        (1, 2, 3, "lower_is_better", "consistently_meet"),
        (5, 6, 7, "lower_is_better", "consistently_miss"),
        (1, 4, 5, "lower_is_better", "inconsistent"),
        # on a limit: a target level with the worst common-cause value is still met
        (1, 2.5, 4, "lower_is_better", "consistently_meet"),
        (4, 5, 6, "lower_is_better", "inconsistent"),
        (4, 5, 6, "higher_is_better", "consistently_meet"),
        (2, 3, 4, "higher_is_better", "inconsistent"),
    ],
)
def test_assurance(
    lcl: float, mean: float, ucl: float, direction: Direction, expected: str
) -> None:
    assert assurance(_chart(lcl, mean, ucl), 4.0, direction) == expected


def test_the_computed_lower_limit_counts_not_the_floored_display_value() -> None:
    # Counts: limits -2 / 4 (shown from 0). A target of 0 for a higher-is-better count is not
    # consistently met: common-cause values reach down to -2 on the chart's arithmetic.
    assert assurance(_chart(-2, 1, 4), 0.0, "higher_is_better") == "inconsistent"
    assert assurance(_chart(-2, 1, 4), -2.0, "higher_is_better") == "consistently_meet"


def test_assurance_of_a_computed_chart() -> None:
    # Weekly violent crimes alternating 10 and 12: limits 5.68 / 16.32.
    chart = xmr([10.0, 12.0] * 6, direction="lower_is_better")
    assert assurance(chart, 17.0, "lower_is_better") == "consistently_meet"
    assert assurance(chart, 11.0, "lower_is_better") == "inconsistent"
    assert assurance(chart, 5.0, "lower_is_better") == "consistently_miss"
