"""The exact conditional Poisson test, checked against exact rational arithmetic and against
the worked examples in R's documentation."""

from __future__ import annotations

import math
import time
from fractions import Fraction
from typing import Any

import pytest

from services.kpi.domain.stats import NOTABLE_Z, poisson_ratio_test, poisson_z

TOLERANCE = 1e-7  # R binom.test's relative tolerance for "as or less likely"


def _weights(n: int, odds: Fraction) -> list[int]:
    """w_k ∝ P(X = k) for X ~ Binomial(n, odds/(1 + odds)), as exact integers."""
    a, b = odds.numerator, odds.denominator
    return [math.comb(n, k) * a**k * b ** (n - k) for k in range(n + 1)]


def _exact(current: int, previous: int, odds: Fraction) -> tuple[float, float, float]:
    """(two-sided, higher, lower) by summing every term exactly, the definitions written out."""
    n = current + previous
    w = _weights(n, odds)
    total = sum(w)
    higher, lower = Fraction(sum(w[current:]), total), Fraction(sum(w[: current + 1]), total)
    if current == n * odds / (1 + odds):
        return 1.0, float(higher), float(lower)
    limit = w[current] * (10**7 + 1)
    unlikely = sum(x for x in w if x * 10**7 <= limit)
    return min(1.0, float(Fraction(unlikely, total))), float(higher), float(lower)


CASES = [
    # current, previous, ratio, exposure
    (1, 0, Fraction(1), Fraction(1)),
    (0, 1, Fraction(1), Fraction(1)),
    (5, 5, Fraction(1), Fraction(1)),
    (3, 12, Fraction(1), Fraction(1)),
    (12, 3, Fraction(1), Fraction(1)),
    (0, 25, Fraction(1), Fraction(1)),
    (25, 0, Fraction(1), Fraction(1)),
    (41, 50, Fraction(49, 50), Fraction(1)),
    (50, 41, Fraction(99, 100), Fraction(1)),
    (120, 150, Fraction(49, 50), Fraction(28, 31)),
    (30, 170, Fraction(1), Fraction(1)),
    (170, 30, Fraction(99, 100), Fraction(7, 14)),
    (682, 243, Fraction(3), Fraction(1)),
    (700, 650, Fraction(1), Fraction(365, 366)),
    (999, 1001, Fraction(1), Fraction(1)),
    (1000, 1000, Fraction(49, 50), Fraction(1)),
    (1100, 900, Fraction(99, 100), Fraction(366, 365)),
    (2, 198, Fraction(1), Fraction(1)),
    (1500, 500, Fraction(3), Fraction(1)),  # exactly the expected split: p = 1
]


@pytest.mark.parametrize(("current", "previous", "ratio", "exposure"), CASES)
def test_p_values_match_exact_summation(
    current: int, previous: int, ratio: Fraction, exposure: Fraction
) -> None:
    test = poisson_ratio_test(current, previous, ratio=float(ratio), exposure=float(exposure))
    two_sided, higher, lower = _exact(current, previous, ratio * exposure)
    assert test.p_two_sided == pytest.approx(two_sided, rel=1e-9)
    assert test.p_higher == pytest.approx(higher, rel=1e-9)
    assert test.p_lower == pytest.approx(lower, rel=1e-9)


@pytest.mark.parametrize(
    ("current", "previous", "exposure"),
    [(1, 0, 1.0), (0, 1, 1.0), (3, 12, 1.0), (12, 3, 0.5), (20, 25, 28 / 31), (40, 9, 2.0)],
)
def test_the_interval_limits_leave_two_and_a_half_percent_in_each_tail(
    current: int, previous: int, exposure: float
) -> None:
    n = current + previous
    low, high = poisson_ratio_test(current, previous, exposure=exposure).rate_ratio_ci
    if current > 0:
        w = _weights(n, Fraction(low * exposure))
        assert float(Fraction(sum(w[current:]), sum(w))) == pytest.approx(0.025, rel=1e-9)
    if previous > 0:
        assert high is not None
        w = _weights(n, Fraction(high * exposure))
        assert float(Fraction(sum(w[: current + 1]), sum(w))) == pytest.approx(0.025, rel=1e-9)


def test_r_poisson_test_comparison_of_rates_example() -> None:
    # R documentation, ?poisson.test: poisson.test(c(11, 6 + 8 + 7), c(800, 1083 + 1050 + 878))
    # prints p-value = 0.07967, 95% CI 0.8584264 4.2772659, rate ratio 1.971488.
    test = poisson_ratio_test(11, 21, exposure=800 / 3011)
    assert test.rate_ratio == pytest.approx(1.971488, abs=5e-7)
    assert test.p_two_sided == pytest.approx(0.07967, abs=5e-6)
    low, high = test.rate_ratio_ci
    assert low == pytest.approx(0.8584264, abs=5e-8)
    assert high == pytest.approx(4.2772659, abs=5e-8)


