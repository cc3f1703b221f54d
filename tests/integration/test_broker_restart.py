"""Accepted means applied: the broker (memory storage, as `snt up` runs it) SIGKILLed and
restarted on the same port while crimes and duty changes are posted to ingest, several times,
then every service and the broker stopped and started again: kpi and flex each apply every
accepted event exactly once (`snt kpi verify` / `snt flex verify` find no difference), the
alerts service evaluates every figure and exception kpi and flex published on the broker's
current log (`snt alerts verify`), and while the broker is away `verify` reports the events not
yet applied and exits non-zero.

CI runs a bounded sample (4,000 crimes, two kills); ``SNT_SOAK=1`` runs the full scenario
(20,000 crimes, five kills).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from services.ingest.app import create_app
from services.ingest.config import IngestSettings
from shared.auth.admin import create_token, open_engine
from shared.contracts.examples import example_event
from shared.db import make_engine
from shared.kafka_admin import ensure_topics
from shared.settings import load_settings
from shared.topics import TOPICS
from snt.tansu import start_tansu, stop_process, tansu_binary
from tests.integration.ingest.test_ingest_live import crime
from tests.support.services import free_port

pytestmark = pytest.mark.integration
SOAK = os.environ.get("SNT_SOAK") == "1"
CRIMES = 20_000 if SOAK else 4_000
KILLS = 5 if SOAK else 2
DUTIES_PER_BATCH = 10
BATCH = 250
CONSUMERS = ("kpi", "flex", "alerts")


def duty(n: int) -> dict[str, Any]:
    event = example_event("duty.changed", event_id=f"carm3:it:{n}", source="carm3")
    event["payload"]["duty_id"] = f"D-IT-{n}"
    return event


class _Broker:
    """tansu on a fixed port: SIGKILLed and started again, it comes back with an empty log."""

    def __init__(self) -> None:
        self.port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        process = start_tansu(self.port, binary=tansu_binary())
        ensure_topics(self.bootstrap, list(TOPICS))
        return process

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def restart(self) -> None:
        self.process = self._start()

    def stop(self) -> None:
        stop_process(self.process, timeout_s=5)


class _Stack:
    """ingest in-process (HTTP), kpi, flex and alerts as their own processes, one data dir."""

    def __init__(self, tmp: Path, bootstrap: str) -> None:
        self.tmp, self.bootstrap = tmp, bootstrap
        self.urls = {s: f"sqlite:///{tmp / f'{s}.db'}"
                     for s in ("ingest", "kpi", "flex", "alerts", "auth")}  # fmt: skip
        token = create_token(open_engine(self.urls["auth"]), name="it", role="system")
        self.token = token.plain_token
        self.processes: list[subprocess.Popen[bytes]] = []
        self.ports = {s: free_port() for s in ("ingest", *CONSUMERS)}

    def env(self, service: str) -> dict[str, str]:
        p = f"SNT_{service.upper()}_"
        env = {p + "ENVIRONMENT": "test", p + "KAFKA_BOOTSTRAP": self.bootstrap,
               p + "KAFKA_FETCH_MAX_WAIT_MS": "20", p + "DATABASE_URL": self.urls[service],
               p + "AUTH_DATABASE_URL": self.urls["auth"], p + "LOG_LEVEL": "WARNING",
               p + "HTTP_PORT": str(self.ports[service])}  # fmt: skip
        if service in ("kpi", "flex"):
            env[p + "UPDATE_INTERVAL_S"] = "2"
        if service == "alerts":
            env[p + "WEBHOOK_SIGNING_KEY"] = "restart-signing-key-" + "s" * 16
        return env

    def ready(self) -> bool:
        for service in CONSUMERS:
            try:
                url = f"http://127.0.0.1:{self.ports[service]}/readyz"
                if httpx.get(url, timeout=2).status_code != 200:
                    return False
            except httpx.HTTPError:
                return False
        return True

    @contextmanager
    def consumers(self) -> Iterator[None]:
        logs = [(self.tmp / f"{s}.log").open("ab") for s in CONSUMERS]
        self.processes = [
            subprocess.Popen([sys.executable, "-m", f"services.{s}"],
                             env={**os.environ, **self.env(s)}, stdout=log, stderr=log)
            for s, log in zip(CONSUMERS, logs, strict=True)
        ]  # fmt: skip
        try:
            assert _wait(self.ready, 120), "kpi, flex and alerts did not start"
            yield
        finally:
            for process in self.processes:
                process.terminate()
                process.wait(60)
            for log in logs:
                log.close()

    @contextmanager
    def ingest(self) -> Iterator[TestClient]:
        env = {**self.env("ingest"), "SNT_INGEST_PSEUDONYMISATION_KEY": "restart-key-" + "r" * 28}
        with TestClient(create_app(load_settings(IngestSettings, env))) as http:
            http.headers["Authorization"] = f"Bearer {self.token}"
            yield http

    def verify(self, what: str, settle: float) -> tuple[int, str]:
        env = {"SNT_INGEST_DATABASE_URL": self.urls["ingest"],
               f"SNT_{what.upper()}_DATABASE_URL": self.urls[what],
               f"SNT_{what.upper()}_KAFKA_BOOTSTRAP": self.bootstrap}  # fmt: skip
        command = [sys.executable, "-m", "snt", what, "verify", "--settle", str(settle)]
        found = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True,
                               timeout=settle + 120, check=False)  # fmt: skip
        return found.returncode, found.stdout + found.stderr

    def kpi_applied(self) -> int:
        try:
            with make_engine(self.urls["kpi"]).connect() as conn:
                return int(conn.execute(text("SELECT count(*) FROM kpi_applied")).scalar_one())
        except OperationalError:
            return 0


def _post(http: TestClient, start: int) -> None:
    crimes = [crime(n) for n in range(start, start + BATCH)]
    duties = [duty(n) for n in range(start, start + DUTIES_PER_BATCH)]
    for path, body in (("crimes/recorded", crimes), ("carm3/duty-changes", duties)):
        reply = http.post(f"/v1/{path}/batch", json=body)
        assert reply.status_code == 200, reply.text
        assert reply.json()["counts"] == {"accepted": len(body)}, reply.text[:500]


def _wait(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _field(output: str, name: str) -> int:
    [line] = [x for x in output.splitlines() if x.startswith(name + " ")]
    return int(line.split()[-1])


@pytest.mark.timeout(1200 if SOAK else 600)
def test_broker_restarts_lose_no_accepted_event_and_double_none(tmp_path: Path) -> None:
    rnd = random.Random(20260301)
    batches = list(range(0, CRIMES, BATCH))
    kills = sorted(rnd.sample(batches[1:-1], KILLS))
    broker = _Broker()
    stack = _Stack(tmp_path, broker.bootstrap)
    gap_reports: list[tuple[int, str]] = []
    try:
        with stack.consumers(), stack.ingest() as http:
            for start in batches:
                _post(http, start)
                if start in kills:
                    broker.kill()
                    _post(http, start + CRIMES)  # accepted while the broker is away
                    gap_reports.append(stack.verify("kpi", settle=0))
                    broker.restart()
            assert _wait(lambda: stack.kpi_applied() >= CRIMES, 240), "kpi did not catch up"
        broker.kill()  # the whole stack down and up: a new, empty broker log
        broker.restart()
        with stack.consumers(), stack.ingest() as http:
            _post(http, 3 * CRIMES)
            kpi = stack.verify("kpi", settle=180)
            flex = stack.verify("flex", settle=60)
            alerts = stack.verify("alerts", settle=60)
    finally:
        broker.stop()
    for code, output in gap_reports:
        assert code == 1, output
        assert _field(output, "events_not_yet_applied") > 0, output
    assert kpi[0] == 0, kpi[1]
    accepted = _field(kpi[1], "events_accepted")  # a crime's count events: one or more
    assert accepted >= CRIMES + BATCH * (KILLS + 1)
    assert _field(kpi[1], "differences") == 0
    assert stack.kpi_applied() == accepted  # each accepted event applied, once
    duties = DUTIES_PER_BATCH * (len(batches) + KILLS + 1)
    assert flex[0] == 0, flex[1]
    assert (_field(flex[1], "events_accepted"), _field(flex[1], "differences")) == (duties, 0)
    # kpi and flex published every figure again on the new log; alerts evaluated each one
    assert alerts[0] == 0, alerts[1]
    assert _field(alerts[1], "events_on_log") > 0, alerts[1]
    assert _field(alerts[1], "differences") == 0, alerts[1]
