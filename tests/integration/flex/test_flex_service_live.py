"""The flex service on the real broker: a simulated borough month through ingest is folded,
reported (JSON, CSV, HTML) and its exceptions published; a ward's crime KPI breach arriving
on the KPI update topic raises the flexed-while-breaching exception; scopes are enforced;
SIGKILLs during a replay of a month for every ward end with the figures a batch
recomputation gives."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import text

from services.flex.app import area_of, create_app
from services.flex.config import FlexSettings
from services.flex.domain.ledger import Ledger, recompute
from services.flex.domain.report import monthly_report
from services.flex.store.sql import SqlFlexStore
from services.ingest.decode import submission
from services.ingest.publisher import KafkaPublisher
from services.ingest.store.base import StoredEvent
from services.ingest.store.sql import SqlIngestStore
from shared.auth.admin import create_token, open_engine
from shared.contracts import KpiUpdated, parse_event
from shared.db import make_engine
from shared.kafka_admin import ensure_topics
from shared.reference import load_reference
from shared.settings import load_settings
from shared.topics import TOPICS
from snt.ingest_setup import bulk_pipeline
from snt.sim.roster import Truth, simulate
from tests.support.services import free_port
from tests.support.tansu import running_tansu

pytestmark = pytest.mark.integration
WESTMINSTER, CAMDEN = "E09000033", "E09000007"
KEY = "flex-live-key-" + "k" * 26


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    with running_tansu() as address:
        ensure_topics(address, list(TOPICS))
        yield address


def canonical(tmp: Path, boroughs: tuple[str, ...] | None, seed: int) -> list[StoredEvent]:
    """A simulated March 2025 through the ingest pipeline: the duty.recorded events."""
    return simulated(tmp, boroughs, seed)[0]


def simulated(tmp: Path, boroughs: tuple[str, ...] | None,
              seed: int) -> tuple[list[StoredEvent], Truth]:  # fmt: skip
    """The duty.recorded events of a simulated March 2025, and the simulator's truth."""
    reference = load_reference()
    wards = None if boroughs is None else [
        w.code for b in boroughs for w in reference.wards("2022", b)]  # fmt: skip
    sim = simulate(reference, 2025, 3, seed=seed, wards=wards, faulty=0.2)
    env = {"SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp / 'ingest.db'}",
           "SNT_INGEST_PSEUDONYMISATION_KEY": KEY}  # fmt: skip
    pipeline, _ = bulk_pipeline(None, env)
    for i in range(0, len(sim.events), 2000):
        pipeline.submit([submission(raw, max_bytes=65_536, expected="duty.changed")
                         for raw in sim.events[i : i + 2000]])  # fmt: skip
    store = SqlIngestStore(make_engine(env["SNT_INGEST_DATABASE_URL"]))
    found, seq = [], 0
    while page := store.events(seq, 5000):
        found += page
        seq = page[-1].seq
    return found, sim.truth


async def _publish(bootstrap: str, events: list[StoredEvent]) -> None:
    publisher = KafkaPublisher(bootstrap, client_id="flex-test", linger_ms=20)
    try:
        for i in range(0, len(events), 5000):
            assert all(await publisher.publish(events[i : i + 5000]))
    finally:
        await publisher.stop()


def wait_for(check: Callable[[], bool], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)


