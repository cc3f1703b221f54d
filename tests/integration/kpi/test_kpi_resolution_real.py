"""Figures true to the time resolution and the source of the real files: the 2024–25 MPS ward
file (monthly counts) gives months, quarters, FYTD and rolling 12 months to a month's end,
never weeks, fortnights, 28 days or part months; the historical borough file gives borough
and MPS figures for years before any ward data, named as published borough totals and equal
to pandas sums of that file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from services.ingest.bulk import run_import
from services.ingest.store.sql import SqlIngestStore
from services.kpi.board import Board
from services.kpi.domain.figures import availability, figure
from services.kpi.domain.periods import KINDS, period
from services.kpi.domain.resolution import NOT_AVAILABLE
from services.kpi.domain.state import MPS, KpiState, Unit
from services.kpi.fold import Folder, Record
from services.kpi.store.sql import SqlKpiStore, create_schema
from services.kpi.target_config import load_targets
from services.kpi.views import figure_body
from shared.classification import load_classification
from shared.db import make_engine
from snt.ingest_setup import bulk_pipeline

pytestmark = pytest.mark.integration
FOLDER = "mps_recorded_crime"
WARD_FILE = "ward_most_recent_24m_202401-202512.csv"
HISTORICAL = "borough_historical_201004-202111.csv"
KEY = "kpi-resolution-key-" + "k" * 24
ABBEY_ROAD, WESTMINSTER, HACKNEY = "E05013806", "E09000033", "E09000012"
FINER = ("week", "fortnight", "rolling_28d")
WHOLE = ("fytd", "rolling_12m", "month", "quarter")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Folder:
    tmp = tmp_path_factory.mktemp("kpi-resolution")
    env = {"SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp / 'ingest.db'}",
           "SNT_INGEST_PSEUDONYMISATION_KEY": KEY}  # fmt: skip
    pipeline, reference = bulk_pipeline(None, env)
    for name, fmt in ((WARD_FILE, "mps-ward-csv"), (HISTORICAL, "mps-borough-csv")):
        summary = run_import(pipeline, fmt, shared_data / FOLDER / name, reference)
        assert summary.rejected_by_reason == {}, (name, summary.rejected_by_reason)
    engine = make_engine(f"sqlite:///{tmp / 'kpi.db'}")
    create_schema(engine)
    found = Folder(SqlKpiStore(engine), KpiState())
    for batch in _batches(SqlIngestStore(make_engine(env["SNT_INGEST_DATABASE_URL"]))):
        assert found.fold(batch).bad == ()
    return found


def _batches(store: SqlIngestStore) -> Iterator[list[Record]]:
    seq = 0
    while events := store.events(seq, 5000):
        yield [Record(e.topic, 0, e.seq, e.envelope.encode()) for e in events]
        seq = events[-1].seq


UNITS = [Unit("ward", ABBEY_ROAD, WESTMINSTER), Unit("borough", HACKNEY, HACKNEY), MPS]


@pytest.mark.parametrize("as_of", [date(2025, 12, 1), date(2025, 12, 31), date(2025, 6, 30)])
def test_no_week_fortnight_or_28_day_figure_is_given_on_monthly_data(
    folder: Folder, as_of: date
) -> None:
    for unit in UNITS:
        for group in ("violence", "property"):
            for kind in FINER:
                found = availability(folder.state, unit, group, period(kind, as_of))
                assert found == NOT_AVAILABLE, (unit, group, kind, as_of)


def test_whole_months_are_given_and_part_months_are_not(folder: Folder) -> None:
    for unit in UNITS:
        for kind in WHOLE:
            assert availability(folder.state, unit, "violence", period(kind, date(2025, 12, 31))) \
                is None, (unit, kind)  # fmt: skip
            assert availability(folder.state, unit, "violence", period(kind, date(2025, 12, 15))) \
                == NOT_AVAILABLE, (unit, kind)  # fmt: skip


def test_the_default_as_of_is_the_end_of_the_last_month_and_finer_leagues_are_empty(
    folder: Folder,
) -> None:
    board = Board(folder, load_targets())
    assert board.data_date(date(2026, 12, 7)) == date(2025, 12, 31)
    as_of = board.data_date(date(2026, 12, 7))
    for kind in FINER:
        assert board.ward_league(MPS, "violence", period(kind, as_of)).standings == ()
    assert len(board.ward_league(MPS, "violence", period("month", as_of)).standings) == 679
    weekly = board.spc(Unit("ward", ABBEY_ROAD, WESTMINSTER), "violence", as_of, "week")
    assert weekly.points == ()
    assert weekly.warning
    assert "monthly" in weekly.warning


def test_figures_name_their_source_and_period_in_words(folder: Folder) -> None:
    current = period("fytd", date(2025, 12, 31))
    found = figure_body(figure(folder.state, UNITS[0], "violence", current, None))
    assert found["period_label"] == "FYTD 2025-26 to December 2025"
    assert found["sources"]["this_year"] == {"area": "wards", "resolution": "published_monthly",
                                             "complete": True}  # fmt: skip


@pytest.fixture(scope="module")
def historical(shared_data: Path) -> pd.DataFrame:
    """The historical borough file, long form with each row's KPI group (pandas)."""
    classification = load_classification()
    wide = pd.read_csv(shared_data / FOLDER / HISTORICAL, encoding="utf-8-sig")
    months = [c for c in wide.columns if c.isdigit()]
    long = wide.melt(id_vars=["MajorText", "MinorText", "LookUp_BoroughName"],
                     value_vars=months, var_name="month", value_name="count")  # fmt: skip
    pairs = long[["MajorText", "MinorText"]].drop_duplicates()
    pairs["group"] = [classification.classify("mps_mixed", major, minor).group
                      for major, minor in pairs.itertuples(index=False)]  # fmt: skip
    return long.merge(pairs, on=["MajorText", "MinorText"], validate="many_to_one")


def _fy(frame: pd.DataFrame, start_year: int) -> pd.DataFrame:
    months = {f"{start_year + (m < 4):04d}{m:02d}" for m in range(1, 13)}
    return frame[frame["month"].isin(months)]


@pytest.mark.parametrize("fy", [2012, 2013, 2014, 2015])
def test_fy_borough_kpi_4_from_the_historical_file_equals_pandas(
    folder: Folder, historical: pd.DataFrame, fy: int
) -> None:
    current = period("fytd", date(fy + 1, 3, 31))
    property_ = historical[historical["group"] == "property"]
    for name, code in (("Westminster", WESTMINSTER), ("Hackney", HACKNEY)):
        rows = property_[property_["LookUp_BoroughName"] == name]
        found = figure(folder.state, Unit("borough", code, code), "property", current, None)
        assert (found.value, found.last_year) == (
            int(_fy(rows, fy)["count"].sum()), int(_fy(rows, fy - 1)["count"].sum())
        ), (name, fy)  # fmt: skip
        assert found.sources[0].area == found.sources[1].area == "published_borough_totals"
        assert found.value > 10_000
    mps = figure(folder.state, MPS, "property", current, None)
    assert mps.value == int(_fy(property_, fy)["count"].sum())
    assert mps.sources[0].area == "published_borough_totals"


def test_kinds_are_all_judged_by_the_rules() -> None:
    assert set(FINER) | set(WHOLE) == set(KINDS)
