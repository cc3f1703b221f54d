"""The overdispersion factor φ (Spiegelhalter 2005's winsorised Pearson estimate, made to
read 1 on Poisson counts) and the z-scores it scales, against worked numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from services.kpi.domain.overdispersion import (
    MIN_UNITS,
    NORMAL_MOMENT,
    estimate,
    null_share,
    p_two_sided,
    pearson_z,
)

SPREAD = [(50 + d, 50 - d) for d in (-10, -5, 0, 5, 10)] * 4
"""20 wards of n = 100 about a common share of ½: z = d / 5 ∈ {−2, −1, 0, 1, 2}, four each."""


@pytest.mark.parametrize(
    ("pairs", "phi", "pearson", "why"),
    [
        # Σz² / 20 = (4 + 1 + 0 + 1 + 4) / 5 = 2; the 10th and 90th percentiles are ±2, so
        # nothing is winsorised; φ = 2 / 0.67865 = 2.947. Pearson: 40 / 19 = 2.105.
        (SPREAD, 2.947007, 40 / 19, "spread twice Poisson's (winsorised scale)"),
        # Every ward exactly on the common share: z = 0, φ would be 0; never below Poisson.
        ([(50, 50)] * 30, 1.0, 0.0, "no spread: floored at 1"),
        # 19 wards at 50/50 and one at 90/10: share 0.52, z = −0.400 for the 19 and 7.606 for
        # the one; the 90th percentile is −0.400, so the outlier is winsorised to it and φ
        # is floored at 1, where the unwinsorised Pearson X²/(k − 1) = 3.205 would triple
        # every ward's variance for one ward's real change.
        ([(50, 50)] * 19 + [(90, 10)], 1.0, 3.205128, "one real outlier does not set φ"),
        # With fewer than MIN_UNITS (10) wards φ is not estimated (the Pearson ratio is kept:
        # 9 wards, share 440/900, X² / 8 = 1.945).
        (SPREAD[: MIN_UNITS - 1], 1.0, 1.945405, "too few wards: Poisson"),
        ([(0, 0)] * 25, 1.0, None, "nothing counted"),
    ],
)  # fmt: skip
def test_phi(pairs: list[tuple[int, int]], phi: float, pearson: float | None, why: str) -> None:
    found = estimate(pairs)
    assert found.phi == pytest.approx(phi, rel=1e-6), why
    if pearson is None:
        assert found.pearson is None
    else:
        assert found.pearson == pytest.approx(pearson, rel=1e-6), why


def test_phi_reads_one_on_poisson_counts() -> None:
    """679 wards of Poisson counts with the same rate both years: φ within a few % of 1
    (the winsorised mean square is divided by its value for normal z, 0.6787)."""
    rng = np.random.default_rng(7)
    means = rng.uniform(20, 400, size=679)
    pairs = [(int(a), int(b)) for a, b in zip(rng.poisson(means), rng.poisson(means), strict=True)]
    assert estimate(pairs).phi == pytest.approx(1.0, abs=0.12)
    now, before = rng.negative_binomial(means, 0.5), rng.negative_binomial(means, 0.5)
    twice = [(int(a), int(b)) for a, b in zip(now, before, strict=True)]
    assert estimate(twice).phi == pytest.approx(2.0, rel=0.12)  # variance 2 × the mean


def test_the_normal_winsorised_moment() -> None:
    """E[clip(Z, ±1.2816)²] = 0.8 − 2c·φ(c) + 0.2c² = 0.67865, by the midpoint rule too."""
    c = 1.2815515655446004
    step = 1e-4
    inner = sum((-c + (i + 0.5) * step) ** 2 * math.exp(-((-c + (i + 0.5) * step) ** 2) / 2)
                for i in range(int(2 * c / step))) * step / math.sqrt(2 * math.pi)  # fmt: skip
    moment = NORMAL_MOMENT
    assert moment == pytest.approx(inner + 0.2 * c * c, abs=1e-4)
    assert moment == pytest.approx(0.67865, abs=1e-5)


@pytest.mark.parametrize(
    ("current", "previous", "share", "phi", "z"),
    [
        (60, 40, 0.5, 1.0, 2.0),  # (60 − 50) / √(100 · ¼) = 2
        (60, 40, 0.5, 4.0, 1.0),  # four times the variance: half the z
        (40, 60, 0.5, 1.0, -2.0),
        (130, 100, 0.5, 1.0, 15 / math.sqrt(230 / 4)),
        (0, 0, 0.5, 1.0, 0.0),  # nothing to compare
    ],
)
def test_pearson_z(current: int, previous: int, share: float, phi: float, z: float) -> None:
    assert pearson_z(current, previous, share, phi) == pytest.approx(z)


@pytest.mark.parametrize(
    ("z", "p"), [(0.0, 1.0), (1.959964, 0.05), (-1.959964, 0.05), (3.290527, 0.001)]
)
def test_two_sided_p(z: float, p: float) -> None:
    assert p_two_sided(z) == pytest.approx(p, rel=1e-5)


@pytest.mark.parametrize(
    ("ratio", "exposure", "share"),
    [(1.0, 1.0, 0.5), (0.98, 1.0, 0.98 / 1.98), (1.0, 28 / 29, 28 / 57)],
)
def test_null_share(ratio: float, exposure: float, share: float) -> None:
    assert null_share(ratio, exposure) == pytest.approx(share)


def test_the_estimate_winsorises_at_type_7_quantiles() -> None:
    """φ by hand: the Pearson z-scores about the common share, clipped at their 10th and 90th
    percentiles interpolated between order statistics (R's type 7), mean square / 0.6787."""
    rng = np.random.default_rng(3)
    pairs = [(int(a), int(b)) for a, b in rng.poisson(rng.uniform(5, 80, (37, 2)))]
    share = sum(c for c, _ in pairs) / sum(c + p for c, p in pairs)
    zs = sorted(pearson_z(c, p, share) for c, p in pairs if c + p)

    def at(q: float) -> float:
        i = q * (len(zs) - 1)
        low = math.floor(i)
        return zs[low] + (i - low) * (zs[min(low + 1, len(zs) - 1)] - zs[low])

    clipped = [min(max(z, at(0.1)), at(0.9)) for z in zs]
    expected = sum(z * z for z in clipped) / len(zs) / NORMAL_MOMENT
    found = estimate(pairs)
    assert found.phi == pytest.approx(max(1.0, expected))
    assert found.pearson == pytest.approx(sum(z * z for z in zs) / (len(zs) - 1))
    assert found.share == pytest.approx(share)
