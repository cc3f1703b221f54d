"""The product's significance rules across many areas: each area against last year, the
target and the London-wide trend, with the variance × φ and Benjamini–Hochberg across the
level — worked numbers, table-driven."""

from __future__ import annotations

import math
from datetime import date

import pytest

from services.kpi.domain.controlled import alone, judge_counts, judged
from services.kpi.domain.days import day_index, month_index
from services.kpi.domain.overdispersion import Dispersion, p_two_sided, pearson_z
from services.kpi.domain.periods import period
from services.kpi.domain.state import MPS, KpiState, Unit
from services.kpi.domain.stats import benjamini_hochberg
from shared.ranking import share_z_tests

FYTD = period("fytd", date(2024, 5, 31))  # 61 days against 61 days: exposure 1


def ward(n: int) -> Unit:
    return Unit("ward", f"E0501{n:04d}", "E09000033")


def phi(value: float) -> Dispersion:
    return Dispersion(value, 0, None, None)


def london(
    rest: tuple[int, int], odd: tuple[int, int], many: int = 40
) -> dict[Unit, tuple[int, int]]:
    """``many`` wards at ``rest`` and ward 0 at ``odd``."""
    return {ward(0): odd, **{ward(i): rest for i in range(1, many + 1)}}


@pytest.mark.parametrize(
    ("counts", "spread", "last_year", "trend", "why"),
    [
        # The whole MPS up 10% (every ward 110 on 100): no ward differs from the MPS trend;
        # one ward alone is not significantly up (z = (110 − 105)/√(210/4) = 0.69).
        (london((110, 100), (110, 100)), 1.0, "not_significant", "not_significant",
         "London moves as one: nobody differs"),
        # Ward 0 up 60% while London is up ~1.5%: z against last year (160 − 130)/√(260/4)
        # = 3.72, p = 0.0002, q = 41·p = 0.008: worse; against London's share 4160/8260 the
        # same ward is also worse (z = 3.60, q = 0.013).
        (london((100, 100), (160, 100)), 1.0, "significant_worse", "significant_worse",
         "one ward's own rise"),
        # With φ = 4 the same ward's z halves (1.86, p = 0.063): nothing significant.
        (london((100, 100), (160, 100)), 4.0, "not_significant", "not_significant",
         "the rise within four times Poisson's variance"),
        # London up ~30% (ratio 1.29), ward 0 level with last year at 100 on 100: below the
        # trend, z = −1.82, p = 0.069, q = 0.97 (the 40 others sit on the trend): not
        # significant; at 600 on 600 it is (z = −4.02, p = 0.00006, q = 0.002): better than
        # London's trend, though level with its own last year.
        (london((130, 100), (100, 100)), 1.0, "not_significant", "not_significant",
         "a ward level while London rises 30% (small counts)"),
        (london((130, 100), (600, 600)), 1.0, "not_significant", "significant_better",
         "a ward level while London rises 30%"),
    ],
)  # fmt: skip
def test_ward_against_last_year_and_the_mps_trend(
    counts: dict[Unit, tuple[int, int]], spread: float, last_year: str, trend: str, why: str
) -> None:
    found = judge_counts("violence", FYTD, counts, 0.98, phi(spread))
    odd = found.areas[ward(0)]
    assert odd.vs_last_year.verdict == last_year, why
    assert odd.vs_mps is not None
    assert odd.vs_mps.verdict == trend, why


