"""A simulated month for every Westminster and Hackney ward team through ingest and the flex
fold: the SNT abstraction report reproduces the simulator's own ground truth, the exceptions
name the faulty duties, and a replay in another order with re-deliveries changes nothing."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.flex.app import area_of
from services.flex.domain.ledger import ABSTRACTIONS, Ledger, recompute
from services.flex.domain.report import monthly_report
from services.flex.fold import Folder
from services.flex.store.sql import SqlFlexStore, create_schema
from services.ingest.decode import submission
from services.ingest.store.sql import SqlIngestStore
from shared.consumer import Record
from shared.db import make_engine
from shared.reference import LondonReference, load_reference
from snt.ingest_setup import bulk_pipeline
from snt.sim.roster import Simulation, simulate

pytestmark = pytest.mark.integration
KEY = "flex-simulation-key-" + "k" * 20
BOROUGHS = ("E09000033", "E09000012")  # Westminster, Hackney


@pytest.fixture(scope="module")
def reference() -> LondonReference:
    return load_reference()


@pytest.fixture(scope="module")
def simulation(reference: LondonReference) -> Simulation:
    wards = [w.code for b in BOROUGHS for w in reference.wards("2022", b)]
    return simulate(reference, 2025, 3, seed=11, wards=wards, faulty=0.2)


@pytest.fixture(scope="module")
def canonical(simulation: Simulation, tmp_path_factory: pytest.TempPathFactory) -> list[Record]:
    tmp = tmp_path_factory.mktemp("flex-sim")
    env = {"SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp / 'ingest.db'}",
           "SNT_INGEST_PSEUDONYMISATION_KEY": KEY}  # fmt: skip
    pipeline, _ = bulk_pipeline(None, env)
    for i in range(0, len(simulation.events), 2000):
        chunk = simulation.events[i : i + 2000]
        outcomes = pipeline.submit([submission(raw, max_bytes=65_536, expected="duty.changed")
                                    for raw in chunk])  # fmt: skip
        assert {o.status for o in outcomes} <= {"accepted", "superseded"}, [
            (o.status, o.problems) for o in outcomes if o.status == "rejected"][:3]  # fmt: skip
    store = SqlIngestStore(make_engine(env["SNT_INGEST_DATABASE_URL"]))
    return [Record(e.topic, 0, e.seq, e.envelope.encode()) for e in _all(store)]


def _all(store: SqlIngestStore) -> Iterator:  # type: ignore[type-arg]
    seq = 0
    while page := store.events(seq, 5000):
        yield from page
        seq = page[-1].seq


def folded(records: list[Record], url: str) -> Folder:
    engine = make_engine(url)
    create_schema(engine)
    folder = Folder(SqlFlexStore(engine), Ledger())
    folder.load()
    for i in range(0, len(records), 3000):
        assert folder.fold(records[i : i + 3000]).bad == ()
    return folder


def test_the_report_reproduces_the_simulators_ground_truth(
    canonical: list[Record], simulation: Simulation, reference: LondonReference,
    tmp_path: Path,
) -> None:  # fmt: skip
    folder = folded(canonical, f"sqlite:///{tmp_path / 'flex.db'}")
    truth = simulation.truth
    area = area_of(reference)
    checked = 0
    for borough in BOROUGHS:
        report = monthly_report(folder.ledger, area.wards.values(), borough, 2025, 3)
        assert len(report.rows) == len(reference.wards("2022", borough))
        for row in report.rows:
            assert (row.planned, row.on_ward, row.flexed_out, row.flexed_out_unauthorised,
                    row.flexed_in) == (truth.planned[row.code], truth.on_ward[row.code],
                                       truth.flexed_out[row.code],
                                       truth.flexed_out_unauthorised[row.code],
                                       truth.flexed_in[row.code]), row.code  # fmt: skip
            for kind in ABSTRACTIONS:
                assert row.abstracted[kind] == truth.abstracted[(row.code, kind)], (row.code, kind)
            for kind in ("leave", "sickness"):
                assert row.absent[kind] == truth.absent[(row.code, kind)]
            checked += 1
    assert checked == 18 + 21
    assert sum(1 for _ in folder.ledger.duties()) == truth.duties
    assert truth.unauthorised_flex > 0
    assert truth.late_authorisations > 0


def test_a_replay_in_another_order_with_redeliveries_and_a_restart_ends_the_same(
    canonical: list[Record], tmp_path: Path
) -> None:
    first = folded(canonical, f"sqlite:///{tmp_path / 'a.db'}")
    shuffled = list(canonical)
    random.Random(3).shuffle(shuffled)
    url = f"sqlite:///{tmp_path / 'b.db'}"
    half = len(shuffled) // 2
    folded(shuffled[:half], url)
    second = folded(shuffled[half // 2 :], url)  # a restart, then a quarter re-delivered
    for ledger in (second.ledger, recompute(first.ledger.duties())):
        assert _cells(ledger) == _cells(first.ledger)


def _cells(ledger: Ledger) -> dict:  # type: ignore[type-arg]
    return {k: (c.planned, c.on_ward, c.flexed_out, c.flexed_out_unauthorised, c.flexed_in,
                dict(+c.abstracted), dict(+c.absent), c.officers_on_duty)
            for k, c in ledger.cells.items()
            if c.planned or c.flexed_in or +c.absent}  # fmt: skip


def test_the_same_month_on_postgresql_holds_the_same_ledger(
    canonical: list[Record], pg_url: str, tmp_path: Path
) -> None:
    on_sqlite = folded(canonical, f"sqlite:///{tmp_path / 'flex.db'}")
    folded(canonical[: len(canonical) // 3], pg_url)
    on_postgres = folded(canonical, pg_url)  # restarted, two thirds re-delivered
    assert make_engine(pg_url).dialect.name == "postgresql"
    assert _cells(on_postgres.ledger) == _cells(on_sqlite.ledger)
