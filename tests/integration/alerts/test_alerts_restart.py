"""SIGKILL the alerts service while it raises and delivers alerts for the wards of eleven
London boroughs (a third of London), three times: after a last restart every notice has been
delivered (nothing pending lost), each one recorded as delivered once, and a message was sent
twice at most once per kill (the one in flight when the process died; its idempotency keys
let the receiver drop it)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from kafka import KafkaProducer
from sqlalchemy import text

from services.alerts.domain.routing import Subscription
from services.alerts.store.sql import SqlAlertsStore, create_schema
from shared.contracts.examples import example_event
from shared.db import make_engine
from shared.kafka_admin import ensure_topics
from shared.reference import load_reference
from shared.topics import TOPICS
from tests.integration.alerts.test_alerts_live import KEY, Receiver
from tests.support.services import free_port
from tests.support.tansu import running_tansu

pytestmark = pytest.mark.integration
KILLS = 3


def breach(ward: str, borough: str) -> bytes:
    event = example_event("kpi.updated", event_id=f"kpi:{ward}:1:fytd:restart")
    event["payload"].update(
        level="ward", area_code=ward, borough_code=borough, kpi=1, period="fytd", value=130,
        gap_to_trajectory=30.0, target_significance={
            "test": "poisson_conditional_binomial", "null_ratio": 0.98, "p_value": 0.001,
            "verdict": "significant_worse"})  # fmt: skip
    return json.dumps(event).encode()


def test_sigkills_lose_nothing_pending_and_resend_nothing_delivered(tmp_path: Path) -> None:
    reference = load_reference()
    chosen = sorted(b.code for b in reference.boroughs())[::3]  # 11 boroughs, about 230 wards
    wards = [(w.code, w.borough_code) for b in chosen for w in reference.wards("2022", b)]
    receiver = Receiver()
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    engine = make_engine(url)
    create_schema(engine)
    store = SqlAlertsStore(engine)
    boroughs = sorted({b for _, b in wards})
    for b in boroughs:  # every borough lead on a webhook
        store.put_subscription(Subscription(f"lead-{b}", f"lead {b}", "borough", b, "webhook",
                                            receiver.url(b), push_severity="warning"))  # fmt: skip
    with running_tansu() as bootstrap:
        ensure_topics(bootstrap, list(TOPICS))
        producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=20)
        for ward, borough in wards:
            producer.send("snt.kpi.updates.v1", breach(ward, borough), key=ward.encode())
        producer.flush()
        producer.close()
        service = _Service(tmp_path, bootstrap, url)
        for target in (len(wards) // 5, len(wards) // 2, 4 * len(wards) // 5):
            with service.running() as process:
                service.wait("SELECT count(*) FROM alert_delivery WHERE status = 'delivered' "
                             "AND subscription_id LIKE 'lead-%'", target)  # fmt: skip
                process.send_signal(signal.SIGKILL)
                process.wait(30)
        with service.running():
            service.wait(
                "SELECT count(*) FROM alert_delivery WHERE status = 'delivered'", 2 * len(wards)
            )  # every lead's notice and every topic notice
    log = store.log(limit=10_000)
    assert len(log) == 2 * len(wards)
    assert {d.status for d in log} == {"delivered"}
    received = Counter(n["idempotency_key"] for n in receiver.notices())
    leads = {d.key for d in log if d.subscription_id.startswith("lead-")}
    assert set(received) == leads  # nothing lost
    messages = Counter(json.loads(body)["idempotency_key"] for _, body in receiver.received)
    assert sum(n - 1 for n in messages.values()) <= KILLS  # only what was in flight
    receiver.server.shutdown()


class _Service:
    def __init__(self, tmp: Path, bootstrap: str, url: str) -> None:
        self.url = url
        self.log = tmp / "alerts.log"
        self.env = {**os.environ, "SNT_ALERTS_ENVIRONMENT": "test",
                    "SNT_ALERTS_KAFKA_BOOTSTRAP": bootstrap,
                    "SNT_ALERTS_HTTP_PORT": str(free_port()), "SNT_ALERTS_DATABASE_URL": url,
                    "SNT_ALERTS_AUTH_DATABASE_URL": f"sqlite:///{tmp / 'auth.db'}",
                    "SNT_ALERTS_WEBHOOK_SIGNING_KEY": KEY, "SNT_ALERTS_LOG_LEVEL": "WARNING",
                    "SNT_ALERTS_KAFKA_FETCH_MAX_WAIT_MS": "20",
                    "SNT_ALERTS_GROUP_INTERVAL_S": "0", "SNT_ALERTS_DAILY_CAP": "1000"}  # fmt: skip

    @contextmanager
    def running(self) -> Iterator[subprocess.Popen[bytes]]:
        with self.log.open("ab") as log:
            process = subprocess.Popen([sys.executable, "-m", "services.alerts"], env=self.env,
                                       stdout=subprocess.DEVNULL, stderr=log)  # fmt: skip
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(60)

    def wait(self, query: str, target: int, timeout_s: float = 240) -> None:
        deadline = time.monotonic() + timeout_s
        while self._count(query) < target:
            if time.monotonic() > deadline:
                tail = self.log.read_text()[-2000:] if self.log.exists() else ""
                raise AssertionError(f"{self._count(query)} of {target}: {query}\n{tail}")
            time.sleep(0.05)

    def _count(self, query: str) -> int:
        try:
            with make_engine(self.url).connect() as conn:
                return int(conn.execute(text(query)).scalar_one())
        except Exception:
            return 0
