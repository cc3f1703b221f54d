"""Flex benchmark: a simulated month for every London ward team, end to end in process —
the simulator, ingest (validation, pseudonymisation, ward checks, de-duplication, versions)
into its SQLite event store, the flex fold (one SQLite transaction per batch) — then the
monthly SNT abstraction report for the MPS and for every borough, as CSV and HTML."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from services.flex.app import area_of
from services.flex.domain.ledger import Ledger
from services.flex.domain.report import monthly_report
from services.flex.fold import Folder
from services.flex.render import to_csv, to_html
from services.flex.store.sql import SqlFlexStore, create_schema
from services.ingest.decode import submission
from services.ingest.store.sql import SqlIngestStore
from shared.consumer import Record
from shared.db import make_engine
from shared.reference import load_reference
from snt.ingest_setup import bulk_pipeline
from snt.sim.roster import simulate

YEAR, MONTH = 2025, 3


def run() -> dict[str, Any]:
    reference = load_reference()
    started = time.perf_counter()
    sim = simulate(reference, YEAR, MONTH, seed=1)
    simulated = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        env = {"SNT_INGEST_DATABASE_URL": f"sqlite:///{Path(tmp) / 'ingest.db'}",
               "SNT_INGEST_PSEUDONYMISATION_KEY": "flex-bench-key-" + "k" * 24}  # fmt: skip
        pipeline, _ = bulk_pipeline(None, env)
        started = time.perf_counter()
        for i in range(0, len(sim.events), 2000):
            pipeline.submit([submission(raw, max_bytes=65_536, expected="duty.changed")
                             for raw in sim.events[i : i + 2000]])  # fmt: skip
        ingested = time.perf_counter() - started
        store = SqlIngestStore(make_engine(env["SNT_INGEST_DATABASE_URL"]))
        records, seq = [], 0
        while page := store.events(seq, 5000):
            records += [Record(e.topic, 0, e.seq, e.envelope.encode()) for e in page]
            seq = page[-1].seq
        engine = make_engine(f"sqlite:///{Path(tmp) / 'flex.db'}")
        create_schema(engine)
        folder = Folder(SqlFlexStore(engine), Ledger())
        started = time.perf_counter()
        for i in range(0, len(records), 5000):
            folder.fold(records[i : i + 5000])
        folded = time.perf_counter() - started
        area = area_of(reference)
        started = time.perf_counter()
        mps = monthly_report(folder.ledger, area.wards.values(), "MPS", YEAR, MONTH)
        to_csv(mps), to_html(mps, "MPS")
        mps_s = time.perf_counter() - started
        started = time.perf_counter()
        for b in reference.boroughs():
            report = monthly_report(folder.ledger, area.wards.values(), b.code, YEAR, MONTH)
            to_csv(report), to_html(report, b.name)
        boroughs_s = time.perf_counter() - started
    total = simulated + ingested + folded
    truth = sim.truth
    if mps.total.planned != sum(truth.planned.values()):
        raise AssertionError("the MPS report does not equal the simulator's planned hours")
    return {
        "wards": len(area.wards), "duty_events": len(sim.events), "duties": truth.duties,
        "canonical_events": len(records), "simulate_s": round(simulated, 2),
        "ingest_events_per_s": round(len(sim.events) / ingested),
        "flex_fold_events_per_s": round(len(records) / folded),
        "end_to_end_events_per_s": round(len(sim.events) / total),
        "mps_report_s": round(mps_s, 3), "all_borough_reports_s": round(boroughs_s, 2),
        "mps_planned_hours_checked": mps.total.planned / 60,
    }  # fmt: skip
