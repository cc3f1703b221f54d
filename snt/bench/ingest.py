"""Ingest benchmark: bulk import end to end, and HTTP single-event latency at 200 req/s.

Bulk: the real MPS ward file (448,968 cells → 315,576 count events) parsed, validated,
resolved, classified and stored with the outbox by the import command, while the ingest
service (its own process, as in the embedded stack) publishes them to a local broker through
its outbox relay. HTTP: crime events posted one by one to that service at 200 requests/s,
latency measured at the client.
"""

from __future__ import annotations

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
TARGET_EVENTS_PER_S = 20_000
TARGET_P99_MS = 20.0
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
    bootstrap = f"127.0.0.1:{port}"
    try:
        ensure_topics(bootstrap, list(TOPICS))
        with (
            tempfile.TemporaryDirectory(prefix="snt-bench-") as tmp,
            IngestProcess(Path(tmp), bootstrap) as service,
        ):
            figures = bulk(service) | http_latency(service)
    finally:
        stop_process(broker)
    return figures | {
        "peak_rss_mib_bench_process": round(peak_rss_mib(), 1),
        "target_bulk_end_to_end_events_per_s": TARGET_EVENTS_PER_S,
        "target_http_p99_ms": TARGET_P99_MS,
        "targets_met": figures["bulk_end_to_end_events_per_s"] >= TARGET_EVENTS_PER_S
        and figures["http_p99_ms"] < TARGET_P99_MS,
    }


class IngestProcess:
    """The ingest service as its own process, on a store the import command shares."""

    def __init__(self, tmp: Path, bootstrap: str) -> None:
        from shared.auth.admin import create_token, open_engine

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = f"sqlite:///{tmp / 'ingest.db'}"
        auth_url = f"sqlite:///{tmp / 'auth.db'}"
        self.token = create_token(open_engine(auth_url), name="bench", role="system").plain_token
        self.env = {**os.environ, "SNT_INGEST_KAFKA_BOOTSTRAP": bootstrap,
                    "SNT_INGEST_HTTP_PORT": str(self.port), "SNT_INGEST_LOG_LEVEL": "WARNING",
                    "SNT_INGEST_DATABASE_URL": self.database_url,
                    "SNT_INGEST_AUTH_DATABASE_URL": auth_url,
                    "SNT_INGEST_PSEUDONYMISATION_KEY": KEY, "SNT_INGEST_OUTBOX_BATCH": "5000",
                    "SNT_INGEST_KAFKA_FETCH_MAX_WAIT_MS": "50"}  # fmt: skip
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> IngestProcess:
        command = [sys.executable, "-m", "services.ingest"]
        self._process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL)  # fmt: skip
        _wait_ready(self.url)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(30)

    def published(self) -> int:
        """Events the service's relay has had the broker acknowledge (its own metric)."""
        text = httpx.get(f"{self.url}/metrics", timeout=5).text
        return round(sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                         if line.startswith("snt_ingest_published_total{")))  # fmt: skip


def bulk(service: IngestProcess) -> dict[str, Any]:
    """The import command stores while the running service's relay publishes, as in the
    embedded stack; end to end = from the first row read to the last event acknowledged."""
    from services.ingest.bulk import run_import
    from snt.ingest_setup import bulk_pipeline

    env = {"SNT_INGEST_DATABASE_URL": service.database_url,
           "SNT_INGEST_PSEUDONYMISATION_KEY": KEY}  # fmt: skip
    pipeline, reference = bulk_pipeline(None, env)
    before = service.published()
    started = time.perf_counter()
    summary = run_import(pipeline, "mps-ward-csv", shared_data() / WARD_FILE, reference)
    stored_s = time.perf_counter() - started
    deadline = time.monotonic() + 600
    while (published := service.published() - before) < summary.published:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {published} of {summary.published} events published")
        time.sleep(0.05)
    total_s = time.perf_counter() - started
    return {
        "bulk_file": WARD_FILE,
        "bulk_rows": summary.read,
        "bulk_events": summary.published,
        "bulk_events_published": published,
        "bulk_store_s": round(stored_s, 2),
        "bulk_store_events_per_s": round(summary.published / stored_s),
        "bulk_end_to_end_s": round(total_s, 2),
        "bulk_end_to_end_events_per_s": round(summary.published / total_s),
    }


def http_latency(service: IngestProcess) -> dict[str, Any]:
    latencies = _paced_posts(service.url, service.token)
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
