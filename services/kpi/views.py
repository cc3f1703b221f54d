"""Response bodies of the read API: figures with their ranks and SPC verdict, SPC charts,
league tables and exception lists (plain JSON-ready dicts; the API and the KPI updates
share them)."""

from __future__ import annotations

from typing import Any

from services.kpi.board import Board
from services.kpi.domain.controlled import TEST as CONTROLLED_TEST
from services.kpi.domain.controlled import AreaVerdicts, Controlled, alone
from services.kpi.domain.figures import Figure, Judgement
from services.kpi.domain.league import League, Standing
from services.kpi.domain.periods import label
from services.kpi.domain.sources import Source
from services.kpi.domain.spc_view import SpcVerdict, SpcView, verdict
from services.kpi.domain.stats import pct_change
from services.kpi.domain.targets import KPI_OF_GROUP

TEST = "poisson_conditional_binomial"


def figure_body(f: Figure) -> dict[str, Any]:
    return {
        "kpi": KPI_OF_GROUP[f.group], "kpi_group": f.group, "period": f.period.kind,
        "period_start": f.period.first, "period_end": f.period.last,
        "value": f.value, "last_year": f.last_year,
        "last_year_start": f.last_year_period.first, "last_year_end": f.last_year_period.last,
        "pct_change": f.pct_change, "target_ratio": f.target.ratio if f.target else None,
        "trajectory": f.trajectory, "gap_to_trajectory": f.gap_to_trajectory,
        "projected_year_end": f.projected_year_end,
        "vs_last_year": judgement_body(f.vs_last_year),
        "vs_target": judgement_body(f.vs_target) if f.vs_target else None,
        "boundary_estimate": boundary_estimate(f),
        "period_label": label(f.period), "sources": sources_body(f),
    }  # fmt: skip


def sources_body(f: Figure) -> dict[str, Any]:
    now, then = f.sources
    return {"this_year": source_body(now), "last_year": source_body(then)}


def source_body(s: Source) -> dict[str, Any]:
    return {"area": s.area, "resolution": s.resolution, "complete": s.complete,
            "held": s.held, "simulated": s.simulated, "label": s.label}  # fmt: skip


APPORTIONING = ("2018-set ward counts shared out to 2022-set wards by the Census 2021 residents "
                "of the LSOAs they share")  # fmt: skip


def boundary_estimate(f: Figure) -> dict[str, Any] | None:
    """The apportioned parts of a 2022-set ward's figure (None when nothing was)."""
    this_year, last_year = f.estimated
    if not this_year and not last_year:
        return None
    return {"value": round(this_year, 3), "last_year": round(last_year, 3),
            "from_boundary_set": "2018", "method": APPORTIONING}  # fmt: skip


def judged_body(board: Board, f: Figure) -> dict[str, Any]:
    """A figure with its ranks, the SPC verdict of the chart that goes with its period, and
    its tests by the product's significance rules (:mod:`controlled`): ``vs_last_year`` and
    ``vs_target`` with overdispersion and false-discovery control across the level's areas,
    ``vs_mps`` against the London-wide trend; each keeps the single exact Poisson test's
    p-value as ``p_value_poisson``."""
    in_borough, in_mps = board.ranks(f.unit, f.group, f.period)
    spc = board.spc_for(f.unit, f.group, f.period)
    level, found = board.verdicts(f.unit, f.group, f.period)
    if found is None or (found.value, found.last_year) != (f.value, f.last_year):
        fdr = board.significance.fdr
        found = _alone(f, level.dispersion.phi, level.mps_ratio, fdr)  # e.g. published totals
        tested = 1
    else:
        tested = level.tested
    phi = level.dispersion.phi
    return {**figure_body(f), "rank_in_borough": in_borough, "rank_in_mps": in_mps,
            "spc": spc_summary(spc),
            "vs_last_year": controlled_body(found.vs_last_year, f.vs_last_year, phi, tested),
            "vs_target": None if found.vs_target is None or f.vs_target is None else
            controlled_body(found.vs_target, f.vs_target, phi, tested),
            "vs_mps": None if found.vs_mps is None else
            controlled_body(found.vs_mps, None, phi, tested)}  # fmt: skip


def _alone(f: Figure, phi: float, mps_ratio: float | None, fdr: float) -> AreaVerdicts:
    """``f`` judged by itself (not among its level's areas: no adjustment)."""
    exposure = f.period.days / f.last_year_period.days
    ratio = f.target.ratio if f.target else None

    def test(null: float) -> Controlled:
        return alone(f.value, f.last_year, null, exposure, phi, fdr)

    trend = None if mps_ratio is None or f.unit.kind == "mps" else test(mps_ratio)
    target = None if ratio is None else test(ratio)
    return AreaVerdicts(f.value, f.last_year, test(1.0), target, trend)


