"""The measurements of the kpi benchmark (see :mod:`snt.bench.kpi`)."""

from __future__ import annotations

import gc
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from snt.bench.kpi_events import Synthetic, synthetic_events, wards

BATCH = 5000
LIVE_EVENTS = 20_000
"""Events held back from the pre-loaded ones, sent one at a time during the live queries."""
LIVE_RATE = 10
"""Events a second during the live queries: fifty times the MPS's average (about 6M crime,
ASB and CAD events a year), four times what all of England and Wales would average."""
GROUPS = ("violence", "property", "asb")


def fold_rates(count: int) -> dict[str, Any]:
    """Decode, in-memory fold and full Folder.fold rates over ``count`` synthetic events."""
    from services.kpi.codec import decode_change as decode
    from services.kpi.domain.state import MPS, KpiState

    events = list(synthetic_events(count))
    started = time.perf_counter()
    changes = [c for e in events if (c := decode(e.value)) is not None]
    decode_s = time.perf_counter() - started
    batches = [changes[i : i + BATCH] for i in range(0, len(changes), BATCH)]
    timings, state = [], KpiState()
    with quiet_collector():
        for _ in range(3):
            state = KpiState()
            started = time.perf_counter()
            for batch in batches:
                state.apply(state.net(batch))
            timings.append(time.perf_counter() - started)
    expected = {g: sum(c.delta for c in changes if c.group == g and c.unit.kind != "borough_total")
                for g in GROUPS}  # fmt: skip
    held = {g: state.total(MPS, g, 0, 20_000) for g in GROUPS}
    if held != expected:
        raise RuntimeError(f"the fold's MPS totals {held} differ from the events' {expected}")
    with quiet_collector():
        full = _full_fold_rate(events[:200_000])
    return {
        "fold_events": len(changes),
        "decode_events_per_s": round(len(changes) / decode_s),
        "fold_events_per_s": round(len(changes) / min(timings)),
        "full_fold_sqlite_events": full[0],
        "full_fold_sqlite_events_per_s": full[1],
        "mps_totals_checked": held,
    }


@contextmanager
def quiet_collector() -> Iterator[None]:
    """The collector as the kpi service runs it (:mod:`shared.heap`): what is held so far —
    here the benchmark's million decoded input events — is left out of the cyclic garbage
    collector's passes, and the youngest generation is collected as seldom as the service
    collects it."""
    from shared.heap import collect_for_batches, freeze_static

    threshold = gc.get_threshold()
    freeze_static()
    collect_for_batches()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def _full_fold_rate(events: Sequence[Synthetic]) -> tuple[int, int]:
    from services.kpi.app import SQLITE_CACHE_MIB
    from services.kpi.domain.state import KpiState
    from services.kpi.fold import Folder, Record
    from services.kpi.store.sql import SqlKpiStore, create_schema
    from shared.db import make_engine

    with tempfile.TemporaryDirectory(prefix="snt-bench-kpi-") as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'kpi.db'}", sqlite_cache_mib=SQLITE_CACHE_MIB)
        create_schema(engine)
        folder = Folder(SqlKpiStore(engine), KpiState())
        records = [Record(e.topic, 0, i, e.value) for i, e in enumerate(events)]
        started = time.perf_counter()
        applied = sum(folder.fold(records[i : i + BATCH]).applied
                      for i in range(0, len(records), BATCH))  # fmt: skip
        took = time.perf_counter() - started
        engine.dispose()
    return applied, round(applied / took)


def end_to_end(count: int) -> dict[str, Any]:
    """Pre-load ``count`` events, start the kpi service on one core, time the catch-up, then
    measure ward query latency once the service is idle."""
    from shared.kafka_admin import ensure_topics
    from shared.topics import TOPICS
    from snt.tansu import start_tansu, stop_process

    port = _free_port()
    broker = start_tansu(port)
    _pin(broker.pid, 1)
    bootstrap = f"127.0.0.1:{port}"
    try:
        ensure_topics(bootstrap, list(TOPICS))
        events = list(synthetic_events(count + LIVE_EVENTS, seed=11))
        live, events = events[count:], events[:count]
        _produce(bootstrap, events)
        ceilings = {f"consume_{mode}_events_per_s": _consume_only(bootstrap, len(events), mode)
                    for mode in ("count", "parse")}  # fmt: skip
        with tempfile.TemporaryDirectory(prefix="snt-bench-kpi-") as tmp, \
                _service(Path(tmp), bootstrap) as service:  # fmt: skip
            figures = _catch_up(service, len(events))
            figures |= _query_latency(service)
            figures |= _query_latency_live(service, bootstrap, live)
    finally:
        stop_process(broker)
    return figures | ceilings


