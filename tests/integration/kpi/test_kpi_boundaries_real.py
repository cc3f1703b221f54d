"""Like-for-like across the 2022 ward boundary change, on the real pre-2022 MPS ward file
(published on 2018-set codes to August 2022): a 2022-set ward's figures take its share of the
changed 2018 wards' counts, the shares keep every count, and this year and last year are
compared on the same (2022) boundaries."""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from services.ingest.bulk import run_import
from services.ingest.store.sql import SqlIngestStore
from services.kpi.boundaries import apportioning
from services.kpi.domain.figures import figure
from services.kpi.domain.periods import period
from services.kpi.domain.state import KpiState, Unit
from services.kpi.fold import Folder, Record
from services.kpi.store.sql import SqlKpiStore, create_schema
from services.kpi.target_config import load_targets
from services.kpi.views import figure_body
from shared.classification import load_classification
from shared.db import make_engine
from shared.reference import LondonReference, load_reference
from snt.ingest_setup import bulk_pipeline

pytestmark = pytest.mark.integration
PRE_2022 = "mps_recorded_crime/ward_most_recent_24m_202009-202208_pre2022_wards.csv"
KEY = "kpi-boundary-key-" + "k" * 24
WESTMINSTER = "E09000033"
AUGUST_2022 = period("month", date(2022, 8, 31))


@pytest.fixture(scope="module")
def reference() -> LondonReference:
    return load_reference()


@pytest.fixture(scope="module")
def cells(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """Westminster's rows of the real file, and their cells summed per 2018 ward, group and
    month (read with the csv module alone)."""
    path = tmp_path_factory.mktemp("boundaries") / "westminster_pre2022.csv"
    classification = load_classification()
    sums: dict[tuple[str, str, str], int] = defaultdict(int)
    with (shared_data / PRE_2022).open(newline="", encoding="utf-8-sig") as source, \
            path.open("w", newline="", encoding="utf-8") as target:  # fmt: skip
        reader = csv.DictReader(source)
        writer = csv.DictWriter(target, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        for row in reader:
            if row["LookUp_BoroughName"] != "Westminster":
                continue
            writer.writerow(row)
            group = classification.classify("mps_mixed", row["MajorText"], row["MinorText"]).group
            for column, value in row.items():
                if column.isdigit():
                    sums[(row["WardCode"], group, column)] += int(value)
    return path, sums


@pytest.fixture(scope="module")
def state(cells: tuple[Path, dict], reference: LondonReference,
          tmp_path_factory: pytest.TempPathFactory) -> KpiState:  # fmt: skip
    tmp = tmp_path_factory.mktemp("boundaries-db")
    env = {"SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp / 'ingest.db'}",
           "SNT_INGEST_PSEUDONYMISATION_KEY": KEY}  # fmt: skip
    pipeline, ref = bulk_pipeline(None, env)
    run_import(pipeline, "mps-ward-csv", cells[0], ref)
    engine = make_engine(f"sqlite:///{tmp / 'kpi.db'}")
    create_schema(engine)
    folder = Folder(SqlKpiStore(engine), KpiState(apportioning(reference)))
    store = SqlIngestStore(make_engine(env["SNT_INGEST_DATABASE_URL"]))
    seq = 0
    while events := store.events(seq, 5000):
        batch = [Record(e.topic, 0, e.seq, e.envelope.encode()) for e in events]
        assert folder.fold(batch).bad == ()
        seq = events[-1].seq
    return folder.state


def expected(cells: dict, reference: LondonReference, ward: str, group: str, month: str) -> float:
    return sum(share * cells.get((old, group, month), 0)
               for old, share in reference.apportioned_from(ward))  # fmt: skip


def test_a_2022_ward_is_compared_with_last_year_on_its_own_boundaries(
    state: KpiState, cells: tuple[Path, dict], reference: LondonReference
) -> None:
    targets = load_targets()
    wards = [w for w in reference.wards("2022", WESTMINSTER) if reference.apportioned_from(w.code)]
    assert len(wards) == 18  # every Westminster ward changed in 2022
    for ward in wards:
        unit = Unit("ward", ward.code, WESTMINSTER)
        found = figure(state, unit, "violence", AUGUST_2022, targets.for_group("violence"))
        now = expected(cells[1], reference, ward.code, "violence", "202208")
        then = expected(cells[1], reference, ward.code, "violence", "202108")
        assert found.estimated == (pytest.approx(now), pytest.approx(then))
        assert (found.value, found.last_year) == (round(now), round(then))
        assert found.pct_change == pytest.approx((round(now) - round(then)) / round(then) * 100)
        body = figure_body(found)["boundary_estimate"]
        assert body["from_boundary_set"] == "2018"
        assert body["last_year"] == pytest.approx(then, abs=0.001)


def test_shares_keep_every_count_of_the_borough(
    state: KpiState, cells: tuple[Path, dict], reference: LondonReference
) -> None:
    wards = reference.wards("2022", WESTMINSTER)
    for group in ("violence", "property"):
        for month in ("202109", "202208"):
            shared = sum(expected(cells[1], reference, w.code, group, month) for w in wards)
            published = sum(n for (_, g, m), n in cells[1].items() if (g, m) == (group, month))
            assert shared == pytest.approx(published, rel=1e-12)
            assert published > 100
    borough = Unit("borough", WESTMINSTER, WESTMINSTER)
    found = figure(state, borough, "violence", AUGUST_2022, None)
    assert found.estimated == (0.0, 0.0)  # a borough is the same area on either boundaries
    assert found.value == sum(n for (_, g, m), n in cells[1].items()
                              if (g, m) == ("violence", "202208"))  # fmt: skip
