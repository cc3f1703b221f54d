"""End to end on the embedded stack: crimes through ingest and kpi until a ward breaches its
trajectory significantly → one signed webhook at a local receiver; acknowledging stops
repeats; cancelled crimes bring the ward back under and the resolution is sent."""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterator
from hashlib import sha256
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth.admin import create_token, open_engine
from shared.contracts.examples import example_event
from tests.e2e.test_embedded_stack import SERVICES, free_port_run, snt, state
from tests.integration.alerts.test_alerts_live import Receiver

pytestmark = pytest.mark.e2e
WARD, BOROUGH = "E05013806", "E09000033"
SIGNING_KEY = "e2e-webhook-signing-key-0123456789abcdef"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    data_dir = tmp_path_factory.mktemp("alerting") / "var"
    env = {**os.environ, "SNT_STACK_DATA_DIR": str(data_dir),
           "SNT_STACK_BROKER_PORT": str(free_port_run(1)),
           "SNT_STACK_HTTP_BASE_PORT": str(free_port_run(len(SERVICES))),
           "SNT_KPI_UPDATE_INTERVAL_S": "0.5", "SNT_ALERTS_GROUP_INTERVAL_S": "0",
           "SNT_ALERTS_TICK_INTERVAL_S": "1",
           "SNT_ALERTS_WEBHOOK_SIGNING_KEY": SIGNING_KEY}  # fmt: skip
    started = snt("up", "--detach", env=env)
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield env, data_dir
    finally:
        snt("down", env=env)


def crime(n: int, at: str) -> dict[str, Any]:
    event = example_event("crime.recorded", event_id=f"cris:e2e:{n}")
    event["payload"].update(crime_id=f"CRIS-E2E-{n}", recorded_at=at, victim_id=f"V-{n}")
    return event


def cancel(n: int) -> dict[str, Any]:
    event = example_event("crime.amended", event_id=f"cris:e2e:{n}:cancel")
    event["payload"].update(crime_id=f"CRIS-E2E-{n}", effective_at="2025-01-12T10:00:00+00:00")
    return event


def wait_for(check: Callable[[], bool], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.25)


def test_a_significant_breach_reaches_the_borough_lead_once_and_resolves(
    stack: tuple[dict[str, str], Path],
) -> None:
    _, data_dir = stack
    urls = {name: info["url"] for name, info in state(data_dir)["services"].items()}
    tokens = open_engine(f"sqlite:///{data_dir / 'auth.db'}")
    system = create_token(tokens, name="cris-feed", role="system").plain_token
    central = create_token(tokens, name="central", role="central").plain_token
    lead = create_token(tokens, name="westminster.lead", role="borough_lead",
                        boroughs=(BOROUGH,)).plain_token  # fmt: skip
    receiver = Receiver()
    as_central = {"Authorization": f"Bearer {central}"}
    made = httpx.put(f"{urls['alerts']}/v1/subscriptions/westminster", json={
        "name": "Westminster lead", "scope": "borough", "scope_code": BOROUGH,
        "channel": "webhook", "target": receiver.url("westminster"),
        "rules": ["trajectory_breach"]}, headers=as_central)  # fmt: skip
    assert made.status_code == 200, made.text
    crimes = [crime(i, "2024-01-10T10:00:00+00:00") for i in range(20)]
    crimes += [crime(100 + i, "2025-01-10T10:00:00+00:00") for i in range(60)]
    posted = httpx.post(f"{urls['ingest']}/v1/crimes/recorded/batch", json=crimes,
                        headers={"Authorization": f"Bearer {system}"}, timeout=30)  # fmt: skip
    assert posted.status_code == 200, posted.text
    assert {i["status"] for i in posted.json()["items"]} == {"accepted"}
    wait_for(lambda: len(receiver.notices()) >= 1)
    headers, body = receiver.received[0]
    expected = "sha256=" + hmac.new(SIGNING_KEY.encode(), body, sha256).hexdigest()
    assert headers["X-SNT-Signature"] == expected
    # the borough (all of whose crime is this ward's here) breaches too: its alert holds
    # back the ward's (inhibition), so the lead gets one notice, about the borough
    [notice] = receiver.notices()
    assert (notice["notice"], notice["area_code"], notice["kpi"]) == ("firing", BOROUGH, 1)
    assert notice["figures"]["value"] == 60
    held = httpx.get(f"{urls['alerts']}/v1/deliveries?status=held",
                     headers=as_central).json()["deliveries"]  # fmt: skip
    assert any(d["alert_id"].endswith(f"{WARD}:1") and "inhibited" in d["held_reason"]
               for d in held)  # fmt: skip
    ack = httpx.post(f"{urls['alerts']}/v1/alerts/{notice['alert_id']}/acknowledge",
                     json={"note": "problem-solving plan 302 opened"},
                     headers={"Authorization": f"Bearer {lead}"})  # fmt: skip
    assert ack.status_code == 200, ack.text
    cancels = [cancel(100 + i) for i in range(45)]  # 15 left against 20 last year
    posted = httpx.post(f"{urls['ingest']}/v1/crimes/amended/batch", json=cancels,
                        headers={"Authorization": f"Bearer {system}"}, timeout=30)  # fmt: skip
    assert posted.status_code == 200, posted.text
    time.sleep(3)
    posted = httpx.post(f"{urls['ingest']}/v1/crimes/amended/batch", json=[cancel(145)],
                        headers={"Authorization": f"Bearer {system}"}, timeout=30)  # fmt: skip
    wait_for(lambda: any(n["notice"] == "resolved" for n in receiver.notices()))
    kinds = [n["notice"] for n in receiver.notices()]
    assert kinds == ["firing", "resolved"]
    receiver.server.shutdown()
