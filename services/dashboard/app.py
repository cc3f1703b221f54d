"""Composition root of the dashboard service: the only place that picks broker, upstream
APIs, token store and reference data."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from prometheus_client import Counter, Gauge

from services.dashboard.api import build_router
from services.dashboard.areas import Directory
from services.dashboard.config import DashboardSettings
from services.dashboard.live import LiveHub, decode
from services.dashboard.pack.map import WardMap
from services.dashboard.upstream import Upstream
from shared import __version__
from shared.api import DateWindow
from shared.asyncapi import mount_asyncapi
from shared.auth import Authenticator, SqlTokenStore, add_forbidden_handler, utc_now
from shared.auth import create_schema as create_auth_schema
from shared.consumer import records_of, undecoded
from shared.db import make_engine
from shared.observability import Check, new_registry
from shared.reference import load_2022_shapes, load_clusters, load_reference
from shared.service import Startup, broker_check, database_check, make_broker, service_app

log = logging.getLogger(__name__)

LIVE_TOPICS = ("snt.kpi.updates.v1", "snt.alerts.v1", "snt.flex.exceptions.v1")
DESCRIPTION = ("The dashboard borough leads and analysts use: ward KPIs with drill-down, "
               "charts, maps, alerts, flex, live updates and the performance packs.")  # fmt: skip


def create_app(settings: DashboardSettings) -> FastAPI:
    registry = new_registry(settings.service_name, __version__)
    broker = make_broker(settings)
    auth_engine = make_engine(settings.auth_database_url)
    reference = load_reference()
    clusters = load_clusters(Path(settings.clusters_file), reference) \
        if settings.clusters_file else None  # fmt: skip
    directory = Directory(reference, clusters)
    hub = LiveHub(directory.borough_of, settings.live_queue_size)
    upstream = Upstream({"kpi": settings.kpi_url, "flex": settings.flex_url,
                         "alerts": settings.alerts_url}, settings.upstream_timeout_s)  # fmt: skip
    received = Counter("snt_dashboard_live_events", "Live events read from Kafka",
                       registry=registry)  # fmt: skip
    Gauge("snt_dashboard_open_pages", "Pages receiving live updates",
          registry=registry).set_function(lambda: hub.open_pages)  # fmt: skip
    _subscribe_live(broker, hub, received, settings.kafka_fetch_max_wait_ms)

    async def prepare() -> None:
        await asyncio.to_thread(create_auth_schema, auth_engine)

    async def close() -> None:
        await upstream.aclose()

    startup = Startup(broker, prepare=[prepare], on_stop=[close])
    checks: dict[str, Check] = {"broker": broker_check(broker),
                                "database": database_check(auth_engine),
                                "state": startup.check()}  # fmt: skip
    for name, url in upstream.urls.items():
        checks[f"{name}_api"] = _upstream_check(upstream, name)
        log.info("upstream %s at %s", name, url)
    app = service_app(settings, description=DESCRIPTION, version=__version__,
                      lifespan=startup.lifespan(), checks=checks, registry=registry)  # fmt: skip
    add_forbidden_handler(app)
    mount_asyncapi(app, broker, settings.service_name, version=__version__)
    auth = Authenticator(SqlTokenStore(auth_engine), utc_now)
    ward_map = WardMap(reference, load_2022_shapes())
    window = DateWindow(settings.earliest_date, settings.days_ahead, _today)
    limit = settings.attention_limit
    app.include_router(build_router(upstream, auth, directory, ward_map, hub, limit, window=window))
    return app


def _subscribe_live(broker: KafkaBroker, hub: LiveHub, received: Counter,
                    fetch_max_wait_ms: int) -> None:  # fmt: skip
    # a group of its own per process: every dashboard instance sees every update, from now on
    subscriber = broker.subscriber(
        *LIVE_TOPICS, group_id=f"snt-dashboard-live-{uuid.uuid4().hex[:12]}", batch=True,
        max_records=1_000, auto_offset_reset="latest", fetch_max_wait_ms=fetch_max_wait_ms,
        ack_policy=AckPolicy.ACK, decoder=undecoded,
    )  # fmt: skip

    async def handle(body: Any, message: KafkaMessage) -> None:
        records = records_of(message.raw_message)
        received.inc(len(records))
        hub.publish(e for e in (decode(r.value) for r in records) if e is not None)

    subscriber(handle)


def _upstream_check(upstream: Upstream, name: str) -> Check:
    async def check() -> None:
        try:
            found = await upstream.client.get(f"{upstream.urls[name]}/healthz", timeout=2.0)
        except Exception as exc:
            raise ConnectionError(f"{name} API unreachable: {type(exc).__name__}") from exc
        if found.status_code != 200:
            raise ConnectionError(f"{name} API answered {found.status_code}")

    return check


def _today() -> date:
    return datetime.now(ZoneInfo("Europe/London")).date()