def judgement_body(j: Judgement) -> dict[str, Any]:
    return {"test": TEST, "null_ratio": j.null_ratio, "p_value": j.p_value, "verdict": j.verdict}


def controlled_body(c: Controlled, plain: Judgement | None, phi: float,
                    tested: int) -> dict[str, Any]:  # fmt: skip
    """A verdict by the product's significance rules, with what it rests on."""
    return {"test": CONTROLLED_TEST, "null_ratio": round(c.null_ratio, 6),
            "p_value": _rounded(c.p_value), "q_value": _rounded(c.q_value),
            "z": round(c.z, 4), "overdispersion": round(phi, 4), "areas_tested": tested,
            "p_value_poisson": None if plain is None else plain.p_value,
            "verdict": c.verdict}  # fmt: skip


def _rounded(p: float | None) -> float | None:
    """p-values to 6 significant figures (a digest of a published figure must not move
    with the last bit of a float sum)."""
    return None if p is None else float(f"{p:.6g}")


def spc_summary(found: SpcVerdict) -> dict[str, Any]:
    """The verdict on the latest point: what a KPI table shows beside a figure."""
    return {"interval": found.interval, "signal": found.latest, "rules_fired": found.rules_fired,
            "points": found.points, "assurance": found.assurance,
            "warning": found.warning}  # fmt: skip


def spc_body(view: SpcView) -> dict[str, Any]:
    """The whole chart: points, centre line, limits, every signal, assurance."""
    chart = view.chart
    limits = None if chart is None else {
        "mean": chart.mean, "mr_bar": chart.mr_bar, "upper": chart.ucl, "lower": chart.lcl,
        "lower_shown": chart.lcl_floored, "near_upper": chart.near_upper,
        "near_lower": chart.near_lower,
    }  # fmt: skip
    signals = [] if chart is None else [
        {"rule": s.rule, "side": s.side, "verdict": s.verdict, "points": list(s.indices)}
        for s in chart.signals
    ]  # fmt: skip
    return {**spc_summary(verdict(view)), "limits": limits, "signals": signals,
            "target_level": view.target_level,
            "series": [{"start": p.start, "end": p.end, "count": p.count}
                       for p in view.points]}  # fmt: skip


def standing_body(s: Standing) -> dict[str, Any]:
    trend = None if s.trend is None else {
        "null_ratio": round(s.trend.null_ratio, 6), "z": round(s.trend.z, 4),
        "p_value": _rounded(s.trend.p_value), "q_value": _rounded(s.trend.q_value),
        "verdict": s.trend.verdict,
    }  # fmt: skip
    return {"rank": s.rank, "level": s.unit.kind, "area_code": s.unit.code,
            "borough_code": s.unit.borough, "value": s.value, "last_year": s.last_year,
            "pct_change": pct_change(s.value, s.last_year), "z": round(s.z, 6),
            "p_value": s.p_value, "q_value": s.q_value, "verdict": s.verdict,
            "vs_mps": trend}  # fmt: skip


def league_body(league: League) -> dict[str, Any]:
    return {"kpi": KPI_OF_GROUP[league.group], "kpi_group": league.group,
            "period": league.period.kind, "period_start": league.period.first,
            "period_end": league.period.last,
            "standings": [standing_body(s) for s in league.standings]}  # fmt: skip


def exceptions_body(league: League, limit: int) -> dict[str, Any]:
    """At most ``limit`` poor and good performers each way, and how many more there are.
    Judged by the product's rules (``basis`` "mps_trend"), they are the areas that differ
    significantly from the London-wide change (``mps_pct_change``), so a movement of the whole
    MPS is said once, not area by area; otherwise the areas significantly worse or better
    than last year ("last_year")."""
    poor, good = league.exceptions(limit)
    every_poor, every_good = league.exceptions(len(league.standings))
    ratio = league.mps_ratio
    return {"kpi": KPI_OF_GROUP[league.group], "kpi_group": league.group,
            "period": league.period.kind, "period_start": league.period.first,
            "period_end": league.period.last, "tested": len(league.standings),
            "basis": "mps_trend" if league.against_trend else "last_year",
            "mps_pct_change": None if ratio is None else round(100 * (ratio - 1), 2),
            "overdispersion": round(league.overdispersion, 4),
            "poor": [standing_body(s) for s in poor],
            "good": [standing_body(s) for s in good],
            "more": {"poor": len(every_poor) - len(poor),
                     "good": len(every_good) - len(good)}}  # fmt: skip
