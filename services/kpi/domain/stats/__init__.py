"""Statistics for judging KPI figures: exact Poisson comparisons, XmR charts with their
special-cause rules and assurance, false-alarm control across many wards, and the plain
comparisons (% change, trajectory, projection). Pure functions: the tests, intervals and
corrections are scipy's and statsmodels' wherever those are fast enough for the path that
uses them; each routine kept by hand says why, with its measured cost
(``benchmarks/stats_libraries.py``), and is checked against the libraries
(``tests/unit/kpi/stats/test_kpi_stats_against_libraries.py``)."""

from services.kpi.domain.stats.assurance import Assurance, assurance
from services.kpi.domain.stats.multiple import (
    benjamini_hochberg,
    expected_false_signals,
    significant,
)
from services.kpi.domain.stats.poisson import (
    NOTABLE_Z,
    PoissonComparison,
    poisson_ratio_test,
    poisson_z,
)
from services.kpi.domain.stats.spc import MIN_POINTS, XmrChart, xmr
from services.kpi.domain.stats.spc_rules import Direction, Rule, Side, Signal, Verdict
from services.kpi.domain.stats.trajectory import (
    gap,
    pct_change,
    projected_year_end,
    trajectory,
)

__all__ = [
    "MIN_POINTS",
    "NOTABLE_Z",
    "Assurance",
    "Direction",
    "PoissonComparison",
    "Rule",
    "Side",
    "Signal",
    "Verdict",
    "XmrChart",
    "assurance",
    "benjamini_hochberg",
    "expected_false_signals",
    "gap",
    "pct_change",
    "poisson_ratio_test",
    "poisson_z",
    "projected_year_end",
    "significant",
    "trajectory",
    "xmr",
]
