"""Alerts benchmark: end-to-end latency from a crime accepted by ingest to the webhook that
tells the borough lead, at a sustained 200 events/s across London wards.

The embedded stack (local broker and every service; SQLite) runs with the KPI update
interval at 50 ms and the alert grouping interval at zero. Every London ward gets crimes one
at a time, round-robin, at 200 per second, all on one day of a year with none the year
before, so each ward and each borough breaches its trajectory significantly after a handful
of crimes. A local webhook receiver takes every borough's notices (the lead subscribes to
the whole MPS). A notice carries the count that made it fire; the latency of a notice is its
arrival time less the time ingest accepted the crime that brought its area to that count.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from snt.bench.ingest import free_port
from snt.config import SERVICES

RATE = 200
PER_WARD = 8
DAY = "2025-06-10T10:00:00+01:00"
TARGET_P99_MS = 250.0


def run() -> dict[str, Any]:
    from shared.auth.admin import create_token, open_engine
    from shared.reference import load_reference

    wards = [(w.code, w.borough_code) for w in load_reference().wards("2022")]
    arrivals: list[tuple[float, dict[str, Any]]] = []
    receiver = _receiver(arrivals)
    with tempfile.TemporaryDirectory(prefix="snt-bench-alerts-") as tmp:
        data_dir = Path(tmp) / "var"
        env = {**os.environ, "SNT_STACK_DATA_DIR": str(data_dir),
               "SNT_STACK_BROKER_PORT": str(free_port()),
               "SNT_STACK_HTTP_BASE_PORT": str(_port_run()),
               "SNT_KPI_UPDATE_INTERVAL_S": "0.05", "SNT_ALERTS_GROUP_INTERVAL_S": "0",
               "SNT_ALERTS_DAILY_CAP": "1000",
               "SNT_ALERTS_TICK_INTERVAL_S": "5",
               # only the benchmark's own crimes: no bundled London data, no live feed
               "SNT_STACK_EMPTY": "1", "SNT_STACK_LIVE": "0",
               # the webhook receiver listens on this machine: loopback allowed explicitly
               "SNT_ALERTS_WEBHOOK_LOOPBACK": "true"}  # fmt: skip
        try:
            _snt(env, "up", "--detach")
        except RuntimeError as exc:
            log = data_dir / "logs" / "stack.log"
            raise RuntimeError(f"{exc}\n{log.read_text()[-3000:] if log.exists() else ''}") from exc
        try:
            stack = json.loads((data_dir / "stack.json").read_text())
            urls = {n: i["url"] for n, i in stack["services"].items()}
            auth = open_engine(f"sqlite:///{data_dir / 'auth.db'}")
            system = create_token(auth, name="bench-feed", role="system").plain_token
            central = create_token(auth, name="bench-central", role="central").plain_token
            httpx.put(f"{urls['alerts']}/v1/subscriptions/bench", json={
                "name": "bench", "scope": "mps", "scope_code": "MPS", "channel": "webhook",
                "target": f"http://127.0.0.1:{receiver.server_port}/",
                "rules": ["trajectory_breach"], "push_severity": "warning"},
                headers={"Authorization": f"Bearer {central}"}).raise_for_status()  # fmt: skip
            accepted = _feed(urls["ingest"], system, wards)
            time.sleep(5)  # the last notices arrive
        finally:
            _snt(env, "down")
            receiver.shutdown()
    return _figures(accepted, arrivals, wards)


def _feed(ingest: str, token: str, wards: list[tuple[str, str]]) -> dict[tuple[str, int], float]:
    """Post the crimes at RATE per second; (area, count reached) → time accepted."""
    from shared.contracts.examples import example_event

    counts: dict[str, int] = defaultdict(int)
    accepted: dict[tuple[str, int], float] = {}
    client = httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10)
    start = time.perf_counter()
    n = 0
    for round_ in range(PER_WARD):
        for ward, borough in wards:
            event = example_event("crime.recorded", event_id=f"cris:bench:{ward}:{round_}")
            event["payload"].update(
                crime_id=f"CRIS-B-{ward}-{round_}", recorded_at=DAY,
                location={"ward_code": ward}, victim_id=f"V-{ward}-{round_}",
            )  # fmt: skip
            due = start + n / RATE
            if (wait := due - time.perf_counter()) > 0:
                time.sleep(wait)
            reply = client.post(f"{ingest}/v1/crimes/recorded", json=event)
            reply.raise_for_status()
            at = time.time()
            for area in (ward, borough):
                counts[area] += 1
                accepted[(area, counts[area])] = at
            n += 1
    client.close()
    return accepted


def _figures(accepted: dict[tuple[str, int], float], arrivals: list[tuple[float, dict[str, Any]]],
             wards: list[tuple[str, str]]) -> dict[str, Any]:  # fmt: skip
    latencies = []
    for at, notice in arrivals:
        if notice["notice"] != "firing":
            continue
        sent = accepted.get((notice["area_code"], int(notice["figures"]["value"])))
        if sent is not None:
            latencies.append(1000 * (at - sent))
    latencies.sort()
    if not latencies:
        raise AssertionError("no alert arrived")

    def pct(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))], 1)

    return {
        "events": len(wards) * PER_WARD, "rate_events_per_s": RATE, "notices": len(latencies),
        "latency_p50_ms": pct(0.50), "latency_p95_ms": pct(0.95), "latency_p99_ms": pct(0.99),
        "latency_max_ms": round(latencies[-1], 1),
        "latency_mean_ms": round(statistics.fmean(latencies), 1),
        "target_p99_ms": TARGET_P99_MS, "target_met": pct(0.99) < TARGET_P99_MS,
    }  # fmt: skip


def _receiver(arrivals: list[tuple[float, dict[str, Any]]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            at = time.time()
            arrivals.extend((at, n) for n in json.loads(body)["notifications"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _port_run() -> int:
    import socket

    for _ in range(50):
        base = free_port()
        ok = True
        for i in range(len(SERVICES)):
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", base + i))
                except OSError:
                    ok = False
        if ok and base + len(SERVICES) < 65000:
            return base
    raise RuntimeError("no run of free ports")


def _snt(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "snt", *args], env=env, capture_output=True,
                          text=True, timeout=180, check=False)  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"snt {' '.join(args)} failed: {done.stdout}{done.stderr}")
