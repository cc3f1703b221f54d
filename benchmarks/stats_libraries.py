"""The KPI statistics by hand against the scipy / statsmodels calls that do the same, on the
same inputs in one process: what each costs a call, and on the path that uses it. For a
routine the product keeps by hand (the exact test's two-sided p and its probabilities) this
is what the library would cost; for one it now takes from the library (Benjamini–Hochberg,
erfc, the survey intervals and z-test) what the switch costs.

    .venv/bin/python benchmarks/stats_libraries.py [--out benchmarks/results/stats_libraries.json]

Each figure is the fastest of several timed repeats (the least disturbed by other work on the
machine), in microseconds a call unless its name says ms. The answers are compared too: the
two ways must agree before their costs mean anything.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy import special, stats
from statsmodels.stats.multitest import multipletests

from services.kpi.domain.stats import poisson_ratio_test
from services.kpi.domain.stats.proportions import (
    Z95,
    newcombe_difference,
    two_proportion_test,
    wilson,
)
from services.kpi.domain.stats.special import log_binomial_pmf

SEED = 26
WARDS = 680
SIZES = {"ward": 120, "borough": 6_000, "mps": 180_000}
"""Typical FYTD counts of one KPI group: a ward, a borough, the MPS."""
SHARE = 0.98 / 1.98
"""π₀ of the test against the target (ratio 0.98, equal periods)."""
SURVEY_MEASURES = 9
"""Measures in ``services/kpi/surveys.toml``: each figure a Wilson interval and up to three
z-tests (last year, the MPS, the peers), and one Newcombe interval (KPI 7)."""


def per_call_us(call: Callable[[], object], number: int = 100, repeat: int = 25) -> float:
    return min(timeit.repeat(call, number=number, repeat=repeat)) / number * 1e6


def exact_tests(rng: np.random.Generator) -> dict[str, float]:
    """The exact conditional Poisson test: ``poisson_ratio_test`` (tails by betainc, the
    two-sided p by hand) against ``binomtest`` with ``binom.cdf`` and ``binom.sf``."""
    out: dict[str, float] = {}
    for level, mean in SIZES.items():
        cases = [(int(c), int(p)) for c, p in rng.poisson(mean, (20, 2))]

        def product(cases: list[tuple[int, int]] = cases) -> None:
            for c, p in cases:
                poisson_ratio_test(c, p, ratio=0.98, interval=False)

        def library(cases: list[tuple[int, int]] = cases) -> None:
            for c, p in cases:
                stats.binomtest(c, c + p, SHARE)
                stats.binom.cdf(c, c + p, SHARE)
                stats.binom.sf(c - 1, c + p, SHARE)

        for c, p in cases:
            mine = poisson_ratio_test(c, p, ratio=0.98, interval=False).p_two_sided
            theirs = stats.binomtest(c, c + p, SHARE).pvalue
            assert math.isclose(mine, theirs, rel_tol=1e-9), (c, p, mine, theirs)
        out[f"exact_test_{level}_by_hand_us"] = per_call_us(product, 5) / len(cases)
        out[f"exact_test_{level}_scipy_us"] = per_call_us(library, 5) / len(cases)
    out["ward_query_six_tests_by_hand_ms"] = 6 * out["exact_test_ward_by_hand_us"] / 1000
    out["ward_query_six_tests_scipy_ms"] = 6 * out["exact_test_ward_scipy_us"] / 1000
    out["log_pmf_by_hand_us"] = per_call_us(lambda: log_binomial_pmf(118, 240, 0.495, 0.505))
    out["log_pmf_scipy_us"] = per_call_us(lambda: stats.binom.logpmf(118, 240, 0.495))
    return out


def ward_columns(rng: np.random.Generator) -> dict[str, float]:
    """One test column over every ward (every live query's judgement): two-sided p by erfc
    and the Benjamini–Hochberg adjustment, by hand (numpy) and by the libraries."""
    z = rng.normal(0.0, 1.5, WARDS)
    by_hand_erfc = np.frompyfunc(math.erfc, 1, 1)
    p = np.minimum(special.erfc(np.abs(z) / math.sqrt(2.0)), 1.0)

    def bh_by_hand() -> np.ndarray:
        order = np.argsort(p, kind="stable")
        running = np.minimum.accumulate((p[order] * WARDS / np.arange(1, WARDS + 1))[::-1])
        adjusted = np.empty(WARDS)
        adjusted[order] = np.minimum(running[::-1], 1.0)
        return adjusted

    assert np.allclose(bh_by_hand(), multipletests(p, method="fdr_bh")[1], rtol=1e-12)
    assert np.allclose(stats.false_discovery_control(p), bh_by_hand(), rtol=1e-12)
    return {
        "erfc_680_by_hand_us": per_call_us(lambda: by_hand_erfc(np.abs(z) / math.sqrt(2.0))),
        "erfc_680_scipy_us": per_call_us(lambda: special.erfc(np.abs(z) / math.sqrt(2.0))),
        "bh_680_by_hand_us": per_call_us(bh_by_hand),
        "bh_680_statsmodels_us": per_call_us(lambda: multipletests(p, method="fdr_bh")),
        "bh_680_scipy_us": per_call_us(lambda: stats.false_discovery_control(p)),
    }


def _wilson_by_hand(p: float, n: float) -> tuple[float, float]:
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _z_test_by_hand(p1: float, n1: float, p2: float, n2: float) -> tuple[float, float]:
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return z, math.erfc(abs(z) / math.sqrt(2.0))


def _newcombe_by_hand(p1: float, n1: float, p2: float, n2: float) -> tuple[float, float]:
    (low1, high1), (low2, high2) = _wilson_by_hand(p1, n1), _wilson_by_hand(p2, n2)
    d = p1 - p2
    low = d - math.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    return low, d + math.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)


def survey() -> dict[str, float]:
    """Survey proportions (``proportions``: statsmodels) against the same formulas written
    out: one call each, and one borough's figures (``SURVEY_MEASURES``)."""
    p1, n1, p2, n2 = 0.78, 420.0, 0.71, 380.0
    w, t, d = (
        wilson(p1, n1),
        two_proportion_test(p1, n1, p2, n2),
        newcombe_difference(p1, n1, p2, n2),
    )
    checks = (
        ((w.low, w.high), _wilson_by_hand(p1, n1)),
        ((t.z, t.p_value), _z_test_by_hand(p1, n1, p2, n2)),
        ((d.low, d.high), _newcombe_by_hand(p1, n1, p2, n2)),
    )
    for mine, theirs in checks:
        assert np.allclose(mine, theirs, rtol=1e-9), (mine, theirs)
    out = {
        "wilson_by_hand_us": per_call_us(lambda: _wilson_by_hand(p1, n1)),
        "wilson_statsmodels_us": per_call_us(lambda: wilson(p1, n1), 50),
        "z_test_by_hand_us": per_call_us(lambda: _z_test_by_hand(p1, n1, p2, n2)),
        "z_test_statsmodels_us": per_call_us(lambda: two_proportion_test(p1, n1, p2, n2), 50),
        "newcombe_by_hand_us": per_call_us(lambda: _newcombe_by_hand(p1, n1, p2, n2)),
        "newcombe_statsmodels_us": per_call_us(lambda: newcombe_difference(p1, n1, p2, n2), 50),
    }
    for how in ("by_hand", "statsmodels"):
        calls = SURVEY_MEASURES * (out[f"wilson_{how}_us"] + 3 * out[f"z_test_{how}_us"])
        out[f"survey_borough_{how}_ms"] = (calls + out[f"newcombe_{how}_us"]) / 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="also write the figures here (JSON)")
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)
    figures: dict[str, Any] = {**exact_tests(rng), **ward_columns(rng), **survey()}
    result = {
        "benchmark": "stats_libraries",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "figures": {k: round(v, 3) for k, v in figures.items()},
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