def test_r_binom_test_mendel_example_through_the_rate_ratio() -> None:
    # R documentation, ?binom.test: binom.test(682, 682 + 243, p = 3/4) prints p-value = 0.3825
    # and 95% CI 0.7076683 0.7654066 for the proportion; ratio 3 makes π₀ = 3/(1 + 3) = 3/4,
    # and the rate-ratio limits are those proportions as odds π/(1 − π).
    test = poisson_ratio_test(682, 243, ratio=3.0)
    assert test.p_two_sided == pytest.approx(0.3825, abs=5e-5)
    low, high = test.rate_ratio_ci
    assert low / (1 + low) == pytest.approx(0.7076683, abs=5e-8)
    assert high is not None
    assert high / (1 + high) == pytest.approx(0.7654066, abs=5e-8)


def test_no_events_carries_no_information() -> None:
    test = poisson_ratio_test(0, 0, ratio=0.98)
    assert (test.p_two_sided, test.p_higher, test.p_lower) == (1.0, 1.0, 1.0)
    assert test.rate_ratio is None
    assert test.rate_ratio_ci == (0.0, None)


@pytest.mark.parametrize(
    ("current", "previous", "rate_ratio", "unbounded"),
    [(0, 7, 0.0, False), (7, 0, None, True), (10, 5, 2.0, False), (0, 0, None, True)],
)
def test_the_estimate_is_never_infinite(
    current: int, previous: int, rate_ratio: float | None, unbounded: bool
) -> None:
    test = poisson_ratio_test(current, previous)
    assert test.rate_ratio == rate_ratio
    low, high = test.rate_ratio_ci
    assert (high is None) is unbounded
    assert (low == 0.0) is (current == 0)


def test_the_result_records_what_was_tested() -> None:
    test = poisson_ratio_test(41, 50, ratio=0.98, exposure=30 / 31)
    assert (test.current, test.previous, test.ratio, test.exposure) == (41, 50, 0.98, 30 / 31)
    assert test.rate_ratio == pytest.approx(41 / (50 * 30 / 31), rel=1e-15)


def test_swapping_the_periods_swaps_the_tails() -> None:
    forward, backward = poisson_ratio_test(430_000, 431_500), poisson_ratio_test(431_500, 430_000)
    assert forward.p_higher == pytest.approx(backward.p_lower, rel=1e-12)
    assert forward.p_two_sided == pytest.approx(backward.p_two_sided, rel=1e-12)


def test_force_wide_totals_are_fast_and_agree_with_the_normal_approximation() -> None:
    # ~900,000 offences a year across the MPS; an O(n) sum would take seconds here.
    started = time.perf_counter()
    test = poisson_ratio_test(905_000, 900_000, ratio=1.0)
    assert time.perf_counter() - started < 0.5
    z = (905_000 - 0.5 - 902_500) / math.sqrt(1_805_000 * 0.25)  # with continuity correction
    assert test.p_higher == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)), rel=2e-3)
    assert test.p_two_sided == pytest.approx(2 * test.p_higher, rel=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"current": -1, "previous": 3}, "counts must be >= 0"),
        ({"current": 1, "previous": 3, "ratio": 0.0}, "must be positive"),
        ({"current": 1, "previous": 3, "exposure": math.inf}, "must be positive"),
        ({"current": 1, "previous": 3, "ratio": math.nan}, "must be positive"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        poisson_ratio_test(**kwargs)


@pytest.mark.parametrize(
    ("current", "previous", "z"),
    [
        (25, 16, 2.0),  # Wheeler (2018), "the Poisson e-test": 2(√25 − √16) = 2
        (16, 25, -2.0),
        (0, 0, 0.0),
        (100, 49, 6.0),
        (9, 0, 6.0),
        (0, 4, -4.0),
        (2, 1, 2 * (math.sqrt(2) - 1)),
    ],
)
def test_poisson_z(current: int, previous: int, z: float) -> None:
    assert poisson_z(current, previous) == pytest.approx(z, rel=1e-15, abs=1e-15)


def test_poisson_z_notable_line_and_bad_counts() -> None:
    assert NOTABLE_Z == 3.0
    with pytest.raises(ValueError, match="counts must be >= 0"):
        poisson_z(-1, 4)
