"""Ingest benchmark: bulk import end to end, and HTTP single-event latency at 200 req/s.

Bulk: the real MPS ward file (448,968 cells → 315,576 count events) parsed, validated,
resolved, classified and stored with the outbox, then published to a local broker by the
outbox relay. HTTP: the ingest service as its own process; crime events posted one by one
at 200 requests/s, latency measured at the client.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from snt.bench.harness import peak_rss_mib

WARD_FILE = "mps_recorded_crime/ward_most_recent_24m_202401-202512.csv"
KEY = "bench-pseudonymisation-key-0123456789"
RATE = 200
REQUESTS = 2000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def shared_data() -> Path:
    default = Path.cwd().parent / "shared" / "data"
    return Path(os.environ.get("SNT_BENCH_DATA", str(default)))


def run() -> dict[str, Any]:
    from shared.kafka_admin import ensure_topics
    from shared.topics import TOPICS
    from snt.tansu import start_tansu, stop_process

    port = free_port()
    broker = start_tansu(port)
    try:
        ensure_topics(f"127.0.0.1:{port}", list(TOPICS))
        with tempfile.TemporaryDirectory(prefix="snt-bench-") as tmp:
            figures = bulk(Path(tmp), f"127.0.0.1:{port}")
            figures |= http_latency(Path(tmp), f"127.0.0.1:{port}")
    finally:
        stop_process(broker)
    return figures | {"peak_rss_mib": round(peak_rss_mib(), 1)}


def bulk(tmp: Path, bootstrap: str) -> dict[str, Any]:
    from services.ingest.bulk import run_import
    from snt.ingest_setup import bulk_pipeline

    env = {"SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp / 'bulk.db'}",
           "SNT_INGEST_PSEUDONYMISATION_KEY": KEY}  # fmt: skip
    pipeline, reference = bulk_pipeline(None, env)
    started = time.perf_counter()
    summary = run_import(pipeline, "mps-ward-csv", shared_data() / WARD_FILE, reference)
    stored_s = time.perf_counter() - started
    published, publish_s = asyncio.run(publish_all(env["SNT_INGEST_DATABASE_URL"], bootstrap))
    total_s = time.perf_counter() - started
    return {
        "bulk_rows": summary.read,
        "bulk_events": summary.published,
        "bulk_store_events_per_s": round(summary.published / stored_s),
        "bulk_publish_events_per_s": round(published / publish_s),
        "bulk_end_to_end_events_per_s": round(summary.published / total_s),
        "bulk_end_to_end_s": round(total_s, 1),
    }


async def publish_all(database_url: str, bootstrap: str) -> tuple[int, float]:
    from faststream.kafka import KafkaBroker
    from prometheus_client import CollectorRegistry

    from services.ingest.app import kafka_sender
    from services.ingest.metrics import IngestMetrics
    from services.ingest.outbox import OutboxRelay
    from services.ingest.store.sql import SqlIngestStore
    from shared.db import make_engine

    store = SqlIngestStore(make_engine(database_url))
    broker = KafkaBroker(bootstrap)
    await broker.start()
    relay = OutboxRelay(store, kafka_sender(broker), IngestMetrics(CollectorRegistry()), batch=5000)
    started, sent = time.perf_counter(), 0
    try:
        while count := await relay.drain_once():
            sent += count
    finally:
        await broker.stop()
    return sent, time.perf_counter() - started


def http_latency(tmp: Path, bootstrap: str) -> dict[str, Any]:
    from shared.auth.admin import create_token, open_engine

    port = free_port()
    auth_url = f"sqlite:///{tmp / 'auth.db'}"
    token = create_token(open_engine(auth_url), name="bench", role="system").plain_token
    env = {**os.environ, "SNT_INGEST_KAFKA_BOOTSTRAP": bootstrap,
           "SNT_INGEST_HTTP_PORT": str(port), "SNT_INGEST_LOG_LEVEL": "WARNING",
           "SNT_INGEST_DATABASE_URL": f"sqlite:///{tmp / 'http.db'}",
           "SNT_INGEST_AUTH_DATABASE_URL": auth_url,
           "SNT_INGEST_KAFKA_FETCH_MAX_WAIT_MS": "50"}  # fmt: skip
    service = subprocess.Popen([sys.executable, "-m", "services.ingest"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_ready(url)
        latencies = _paced_posts(url, token)
    finally:
        service.terminate()
        service.wait(30)
    ordered = sorted(latencies)
    return {
        "http_requests": len(latencies),
        "http_rate_per_s": RATE,
        "http_p50_ms": round(statistics.median(ordered) * 1000, 2),
        "http_p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
        "http_max_ms": round(ordered[-1] * 1000, 2),
    }


def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("ingest did not become ready")


def _paced_posts(url: str, token: str) -> list[float]:
    from shared.contracts.examples import example_event

    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    with httpx.Client(base_url=url, headers=headers, timeout=5) as client:
        start = time.perf_counter()
        for n in range(REQUESTS):
            event = example_event("crime.recorded", event_id=f"bench:{n}")
            event["payload"]["crime_id"] = f"BENCH-{n}"
            body = json.dumps(event)
            due = start + n / RATE
            time.sleep(max(0.0, due - time.perf_counter()))
            sent = time.perf_counter()
            reply = client.post("/v1/crimes/recorded", content=body)
            latencies.append(time.perf_counter() - sent)
            if reply.status_code != 202:
                raise RuntimeError(f"unexpected {reply.status_code}: {reply.text[:200]}")
    return latencies