def test_a_simulated_month_is_reported_and_its_exceptions_published(
    bootstrap: str, tmp_path: Path
) -> None:
    events = canonical(tmp_path, (WESTMINSTER,), seed=5)
    asyncio.run(_publish(bootstrap, events))
    env = {"SNT_FLEX_ENVIRONMENT": "test", "SNT_FLEX_KAFKA_BOOTSTRAP": bootstrap,
           "SNT_FLEX_KAFKA_FETCH_MAX_WAIT_MS": "20", "SNT_FLEX_UPDATE_INTERVAL_S": "0.3",
           "SNT_FLEX_DATABASE_URL": f"sqlite:///{tmp_path / 'flex.db'}",
           "SNT_FLEX_AUTH_DATABASE_URL": f"sqlite:///{tmp_path / 'auth.db'}",
           "SNT_FLEX_CONSUMER_GROUP": f"flex-{tmp_path.name}"}  # fmt: skip
    auth = open_engine(env["SNT_FLEX_AUTH_DATABASE_URL"])
    lead = create_token(auth, name="lead", role="borough_lead", boroughs=(WESTMINSTER,))
    central = create_token(auth, name="central", role="central")
    with TestClient(create_app(load_settings(FlexSettings, env))) as client:

        def get(path: str, who: Any = lead) -> Any:
            return client.get(path, headers={"Authorization": f"Bearer {who.plain_token}"})

        report = f"/v1/flex/boroughs/{WESTMINSTER}/report?month=2025-03"
        duties = sum(1 for e in events if '"change":"cancelled"' not in e.envelope)
        wait_for(lambda: get(report).json()["total"]["planned"] > 0)
        wait_for(lambda: _applied(env["SNT_FLEX_DATABASE_URL"]) >= len(events))
        body = get(report).json()
        assert len(body["rows"]) == 18
        assert body["total"]["flexed_out_unauthorised"] > 0
        csv_text = get(report + "&format=csv").text
        assert csv_text.splitlines()[0].startswith("code,name,staffing_model,planned_h")
        assert len(csv_text.splitlines()) == 1 + 18 + 1
        assert "<table>" in get(report + "&format=html").text
        found = get(f"/v1/flex/boroughs/{WESTMINSTER}/exceptions?month=2025-03").json()
        kinds = {e["kind"] for e in found["exceptions"]}
        assert {"unauthorised_flex", "late_authorisation"} <= kinds
        assert all(
            e["duty_ids"] for e in found["exceptions"] if e["kind"] != "below_minimum_staffing"
        )
        kpi9 = get(f"/v1/flex/boroughs/{WESTMINSTER}/kpi9?as_of=2025-03-31").json()
        assert kpi9["periods"][0]["planned_minutes"] == body["total"]["planned"]
        total, month_kpi9 = body["total"], kpi9["periods"][0]
        assert month_kpi9["authorised_flex_minutes"] == total["flexed_out_authorised"] > 0
        assert month_kpi9["unauthorised_flex_minutes"] == total["flexed_out_unauthorised"] > 0
        assert get(f"/v1/flex/boroughs/{CAMDEN}/report?month=2025-03").status_code == 403
        assert get("/v1/flex/mps/report?month=2025-03").status_code == 403
        assert get("/v1/flex/mps/report?month=2025-03", central).status_code == 200
        metrics = client.get("/metrics").text
        assert 'snt_flex_events_total{outcome="applied"}' in metrics
        ward = max(body["rows"], key=lambda r: r["flexed_out"])["code"]
        assert _flexed_days(get, ward) >= 3
        path = f"/v1/flex/boroughs/{WESTMINSTER}/exceptions?month=2025-03"
        assert not any(
            e["kind"] == "flexed_while_breaching" for e in get(path).json()["exceptions"]
        )
        _breach(bootstrap, ward)
        wait_for(lambda: any(e["kind"] == "flexed_while_breaching" and e["ward_code"] == ward
                             for e in get(path).json()["exceptions"]))  # fmt: skip
        published = _consume(bootstrap, "snt.flex.exceptions.v1",
                             lambda m: m["payload"]["kind"] == "unauthorised_flex")  # fmt: skip
    assert published["payload"]["duty_ids"]

    def mps_kpi9(m: dict[str, Any]) -> bool:
        return bool(m["payload"].get("kpi") == 9 and m["payload"]["level"] == "mps")

    kpi9 = _consume(bootstrap, "snt.kpi.updates.v1", mps_kpi9)
    assert kpi9["payload"]["measure"] == "authorised_ward_flex_share"
    assert isinstance(parse_event(json.dumps(kpi9)), KpiUpdated)  # meets the contract
    assert 0 < kpi9["payload"]["value"] < 1
    assert duties > 0


def _applied(url: str) -> int:
    with make_engine(url).connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM flex_applied")).scalar_one())


def _flexed_days(get: Any, ward: str) -> int:
    days = 0
    for d in range(1, 32):
        roles = get(f"/v1/flex/wards/{ward}?day=2025-03-{d:02d}").json()["roles"]
        days += any(r["flexed_out_minutes"] > 0 for r in roles)
    return days


def _breach(bootstrap: str, ward: str) -> None:
    from shared.contracts.examples import example_event

    event = example_event("kpi.updated", event_id=f"kpi:{ward}:1:fytd:test")
    event["payload"].update(level="ward", area_code=ward, borough_code=WESTMINSTER, kpi=1,
                            period="fytd", gap_to_trajectory=12.0,
                            target_significance={"test": "poisson_conditional_binomial",
                                                 "null_ratio": 0.98, "p_value": 0.001,
                                                 "verdict": "significant_worse"})  # fmt: skip
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    producer.send("snt.kpi.updates.v1", json.dumps(event).encode(), key=ward.encode())
    producer.flush()
    producer.close()


def _consume(bootstrap: str, topic: str, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, fetch_max_wait_ms=20,
                             consumer_timeout_ms=500)  # fmt: skip
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            for m in consumer:
                found = json.loads(m.value)
                if match(found):
                    return dict(found)
    finally:
        consumer.close()
    raise AssertionError(f"no matching event on {topic}")


