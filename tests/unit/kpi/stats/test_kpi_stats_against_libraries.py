"""Every statistic the kpi service computes by hand, against scipy / statsmodels on the same
inputs, over wide random inputs (counts 0..10⁶, proportions near 0 and 1), to 1e-9 relative:

- the exact two-sided p-value (``binomial.two_sided_p``, kept for speed) against
  ``scipy.stats.binomtest``, and the conditional Poisson test built on it;
- Loader's binomial probabilities (``special``, kept for speed) against
  ``scipy.stats.binom.logpmf`` (to scipy's own accuracy above 10⁵ trials: see the test);
- the Pearson z-tests over many areas (``shared.ranking``, ``overdispersion``) against
  statsmodels' ``proportions_ztest`` and ``multipletests`` (z-scores near 0 to 1e-9
  absolute);
- the winsorised normal moment behind φ against numerical integration (scipy), and the
  winsorised dispersion terms against R's type-7 quantiles (``scipy.stats.mstats``);
- the odds-scale Clopper–Pearson interval against closed forms, and against scipy's
  ``proportion_ci`` to that one's own accuracy (1e-6: see the test).

Results smaller than 1e-290 (underflow in one library or the other) are compared absolutely.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import integrate, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportions_ztest

from services.kpi.domain.overdispersion import (
    NORMAL_MOMENT,
    WINSOR,
    _normal_winsorised_moment,
    null_share,
    p_two_sided,
    pearson_z,
)
from services.kpi.domain.stats import poisson_ratio_test
from services.kpi.domain.stats.binomial import Binomial, two_sided_p
from services.kpi.domain.stats.interval import odds_interval
from services.kpi.domain.stats.special import log_binomial_pmf
from shared.ranking import share_dispersion, share_z_tests

REL = 1e-9
TINY = 1e-290
WIDE = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

counts = st.integers(0, 10**6)
proportions = st.one_of(
    st.floats(1e-12, 1 - 1e-12),
    st.floats(1e-12, 1e-3),  # near 0
    st.floats(1 - 1e-3, 1 - 1e-12),  # near 1
)
odds = st.floats(1e-6, 1e6)


def close(mine: float, theirs: float) -> bool:
    return math.isclose(mine, theirs, rel_tol=REL, abs_tol=TINY)


@st.composite
def trials(draw: st.DrawFn) -> tuple[int, int, float]:
    """(x, n, p): n up to 10⁶, x anywhere in 0..n, or near n·p."""
    n = draw(counts)
    p = draw(proportions)
    near = draw(st.integers(-4, 4)) * math.isqrt(n + 1) + round(n * p)
    x = draw(st.one_of(st.integers(0, n), st.just(min(n, max(0, near)))))
    return x, n, p


@WIDE
@given(trials())
def test_the_two_sided_p_value_is_scipys_binomtest(case: tuple[int, int, float]) -> None:
    x, n, p = case
    assume(n > 0)
    dist = Binomial(n, p, 1.0 - p)
    mine = two_sided_p(x, dist)
    assert close(mine, stats.binomtest(x, n, p).pvalue), (x, n, p, mine)
    assert close(dist.sf(x), float(stats.binom.sf(x - 1, n, p)))
    assert close(dist.cdf(x), float(stats.binom.cdf(x, n, p)))


@WIDE
@given(counts, counts, odds)
def test_the_poisson_ratio_test_is_the_conditional_binomtest(
    current: int, previous: int, ratio: float
) -> None:
    assume(current + previous > 0)
    test = poisson_ratio_test(current, previous, ratio=ratio, interval=False)
    n, higher, lower = current + previous, test.p_higher, test.p_lower
    # The test holds π₀ = ρ/(1 + ρ) and 1 − π₀ = 1/(1 + ρ) each to full precision; scipy is
    # given the smaller of the two (the same test with the periods swapped when π₀ > ½), so
    # that its own 1 − π is not rounded.
    k, share = (current, ratio / (1.0 + ratio)) if ratio <= 1.0 else (previous, 1 / (1 + ratio))
    if ratio > 1.0:
        higher, lower = lower, higher
    assert close(test.p_two_sided, stats.binomtest(k, n, share).pvalue)
    assert close(higher, float(stats.binom.sf(k - 1, n, share)))
    assert close(lower, float(stats.binom.cdf(k, n, share)))


@WIDE
@given(trials())
def test_loaders_probabilities_are_scipys(case: tuple[int, int, float]) -> None:
    """To 1e-9 relative in the probability (1e-9 absolute in its logarithm) up to 10⁵
    trials; above, to the accuracy of ``scipy.stats.binom.logpmf`` itself, whose error grows
    as ~4e-15·n (measured: at n = 499,990, k = 124,998, p = ¼ scipy is 1.4e-9 from the
    exact value, log C(n, k) − n ln 4 + (n − k) ln 3 by integer arithmetic, and Loader's form
    8e-11)."""
    k, n, p = case
    theirs = float(stats.binom.logpmf(k, n, p))
    assume(theirs > math.log(TINY))
    tolerance = max(REL, 1e-14 * n)
    assert log_binomial_pmf(k, n, p, 1.0 - p) == pytest.approx(theirs, abs=tolerance)


@st.composite
def areas(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    size = draw(st.integers(1, 60))
    now = draw(st.lists(counts, min_size=size, max_size=size))
    before = draw(st.lists(counts, min_size=size, max_size=size))
    return now, before


@WIDE
@given(areas(), proportions, st.floats(1.0, 20.0))
def test_the_many_area_z_tests_are_statsmodels(
    found: tuple[list[int], list[int]], share: float, phi: float
) -> None:
    now, before = found
    zs, ps, qs = share_z_tests(now, before, share, phi)
    tested = [i for i in range(len(now)) if now[i] + before[i] > 0]
    for i in tested:
        n = now[i] + before[i]
        z, p = proportions_ztest(now[i], n, value=share, prop_var=share)
        z_phi = float(z) / math.sqrt(phi)
        assert zs[i] == pytest.approx(z_phi, rel=REL, abs=REL)
        assert pearson_z(now[i], before[i], share, phi) == pytest.approx(z_phi, rel=REL, abs=REL)
        p_found = ps[i]
        assert p_found is not None
        assert close(p_found, p_two_sided(zs[i]))
        if phi == 1.0:
            assert close(p_found, float(p))
        else:
            assert close(p_found, float(2 * stats.norm.sf(abs(zs[i]))))
    assert all(ps[i] is None and qs[i] is None for i in set(range(len(now))) - set(tested))
    if tested:
        adjusted = multipletests([ps[i] for i in tested], method="fdr_bh")[1]
        assert [qs[i] for i in tested] == pytest.approx(adjusted.tolist(), rel=REL)


def _winsorised_moment_by_quadrature(tail: float) -> float:
    c = float(stats.norm.isf(tail))
    inside, _ = integrate.quad(lambda z: z * z * stats.norm.pdf(z), -c, c, epsabs=1e-14)
    return float(inside) + 2.0 * tail * c * c


@settings(max_examples=50, deadline=None)
@given(st.floats(0.001, 0.45))
def test_the_winsorised_normal_moment_is_the_integral(tail: float) -> None:
    expected = _winsorised_moment_by_quadrature(tail)
    assert _normal_winsorised_moment(tail) == pytest.approx(expected, rel=REL)


def test_the_moment_phi_is_measured_against() -> None:
    assert pytest.approx(_winsorised_moment_by_quadrature(WINSOR), rel=REL) == NORMAL_MOMENT
    assert pytest.approx(0.6787, abs=5e-5) == NORMAL_MOMENT


@WIDE
@given(areas(), st.sampled_from([0.0, 0.05, 0.1, 0.2]))
def test_the_dispersion_terms_use_r_type_7_quantiles(
    found: tuple[list[int], list[int]], winsor: float
) -> None:
    now, before = found
    terms = share_dispersion(now, before, winsor)
    kept = [(c, c + p) for c, p in zip(now, before, strict=True) if c + p > 0]
    if not kept or sum(c for c, _ in kept) in (0, sum(n for _, n in kept)):
        assert terms is None
        return
    assert terms is not None
    share = sum(c for c, _ in kept) / sum(n for _, n in kept)
    z = np.array([float(proportions_ztest(c, n, value=share, prop_var=share)[0]) for c, n in kept])
    low, high = stats.mstats.mquantiles(z, [winsor, 1 - winsor], alphap=1, betap=1)
    assert terms[0] == pytest.approx(share, rel=REL)
    assert terms[1] == len(kept)
    scale = float(np.mean(z * z)) + 1.0
    assert terms[2] == pytest.approx(float(np.mean(np.clip(z, low, high) ** 2)), abs=REL * scale)
    assert terms[3] == pytest.approx(float(np.sum(z * z)), abs=REL * scale * len(kept))


@WIDE
@given(trials())
def test_the_exact_interval_is_scipys_clopper_pearson(case: tuple[int, int, float]) -> None:
    k, n, _ = case
    assume(n > 0)
    low, high = odds_interval(k, n)
    theirs = stats.binomtest(k, n).proportion_ci(0.95, method="exact")
    # scipy's own limits come from ``beta.ppf``, ~1e-7 out where a limit is near 0 with
    # many trials (k = 1 of 10⁶: 2.5317805e-8, where 1 − 0.975^(1/n) = 2.5317808e-8)
    assert low / (1.0 + low) == pytest.approx(theirs.low, rel=1e-6, abs=TINY)
    assert (high is None) is (k == n)
    if high is not None:
        assert high / (1.0 + high) == pytest.approx(theirs.high, rel=1e-6)


@pytest.mark.parametrize("n", [1, 10, 1000, 10**6])
def test_the_exact_interval_for_one_event_and_for_all_but_one(n: int) -> None:
    """Closed forms: for k = 1, P(X ≥ 1 | π_L) = 1 − (1 − π_L)^n = 2.5%; for k = n − 1,
    P(X ≤ n − 1 | π_U) = 1 − π_U^n = 2.5%, so 1 − π_U = −expm1(ln(0.975)/n)."""
    lower = -math.expm1(math.log(0.975) / n)
    low, _ = odds_interval(1, n)
    assert low / (1.0 + low) == pytest.approx(lower, rel=REL)
    _, high = odds_interval(n - 1, n)
    assert high is not None
    assert 1.0 / (1.0 + high) == pytest.approx(lower, rel=REL)


def test_null_share_is_the_binomial_proportion_of_the_rate_ratio() -> None:
    assert null_share(0.98, 1.0) == pytest.approx(0.98 / 1.98, rel=1e-15)