def _consume_only(bootstrap: str, total: int, mode: str) -> int:
    """The kpi subscriber alone, counting (``count``) or also parsing (``parse``) the records,
    pinned to the core the service gets (see :mod:`snt.bench.kpi_consume`)."""
    out = subprocess.run([sys.executable, "-m", "snt.bench.kpi_consume", bootstrap, str(total),
                          mode], capture_output=True, text=True, check=True, timeout=900,
                         preexec_fn=lambda: os.sched_setaffinity(0, {0}))  # fmt: skip
    found = json.loads(out.stdout.strip().splitlines()[-1])
    if found["events"] < total:
        raise RuntimeError(f"the {mode} ceiling consumed {found['events']} of {total} events")
    return int(found["events_per_s"])


class _Service:
    def __init__(self, url: str, token: str, started: float) -> None:
        self.url, self.token, self.started = url, token, started

    def metric(self, name: str) -> float:
        text = httpx.get(f"{self.url}/metrics", timeout=5).text
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith(name))  # fmt: skip


@contextmanager
def _service(tmp: Path, bootstrap: str) -> Iterator[_Service]:
    from shared.auth.admin import create_token, open_engine

    port = _free_port()
    auth_url = f"sqlite:///{tmp / 'auth.db'}"
    token = create_token(open_engine(auth_url), name="bench", role="central").plain_token
    env = {**os.environ, "SNT_KPI_KAFKA_BOOTSTRAP": bootstrap, "SNT_KPI_HTTP_PORT": str(port),
           "SNT_KPI_DATABASE_URL": f"sqlite:///{tmp / 'kpi.db'}", "SNT_KPI_LOG_LEVEL": "WARNING",
           "SNT_KPI_AUTH_DATABASE_URL": auth_url,
           "SNT_KPI_KAFKA_FETCH_MAX_WAIT_MS": "50"}  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "services.kpi"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               preexec_fn=lambda: os.sched_setaffinity(0, {0}))  # fmt: skip
    try:
        yield _Service(f"http://127.0.0.1:{port}", token, started)
    finally:
        process.terminate()
        process.wait(60)


def _catch_up(service: _Service, total: int) -> dict[str, Any]:
    applied = 'snt_kpi_events_total{outcome="applied"}'
    first_at, first = None, 0.0
    deadline = time.monotonic() + 900
    while True:
        try:
            done = service.metric(applied)
        except httpx.HTTPError:
            done = 0.0
        if done and first_at is None:
            first_at, first = time.perf_counter(), done
        if done >= total:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {done:.0f} of {total} events applied")
        time.sleep(0.05)
    finished = time.perf_counter()
    assert first_at is not None
    return {
        "end_to_end_events": total,
        "end_to_end_events_per_s": round((total - first) / (finished - first_at)),
        "end_to_end_s_including_start": round(finished - service.started, 2),
    }


def _query_latency(service: _Service, requests: int = 1000) -> dict[str, Any]:
    _wait_idle(service)
    return _percentiles("query", _ward_queries(service, requests)) | {"query_requests": requests}


def _query_latency_live(service: _Service, bootstrap: str, live: Sequence[Synthetic],
                        requests: int = 1000) -> dict[str, Any]:  # fmt: skip
    """Ward queries while new events arrive one at a time, every ``1 / LIVE_RATE`` seconds
    (the service folds each as it is fetched: the queries that follow a change find
    nothing derived from what changed cached, and set the tail)."""
    from kafka import KafkaProducer

    applied = 'snt_kpi_events_total{outcome="applied"}'
    before = service.metric(applied)
    stop = threading.Event()

    def send() -> None:
        producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
        try:
            for e in live:
                if stop.wait(1 / LIVE_RATE):
                    break
                producer.send(e.topic, e.value, key=e.key)
                producer.flush()
        finally:
            producer.close()

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        started = time.perf_counter()
        latencies = _ward_queries(service, requests)
        took = time.perf_counter() - started
    finally:
        stop.set()
        sender.join(30)
    folded = service.metric(applied) - before
    if folded < took * LIVE_RATE / 2:
        raise RuntimeError(f"only {folded:.0f} events were applied during the live queries")
    return _percentiles("query_live", latencies) | {
        "query_live_events_per_s": round(folded / took, 1)
    }


def _ward_queries(service: _Service, requests: int) -> list[float]:
    """Latencies of ``requests`` ward queries (FYTD and rolling 12 months, random wards)."""
    rnd = random.Random(3)
    codes = [code for code, _ in wards()]
    headers = {"Authorization": f"Bearer {service.token}"}
    latencies: list[float] = []
    with httpx.Client(base_url=service.url, headers=headers, timeout=10) as client:
        for n in range(requests):
            path = f"/v1/kpi/wards/{rnd.choice(codes)}"
            params = {"period": "fytd" if n % 2 else "rolling_12m"}
            sent = time.perf_counter()
            reply = client.get(path, params=params)
            latencies.append(time.perf_counter() - sent)
            if reply.status_code != 200:
                raise RuntimeError(f"unexpected {reply.status_code}: {reply.text[:200]}")
    return latencies


def _percentiles(name: str, latencies: list[float]) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {f"{name}_p50_ms": round(statistics.median(ordered) * 1000, 2),
            f"{name}_p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
            f"{name}_max_ms": round(ordered[-1] * 1000, 2)}  # fmt: skip