@pytest.mark.timeout(900)  # a month for every ward, three SIGKILLs: minutes on a busy machine
def test_sigkills_during_a_month_for_every_ward_end_with_the_batch_figures(
    tmp_path: Path,
) -> None:
    events, truth = simulated(tmp_path, None, seed=9)
    with running_tansu() as bootstrap:
        ensure_topics(bootstrap, list(TOPICS))
        asyncio.run(_publish(bootstrap, events))
        url = f"sqlite:///{tmp_path / 'flex.db'}"
        service = _Service(tmp_path, bootstrap, url)
        for fraction in (0.15, 0.4, 0.7):
            with service.running() as process:
                service.wait_applied(int(fraction * len(events)))
                process.send_signal(signal.SIGKILL)
                process.wait(30)
            assert 0 < service.applied() < len(events)
        with service.running():
            service.wait_applied(len(events))
    held = Ledger()
    for duty_id, version, duty in SqlFlexStore(make_engine(url)).load():
        held.apply(duty_id, version, duty)
    expected = _batch(events)
    assert _cells(held) == _cells(expected)
    assert sum(1 for _ in held.duties()) == sum(1 for _ in expected.duties()) == truth.duties
    # the month for every ward reproduces the simulator's own ground truth, ward by ward
    reference = load_reference()
    wards = area_of(reference).wards.values()
    rows = [
        r for b in reference.boroughs() for r in monthly_report(held, wards, b.code, 2025, 3).rows
    ]
    assert len(rows) == 679
    for r in rows:
        assert (r.planned, r.on_ward, r.flexed_out, r.flexed_out_unauthorised, r.flexed_in) == (
            truth.planned[r.code], truth.on_ward[r.code], truth.flexed_out[r.code],
            truth.flexed_out_unauthorised[r.code], truth.flexed_in[r.code]), r.code  # fmt: skip
        assert {k: v for k, v in r.abstracted.items() if v} == {
            k: v for (w, k), v in truth.abstracted.items() if w == r.code and v}  # fmt: skip


def _batch(events: list[StoredEvent]) -> Ledger:
    """The batch recomputation: the latest version of every duty, summed afresh."""
    from services.flex.codec import DutyVersion, decode

    latest: dict[str, DutyVersion] = {}
    for e in events:
        found = decode(e.envelope.encode())
        if isinstance(found, DutyVersion) and (
            found.duty_id not in latest or latest[found.duty_id].version < found.version
        ):
            latest[found.duty_id] = found
    return recompute(v.duty for v in latest.values() if v.duty is not None)


def _cells(ledger: Ledger) -> dict[Any, Any]:
    return {k: (c.planned, c.on_ward, c.flexed_out, c.flexed_out_unauthorised, c.flexed_in,
                dict(+c.abstracted), dict(+c.absent), c.officers_on_duty)
            for k, c in ledger.cells.items() if c.planned or c.flexed_in or +c.absent}  # fmt: skip


class _Service:
    def __init__(self, tmp: Path, bootstrap: str, url: str) -> None:
        self.url = url
        self.env = {**os.environ, "SNT_FLEX_ENVIRONMENT": "test",
                    "SNT_FLEX_KAFKA_BOOTSTRAP": bootstrap,
                    "SNT_FLEX_HTTP_PORT": str(free_port()), "SNT_FLEX_DATABASE_URL": url,
                    "SNT_FLEX_AUTH_DATABASE_URL": f"sqlite:///{tmp / 'auth.db'}",
                    "SNT_FLEX_LOG_LEVEL": "WARNING", "SNT_FLEX_KAFKA_FETCH_MAX_WAIT_MS": "20",
                    "SNT_FLEX_UPDATE_INTERVAL_S": "3600"}  # fmt: skip
        self.log = tmp / "flex.log"

    @contextmanager
    def running(self) -> Iterator[subprocess.Popen[bytes]]:
        with self.log.open("ab") as log:
            process = subprocess.Popen([sys.executable, "-m", "services.flex"], env=self.env,
                                       stdout=subprocess.DEVNULL, stderr=log)  # fmt: skip
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(60)

    def applied(self) -> int:
        try:
            with make_engine(self.url).connect() as conn:
                return int(conn.execute(text("SELECT count(*) FROM flex_applied")).scalar_one())
        except Exception:  # no table before the first start
            return 0

    def wait_applied(self, target: int, timeout_s: float = 300) -> None:
        deadline = time.monotonic() + timeout_s
        while self.applied() < target:
            if time.monotonic() > deadline:
                tail = self.log.read_text()[-2000:] if self.log.exists() else ""
                raise AssertionError(f"only {self.applied()} of {target} applied\n{tail}")
            time.sleep(0.3)
