"""Response bodies of the survey figures (the read API and the KPI updates share them)."""

from __future__ import annotations

from typing import Any

from services.kpi.domain.stats.proportions import Interval
from services.kpi.domain.survey import Estimate
from services.kpi.domain.survey_figures import Comparison, SurveyConfig, SurveyFigure

TEST = "two_proportion_z"


def survey_body(f: SurveyFigure, config: SurveyConfig) -> dict[str, Any]:
    """One figure: proportions in percent, differences in percentage points."""
    return {
        "survey": f.spec.survey, "measure": f.spec.measure, "label": f.spec.label,
        "kpi": f.spec.kpi, "role": "kpi" if f.spec.kpi else "diagnostic",
        "quarter": f.quarter.label, "period": "rolling_12m",
        "period_start": f.quarter.start, "period_end": f.quarter.end,
        **estimate_body(f.estimate),
        "interval": _interval(f.interval, 100),
        "smallest_significant_change_points": round(f.smallest_significant_change_points, 2),
        "last_year": None if f.last_year is None else estimate_body(f.last_year),
        "vs_last_year": _comparison(f.vs_last_year),
        "target_percent": None if f.target is None else round(100 * f.target, 2),
        "target_points": f.spec.target_points,
        "gap_to_target_points": _points(f.gap_to_target_points),
        "vs_mps": _comparison(f.vs_mps),
        "vs_peers": _comparison(f.vs_peers), "peers": list(f.peers),
        "peer_rule": config.peer_rule,
        "gap": None if f.gap is None else {
            "white": estimate_body(f.gap.white),
            "minority_ethnic": estimate_body(f.gap.minority_ethnic),
            "points": round(f.gap.points, 2),
            "interval_points": _interval(f.gap.interval_points, 1),
            "method": "newcombe_hybrid_score",
            "last_year_points": _points(f.gap.last_year_points),
        },
        "config_version": config.version,
    }  # fmt: skip


def estimate_body(e: Estimate) -> dict[str, Any]:
    return {"percent": round(100 * e.proportion, 2), "respondents": e.respondents,
            "effective_n": round(e.effective_n, 1), "design_effect": e.design_effect,
            "source": e.source, "sample_size_assumed": e.assumed_n}  # fmt: skip


def _comparison(c: Comparison | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"percent": round(100 * c.proportion, 2),
            "difference_points": round(c.difference_points, 2), "p_value": c.p_value,
            "verdict": c.verdict, "test": TEST}  # fmt: skip


def _interval(i: Interval, scale: float) -> dict[str, Any]:
    return {"low": round(scale * i.low, 2), "high": round(scale * i.high, 2),
            "confidence": 0.95}  # fmt: skip


def _points(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