def test_the_worked_numbers_of_one_ward() -> None:
    counts = london((100, 100), (160, 100))
    found = judge_counts("violence", FYTD, counts, 0.98, phi(1.0))
    odd = found.areas[ward(0)]
    z = (160 - 260 * 0.5) / math.sqrt(260 * 0.25)
    assert odd.vs_last_year.z == pytest.approx(z)  # 3.721
    p = math.erfc(z / math.sqrt(2))
    assert odd.vs_last_year.p_value == pytest.approx(p)
    raw = {u: math.erfc(abs(c - (c + q) / 2) / math.sqrt((c + q) / 4) / math.sqrt(2))
           for u, (c, q) in counts.items()}  # fmt: skip
    assert odd.vs_last_year.q_value == pytest.approx(benjamini_hochberg(raw)[ward(0)])
    assert odd.vs_last_year.q_value == pytest.approx(41 * p)
    share = 4160 / 8260  # London's share this year of both years' counts
    assert found.mps_ratio == pytest.approx(4160 / 4100)
    assert odd.vs_mps is not None
    assert odd.vs_mps.z == pytest.approx((160 - 260 * share) / math.sqrt(260 * share * (1 - share)))
    # The target (0.98): π₀ = 0.98 / 1.98
    target = 0.98 / 1.98
    assert odd.vs_target is not None
    assert odd.vs_target.z == pytest.approx(
        (160 - 260 * target) / math.sqrt(260 * target * (1 - target))
    )


def test_the_mps_movement_is_said_once() -> None:
    """Every ward up 10%: none is flagged on its own or against the trend, while the MPS,
    judged alone on all their counts, is significantly off trajectory."""
    counts = {ward(i): (110, 100) for i in range(100)}
    wards = judge_counts("violence", FYTD, counts, 0.98)
    assert wards.dispersion.phi == 1.0
    assert all(
        a.vs_target and a.vs_target.verdict == "not_significant" for a in wards.areas.values()
    )
    assert wards.differing() == ()
    mps = alone(11_000, 10_000, 0.98, 1.0, wards.dispersion.phi)
    assert mps.verdict == "significant_worse"
    assert mps.q_value == mps.p_value


def test_differing_lists_worse_first_most_significant_first() -> None:
    counts = {**{ward(i): (100, 100) for i in range(1, 60)},
              ward(90): (170, 100), ward(91): (200, 100), ward(92): (40, 100)}  # fmt: skip
    found = judge_counts("violence", FYTD, counts, 0.98, phi(1.0))
    assert [u for u, _ in found.differing()] == [ward(91), ward(90), ward(92)]


def test_from_the_state_and_insufficient_data() -> None:
    state = KpiState()
    this, last = date(2024, 5, 1), date(2023, 5, 1)
    for unit, (now, before) in {ward(1): (30, 20), ward(2): (0, 0)}.items():
        state.apply({(unit, "violence", day_index(this), month_index(this)): now,
                     (unit, "violence", day_index(last), month_index(last)): before})  # fmt: skip
    found = judged(state, [ward(1), ward(2)], "violence", FYTD, None)
    assert (found.areas[ward(1)].value, found.areas[ward(1)].last_year) == (30, 20)
    assert found.areas[ward(1)].vs_target is None  # a baseline KPI
    assert found.areas[ward(2)].vs_last_year.verdict == "insufficient_data"
    assert found.dispersion.phi == 1.0  # two wards: not estimated
    alone_mps = judged(state, [MPS], "violence", FYTD, 0.98, phi(2.0), against_mps=False)
    assert alone_mps.areas[MPS].vs_mps is None
    assert alone_mps.areas[MPS].vs_last_year.z == pytest.approx((30 - 25) / math.sqrt(2 * 50 / 4))


def test_the_vectorised_tests_equal_the_plain_ones() -> None:
    """shared.ranking.share_z_tests (every area in one pass) gives each area's Pearson z, its
    two-sided p and the Benjamini–Hochberg adjusted value, as the plain functions do."""
    values = [0, 5, 12, 40, 41, 300, 7, 0, 1]
    previous = [0, 9, 10, 30, 52, 250, 7, 3, 0]
    share, spread = 0.98 / 1.98, 1.7
    zs, ps, qs = share_z_tests(values, previous, share, spread)
    for c, p, z in zip(values, previous, zs, strict=True):
        assert z == pytest.approx(pearson_z(c, p, share, spread))
    tested = {i: p_two_sided(zs[i]) for i in range(len(values)) if values[i] + previous[i] > 0}
    assert [i for i, p in enumerate(ps) if p is None] == [0]
    assert {i: ps[i] for i in tested} == pytest.approx(tested)
    assert {i: qs[i] for i in tested} == pytest.approx(benjamini_hochberg(tested))
