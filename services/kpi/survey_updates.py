"""KPI 6 and KPI 7 as kpi.updated payloads: the borough or MPS proportion for the rolling 12
months to the latest quarter end, its Wilson interval, sample size, the test against last
year and the +1 point target as trajectory; KPI 7's white / minority-ethnic gap as its own
update (unit ``difference``, Newcombe interval)."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.kpi.domain.survey import MPS_AREA, Estimate, SurveyBook, quarter_ending_by
from services.kpi.domain.survey_figures import Comparison, SurveyConfig, SurveyFigure, survey_figure

GAP_MEASURE = "satisfaction_gap_white_minority_ethnic"


def survey_payloads(book: SurveyBook, config: SurveyConfig, area: str,
                    as_of: date) -> list[tuple[str, dict[str, Any]]]:  # fmt: skip
    """(measure, payload without as_of and provenance) of every survey KPI figure of
    ``area`` as of ``as_of``."""
    quarter = quarter_ending_by(as_of)
    out = []
    for spec in config.measures:
        if spec.kpi is None:
            continue
        found = survey_figure(book, config, spec, area, quarter)
        if found is None:
            continue
        out.append((spec.measure, _payload(found, area)))
        if found.gap is not None:
            out.append((GAP_MEASURE, _gap_payload(found, area)))
    return out


def _base(f: SurveyFigure, area: str) -> dict[str, Any]:
    return {"level": "mps" if area == MPS_AREA else "borough", "area_code": area,
            "borough_code": None, "kpi": f.spec.kpi, "period": "rolling_12m",
            "period_start": f.quarter.start.isoformat(),
            "period_end": f.quarter.end.isoformat(), "pct_change": None,
            "target_ratio": None, "projected_year_end": None, "rank_in_borough": None,
            "rank_in_mps": None, "spc": None, "target_significance": None}  # fmt: skip


def _payload(f: SurveyFigure, area: str) -> dict[str, Any]:
    e = f.estimate
    return {**_base(f, area), "measure": f.spec.measure, "unit": "proportion",
            "value": e.proportion,
            "last_year": None if f.last_year is None else f.last_year.proportion,
            "trajectory": f.target,
            "gap_to_trajectory": None if f.target is None else e.proportion - f.target,
            "significance": _significance(f.vs_last_year),
            "interval": {"low": f.interval.low, "high": f.interval.high, "confidence": 0.95},
            "n": _interviews(e)}  # fmt: skip


def _gap_payload(f: SurveyFigure, area: str) -> dict[str, Any]:
    gap = f.gap
    assert gap is not None
    return {**_base(f, area), "measure": GAP_MEASURE, "unit": "difference",
            "value": gap.points / 100,
            "last_year": None if gap.last_year_points is None else gap.last_year_points / 100,
            "trajectory": None, "gap_to_trajectory": None, "significance": None,
            "interval": {"low": gap.interval_points.low / 100,
                         "high": gap.interval_points.high / 100, "confidence": 0.95},
            "n": _interviews(gap.white) + _interviews(gap.minority_ethnic)}  # fmt: skip


def _interviews(e: Estimate) -> int:
    """The interviews behind a figure: held, published or (when none is) assumed."""
    return e.respondents if e.respondents is not None else round(e.effective_n * e.design_effect)


def _significance(c: Comparison | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"test": "two_proportion_z", "null_ratio": None, "p_value": c.p_value,
            "verdict": c.verdict}  # fmt: skip
