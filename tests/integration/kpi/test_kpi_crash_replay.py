"""SIGKILL the kpi service at random points of a replay of a million events, five times:
after the last restart every event counts exactly once — the stored counts equal a batch
recomputation over the events, and the figures the service serves agree with it.

CI runs a bounded sample (300,000 events, three kills); ``SNT_SOAK=1`` runs the million and
five kills."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from services.ingest.publisher import KafkaPublisher
from services.ingest.store.base import StoredEvent
from services.kpi.domain.days import LONDON, day_index
from services.kpi.store.sql import SqlKpiStore
from services.kpi.verify import Recomputed, diff, recompute
from shared.auth.admin import create_token, open_engine
from shared.db import make_engine
from shared.kafka_admin import ensure_topics
from shared.topics import TOPICS
from snt.bench.kpi_events import Synthetic, synthetic_events
from tests.support.services import free_port
from tests.support.tansu import running_tansu

pytestmark = pytest.mark.integration
SOAK = os.environ.get("SNT_SOAK") == "1"
EVENTS = 1_000_000 if SOAK else 300_000
DUPLICATES = 10_000
KILLS = 5 if SOAK else 3


@pytest.mark.timeout(1800 if SOAK else 900)
def test_sigkills_during_a_replay_lose_and_double_nothing(
    tmp_path: Path,
) -> None:
    rnd = random.Random(20261124)
    events = list(synthetic_events(EVENTS, seed=99))
    resent = rnd.sample(events, DUPLICATES)  # the same events (same ids) sent again, later
    stream = [*events, *resent]
    with running_tansu() as bootstrap:
        ensure_topics(bootstrap, list(TOPICS))
        asyncio.run(_produce(bootstrap, stream))
        service = _Service(tmp_path, bootstrap)
        kills = sorted(rnd.uniform(0.05, 0.9) for _ in range(KILLS))
        for fraction in kills:
            with service.running() as process:
                service.wait_consumed(int(fraction * EVENTS))
                process.send_signal(signal.SIGKILL)
                process.wait(30)
            at_kill = service.applied()
            assert 0 < at_kill < EVENTS, f"the kill at {fraction:.2f} did not land mid-replay"
        with service.running():
            service.wait_consumed(len(stream))  # the re-sent events too, last in each partition
            assert service.applied() == EVENTS  # ... and they were not counted again
            served = service.mps_violence_fytd(date(2024, 3, 31))  # FY 2023-24
    expected = _batch([e.value for e in events])
    held = SqlKpiStore(service.engine).held_counts()
    assert diff(expected.counts, held) == []
    assert diff(expected.contacts, SqlKpiStore(service.engine).held_contacts()) == []
    assert expected.events == EVENTS
    sample = [e.value for e in rnd.sample(events, 20_000)]  # the batch path agrees with verify's
    checked = recompute(sample, lambda _: True)
    assert (checked.counts, checked.contacts) == (_batch(sample).counts, _batch(sample).contacts)
    first, last = day_index(date(2023, 4, 1)), day_index(date(2024, 3, 31))
    assert served == sum(n for (kind, _, group, day), n in expected.counts.items()
                         if kind in ("ward", "unlocated") and group == "violence"
                         and first <= day <= last)  # fmt: skip


def _batch(raws: Sequence[bytes]) -> Recomputed:
    """A plain GROUP BY over the events' JSON, independent of the fold (``verify.recompute``
    does the same with full contract validation, ten times slower for a million events)."""
    out = Recomputed()
    days: dict[str, int] = {}
    for raw in raws:
        event = orjson.loads(raw)
        p = event["payload"]
        at = p.get("recorded_at") or p["incident_at"]
        if at not in days:
            days[at] = day_index(datetime.fromisoformat(at).astimezone(LONDON).date())
        kind = {"ward": "ward", "borough_unlocated": "unlocated"}[p["level"]]
        code = p["ward_code"] if kind == "ward" else p["borough_code"]
        key = (kind, code, p["kpi_group"], days[at])
        out.counts[key] = out.counts.get(key, 0) + p["delta"]
        out.events += 1
        person = _person(event["event_type"], p)
        if person is not None:
            where = (*person[:2], p["record_id"], kind, code)
            out.contacts[(*where, "count")] = out.contacts.get((*where, "count"), 0) + p["delta"]
            flagged = p["delta"] if person[2] else 0
            out.contacts[(*where, "vulnerable")] = (
                out.contacts.get((*where, "vulnerable"), 0) + flagged)  # fmt: skip
    out.counts = {k: v for k, v in out.counts.items() if v}
    out.contacts = {k: v for k, v in out.contacts.items() if v}
    return out


def _person(kind: str, p: dict[str, Any]) -> tuple[str, str, bool] | None:
    if kind == "crime.counted" and p.get("victim_pseudonym") and p["kpi_group"] != "excluded":
        return ("victim", p["victim_pseudonym"], False)
    if kind == "cad.counted" and p.get("caller_pseudonym") and p.get("asb_category"):
        return ("caller", p["caller_pseudonym"], bool(p.get("vulnerable_caller")))
    return None


async def _produce(bootstrap: str, events: Sequence[Synthetic]) -> None:
    publisher = KafkaPublisher(bootstrap, client_id="crash-replay", linger_ms=20)
    try:
        for start in range(0, len(events), 20_000):
            chunk = [StoredEvent(start + i, f"e{start + i}", e.topic, e.key.decode(),
                                 e.value.decode(), False)
                     for i, e in enumerate(events[start : start + 20_000])]  # fmt: skip
            assert all(await publisher.publish(chunk))
    finally:
        await publisher.stop()


class _Service:
    """The kpi service as its own process, on one SQLite database across restarts."""

    def __init__(self, tmp: Path, bootstrap: str) -> None:
        self.database_url = f"sqlite:///{tmp / 'kpi.db'}"
        auth_url = f"sqlite:///{tmp / 'auth.db'}"
        self.token = create_token(open_engine(auth_url), name="c", role="central").plain_token
        self.port = free_port()
        self.env = {**os.environ, "SNT_KPI_ENVIRONMENT": "test",
                    "SNT_KPI_KAFKA_BOOTSTRAP": bootstrap, "SNT_KPI_HTTP_PORT": str(self.port),
                    "SNT_KPI_DATABASE_URL": self.database_url,
                    "SNT_KPI_AUTH_DATABASE_URL": auth_url, "SNT_KPI_LOG_LEVEL": "WARNING",
                    "SNT_KPI_KAFKA_FETCH_MAX_WAIT_MS": "20",
                    # figures are published elsewhere; here only the fold is under test
                    "SNT_KPI_UPDATE_INTERVAL_S": "3600"}  # fmt: skip
        self.engine: Engine = make_engine(self.database_url)

    @contextmanager
    def running(self) -> Iterator[subprocess.Popen[bytes]]:
        command = [sys.executable, "-m", "services.kpi"]
        process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            yield process
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(60)

    def applied(self) -> int:
        try:
            with self.engine.connect() as conn:
                return int(conn.execute(text("SELECT count(*) FROM kpi_applied")).scalar_one())
        except OperationalError:  # no table before the service's first start
            return 0

    def consumed(self) -> int:
        """Records consumed, as stored with the state: the sum of the stored next offsets
        (one small table, where counting the applied ids reads up to a million rows)."""
        try:
            with self.engine.connect() as conn:
                query = text("SELECT coalesce(sum(next_offset), 0) FROM kpi_offset")
                return int(conn.execute(query).scalar_one())
        except OperationalError:  # no table before the service's first start
            return 0

    def wait_consumed(self, target: int, timeout_s: float = 600) -> None:
        deadline = time.monotonic() + timeout_s
        while self.consumed() < target:
            if time.monotonic() > deadline:
                raise AssertionError(f"only {self.consumed()} of {target} records consumed")
            time.sleep(0.2)

    def mps_violence_fytd(self, as_of: date) -> int:
        url = f"http://127.0.0.1:{self.port}/v1/kpi/mps?period=fytd&as_of={as_of.isoformat()}"
        headers = {"Authorization": f"Bearer {self.token}"}
        deadline = time.monotonic() + 60
        while True:
            try:
                reply = httpx.get(url, headers=headers, timeout=10)
                if reply.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("the kpi service did not answer")
            time.sleep(0.2)
        [found] = [f for f in reply.json()["figures"] if f["kpi_group"] == "violence"]
        return int(found["value"])
