"""Survey statistics against published worked numbers: Newcombe (1998) for the Wilson and
hybrid-score intervals, and the statements of seed 003 (HMIC) about survey precision."""

from __future__ import annotations

import pytest

from services.kpi.domain.stats.proportions import (
    Z95,
    effective_n,
    kish_effective_n,
    newcombe_difference,
    smallest_significant_change,
    two_proportion_test,
    wilson,
)

USS_PER_BCU = 600  # seed 003: user satisfaction surveys, 600 interviews per BCU a year
BCS_PER_FORCE = 1000  # seed 003: about 1,000 BCS interviews per force a year
USS_FORCE = 6 * USS_PER_BCU  # a force of six BCUs: the sample of its satisfaction figure


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611),
     (1, 29, 0.0061, 0.1718)],
)  # fmt: skip
def test_wilson_intervals_of_newcombe_1998_table_i(
    successes: int, n: int, low: float, high: float
) -> None:
    found = wilson(successes / n, n)
    assert (round(found.low, 4), round(found.high, 4)) == (low, high)


@pytest.mark.parametrize(
    ("a", "m", "b", "n", "low", "high"),
    [(56, 70, 48, 80, 0.0524, 0.3339), (9, 10, 3, 10, 0.1705, 0.8090)],
)  # fmt: skip
def test_newcombe_hybrid_score_intervals_of_newcombe_1998_table_ii(
    a: int, m: int, b: int, n: int, low: float, high: float
) -> None:
    found = newcombe_difference(a / m, m, b / n, n)
    assert (round(found.low, 4), round(found.high, 4)) == (low, high)


def test_an_81_percent_estimate_from_about_1000_interviews_is_within_about_3_points() -> None:
    found = wilson(0.81, 1000)
    assert 0.022 <= 0.81 - found.low <= 0.03
    assert 0.022 <= found.high - 0.81 <= 0.03
    assert round((found.high - found.low) / 2, 3) == 0.024
    assert (round(found.low * 100), round(found.high * 100)) == (78, 83)  # "78% to 84%"


def test_about_2_points_is_significant_for_satisfaction_and_about_4_for_the_bcs() -> None:
    uss = smallest_significant_change(0.8, USS_FORCE)
    bcs = smallest_significant_change(0.55, BCS_PER_FORCE)
    assert round(uss * 100) == 2
    assert round(bcs * 100) == 4
    assert smallest_significant_change(0.8, USS_PER_BCU) > uss  # a smaller sample: larger


def test_55_2_good_job_2_3_points_above_the_peers_with_bcs_samples_is_not_significant() -> None:
    found = two_proportion_test(0.552, BCS_PER_FORCE, 0.529, BCS_PER_FORCE)
    assert found.difference == pytest.approx(0.023)
    assert not found.significant
    assert found.p_value == pytest.approx(0.302, abs=0.001)


def test_76_9_satisfied_3_4_points_below_the_peers_with_uss_samples_is_significant() -> None:
    found = two_proportion_test(0.769, USS_FORCE, 0.803, USS_FORCE)
    assert found.significant
    assert found.z == pytest.approx(-3.517, abs=0.001)


def test_the_4_8_point_white_minority_ethnic_satisfaction_gap_and_its_interval() -> None:
    """MPS: 32 BCUs × 600 interviews, 60% of them white victims (an assumption: the seed
    gives the gap, not the split); white 80.0% satisfied, minority ethnic 75.2%."""
    white, minority = 0.6 * 32 * USS_PER_BCU, 0.4 * 32 * USS_PER_BCU
    found = newcombe_difference(0.800, white, 0.752, minority)
    assert (round(found.low * 100, 1), round(found.high * 100, 1)) == (3.6, 6.0)
    assert found.low > 0  # a real gap: the interval excludes no difference


def test_kish_effective_sample_size_and_design_effect() -> None:
    assert kish_effective_n([1.0] * 50) == pytest.approx(50)
    assert kish_effective_n([1.0, 3.0]) == pytest.approx(16 / 10)
    assert effective_n(4.0, 10.0, design_effect=1.6) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="design effect is at least 1"):
        effective_n(4.0, 10.0, design_effect=0.5)


def test_z95_and_refusals() -> None:
    assert pytest.approx(1.959964, abs=1e-6) == Z95
    with pytest.raises(ValueError, match="between 0 and 1"):
        wilson(1.2, 10)
    with pytest.raises(ValueError, match="positive"):
        wilson(0.5, 0)
