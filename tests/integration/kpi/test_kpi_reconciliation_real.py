"""The real 2024–25 ward and borough files through ingest and the kpi fold: each borough's
figure (its wards) reconciles with its published borough total, the difference being the
crime never geocoded to a ward; every number equals a computation straight from the CSVs."""

from __future__ import annotations

import csv
from collections import defaultdict
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
from services.kpi.domain.reconcile import reconcile
from services.kpi.domain.resolution import NOT_AVAILABLE
from services.kpi.domain.state import MPS, KpiState, Unit
from services.kpi.fold import Folder, Record
from services.kpi.store.sql import SqlKpiStore, create_schema
from services.kpi.target_config import load_targets
from services.kpi.views import figure_body
from shared.classification import load_classification
from shared.db import make_engine
from shared.reference import load_reference
from snt.ingest_setup import bulk_pipeline

pytestmark = pytest.mark.integration
FOLDER = "mps_recorded_crime"
WARD_FILE, BOROUGH_FILE = (
    "ward_most_recent_24m_202401-202512.csv",
    ("borough_most_recent_24m_202401-202512.csv"),
)
HISTORICAL = "borough_historical_201004-202111.csv"
KEY = "kpi-reconcile-key-" + "k" * 24
WESTMINSTER, HILLINGDON, HACKNEY = "E09000033", "E09000017", "E09000012"

Cells = dict[tuple[str, str, str], int]
"""(borough code, kpi group, YYYYMM) → count."""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Folder:
    """The 2024-25 ward and borough files and the historical borough file, imported and
    folded once for every test of this module."""
    tmp = tmp_path_factory.mktemp("kpi-reconcile")
    env = {"SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp / 'ingest.db'}",
           "SNT_INGEST_PSEUDONYMISATION_KEY": KEY}  # fmt: skip
    pipeline, reference = bulk_pipeline(None, env)
    for name, fmt in ((WARD_FILE, "mps-ward-csv"), (BOROUGH_FILE, "mps-borough-csv"),
                      (HISTORICAL, "mps-borough-csv")):  # fmt: skip
        summary = run_import(pipeline, fmt, shared_data / FOLDER / name, reference)
        assert summary.rejected_by_reason == {}, (name, summary.rejected_by_reason)
    engine = make_engine(f"sqlite:///{tmp / 'kpi.db'}")
    create_schema(engine)
    found = Folder(SqlKpiStore(engine), KpiState())
    store = SqlIngestStore(make_engine(env["SNT_INGEST_DATABASE_URL"]))
    for batch in _batches(store):
        assert found.fold(batch).bad == ()
    return found


@pytest.fixture(scope="module")
def folded(folder: Folder) -> KpiState:
    return folder.state


def _batches(store: SqlIngestStore) -> Iterator[list[Record]]:
    seq = 0
    while events := store.events(seq, 5000):
        yield [Record(e.topic, 0, e.seq, e.envelope.encode()) for e in events]
        seq = events[-1].seq


def _cells(path: Path, borough_of: dict[str, str]) -> Cells:
    """The CSV's cells summed per borough, KPI group and month (a ward row counts in the
    borough its ward lies in; a borough row in the borough it names)."""
    classification = load_classification()
    out: Cells = defaultdict(int)
    with path.open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            group = classification.classify("mps_upper", row["MajorText"], row["MinorText"]).group
            label = row.get("WardCode") or row["BoroughName"]
            area = borough_of.get(label, label)  # special units keep their own label
            for column, value in row.items():
                if column.isdigit():
                    out[(area, group, column)] += int(value)
    return out


@pytest.fixture(scope="module")
def cells(shared_data: Path) -> tuple[Cells, Cells]:
    reference = load_reference()
    names = {b.name: b.code for b in reference.boroughs()}
    wards = {w.code: w.borough_code for w in reference.wards("2022")}
    return (_cells(shared_data / FOLDER / WARD_FILE, wards),
            _cells(shared_data / FOLDER / BOROUGH_FILE, names))  # fmt: skip


def _sum(cells: Cells, borough: str, months: set[str], group: str | None = None) -> int:
    return sum(v for (b, g, m), v in cells.items()
               if b == borough and m in months and group in (None, g))  # fmt: skip


@pytest.mark.parametrize("borough", [WESTMINSTER, HILLINGDON, HACKNEY])
def test_a_borough_reconciles_with_its_published_total(
    folded: KpiState, cells: tuple[Cells, Cells], borough: str
) -> None:
    ward_cells, borough_cells = cells
    current = period("rolling_12m", date(2025, 12, 31))
    months = {f"2025{m:02d}" for m in range(1, 13)}
    rows = {r.group: r for r in reconcile(folded, borough, current)}
    assert (rows["asb"].wards, rows["asb"].published) == (0, None)  # ASB is not recorded crime
    for group in ("violence", "property", "other"):
        row = rows[group]
        assert row.wards == _sum(ward_cells, borough, months, group), group
        assert row.unlocated == 0
        assert row.published == _sum(borough_cells, borough, months, group), group
    everything = rows["all"]
    assert everything.wards == _sum(ward_cells, borough, months)
    assert everything.published == _sum(borough_cells, borough, months)
    assert everything.difference == everything.published - everything.wards
    assert everything.difference is not None
    assert everything.difference > 0


def test_westminster_over_the_two_years_of_the_files(folded: KpiState) -> None:
    # The figures quoted for the published files: 175,233 in the borough file against
    # 171,857 in Westminster's wards over January 2024 – December 2025 (1.9% never in a ward).
    first = reconcile(folded, WESTMINSTER, period("rolling_12m", date(2024, 12, 31)))
    second = reconcile(folded, WESTMINSTER, period("rolling_12m", date(2025, 12, 31)))
    wards = sum(r.wards for r in (*first, *second) if r.group == "all")
    published = sum(r.published or 0 for r in (*first, *second) if r.group == "all")
    assert (wards, published) == (171_857, 175_233)


def test_hillingdon_counts_heathrow_villages_filed_under_aviation_security(
    folded: KpiState, cells: tuple[Cells, Cells]
) -> None:
    # The ward file files Heathrow Villages under Aviation Security (SO18); it lies in
    # Hillingdon, and the borough file's Hillingdon total includes it.
    current = period("rolling_12m", date(2025, 12, 31))
    [everything] = [r for r in reconcile(folded, HILLINGDON, current) if r.group == "all"]
    published = everything.published or 0
    assert 0 < published - everything.wards < 0.05 * published


# Time resolution and source, on the same files

ABBEY_ROAD = "E05013806"
FINER = ("week", "fortnight", "rolling_28d")
WHOLE = ("fytd", "rolling_12m", "month", "quarter")


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
                                             "complete": True, "held": True,
                                             "simulated": False,
                                             "label": "monthly published counts"}  # fmt: skip


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
