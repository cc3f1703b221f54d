"""The binomial behind the exact tests (Loader's probabilities, scipy's incomplete beta for
the tails), against closed forms and exact arithmetic."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from services.kpi.domain.stats.binomial import Binomial
from services.kpi.domain.stats.special import deviance_term, log_binomial_pmf, stirling_error


@pytest.mark.parametrize(
    ("n", "value"),
    [
        (1, 0.0810614667953272582),  # 1 − ½ ln 2π (R nmath stirlerr.c, sferr_halves[2])
        (2, 0.0413406959554092940),  # sferr_halves[4]
        (10, 0.00833056343336287126),  # sferr_halves[20]
        (15, 0.00555473355196280137),  # sferr_halves[30]
    ],
)
def test_stirling_error_small_n(n: int, value: float) -> None:
    assert stirling_error(n) == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("n", [16, 17, 20, 35, 36, 80, 81, 500, 501])
def test_stirling_error_series_agrees_with_lgamma(n: int) -> None:
    direct = math.lgamma(n + 1) - (n + 0.5) * math.log(n) + n - 0.5 * math.log(2 * math.pi)
    assert stirling_error(n) == pytest.approx(direct, abs=1e-12)


@pytest.mark.parametrize("n", [10_000, 1_000_000])
def test_stirling_error_for_large_n_where_lgamma_differences_cancel(n: int) -> None:
    assert stirling_error(n) == pytest.approx(1 / (12 * n) - 1 / (360 * n**3), rel=1e-15)


@pytest.mark.parametrize(
    ("x", "mean"), [(10, 10.0), (10, 10.5), (10, 9.2), (1000, 1001.3), (3, 30.0), (50, 2.0)]
)
def test_deviance_term(x: float, mean: float) -> None:
    expected = float(Fraction(x) * Fraction(math.log(x / mean)) + Fraction(mean) - Fraction(x))
    assert deviance_term(x, mean) == pytest.approx(expected, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [(0, 10, Fraction(1, 3)), (10, 10, Fraction(1, 3)), (3, 10, Fraction(1, 3)),
     (2500, 5000, Fraction(1, 2)), (1700, 5000, Fraction(1, 3)), (40, 5000, Fraction(1, 3)),
     (4990, 5000, Fraction(49, 99))],
)  # fmt: skip
def test_log_binomial_pmf_against_exact_integers(k: int, n: int, p: Fraction) -> None:
    a, b = p.numerator, p.denominator - p.numerator
    exact = math.log(math.comb(n, k) * a**k * b ** (n - k)) - n * math.log(a + b)
    assert log_binomial_pmf(k, n, float(p), float(1 - p)) == pytest.approx(exact, abs=1e-9)


@pytest.mark.parametrize(("a", "b"), [(2, 3), (5, 40), (40, 5), (120, 80)])
@pytest.mark.parametrize("x", [Fraction(1, 10), Fraction(1, 2), Fraction(3, 5), Fraction(9, 10)])
def test_binomial_tails_are_the_exact_sums(a: int, b: int, x: Fraction) -> None:
    # P(Y ≥ a) and P(Y ≤ a − 1) with Y ~ Binomial(a + b − 1, x): the incomplete beta
    # I_x(a, b) and its complement, each taken with its own argument order.
    n, num, den = a + b - 1, x.numerator, x.denominator
    terms = [math.comb(n, j) * num**j * (den - num) ** (n - j) for j in range(n + 1)]
    dist = Binomial(n, float(x), float(1 - x))
    assert dist.sf(a) == pytest.approx(float(Fraction(sum(terms[a:]), den**n)), rel=1e-12)
    assert dist.cdf(a - 1) == pytest.approx(float(Fraction(sum(terms[:a]), den**n)), rel=1e-12)


@pytest.mark.parametrize(("n", "p"), [(0, 0.3), (1, 0.3), (25, 0.02), (60, 0.5), (200, 0.97)])
def test_binomial_tails_partition_the_distribution(n: int, p: float) -> None:
    dist = Binomial(n, p, 1 - p)
    assert math.fsum(dist.pmf(k) for k in range(n + 1)) == pytest.approx(1.0, rel=1e-12)
    for k in range(-1, n + 2):
        assert dist.cdf(k) + dist.sf(k + 1) == pytest.approx(1.0, rel=1e-12)
        assert dist.cdf(k) == pytest.approx(
            math.fsum(dist.pmf(j) for j in range(k + 1)), rel=1e-10, abs=1e-300
        )
