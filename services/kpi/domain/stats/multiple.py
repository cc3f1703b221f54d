"""Controlling false alarms when many wards are tested at once.

With hundreds of wards, each tested at α, about n·α will be flagged by chance alone
(``expected_false_signals``). The Benjamini–Hochberg step-up procedure instead bounds the
expected share of false discoveries among those flagged at q: Y. Benjamini and Y. Hochberg,
"Controlling the false discovery rate: a practical and powerful approach to multiple testing",
J. R. Statist. Soc. B 57(1), 1995, 289–300. The adjusted value ("q-value") of the i-th
smallest of m p-values is min over j ≥ i of min(1, m·p_(j)/j), as R's ``p.adjust(method =
"BH")``; a test is significant at level q exactly when its adjusted value is ≤ q. The
adjustment is statsmodels' ``multipletests(method="fdr_bh")``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

import numpy as np
from statsmodels.stats.multitest import multipletests

K = TypeVar("K", bound=Hashable)


def benjamini_hochberg(p_values: Mapping[K, float], q: float = 0.05) -> dict[K, float]:
    """Benjamini–Hochberg adjusted p-values, keyed as given. ``q`` is only checked for range
    here (the adjustment does not depend on it); ``significant`` applies it."""
    _check_level(q)
    for key, p in p_values.items():
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"p-value of {key!r} must be between 0 and 1, got {p}")
    if not p_values:
        return {}
    values = np.fromiter(p_values.values(), np.float64, len(p_values))
    adjusted = multipletests(values, method="fdr_bh")[1]
    return dict(zip(p_values, adjusted.tolist(), strict=True))


def significant(p_values: Mapping[K, float], q: float = 0.05) -> set[K]:
    """The keys rejected by the Benjamini–Hochberg procedure at false discovery rate ``q``."""
    return {key for key, value in benjamini_hochberg(p_values, q).items() if value <= q}


def expected_false_signals(n_tests: int, alpha: float) -> float:
    """How many of ``n_tests`` true null hypotheses are expected to be flagged at level
    ``alpha`` by chance: n·α (linearity of expectation; no independence needed)."""
    if n_tests < 0:
        raise ValueError(f"n_tests must be >= 0, got {n_tests}")
    _check_level(alpha)
    return n_tests * alpha


def _check_level(level: float) -> None:
    if not 0.0 < level <= 1.0:
        raise ValueError(f"a significance level must be in (0, 1], got {level}")
