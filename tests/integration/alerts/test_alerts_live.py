"""The alerts service on the real broker with a local webhook receiver: a significant
trajectory breach is delivered once, signed; a receiver that fails gets it once it recovers;
repeats stop when acknowledged; a flapping ward does not spam; two clear updates resolve it;
a silence holds notices back; a significant improvement reaches the recognition route; a
restart neither re-sends what was delivered nor loses what was pending."""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from hashlib import sha256
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer

from services.alerts.app import create_app
from services.alerts.config import AlertsSettings
from shared.auth.admin import create_token, open_engine
from shared.kafka_admin import ensure_topics
from shared.settings import load_settings
from shared.topics import TOPICS
from tests.support.services import free_port
from tests.support.tansu import running_tansu

pytestmark = pytest.mark.integration
WARD, OTHER, BOROUGH = "E05013806", "E05013807", "E09000033"
KEY = "alerts-webhook-signing-key-for-tests-0123456789"


class Receiver:
    """A webhook endpoint that records what it is sent, and fails while ``failing`` > 0."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.failing = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.failing > 0:
                    outer.failing -= 1
                    self.send_response(503)
                else:
                    outer.received.append((dict(self.headers), body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def notices(self, path: str | None = None) -> list[dict[str, Any]]:
        return [n for headers, body in self.received for n in json.loads(body)["notifications"]
                if path is None or headers.get("X-Path") == path]  # fmt: skip


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    with running_tansu() as address:
        ensure_topics(address, list(TOPICS))
        yield address


def update(n: int, *, area: str = WARD, breach: bool = True, better: bool = False) -> bytes:
    from shared.contracts.examples import example_event

    event = example_event("kpi.updated", event_id=f"kpi:{area}:1:fytd:t{n}")
    event["payload"].update(
        level="ward", area_code=area, borough_code=BOROUGH, kpi=1, period="fytd", value=130,
        last_year=100, trajectory=98.0, gap_to_trajectory=32.0 if breach else -3.0,
        significance={"test": "poisson_conditional_binomial", "null_ratio": 1.0,
                      "p_value": 0.01, "verdict": "significant_better" if better else
                      ("significant_worse" if breach else "not_significant")},
        target_significance={"test": "poisson_conditional_binomial", "null_ratio": 0.98,
                             "p_value": 0.001 if breach else 0.6,
                             "verdict": "significant_worse" if breach else "not_significant"},
    )  # fmt: skip
    return json.dumps(event).encode()


def produce(bootstrap: str, *raws: bytes) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for raw in raws:
        producer.send("snt.kpi.updates.v1", raw, key=WARD.encode())
    producer.flush()
    producer.close()


def wait_for(check: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def test_breach_delivery_ack_flapping_resolution_silence_recognition_and_restart(
    bootstrap: str, tmp_path: Path
) -> None:
    receiver = Receiver()
    receiver.failing = 1  # the first attempt fails: delivered on the retry, once
    env = {"SNT_ALERTS_ENVIRONMENT": "test", "SNT_ALERTS_KAFKA_BOOTSTRAP": bootstrap,
           "SNT_ALERTS_KAFKA_FETCH_MAX_WAIT_MS": "20", "SNT_ALERTS_GROUP_INTERVAL_S": "0",
           "SNT_ALERTS_TICK_INTERVAL_S": "0.5", "SNT_ALERTS_WEBHOOK_SIGNING_KEY": KEY,
           "SNT_ALERTS_DATABASE_URL": f"sqlite:///{tmp_path / 'alerts.db'}",
           "SNT_ALERTS_AUTH_DATABASE_URL": f"sqlite:///{tmp_path / 'auth.db'}",
           "SNT_ALERTS_CONSUMER_GROUP": f"alerts-{tmp_path.name}",
           # the webhook receiver listens on this machine: loopback allowed explicitly
           "SNT_ALERTS_WEBHOOK_LOOPBACK": "true"}  # fmt: skip
    auth = open_engine(env["SNT_ALERTS_AUTH_DATABASE_URL"])
    central = create_token(auth, name="central", role="central").plain_token
    lead = create_token(auth, name="westminster.lead", role="borough_lead",
                        boroughs=(BOROUGH,)).plain_token  # fmt: skip
    settings = load_settings(AlertsSettings, env)
    with TestClient(create_app(settings)) as client:

        def call(method: str, path: str, who: str = central, **kw: Any) -> Any:
            return client.request(method, path, headers={"Authorization": f"Bearer {who}"}, **kw)

        for sub_id, recognition in (("westminster", False), ("recognition", True)):
            made = call("PUT", f"/v1/subscriptions/{sub_id}", json={
                "name": sub_id, "scope": "borough", "scope_code": BOROUGH,
                "channel": "webhook", "target": receiver.url(sub_id),
                "recognition": recognition, "push_severity": "info"})  # fmt: skip
            assert made.status_code == 200, made.text
        produce(bootstrap, update(1), update(2))  # the same breach twice: one notice
        wait_for(lambda: len(receiver.notices()) >= 1)
        headers, body = receiver.received[0]
        assert headers["X-SNT-Signature"] == "sha256=" + hmac.new(KEY.encode(), body,
                                                                    sha256).hexdigest()  # fmt: skip
        [notice] = receiver.notices()
        assert (notice["notice"], notice["rule_id"], notice["area_code"]) == (
            "firing", "trajectory_breach", WARD)  # fmt: skip
        assert notice["fired_by"][0]["topic"] == "snt.kpi.updates.v1"
        assert notice["figures"]["target_p_value"] == 0.001
        alert_id = notice["alert_id"]
        log = call("GET", f"/v1/deliveries?alert_id={alert_id}").json()["deliveries"]
        mine = [d for d in log if d["subscription_id"] == "westminster"]
        assert (mine[0]["status"], mine[0]["attempts"]) == ("delivered", 2)
        acked = call("POST", f"/v1/alerts/{alert_id}/acknowledge", lead,
                     json={"note": "extra patrols agreed"})  # fmt: skip
        assert acked.status_code == 200, acked.text
        assert acked.json()["state"] == "acknowledged"
        assert acked.json()["acknowledged_by"] == "westminster.lead"
        produce(
            bootstrap, update(3, breach=False), update(4), update(5, breach=False), update(6)
        )  # flapping: never two clear updates in a row
        time.sleep(2)
        assert len(receiver.notices()) == 1
        produce(bootstrap, update(7, breach=False), update(8, breach=False))
        wait_for(lambda: any(n["notice"] == "resolved" for n in receiver.notices()))
        silence = call("POST", "/v1/silences", lead, json={
            "reason": "planned public order event", "hours": 2, "borough_code": BOROUGH,
            "rule_id": "trajectory_breach"})  # fmt: skip
        assert silence.status_code == 201, silence.text
        produce(bootstrap, update(9, area=OTHER))
        wait_for(lambda: any(d["status"] == "held" for d in call(
            "GET", "/v1/deliveries?status=held").json()["deliveries"]))  # fmt: skip
        produce(bootstrap, update(10, area=OTHER, breach=False, better=True))
        wait_for(lambda: len(receiver.notices()) >= 3)
        receiver.failing = 10**6  # the receiver goes down
        produce(bootstrap, update(11, area="E05013808", breach=False, better=True))

        def pending_recognition() -> bool:
            log = call("GET", "/v1/deliveries?status=pending").json()["deliveries"]
            return any(d["subscription_id"] == "recognition" for d in log)

        wait_for(pending_recognition)
    kinds = [(n["notice"], n["rule_id"], n["area_code"]) for n in receiver.notices()]
    assert kinds.count(("firing", "trajectory_breach", WARD)) == 1
    assert ("firing", "significant_improvement", OTHER) in kinds
    assert ("firing", "trajectory_breach", OTHER) not in kinds  # silenced
    delivered_before = len(receiver.received)
    receiver.failing = 0  # it recovers; the service restarts on the same database
    with TestClient(create_app(settings)):
        wait_for(lambda: any(n["area_code"] == "E05013808" for n in receiver.notices()))
        time.sleep(1.5)
    keys = [n["idempotency_key"] for n in receiver.notices()]
    assert len(keys) == len(set(keys))  # nothing delivered twice
    assert len(receiver.received) == delivered_before + 1
    receiver.server.shutdown()
