"""Confidence and satisfaction KPIs (KPI 6, KPI 7) and the PAS diagnostics, from survey
responses and published survey figures.

Responses (weighted answers to one measure) are folded into sums per survey, measure,
borough, ethnicity group and month — respondents, Σw, Σw² and Σw of the positive answers —
so any rolling 12 months is twelve look-ups, never a rescan. A figure is the weighted
proportion over the 12 months ending at a quarter end (seed 001: "Q1 — April, May, June + the
previous 9 months"), with Kish's effective sample size ``(Σw)²/Σw²`` divided by the
configured design effect of its survey and level (force: the MPS; borough). Where no responses
are held for a window, the published figure for that area, measure and quarter end is used,
with its published sample size or, when the publisher gives none, the configured assumed
sample size (and the figure says so), divided by the same design effect.

Survey samples are valid for boroughs and the MPS only, never for a ward.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

from services.kpi.domain.days import month_index, month_start, shift_years
from services.kpi.domain.periods import financial_year_start

MPS_AREA: Final = "MPS"
Group = Literal["all", "white", "minority_ethnic"]
Level = Literal["force", "borough"]
LEVELS: Final[tuple[Level, ...]] = ("force", "borough")
Source = Literal["responses", "published"]
SumKey = tuple[str, str, str, str, int]
"""(survey, measure, borough, ethnicity group white / minority_ethnic / not_stated, month)."""
SumNet = tuple[int, float, float, float]
"""(respondents, Σw, Σw², Σw of positive answers)."""
AggregateKey = tuple[str, str, str, str, date]
"""(survey, measure, area, respondent group, period end) of a published rolling 12 months."""
QUARTER_ENDS: Final = ((3, 31), (6, 30), (9, 30), (12, 31))


@dataclass(frozen=True, slots=True)
class Response:
    """One weighted answer (decoded from survey.recorded)."""

    event_id: str
    survey: str
    measure: str
    borough: str
    ethnicity: str
    """white, minority_ethnic or not_stated."""
    month: int
    positive: bool
    weight: float


@dataclass(frozen=True, slots=True)
class Published:
    """One published rolling 12-month figure (decoded from survey.aggregate)."""

    event_id: str
    key: AggregateKey
    proportion: float
    n: int | None


@dataclass(frozen=True, slots=True)
class Quarter:
    """The rolling 12 months ending at a quarter end, labelled as in seed 001."""

    end: date

    @property
    def label(self) -> str:
        fy = financial_year_start(self.end).year
        number = {6: 1, 9: 2, 12: 3, 3: 4}[self.end.month]
        return f"Q{number} {fy}/{(fy + 1) % 100:02d}"

    @property
    def start(self) -> date:
        return month_start(self.months[0])

    @property
    def months(self) -> tuple[int, int]:
        """(first, last) month index of the window."""
        last = month_index(self.end)
        return last - 11, last

    def last_year(self) -> Quarter:
        return Quarter(shift_years(self.end, -1))


def level_of(area: str) -> Level:
    """The MPS is a force; every other survey area is a borough."""
    return "force" if area == MPS_AREA else "borough"


@dataclass(frozen=True, slots=True)
class DesignEffects:
    """The design effect of each survey at each level: the variance of its estimates over
    that of a simple random sample of the same size (1.0 where none is configured)."""

    by_level: Mapping[tuple[str, Level], float] = field(default_factory=dict)

    @classmethod
    def uniform(cls, value: float, surveys: Iterable[str] = ("pas", "uss")) -> DesignEffects:
        return cls({(s, level): value for s in surveys for level in LEVELS})

    def of(self, survey: str, area: str) -> float:
        return self.by_level.get((survey, level_of(area)), 1.0)


def quarter_ending_by(as_of: date) -> Quarter:
    """The latest quarter end on or before ``as_of``."""
    for year in (as_of.year, as_of.year - 1):
        for month, day in reversed(QUARTER_ENDS):
            end = date(year, month, day)
            if end <= as_of:
                return Quarter(end)
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class Estimate:
    """A proportion over a window with its sample."""

    proportion: float
    respondents: int | None
    """Interviews behind it (None: not published)."""
    effective_n: float
    """Effective sample size used by the statistics: Kish's, the published or the assumed
    interviews, divided by the design effect."""
    source: Source
    assumed_n: bool = False
    """The publisher gave no sample size: ``effective_n`` is the configured assumption."""
    design_effect: float = 1.0
    """The design effect ``effective_n`` was divided by."""


@dataclass
class SurveyBook:
    """The survey state: response sums and published figures."""

    design_effect: DesignEffects = field(default_factory=DesignEffects)
    assumed_n: Mapping[str, float] = field(default_factory=dict)
    """Survey → interviews assumed behind a borough's published rolling 12 months when the
    publisher gives none (the MPS: × boroughs held)."""
    _sums: dict[tuple[str, str], dict[tuple[str, str, int], list[float]]] = field(
        default_factory=dict
    )
    _published: dict[AggregateKey, tuple[float, int | None]] = field(default_factory=dict)
    _boroughs: set[str] = field(default_factory=set)

    def apply_sums(self, nets: Mapping[SumKey, SumNet]) -> None:
        for (survey, measure, borough, ethnicity, month), (n, sw, sw2, swp) in nets.items():
            held = self._sums.setdefault((survey, measure), {})
            entry = held.setdefault((borough, ethnicity, month), [0, 0.0, 0.0, 0.0])
            entry[0] += n
            entry[1] += sw
            entry[2] += sw2
            entry[3] += swp
            self._boroughs.add(borough)

    def apply_published(self, rows: Iterable[Published]) -> None:
        for row in rows:
            self._published[row.key] = (row.proportion, row.n)
            if row.key[2] != MPS_AREA:
                self._boroughs.add(row.key[2])

    def data_date(self, today: date) -> date:
        """The latest day any held survey figure covers, never after ``today`` (``today``
        when none is held): the default as-of date of survey figures."""
        ends = [k[4] for k in self._published if k[4] <= today]
        last_month = month_index(today)
        months = [m for held in self._sums.values() for (_, _, m) in held if m <= last_month]
        if months:
            following = month_start(max(months) + 1)
            ends.append(min(today, date.fromordinal(following.toordinal() - 1)))
        return max(ends, default=today)

    def boroughs(self) -> list[str]:
        return sorted(self._boroughs)

    def measures(self) -> list[tuple[str, str]]:
        """(survey, measure) pairs held."""
        found = set(self._sums) | {(k[0], k[1]) for k in self._published}
        return sorted(found)

    def estimate(self, survey: str, measure: str, area: str, group: Group,
                 quarter: Quarter) -> Estimate | None:  # fmt: skip
        """The figure of ``area`` (a borough code or MPS) for the quarter's 12 months."""
        found = self._from_responses(survey, measure, area, group, quarter)
        if found is not None:
            return found
        return self._from_published(survey, measure, area, group, quarter)

    def _from_responses(self, survey: str, measure: str, area: str, group: Group,
                        quarter: Quarter) -> Estimate | None:  # fmt: skip
        held = self._sums.get((survey, measure))
        if not held:
            return None
        boroughs = self._boroughs if area == MPS_AREA else (area,)
        groups = ("white", "minority_ethnic", "not_stated") if group == "all" else (group,)
        first, last = quarter.months
        n = sw = sw2 = swp = 0.0
        for borough in boroughs:
            for ethnicity in groups:
                for month in range(first, last + 1):
                    entry = held.get((borough, ethnicity, month))
                    if entry is not None:
                        n += entry[0]
                        sw += entry[1]
                        sw2 += entry[2]
                        swp += entry[3]
        if n <= 0 or sw <= 0:
            return None
        deff = self.design_effect.of(survey, area)
        return Estimate(min(1.0, max(0.0, swp / sw)), round(n), sw * sw / sw2 / deff,
                        "responses", design_effect=deff)  # fmt: skip

    def _from_published(self, survey: str, measure: str, area: str, group: Group,
                        quarter: Quarter) -> Estimate | None:  # fmt: skip
        found = self._published.get((survey, measure, area, group, quarter.end))
        if found is None:
            return None
        proportion, n = found
        deff = self.design_effect.of(survey, area)
        if n is not None:
            return Estimate(proportion, n, n / deff, "published", design_effect=deff)
        per_borough = self.assumed_n.get(survey)
        if per_borough is None:
            return None
        boroughs = len(self._boroughs) if area == MPS_AREA else 1
        return Estimate(proportion, None, per_borough * max(boroughs, 1) / deff, "published",
                        assumed_n=True, design_effect=deff)  # fmt: skip


def sum_nets(responses: Sequence[Response]) -> dict[SumKey, SumNet]:
    """The net sums of a batch of responses."""
    out: dict[SumKey, list[float]] = {}
    for r in responses:
        key = (r.survey, r.measure, r.borough, r.ethnicity, r.month)
        entry = out.setdefault(key, [0, 0.0, 0.0, 0.0])
        entry[0] += 1
        entry[1] += r.weight
        entry[2] += r.weight * r.weight
        entry[3] += r.weight if r.positive else 0.0
    return {k: (int(v[0]), v[1], v[2], v[3]) for k, v in out.items()}
