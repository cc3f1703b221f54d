"""KPI updates published by the kpi service: a figure, its comparisons and its provenance."""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Final, Literal, Self

from pydantic import Field, model_validator

from shared.contracts.base import Contract, check_rules
from shared.contracts.codes import (
    AreaCode,
    BoroughCode,
    Day,
    Level,
    Name,
    ShortText,
    Timestamp,
    Version,
)
from shared.contracts.envelope import TYPE_DOC, VERSION_DOC, Envelope
from shared.contracts.location import area_problems
from shared.contracts.refs import TopicOffset

KpiNumber = Literal[1, 4, 5, 6, 7, 9]


class PeriodKind(StrEnum):
    """The period a figure covers."""

    FYTD = "fytd"
    ROLLING_12M = "rolling_12m"
    MONTH = "month"
    ROLLING_28D = "rolling_28d"
    WEEK = "week"
    FORTNIGHT = "fortnight"
    QUARTER = "quarter"


class Unit(StrEnum):
    """What a value measures: a count, a proportion (0..1), a difference of proportions, minutes."""

    COUNT = "count"
    PROPORTION = "proportion"
    DIFFERENCE = "difference"
    MINUTES = "minutes"


_RANGES: Final = {
    Unit.COUNT: (0.0, None),
    Unit.MINUTES: (0.0, None),
    Unit.PROPORTION: (0.0, 1.0),
    Unit.DIFFERENCE: (-1.0, 1.0),
}


class Verdict(StrEnum):
    """Conclusion of a significance test."""

    SIGNIFICANT_WORSE = "significant_worse"
    SIGNIFICANT_BETTER = "significant_better"
    NOT_SIGNIFICANT = "not_significant"
    INSUFFICIENT_DATA = "insufficient_data"


class Significance(Contract):
    """The statistical test of this period against last year (or against the target)."""

    test: Name = Field(description="Test used, e.g. poisson_conditional_binomial or wilson")
    null_ratio: float | None = Field(
        default=None,
        gt=0,
        description="Ratio tested against: 1 for last year, 0.98 for a -2% target",
    )
    p_value: float | None = Field(
        default=None, ge=0, le=1, description="Two-sided p-value (None: insufficient data)"
    )
    verdict: Verdict = Field(description="What the test concludes")
    q_value: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="p-value adjusted by Benjamini-Hochberg across the areas tested together "
        "(the MPS's wards, or its boroughs); the verdict is significant when it is at most 0.05",
    )
    z: float | None = Field(
        default=None, description="Standardised difference from the null (positive: above it)"
    )
    overdispersion: float | None = Field(
        default=None,
        ge=1,
        description="Extra-Poisson variation the test allows for: the variance is this many "
        "times Poisson's (estimated across the MPS's wards for the KPI and period)",
    )
    areas_tested: int | None = Field(
        default=None, ge=1, description="Areas adjusted together for false discoveries"
    )
    p_value_poisson: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="The single exact Poisson test's two-sided p-value (no overdispersion, "
        "no adjustment), for the record",
    )

    @model_validator(mode="after")
    def _p_value_given(self) -> Self:
        if self.p_value is None and self.verdict is not Verdict.INSUFFICIENT_DATA:
            check_rules([("p_value", "is required unless verdict is 'insufficient_data'")])
        return self


class SpcSignal(StrEnum):
    """What the SPC chart says about the latest point."""

    CONCERN = "concern"
    IMPROVEMENT = "improvement"
    COMMON_CAUSE = "common_cause"
    INSUFFICIENT_DATA = "insufficient_data"


class SpcRule(StrEnum):
    """Special-cause rules of an XmR chart."""

    BEYOND_LIMITS = "beyond_limits"
    RUN_OF_7 = "run_of_7"
    TREND_OF_7 = "trend_of_7"
    TWO_OF_THREE_BEYOND_2_SIGMA = "two_of_three_beyond_2_sigma"


class SpcInterval(StrEnum):
    """What one point of an SPC chart covers."""

    WEEK = "week"
    MONTH = "month"


class AssuranceKind(StrEnum):
    """Target against the process limits (NHS "Making Data Count" assurance)."""

    CONSISTENTLY_MEET = "consistently_meet"
    CONSISTENTLY_MISS = "consistently_miss"
    INCONSISTENT = "inconsistent"


class Spc(Contract):
    """Statistical process control (XmR) verdict on the weekly or monthly series."""

    signal: SpcSignal = Field(description="concern, improvement, common_cause or insufficient_data")
    rules_fired: tuple[SpcRule, ...] = Field(
        default=(), description="Special-cause rules that fired"
    )
    points: int = Field(ge=0, description="Number of points in the series")
    warning: ShortText | None = Field(default=None, description="Caveat, e.g. too few points")
    interval: SpcInterval | None = Field(
        default=None, description="Points are whole weeks or whole calendar months"
    )
    assurance: AssuranceKind | None = Field(
        default=None,
        description="Will the process meet its target: consistently_meet, consistently_miss "
        "or inconsistent (None: no target)",
    )


class Interval(Contract):
    """A confidence interval for the value."""

    low: float = Field(description="Lower bound")
    high: float = Field(description="Upper bound (>= low)")
    confidence: float = Field(default=0.95, gt=0, lt=1, description="Confidence level")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.high < self.low:
            check_rules([("high", "must not be below low")])
        return self


class BoundaryEstimate(Contract):
    """Parts of a ward figure apportioned from counts published on older ward codes."""

    value: float = Field(ge=0, description="Part of value apportioned (unrounded)")
    last_year: float = Field(ge=0, description="Part of last_year apportioned (unrounded)")
    from_boundary_set: Version = Field(description="Boundary set of the apportioned counts")
    method: ShortText = Field(description="How the counts were apportioned")


