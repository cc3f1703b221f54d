"""A unit's weekly or monthly count series as an XmR chart, judged as of a date.

Points are whole weeks (Monday–Sunday) or whole calendar months that have ended on or before
the as-of date, the latest ``WINDOW`` of them; the series starts no earlier than the first
month holding any count in the MPS (so the months before the data begins are not read as
zeros). A 2022-set ward's points are its counts on its own boundaries, as its figures count
them: its own counts plus its shares of the counts still held on changed 2018-set wards,
rounded point by point (:meth:`KpiState.comparable_total` over each week or month). Limits
come from every point shown. The latest point's verdict is a concern or an improvement when a
special-cause signal involves it (crime counts: lower is better), else common cause. With
fewer than ``min_points`` points (versioned configuration; default 12) nothing is judged:
the verdict is ``insufficient_data`` ("too few points"), the chart shows trial limits and no
signal, and there is no assurance; with fewer than 2 there is no chart.

Assurance (NHS "Making Data Count") compares the target with the process limits. The target
of one point is the average count per point over the same points a year earlier (52 weeks
earlier for weeks) × the target ratio; a baseline KPI (no target) has no assurance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final, Literal

from services.kpi.domain.days import day_index, month_index, month_start
from services.kpi.domain.series import DaySeries
from services.kpi.domain.state import MPS, KpiState, Unit
from services.kpi.domain.stats import MIN_POINTS, Assurance, Signal, XmrChart, assurance, xmr

Interval = Literal["week", "month"]
WINDOW: Final = {"week": 52, "month": 24}
CHART_POINTS: Final = 2
"""Points an XmR chart needs at all (one moving range)."""
_WEEK = timedelta(weeks=1)


@dataclass(frozen=True, slots=True)
class Point:
    start: date
    end: date
    count: int


@dataclass(frozen=True, slots=True)
class SpcView:
    interval: Interval
    points: tuple[Point, ...]
    chart: XmrChart | None
    latest: str
    """concern, improvement, common_cause or insufficient_data (about the latest point)."""
    rules_fired: tuple[str, ...]
    """Rules whose signals involve the latest point."""
    target_level: float | None
    assurance: Assurance | None
    warning: str | None


@dataclass(frozen=True, slots=True)
class SpcVerdict:
    """What a KPI table shows beside a figure: the verdict on the latest point."""

    interval: Interval
    latest: str
    rules_fired: tuple[str, ...]
    points: int
    assurance: Assurance | None
    warning: str | None


def verdict(view: SpcView) -> SpcVerdict:
    return SpcVerdict(view.interval, view.latest, view.rules_fired, len(view.points),
                      view.assurance, view.warning)  # fmt: skip


def spc_view(state: KpiState, unit: Unit, group: str, as_of: date, interval: Interval,
             target_ratio: float | None, *, min_points: int = MIN_POINTS) -> SpcView:  # fmt: skip
    """The XmR chart of ``unit`` × ``group`` by ``interval`` as of ``as_of``, judged when it
    has at least ``min_points`` points."""
    start = data_start(state, group, as_of)
    spans = _spans(start, as_of, interval)
    counts = _counter(state, unit, group, interval)
    points = tuple(Point(a, b, c) for (a, b), c in zip(spans, counts(spans), strict=True))
    if len(points) < CHART_POINTS:
        why = (f"too few points: {len(points)} of the {min_points} whole {interval}s needed "
               "before special causes are judged")  # fmt: skip
        return SpcView(interval, points, None, "insufficient_data", (), None, None, why)
    chart = xmr([float(p.count) for p in points], direction="lower_is_better",
                min_points=min_points)  # fmt: skip
    latest = [s for s in chart.signals if len(points) - 1 in s.indices]
    level = _target_level(counts, spans, start, interval, target_ratio)
    assured = None
    if level is not None and chart.judged:
        assured = assurance(chart, level, "lower_is_better")
    return SpcView(
        interval, points, chart, _latest_verdict(chart, latest),
        tuple(sorted({s.rule for s in latest})), level, assured, chart.warning,
    )  # fmt: skip


def _latest_verdict(chart: XmrChart, signals: list[Signal]) -> str:
    if not chart.judged:
        return "insufficient_data"
    verdicts = {s.verdict for s in signals}
    if "concern" in verdicts:
        return "concern"
    return "improvement" if verdicts else "common_cause"


Spans = list[tuple[date, date]]


def _counter(state: KpiState, unit: Unit, group: str,
             interval: Interval) -> Callable[[Spans], list[int]]:  # fmt: skip
    """Counts of consecutive whole weeks or months on the unit's own boundaries: its own
    counts plus, for a 2022-set ward, the rounded sum of its shares of the changed 2018-set
    wards' counts, multiplied and added in :meth:`KpiState.comparable_total`'s order (so each
    point equals that week's or month's figure to the last bit); each series read in one
    pass."""
    own = _reader(state.series(unit, group), interval)
    parts = [(_reader(series, interval), share) for series, share in state.shares_of(unit, group)]

    def counts(spans: Spans) -> list[int]:
        mine = own(spans)
        if not parts:
            return mine
        shared = [(read(spans), share) for read, share in parts]
        return [n + round(sum(share * got[i] for got, share in shared))
                for i, n in enumerate(mine)]  # fmt: skip

    return counts


def _reader(series: DaySeries | None, interval: Interval) -> Callable[[Spans], list[int]]:
    """Counts of consecutive whole weeks or months of one series, read in one pass."""

    def counts(spans: Spans) -> list[int]:
        if series is None or not spans:
            return [0] * len(spans)
        if interval == "month":
            return series.by_month(month_index(spans[0][0]), month_index(spans[-1][0]))
        first = day_index(spans[0][0])
        days = series.by_day(first, day_index(spans[-1][1]))
        return [sum(days[day_index(a) - first : day_index(b) - first + 1]) for a, b in spans]

    return counts


def _spans(start: date | None, as_of: date, interval: Interval) -> Spans:
    if start is None:
        return []
    if interval == "week":
        last_sunday = as_of - timedelta(days=(as_of.weekday() + 1) % 7)
        ends = [last_sunday - _WEEK * i for i in range(WINDOW["week"])]
        spans = [(end - timedelta(days=6), end) for end in reversed(ends)]
    else:
        last = month_index(as_of) - (0 if (as_of + timedelta(days=1)).day == 1 else 1)
        months = range(last - WINDOW["month"] + 1, last + 1)
        spans = [(month_start(m), month_start(m + 1) - timedelta(days=1)) for m in months]
    return [(a, b) for a, b in spans if a >= start]


def data_start(state: KpiState, group: str, as_of: date) -> date | None:
    """The first day of the first month with any MPS count (on or before ``as_of``)."""
    series = state.series(MPS, group)
    if series is None:
        return None
    months = series.by_month(0, month_index(as_of))
    first = next((m for m, count in enumerate(months) if count), None)
    return None if first is None else month_start(first)


def _target_level(
    counts: Callable[[Spans], list[int]], spans: Spans, start: date | None, interval: Interval,
    ratio: float | None,
) -> float | None:  # fmt: skip
    """Last year's average per point × the ratio, over the points whose last-year
    counterpart lies within the data; None without a target or such points."""
    if ratio is None or start is None:
        return None
    back = (lambda d: d - timedelta(weeks=52)) if interval == "week" else _year_back
    before = [(back(a), back(b)) for a, b in spans if back(a) >= start]
    return sum(counts(before)) / len(before) * ratio if before else None


def _year_back(day: date) -> date:
    """The same day a year earlier; a month's last day stays its month's last day."""
    if (day + timedelta(days=1)).day == 1:
        return month_start(month_index(day) - 11) - timedelta(days=1)
    return day.replace(year=day.year - 1)