def _wait_idle(service: _Service, quiet_s: float = 12.0) -> None:
    """Until the KPI update loop has flushed after the catch-up and then stayed quiet for
    ``quiet_s`` seconds (flushes happen only when figures may have changed)."""
    last, since = -1.0, time.monotonic()
    deadline = since + 600
    while time.monotonic() < deadline:
        now = service.metric("snt_kpi_update_flush_seconds_count")
        if now != last:
            last, since = now, time.monotonic()
        elif now > 0 and time.monotonic() - since > quiet_s:
            return
        time.sleep(0.5)
    raise RuntimeError("the kpi service did not become idle")


def _produce(bootstrap: str, events: Sequence[Synthetic]) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=20, batch_size=1 << 20)
    for e in events:
        producer.send(e.topic, e.value, key=e.key)
    producer.flush()
    producer.close()


def sql_baseline(count: int) -> dict[str, Any]:
    """Ward queries by SQL GROUP BY over the stored count rows vs the in-memory state."""
    from services.kpi.codec import decode_change as decode
    from services.kpi.domain.state import KpiState

    changes = [c for e in synthetic_events(count, seed=5) if (c := decode(e.value)) is not None]
    state = KpiState()
    state.apply(state.net(changes))
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE counts (area TEXT, grp TEXT, day INTEGER, delta INTEGER)")
    db.executemany("INSERT INTO counts VALUES (?, ?, ?, ?)",
                   [(c.unit.code, c.group, c.day, c.delta) for c in changes])  # fmt: skip
    db.execute("CREATE INDEX counts_area ON counts (area, grp, day)")
    units = sorted({c.unit for c in changes if c.unit.kind == "ward"}, key=lambda u: u.code)
    sample = random.Random(9).sample(units, min(500, len(units)))
    now, before = _day_range(date(2024, 4, 1), date(2024, 12, 31))
    sql_s = _timed(lambda: [_sql_ward(db, u.code, now, before) for u in sample])
    mem_s = _timed(lambda: [[(state.total(u, g, *now), state.total(u, g, *before))
                             for g in GROUPS] for u in sample])  # fmt: skip
    for u in sample[:50]:
        memory = {g: (state.total(u, g, *now), state.total(u, g, *before)) for g in GROUPS}
        if _sql_ward(db, u.code, now, before) != memory:
            raise RuntimeError(f"SQL and the state disagree for {u.code}")
    return {"baseline_rows": len(changes), "baseline_queries": len(sample),
            "baseline_sql_ms_per_ward_query": round(sql_s / len(sample) * 1000, 3),
            "incremental_ms_per_ward_query": round(mem_s / len(sample) * 1000, 4),
            "baseline_ratio_sql_over_incremental": round(sql_s / mem_s, 1)}  # fmt: skip


def _sql_ward(db: sqlite3.Connection, area: str, now: tuple[int, int],
              before: tuple[int, int]) -> dict[str, tuple[int, int]]:  # fmt: skip
    rows = db.execute(
        "SELECT grp, SUM(CASE WHEN day BETWEEN ? AND ? THEN delta ELSE 0 END),"
        " SUM(CASE WHEN day BETWEEN ? AND ? THEN delta ELSE 0 END)"
        " FROM counts WHERE area = ? AND (day BETWEEN ? AND ? OR day BETWEEN ? AND ?)"
        " GROUP BY grp", (*now, *before, area, *now, *before),
    ).fetchall()  # fmt: skip
    found = {g: (a, b) for g, a, b in rows}
    return {g: found.get(g, (0, 0)) for g in GROUPS}


def _day_range(first: date, last: date) -> tuple[tuple[int, int], tuple[int, int]]:
    from services.kpi.domain.days import day_index, shift_years

    now = (day_index(first), day_index(last))
    before = (day_index(shift_years(first, -1)), day_index(shift_years(last, -1)))
    return now, before


def ten_years() -> dict[str, Any]:
    """Build 10 years × every 2022 ward × 3 KPI groups, every day non-zero; report RSS."""
    from services.kpi.domain.days import day_index, day_of, month_index
    from services.kpi.domain.state import KpiState, Unit

    state = KpiState()
    first = day_index(date(2016, 4, 1))
    days = [(d, month_index(day_of(d))) for d in range(first, first + 3653)]
    rnd = random.Random(1)
    series = 0
    for code, borough in wards():
        unit = Unit("ward", code, borough)
        for group in GROUPS:
            state.apply({(unit, group, d, m): rnd.randint(1, 9) for d, m in days})
            series += 1
    return {"rss_mib": _peak_rss_mib(), "series": series, "day_counts": series * len(days)}


def _peak_rss_mib() -> float:
    """This process's peak resident set (VmHWM; unlike ru_maxrss, not inherited from the
    process that started this one)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _pin(pid: int, cpu: int) -> None:
    if cpu < (os.cpu_count() or 1):
        os.sched_setaffinity(pid, {cpu})


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
