"""A survey figure judged: Wilson interval, the change on last year and the comparisons with
the MPS and with the peer group by two-proportion tests, the +1 point target, the smallest
change the sample can show, and for KPI 7 the white / minority-ethnic gap with Newcombe's
interval. Every survey measure here is phrased so that higher is better."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from services.kpi.domain.stats.proportions import (
    Interval,
    newcombe_difference,
    smallest_significant_change,
    two_proportion_test,
    wilson,
)
from services.kpi.domain.survey import MPS_AREA, DesignEffects, Estimate, Quarter, SurveyBook

ALPHA: Final = 0.05


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    survey: str
    measure: str
    label: str
    kpi: int | None = None
    """6 or 7 for a KPI; None for a diagnostic question."""
    target_points: float | None = None
    """The target: last year's figure plus this many percentage points."""


@dataclass(frozen=True, slots=True)
class SurveyConfig:
    version: str
    design_effect: DesignEffects
    """Per survey and level (force: the MPS; borough)."""
    assumed_n: dict[str, float]
    measures: tuple[MeasureSpec, ...]
    peers: dict[str, tuple[str, ...]]
    """Borough → its most similar boroughs."""
    peer_rule: str

    def measure(self, name: str) -> MeasureSpec | None:
        return next((m for m in self.measures if m.measure == name), None)


@dataclass(frozen=True, slots=True)
class Comparison:
    """This figure against another: the difference (points) and a two-proportion test."""

    proportion: float
    difference_points: float
    p_value: float
    verdict: str


@dataclass(frozen=True, slots=True)
class Gap:
    """White minus minority-ethnic proportion (points) with Newcombe's 95% interval."""

    white: Estimate
    minority_ethnic: Estimate
    points: float
    interval_points: Interval
    last_year_points: float | None


@dataclass(frozen=True, slots=True)
class SurveyFigure:
    area: str
    spec: MeasureSpec
    quarter: Quarter
    estimate: Estimate
    interval: Interval
    smallest_significant_change_points: float
    last_year: Estimate | None
    vs_last_year: Comparison | None
    target: float | None
    gap_to_target_points: float | None
    vs_mps: Comparison | None
    vs_peers: Comparison | None
    peers: tuple[str, ...]
    gap: Gap | None


def survey_figure(book: SurveyBook, config: SurveyConfig, spec: MeasureSpec, area: str,
                  quarter: Quarter) -> SurveyFigure | None:  # fmt: skip
    """The figure of ``area`` (borough code or MPS) for the quarter; None without data."""
    now = book.estimate(spec.survey, spec.measure, area, "all", quarter)
    if now is None:
        return None
    before = book.estimate(spec.survey, spec.measure, area, "all", quarter.last_year())
    target = None
    if spec.target_points is not None and before is not None:
        target = min(1.0, before.proportion + spec.target_points / 100)
    mps = None
    if area != MPS_AREA:
        mps = book.estimate(spec.survey, spec.measure, MPS_AREA, "all", quarter)
    peers = config.peers.get(area, ()) if area != MPS_AREA else ()
    return SurveyFigure(
        area, spec, quarter, now, wilson(now.proportion, now.effective_n),
        100 * smallest_significant_change(now.proportion, now.effective_n), before,
        compare(now, before), target,
        None if target is None else 100 * (now.proportion - target),
        compare(now, mps), compare(now, _peer_average(book, spec, peers, quarter)), peers,
        _gap(book, spec, area, quarter) if spec.kpi == 7 else None,
    )  # fmt: skip


def compare(this: Estimate, other: Estimate | None) -> Comparison | None:
    """``this`` against ``other`` (higher is better)."""
    if other is None:
        return None
    test = two_proportion_test(this.proportion, this.effective_n, other.proportion,
                               other.effective_n)  # fmt: skip
    if test.p_value >= ALPHA:
        verdict = "not_significant"
    else:
        verdict = "significant_better" if test.difference > 0 else "significant_worse"
    return Comparison(other.proportion, 100 * test.difference, test.p_value, verdict)


def _peer_average(book: SurveyBook, spec: MeasureSpec, peers: tuple[str, ...],
                  quarter: Quarter) -> Estimate | None:  # fmt: skip
    """The peers' mean proportion, with their pooled sample (None when no peer has data)."""
    found = [e for p in peers
             if (e := book.estimate(spec.survey, spec.measure, p, "all", quarter))]  # fmt: skip
    if not found:
        return None
    mean = sum(e.proportion for e in found) / len(found)
    return Estimate(mean, None, sum(e.effective_n for e in found), found[0].source,
                    any(e.assumed_n for e in found), found[0].design_effect)  # fmt: skip


def _gap(book: SurveyBook, spec: MeasureSpec, area: str, quarter: Quarter) -> Gap | None:
    def groups(q: Quarter) -> tuple[Estimate, Estimate] | None:
        white = book.estimate(spec.survey, spec.measure, area, "white", q)
        minority = book.estimate(spec.survey, spec.measure, area, "minority_ethnic", q)
        return None if white is None or minority is None else (white, minority)

    now = groups(quarter)
    if now is None:
        return None
    white, minority = now
    interval = newcombe_difference(white.proportion, white.effective_n, minority.proportion,
                                   minority.effective_n)  # fmt: skip
    before = groups(quarter.last_year())
    last = None if before is None else 100 * (before[0].proportion - before[1].proportion)
    return Gap(white, minority, 100 * (white.proportion - minority.proportion),
               Interval(100 * interval.low, 100 * interval.high), last)  # fmt: skip
