"""Two real releases of the MPS ward file through the real pipeline (SQLite), checked against
an independent pandas computation: the count events net to exactly the later release for the
months it covers, whichever order the releases are imported in, re-coded and retracted rows
included, and re-importing either release changes nothing.

Marked integration (with the other real-file imports, test_ingest_import.py): five imports of
~450,000 cells take a few minutes. It needs no broker, and CI runs it with the rest.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from services.ingest.bulk import run_import
from services.ingest.domain.releases import PlausibilityRule
from services.ingest.pipeline import Pipeline
from services.ingest.store.sql import SqlIngestStore, create_schema
from services.ingest.wiring import context_factory
from shared.classification import Classifier, load_classification
from shared.db import make_engine
from shared.reference import LondonReference, load_reference

pytestmark = pytest.mark.integration
OLDER = "ward_most_recent_24m_202307-202506.csv"
NEWER = "ward_most_recent_24m_202401-202512.csv"
KEY = b"release-test-pseudonymisation-k!"
RULE = PlausibilityRule()
Cells = Counter[tuple[str, str, str]]


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return load_classification()


@pytest.fixture(scope="module")
def reference() -> LondonReference:
    return load_reference()


def expected(path: Path, classifier: Classifier) -> Cells:
    """The release's cells summed per ward, month and KPI group, by pandas."""
    frame = pd.read_csv(path)
    ids = ["MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName"]
    long = frame.melt(id_vars=ids, var_name="month", value_name="count")
    pairs = long[["MajorText", "MinorText"]].drop_duplicates()
    groups = {(a, b): classifier.classify("mps_upper", a, b).group.value
              for a, b in pairs.itertuples(index=False)}  # fmt: skip
    long["group"] = [groups[(a, b)] for a, b in zip(long.MajorText, long.MinorText, strict=True)]
    long["month"] = long["month"].str[:4] + "-" + long["month"].str[4:]
    sums = long.groupby(["WardCode", "month", "group"])["count"].sum()
    return Counter({key: int(v) for key, v in sums.items() if v})


def net(store: SqlIngestStore) -> Cells:
    found: Cells = Counter()
    for event in store.events(0, 10_000_000):
        body = json.loads(event.envelope)
        if body["event_type"] in ("crime.counted", "cad.counted"):
            p = body["payload"]
            found[(p["ward_code"], p["recorded_at"][:7], p["kpi_group"])] += p["delta"]
    return +found


def only(cells: Cells, first: str, last: str) -> Cells:
    return Counter({k: v for k, v in cells.items() if first <= k[1] <= last})


class Importer:
    def __init__(self, db: Path, reference: LondonReference, classifier: Classifier) -> None:
        engine = make_engine(f"sqlite:///{db}")
        create_schema(engine)
        self.store = SqlIngestStore(engine)
        now = datetime(2026, 3, 1, tzinfo=UTC)
        context = context_factory(reference, classifier, KEY, lambda: now)
        self._pipeline = Pipeline(store=self.store, context=context)
        self._reference = reference

    def run(self, path: Path) -> dict:  # type: ignore[type-arg]
        summary = run_import(self._pipeline, "mps-ward-csv", path, self._reference, rule=RULE)
        return summary.as_dict()


@pytest.fixture(scope="module")
def mps(shared_data: Path) -> Path:
    return shared_data / "mps_recorded_crime"


@pytest.fixture(scope="module")
def in_order(
    tmp_path_factory: pytest.TempPathFactory, mps: Path, reference: LondonReference,
    classifier: Classifier,
) -> tuple[Importer, list[dict]]:  # type: ignore[type-arg]  # fmt: skip
    importer = Importer(tmp_path_factory.mktemp("a") / "i.db", reference, classifier)
    return importer, [importer.run(mps / OLDER), importer.run(mps / NEWER)]


def test_the_events_net_to_the_later_release_where_it_governs_and_the_earlier_elsewhere(
    in_order: tuple[Importer, list[dict]],
    mps: Path,
    classifier: Classifier,  # type: ignore[type-arg]
) -> None:
    importer, (first, second) = in_order
    assert first["release"]["status"] == second["release"]["status"] == "applied"
    newer, older = expected(mps / NEWER, classifier), expected(mps / OLDER, classifier)
    events = net(importer.store)
    assert only(events, "2024-01", "2025-12") == newer
    assert only(events, "2023-07", "2023-12") == only(older, "2023-07", "2023-12")
    assert sum(events.values()) == 1_794_538 + sum(only(older, "2023-07", "2023-12").values())


def test_the_rows_the_later_release_no_longer_has_are_retracted(
    in_order: tuple[Importer, list[dict]],
    mps: Path,  # type: ignore[type-arg]
) -> None:
    importer, (_first, second) = in_order
    old, new = pd.read_csv(mps / OLDER), pd.read_csv(mps / NEWER)
    months = [c for c in old.columns[5:] if "202401" <= c <= "202506"]
    key = ["WardCode", "LookUp_BoroughName", "MajorText", "MinorText"]
    both = old.merge(new[key], on=key, how="left", indicator=True)
    gone = both[both["_merge"] == "left_only"][key + months]
    cells = gone[months].to_numpy()
    assert (len(gone[cells.sum(axis=1) > 0]), int(cells.sum())) == (1_429, 50_036)
    retracted = second["cells"]["retracted"]
    assert retracted["cells"] == int((cells != 0).sum())
    assert sum(retracted["net"].values()) == -50_036
    by_month: Counter[str] = Counter()
    for event in importer.store.events(0, 10_000_000):
        p = json.loads(event.envelope)["payload"]
        if p.get("offence", {}).get("minor") in ("BURGLARY IN A DWELLING", "BURGLARY NON-DWELLING"):
            by_month[p["recorded_at"][:7]] += p["delta"]
    assert all(by_month[f"{m[:4]}-{m[4:]}"] == 0 for m in months)
    assert sum(by_month.values()) > 0  # their months before 2024-01 still count


def test_re_importing_either_release_changes_nothing(
    in_order: tuple[Importer, list[dict]],
    mps: Path,  # type: ignore[type-arg]
) -> None:
    importer, _ = in_order
    stored = len(importer.store.events(0, 10_000_000))
    for name in (NEWER, OLDER):
        summary = importer.run(mps / name)
        assert summary["events_published"] == 0, name
        assert summary["cells"]["new"]["cells"] == summary["cells"]["retracted"]["cells"] == 0
    assert len(importer.store.events(0, 10_000_000)) == stored


def test_the_other_order_leaves_the_later_release_too(
    tmp_path: Path, in_order: tuple[Importer, list[dict]], mps: Path,  # type: ignore[type-arg]
    reference: LondonReference, classifier: Classifier,
) -> None:  # fmt: skip
    importer = Importer(tmp_path / "i.db", reference, classifier)
    importer.run(mps / NEWER)
    summary = importer.run(mps / OLDER)
    assert summary["release"]["governed_months"] == [f"2023-{m:02d}" for m in range(7, 13)]
    assert net(importer.store) == net(in_order[0].store)
