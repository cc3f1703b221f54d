"""Each ward's real monthly crime rates, read from an MPS ward file (London Datastore wide
CSV, one column a month), as the live simulator draws from them.

Per ward and KPI group (the versioned classification of each MajorText/MinorText pair):
the mean and standard deviation of the ward's monthly counts over the file's months, and
the share of each offence category within the group. ASB is not in the crime files: a
ward's ASB rate is its crime rate times :data:`ASB_PER_CRIME`, with the same month-to-month
variation (coefficient of variation) as its crime, and never less than a Poisson count's.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from shared.classification import Classifier, UnmappedCategory

ASB_PER_CRIME: Final = 0.26
"""ASB incidents per recorded crime. data.police.uk's street-level records hold 699 ASB
incidents to 3,301 crimes (Barking and Dagenham, January 2023) and 2,173 to 7,936 (Lambeth
and Sutton, May and June 2017): 2,872 / 11,237 = 0.256."""
ASB: Final = "asb"
FIXED: Final = ("MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName")


@dataclass(frozen=True, slots=True)
class GroupRate:
    """One ward's monthly counts of one KPI group: mean, SD and the categories' shares."""

    mean: float
    sd: float
    categories: tuple[tuple[str, str], ...]
    """(major, minor) pairs; for ASB, (category, '') with personal, nuisance, environmental."""
    weights: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class WardRates:
    months: tuple[str, ...]
    """The file's months, YYYYMM, oldest first."""
    wards: dict[str, dict[str, GroupRate]]
    """Ward code → KPI group → its rate."""
    london_cv: dict[str, float]
    """KPI group → the coefficient of variation of a London-wide monthly factor common to
    every ward: the part of the MPS total's month-to-month variance that the wards' own
    variances do not explain (months that are high or low everywhere at once)."""

    @property
    def first_day(self) -> date:
        """The first day after the file's last month: where the simulation continues."""
        last = self.months[-1]
        year, month = int(last[:4]), int(last[4:])
        return date(year + month // 12, month % 12 + 1, 1)


ASB_SHARES: Final = (("personal", 0.26), ("nuisance", 0.66), ("environmental", 0.08))
"""Shares of the ASB categories (national ASB incident statistics, rounded)."""


def load_rates(path: Path, classifier: Classifier, wards: frozenset[str] | None = None
               ) -> WardRates:  # fmt: skip
    """The rates of every ward in ``path`` (only ``wards``, when given)."""
    months, series = _read(path, classifier, wards)
    out: dict[str, dict[str, GroupRate]] = {}
    for ward, groups in series.items():
        out[ward] = {g: _rate(cats) for g, cats in groups.items()}
        out[ward][ASB] = _asb(list(groups.values()))
    cv = {g: _common_cv(series, (g,)) for g in {g for w in series.values() for g in w}}
    cv[ASB] = _common_cv(series, tuple(cv))
    return WardRates(months, out, cv)


Series = dict[str, dict[str, dict[tuple[str, str], list[int]]]]
"""Ward → group → (major, minor) → monthly counts."""


def _read(path: Path, classifier: Classifier, wards: frozenset[str] | None
          ) -> tuple[tuple[str, ...], Series]:  # fmt: skip
    series: Series = defaultdict(lambda: defaultdict(dict))
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader)
        months = tuple(h for h in header if h not in FIXED)
        at = {name: header.index(name) for name in FIXED}
        cols = [header.index(m) for m in months]
        for row in reader:
            ward = row[at["WardCode"]]
            if wards is not None and ward not in wards:
                continue
            major, minor = row[at["MajorText"]], row[at["MinorText"]]
            try:
                group = str(classifier.classify("mps_upper", major, minor).group)
            except UnmappedCategory:
                continue
            counts = [int(float(row[c] or 0)) for c in cols]
            held = series[ward][group].setdefault((major, minor), [0] * len(cols))
            series[ward][group][(major, minor)] = [a + b for a, b in zip(held, counts,
                                                                         strict=True)]  # fmt: skip
    return months, series


def _common_cv(series: Series, groups: tuple[str, ...]) -> float:
    """sqrt((Var(MPS) - sum of Var(ward)) / mean(MPS)^2) of ``groups``' monthly totals."""
    wards = [_sum_groups([s[g] for g in groups if g in s]) for s in series.values()]
    wards = [w for w in wards if w]
    london = [sum(month) for month in zip(*wards, strict=True)]
    mean = statistics.fmean(london)
    spare = statistics.variance(london) - sum(statistics.variance(w) for w in wards)
    return math.sqrt(spare) / mean if spare > 0 and mean > 0 else 0.0


def _rate(categories: dict[tuple[str, str], list[int]]) -> GroupRate:
    totals = [sum(month) for month in zip(*categories.values(), strict=True)]
    weights = [float(sum(c)) for c in categories.values()]
    whole = sum(weights) or 1.0
    return GroupRate(statistics.fmean(totals), statistics.stdev(totals),
                     tuple(categories), tuple(w / whole for w in weights))  # fmt: skip


def _sum_groups(groups: list[dict[tuple[str, str], list[int]]]) -> list[int]:
    columns = [col for g in groups for col in g.values()]
    return [sum(month) for month in zip(*columns, strict=True)]


def _asb(groups: list[dict[tuple[str, str], list[int]]]) -> GroupRate:
    crime = _sum_groups(groups)
    mean, sd = statistics.fmean(crime), statistics.stdev(crime)
    return GroupRate(mean * ASB_PER_CRIME, sd * ASB_PER_CRIME,
                     tuple((name, "") for name, _ in ASB_SHARES),
                     tuple(share for _, share in ASB_SHARES))  # fmt: skip
