"""Composition root of the ingest service: the only place that picks broker, stores and HTTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial
from typing import Any

from fastapi import FastAPI

from services.ingest.api import build_router
from services.ingest.api_releases import build_release_router
from services.ingest.config import IngestSettings
from services.ingest.decode import DateWindow
from services.ingest.handlers import RAW_TOPICS, register_handlers
from services.ingest.metrics import IngestMetrics
from services.ingest.outbox import Epochs, OutboxRelay
from services.ingest.pipeline import Pipeline
from services.ingest.publisher import KafkaPublisher
from services.ingest.release_rule import load_release_rule
from services.ingest.releases import ReleaseDesk
from services.ingest.service import IngestService
from services.ingest.store.epoch import SqlOutboxEpoch
from services.ingest.store.epoch import create_schema as create_epoch_schema
from services.ingest.store.sql import SqlIngestStore, create_schema
from services.ingest.wiring import context_factory
from shared import __version__
from shared.asyncapi import mount_asyncapi
from shared.auth import Authenticator, SqlTokenStore, add_forbidden_handler, utc_now
from shared.auth import create_schema as create_auth_schema
from shared.classification import load_classification
from shared.db import make_engine
from shared.epoch import ensure_epoch
from shared.heap import freeze_static
from shared.lag import ConsumerLag, committed_positions
from shared.observability import new_registry
from shared.reference import load_reference
from shared.service import broker_lifespan, make_broker, service_app, standard_checks

DESCRIPTION = (
    "The single validated edge: validation, pseudonymisation, ward resolution, classification "
    "and de-duplication of every inbound event."
)


def create_app(settings: IngestSettings) -> FastAPI:
    registry = new_registry(settings.service_name, __version__)
    metrics = IngestMetrics(registry)
    broker = make_broker(settings)
    engine = make_engine(settings.database_url)
    create_schema(engine)
    store = SqlIngestStore(engine)
    metrics.watch_backlog(store.backlog, store.oldest_unpublished)
    key = settings.pseudonymisation_key.get_secret_value().encode()
    context = context_factory(load_reference(), load_classification(), key)
    pipeline = Pipeline(store=store, context=context, observe=metrics.observe)
    publisher = KafkaPublisher(settings.kafka_bootstrap, client_id="snt-ingest-outbox")
    create_epoch_schema(engine)
    epochs = Epochs(partial(ensure_epoch, settings.kafka_bootstrap), SqlOutboxEpoch(engine))
    relay = OutboxRelay(store, publisher, metrics, batch=settings.outbox_batch, epochs=epochs)
    window = DateWindow(settings.earliest_event_time, timedelta(hours=settings.hours_ahead))
    service = IngestService(pipeline, relay, metrics, settings.max_event_bytes, window)
    register_handlers(broker, service, group_id=settings.consumer_group,
                      fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms)  # fmt: skip
    auth_engine = make_engine(settings.auth_database_url)
    create_auth_schema(auth_engine)
    start, stop = _relay_hooks(relay, publisher)
    group = settings.consumer_group
    positions = committed_positions(settings.kafka_bootstrap, group)
    lag = ConsumerLag.of(settings, group, RAW_TOPICS, positions, registry)
    app = service_app(
        settings, description=DESCRIPTION, version=__version__,
        lifespan=broker_lifespan(broker, on_start=[start, lag.start], on_stop=[lag.stop, stop]),
        checks=standard_checks(settings, broker, engine), registry=registry,
    )  # fmt: skip
    add_forbidden_handler(app)
    mount_asyncapi(app, broker, settings.service_name, version=__version__)
    auth = Authenticator(SqlTokenStore(auth_engine), utc_now)
    app.include_router(build_router(service, auth))
    desk = ReleaseDesk(pipeline, load_release_rule())
    app.include_router(build_release_router(service, desk, auth))
    freeze_static()
    return app


def _relay_hooks(relay: OutboxRelay, publisher: KafkaPublisher) -> tuple[Any, Any]:
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    async def start() -> None:
        stop.clear()
        tasks.append(asyncio.create_task(relay.run(stop), name="outbox-relay"))

    async def finish() -> None:
        stop.set()
        for task in tasks:
            await task
        tasks.clear()
        await publisher.stop()

    return start, finish
