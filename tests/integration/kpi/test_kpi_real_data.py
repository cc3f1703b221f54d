"""The real MPS ward file through ingest and the kpi fold: ward and borough FYTD and rolling
12-month figures equal an independent computation straight from the CSV."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from services.ingest.bulk import run_import
from services.ingest.store.sql import SqlIngestStore
from services.kpi.domain.days import day_index
from services.kpi.domain.periods import Period, last_year, period
from services.kpi.domain.state import KpiState, Unit
from services.kpi.fold import Folder, Record
from services.kpi.store.sql import SqlKpiStore, create_schema
from shared.classification import load_classification
from shared.db import make_engine
from shared.reference import LondonReference, load_reference
from snt.ingest_setup import bulk_pipeline
from snt.kpi_tools import rebuild, verify

pytestmark = pytest.mark.integration
WARD_FILE = "mps_recorded_crime/ward_most_recent_24m_202401-202512.csv"
KEY = "kpi-real-data-key-" + "k" * 24
WARDS = ["E05013806", "E05009367", "E05014094", "E05013570"]  # Westminster, Hackney, ..., Heathrow
BOROUGHS = ["E09000033", "E09000012", "E09000022"]
AS_OF = [date(2025, 12, 31), date(2025, 6, 30), date(2025, 12, 15)]

Sums = dict[tuple[str, str, str], int]
"""(area code, kpi group, YYYYMM) → count, computed from the CSV alone."""


@pytest.fixture(scope="module")
def stores(folded: KpiState, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    tmp = tmp_path_factory.getbasetemp() / "kpi-real"
    ingest = SqlIngestStore(make_engine(f"sqlite:///{tmp / 'ingest.db'}"))
    return ingest, SqlKpiStore(make_engine(f"sqlite:///{tmp / 'kpi.db'}"))


@pytest.fixture(scope="module")
def folded(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> KpiState:
    tmp = tmp_path_factory.mktemp("kpi-real", numbered=False)
    env = {"SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp / 'ingest.db'}",
           "SNT_INGEST_PSEUDONYMISATION_KEY": KEY}  # fmt: skip
    pipeline, reference = bulk_pipeline(None, env)
    run_import(pipeline, "mps-ward-csv", shared_data / WARD_FILE, reference)
    engine = make_engine(f"sqlite:///{tmp / 'kpi.db'}")
    create_schema(engine)
    folder = Folder(SqlKpiStore(engine), KpiState())
    for batch in _records(SqlIngestStore(make_engine(env["SNT_INGEST_DATABASE_URL"]))):
        assert folder.fold(batch).bad == ()
    return folder.state


def _records(store: SqlIngestStore) -> Iterator[list[Record]]:
    seq = 0
    while events := store.events(seq, 5000):
        yield [Record(e.topic, 0, e.seq, e.envelope.encode()) for e in events]
        seq = events[-1].seq


@pytest.fixture(scope="module")
def sums(shared_data: Path) -> Sums:
    """Independent of ingest and kpi: the CSV's cells summed per ward/borough, group and
    month by pandas (melt to long form, group, sum)."""
    classification = load_classification()
    wide = pd.read_csv(shared_data / WARD_FILE, dtype={"WardCode": str}, encoding="utf-8-sig")
    months = [c for c in wide.columns if c.isdigit()]
    long = wide.melt(id_vars=["MajorText", "MinorText", "WardCode"], value_vars=months,
                     var_name="month", value_name="count")  # fmt: skip
    pairs = long[["MajorText", "MinorText"]].drop_duplicates()
    pairs["group"] = [classification.classify("mps_upper", major, minor).group
                      for major, minor in pairs.itertuples(index=False)]  # fmt: skip
    long = long.merge(pairs, on=["MajorText", "MinorText"], validate="many_to_one")
    long["borough"] = long["WardCode"].map(_borough_of)
    out: Sums = defaultdict(int)
    for column in ("WardCode", "borough"):
        totals = long.groupby([column, "group", "month"])["count"].sum()
        for (code, group, month), count in totals.items():
            out[(code, group, month)] += int(count)
    return out


@cache
def _borough_of(ward: str) -> str:
    return _reference().ward(ward).borough_code


@cache
def _reference() -> LondonReference:
    return load_reference()


def _expected(sums: Sums, code: str, group: str, p: Period) -> int:
    months = {f"{y:04d}{m:02d}" for y, m in _months(p.first, p.last)}
    return sum(
        v for (c, g, month), v in sums.items() if c == code and g == group and month in months
    )


def _months(first: date, last: date) -> Iterator[tuple[int, int]]:
    y, m = first.year, first.month
    if first.day != 1:  # monthly counts sit on the 1st: a month counts if its 1st is inside
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    while (y, m) <= (last.year, last.month):
        yield y, m
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


@pytest.mark.parametrize("as_of", AS_OF, ids=str)
@pytest.mark.parametrize("kind", ["fytd", "rolling_12m"])
def test_ward_and_borough_figures_equal_the_csv(
    folded: KpiState, sums: Sums, as_of: date, kind: str
) -> None:
    current = period(kind, as_of)
    before = last_year(current)
    units = [Unit("ward", w, _borough_of(w)) for w in WARDS]
    units += [Unit("borough", b, b) for b in BOROUGHS]
    for unit in units:
        for group in ("violence", "property", "other"):
            value = folded.total(unit, group, day_index(current.first), day_index(current.last))
            previous = folded.total(unit, group, day_index(before.first), day_index(before.last))
            assert (value, previous) == (
                _expected(sums, unit.code, group, current),
                _expected(sums, unit.code, group, before),
            ), (unit, group, kind, as_of)
            assert value > 0 or group == "other"


def test_verify_finds_no_difference_then_exactly_a_tampered_count_and_rebuild_repairs_it(
    stores: tuple[SqlIngestStore, SqlKpiStore],
) -> None:
    ingest, kpi = stores
    clean = verify(ingest, kpi)
    assert (clean.events_recomputed, clean.events_not_applied, clean.differences) == (
        315_576, 0, [],
    )  # fmt: skip
    key = next(iter(kpi.held_counts()))
    with kpi.unit() as unit:
        unit.add({(Unit(key[0], key[1], None), key[2], key[3], 0): 5}, {}, {})  # type: ignore[arg-type]
    [difference] = verify(ingest, kpi).differences
    assert (difference.key, difference.held - difference.expected) == (key, 5)
    summary = rebuild(ingest, kpi)
    assert (summary.applied, summary.bad) == (315_576, 0)
    assert verify(ingest, kpi).differences == []