class FigureSource(Contract):
    """What one period's counts rest on."""

    area: Literal["wards", "published_borough_totals"] = Field(
        description="wards (wards plus records with no ward) or the MPS's published borough "
        "totals (used for a borough or the MPS where ward data do not cover the period)"
    )
    resolution: Literal["event_records", "published_monthly"] = Field(
        description="event_records (dated to the day) or published_monthly (counts known "
        "only to their month in some month of the period)"
    )
    complete: bool = Field(
        description="Whether the source holds counts of this KPI group in every month"
    )
    held: bool = Field(
        default=True,
        description="Whether the source holds counts of this KPI group in any month of the "
        "period (false: no source of the group is loaded, the figure is no count at all)",
    )
    simulated: bool = Field(
        default=False,
        description="Whether any of the counts are of simulated records (a simulated live "
        "feed or roster), not real police data",
    )
    label: ShortText | None = Field(
        default=None,
        description="What the counts rest on, in words, e.g. 'event-level records', "
        "'monthly published counts and simulated event-level records'",
    )


class FigureSources(Contract):
    """The sources of this period's and last year's counts (they differ only where no one
    source covers both)."""

    this_year: FigureSource = Field(description="Source of value")
    last_year: FigureSource = Field(description="Source of last_year")


class Provenance(Contract):
    """What produced a figure: configuration, reference data and input events."""

    classification_version: Version = Field(description="Version of the KPI classification")
    reference_version: Version = Field(description="Version of the reference data lookups")
    target_config_version: Version = Field(description="Version of the target configuration")
    boundary_set: Version = Field(description="Ward boundary set, e.g. wards-2022")
    events_counted: int = Field(ge=0, description="Input events behind the figure")
    last_offsets: tuple[TopicOffset, ...] = Field(
        default=(), description="Last input offset applied, per topic partition"
    )


class KpiUpdateV1(Contract):
    """One KPI figure for one area and period, with comparisons and judgements."""

    level: Level = Field(description="ward, borough or mps")
    area_code: AreaCode = Field(description="Ward (E05…), borough (E09…) or MPS (the message key)")
    borough_code: BoroughCode | None = Field(default=None, description="Borough of a ward figure")
    kpi: KpiNumber = Field(description="KPI number from the framework: 1, 4, 5, 6, 7 or 9")
    measure: Name = Field(
        description="Series of the KPI, e.g. count, satisfied, gap_white_minority"
    )
    unit: Unit = Field(description="count, proportion, difference or minutes")
    period: PeriodKind = Field(description="Kind of period")
    period_start: Day = Field(description="First day of the period")
    period_end: Day = Field(description="Last day of the period (inclusive)")
    as_of: Timestamp = Field(description="Time the figure is current to")
    value: float = Field(description="The figure for this period")
    last_year: float | None = Field(default=None, description="Same period last year")
    pct_change: float | None = Field(
        default=None, description="% change on last year (None when last year is 0)"
    )
    target_ratio: float | None = Field(
        default=None, gt=0, description="Target as a ratio, e.g. 0.98"
    )
    trajectory: float | None = Field(default=None, description="Last year's figure x target ratio")
    gap_to_trajectory: float | None = Field(default=None, description="value - trajectory")
    projected_year_end: float | None = Field(default=None, description="Projected year-end figure")
    rank_in_borough: int | None = Field(default=None, ge=1, description="Rank among borough wards")
    rank_in_mps: int | None = Field(default=None, ge=1, description="Rank in the MPS")
    significance: Significance | None = Field(default=None, description="Test against last year")
    target_significance: Significance | None = Field(
        default=None,
        description="Test against the target itself: last year x target ratio (None: no target)",
    )
    mps_trend_significance: Significance | None = Field(
        default=None,
        description="Test against the London-wide change (the MPS's ratio to last year): "
        "does this ward or borough differ from the MPS trend? (None for the MPS)",
    )
    spc: Spc | None = Field(default=None, description="SPC verdict on the series")
    interval: Interval | None = Field(default=None, description="Confidence interval of value")
    n: int | None = Field(default=None, ge=0, description="Sample size behind a survey figure")
    boundary_estimate: BoundaryEstimate | None = Field(
        default=None,
        description="Set when part of value or last_year was apportioned from older ward "
        "codes, so both are on this ward's boundaries",
    )
    period_label: ShortText | None = Field(
        default=None, description="The period in words, e.g. FYTD 2025-26 to December 2025"
    )
    sources: FigureSources | None = Field(
        default=None, description="What this period's and last year's counts rest on"
    )
    provenance: Provenance = Field(description="What produced the figure")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_rules(self._problems())
        return self

    def _problems(self) -> Iterator[tuple[str, str]]:
        yield from area_problems(self.level, self.area_code, self.borough_code)
        if self.period_end < self.period_start:
            yield "period_end", "must not be before period_start"
        low, high = _RANGES[self.unit]
        if self.value < low or (high is not None and self.value > high):
            bounds = f"at least {low:g}" if high is None else f"between {low:g} and {high:g}"
            yield "value", f"must be {bounds} when unit is '{self.unit.value}'"
        if self.last_year == 0 and self.pct_change is not None:
            yield "pct_change", "must be absent when last_year is 0 (the change is undefined)"


class KpiUpdated(Envelope[KpiUpdateV1]):
    """kpi.updated v1: a KPI figure for one area and period (topic snt.kpi.updates.v1)."""

    event_type: Literal["kpi.updated"] = Field(default="kpi.updated", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)
