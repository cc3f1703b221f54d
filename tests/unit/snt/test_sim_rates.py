"""A simulated year of the live feed keeps each ward's real rates: the expectations are
computed here with pandas from the MPS ward file itself, apart from the simulator's reading
of it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shared.classification import load_classification
from snt.sim.feed import Feed
from snt.sim.rates import load_rates
from snt.sim.run import WARD_FILE, default_ward_file

GROUPS = ("violence", "property")


@pytest.fixture(scope="module")
def ward_file() -> Path:
    return default_ward_file()


@pytest.fixture(scope="module")
def real(ward_file: Path) -> pd.DataFrame:
    """Monthly counts per ward and KPI group, from the file (pandas, not the simulator)."""
    table = pd.read_csv(ward_file)
    classifier = load_classification()
    pairs = table[["MajorText", "MinorText"]].drop_duplicates()
    group = {(a, b): str(classifier.classify("mps_upper", a, b).group)
             for a, b in pairs.itertuples(index=False)}  # fmt: skip
    table["group"] = [group[(a, b)] for a, b in zip(table.MajorText, table.MinorText,
                                                       strict=True)]  # fmt: skip
    months = [c for c in table.columns if c.isdigit()]
    return table.groupby(["WardCode", "group"])[months].sum()


@pytest.fixture(scope="module")
def simulated_year(ward_file: Path) -> tuple[Feed, np.ndarray]:
    """Monthly counts per ward × group over the 12 simulated months after the file ends."""
    feed = Feed(load_rates(ward_file, load_classification()), seed=11)
    first = feed.rates.first_day
    months = np.zeros((12, len(feed.wards), len(feed.groups)))
    day = first
    while day < date(first.year + 1, first.month, 1):
        months[(day.month - first.month) % 12] += feed.day_counts(day)
        day += timedelta(days=1)
    return feed, months


def test_the_feed_continues_after_the_files_last_month(ward_file: Path) -> None:
    assert ward_file.name == WARD_FILE
    assert load_rates(ward_file, load_classification()).first_day == date(2026, 1, 1)


@pytest.mark.parametrize("group", GROUPS)
def test_every_wards_simulated_year_is_within_its_real_mean_plus_or_minus_3_sd(
    real: pd.DataFrame, simulated_year: tuple[Feed, np.ndarray], group: str
) -> None:
    feed, months = simulated_year
    g = feed.groups.index(group)
    outside, checked, ward_months = [], 0, 0
    in_band = 0
    for w, ward in enumerate(feed.wards):
        if (ward, group) not in real.index:
            continue
        series = real.loc[(ward, group)].astype(float)
        mean, sd = series.mean(), series.std()
        simulated = months[:, w, g]
        checked += 1
        if abs(simulated.mean() - mean) > 3 * max(sd, 1.0):
            outside.append((ward, mean, sd, simulated.mean()))
        in_band += int(np.sum(np.abs(simulated - mean) <= 3 * max(sd, np.sqrt(mean), 1.0)))
        ward_months += len(simulated)
    assert checked >= 670
    assert outside == []
    assert in_band / ward_months >= 0.98  # single months too, not only the year's mean


@pytest.mark.parametrize("group", GROUPS)
def test_the_real_month_to_month_variation_is_kept(
    real: pd.DataFrame, simulated_year: tuple[Feed, np.ndarray], group: str
) -> None:
    feed, months = simulated_year
    g = feed.groups.index(group)
    ratios = []
    for w, ward in enumerate(feed.wards):
        series = real.loc[(ward, group)].astype(float)
        if series.mean() >= 20 and series.std() > 0:
            ratios.append(months[:, w, g].std(ddof=1) / series.std())
    assert len(ratios) > 400
    assert 0.8 <= float(np.median(ratios)) <= 1.2


def test_the_mps_total_stays_within_the_real_monthly_range_and_variation(
    real: pd.DataFrame, simulated_year: tuple[Feed, np.ndarray]
) -> None:
    feed, months = simulated_year
    for group in GROUPS:
        mps = real.xs(group, level="group").sum()
        simulated = months[:, :, feed.groups.index(group)].sum(axis=1)
        assert np.all(np.abs(simulated - mps.mean()) <= 3 * mps.std()), (group, simulated)
        # London-wide highs and lows (correlated across wards) are kept too
        assert 0.4 <= simulated.std(ddof=1) / mps.std() <= 1.6, (group, simulated)


def test_asb_follows_each_wards_crime_at_the_police_uk_ratio(
    simulated_year: tuple[Feed, np.ndarray],
) -> None:
    feed, months = simulated_year
    asb = months[:, :, feed.groups.index("asb")].sum()
    crime = sum(months[:, :, feed.groups.index(g)].sum() for g in feed.groups if g != "asb")
    assert asb / crime == pytest.approx(0.26, abs=0.01)
