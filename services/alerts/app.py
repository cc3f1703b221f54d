"""Composition root of the alerts service: the only place that picks broker, stores and HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.alerts.api import build_router
from services.alerts.config import AlertsSettings
from services.alerts.domain.words import Names
from services.alerts.engine import Engine
from services.alerts.metrics import AlertsMetrics
from services.alerts.rule_config import load_rules
from services.alerts.scope import AlertScope
from services.alerts.sender import Channel, EmailChannel, KafkaChannel, Sender, WebhookChannel
from services.alerts.store.sql import SqlAlertsStore, create_schema
from shared import __version__
from shared.asyncapi import declare_publisher, mount_asyncapi
from shared.auth import Authenticator, SqlTokenStore, add_forbidden_handler, utc_now
from shared.auth import create_schema as create_auth_schema
from shared.consumer import DEAD_LETTER_TOPIC, SeekToStored, dead_letter, records_of, undecoded
from shared.db import make_engine
from shared.epoch import ensure_epoch
from shared.lag import ConsumerLag, stored_positions
from shared.observability import new_registry
from shared.reference import LondonReference, load_clusters, load_reference
from shared.service import Startup, make_broker, service_app, standard_checks

log = logging.getLogger(__name__)

DESCRIPTION = (
    "Exception notifications to borough leads: evaluate, inhibit, silence, group, dedupe, deliver."
)
INPUT_TOPICS = ("snt.kpi.updates.v1", "snt.flex.exceptions.v1")
ALERTS_TOPIC = "snt.alerts.v1"
"""Where a Kafka subscription's notices go (a subscription may name another alerts topic)."""


def create_app(settings: AlertsSettings) -> FastAPI:
    registry = new_registry(settings.service_name, __version__)
    broker = make_broker(settings)
    engine = make_engine(settings.database_url)
    auth_engine = make_engine(settings.auth_database_url)
    store = SqlAlertsStore(engine)
    rules = load_rules()
    reference = load_reference()
    alerts = Engine(store, rules, _cluster_of(settings.clusters_file), _now,
                    names=_names(reference), budget=settings.budget())  # fmt: skip
    metrics = AlertsMetrics(registry, rules.rules, lambda: list(alerts.alerts.values()))
    metrics.watch_unsent(registry, store.unsent)
    webhook = WebhookChannel(settings.webhook_signing_key.get_secret_value().encode())

    alert_topic = declare_publisher(broker, ALERTS_TOPIC)

    async def publish(topic: str, key: bytes, value: bytes) -> None:
        await alert_topic.publish(value, topic, key=key)  # or a named alerts topic

    channels: dict[str, Channel] = {
        "webhook": webhook,
        "kafka": KafkaChannel(publish),
        "email": EmailChannel(settings.smtp_host, settings.smtp_port, settings.smtp_from),
    }
    sender = Sender(store, lambda: alerts.subscriptions, channels, _now,
                    budget=settings.budget(), observe=metrics.delivered)  # fmt: skip
    listener = _consume(broker, alerts, store, metrics, settings)

    async def prepare() -> None:
        await asyncio.to_thread(create_schema, engine)
        await asyncio.to_thread(create_auth_schema, auth_engine)
        held = await asyncio.to_thread(alerts.load)
        log.info("alerts loaded", extra={"alerts": held})

    tasks = _Tasks(sender, alerts, settings.tick_interval_s, webhook)
    positions = stored_positions(store.resume_points, lambda: listener.epoch)
    lag = ConsumerLag.of(settings, settings.consumer_group, INPUT_TOPICS, positions, registry)
    startup = Startup(broker, prepare=[prepare], on_start=[tasks.start, lag.start],
                      on_stop=[lag.stop, tasks.stop])  # fmt: skip
    app = service_app(
        settings, description=DESCRIPTION, version=__version__, lifespan=startup.lifespan(),
        checks={**standard_checks(settings, broker, engine), "state": startup.check()},
        registry=registry,
    )  # fmt: skip
    add_forbidden_handler(app)
    mount_asyncapi(app, broker, settings.service_name, version=__version__)
    auth = Authenticator(SqlTokenStore(auth_engine), utc_now)
    scope = AlertScope(_borough_of(reference), frozenset(b.code for b in reference.boroughs()))
    app.include_router(build_router(alerts, store, auth, _now, scope, settings.targets(),
                                    settings.page_size))  # fmt: skip
    return app


def _consume(broker: KafkaBroker, alerts: Engine, store: SqlAlertsStore,
             metrics: AlertsMetrics, settings: AlertsSettings) -> SeekToStored:  # fmt: skip
    listener = SeekToStored(store.resume_points, partial(ensure_epoch, settings.kafka_bootstrap))
    subscriber = broker.subscriber(
        *INPUT_TOPICS, group_id=settings.consumer_group, batch=True, max_records=2_000,
        auto_offset_reset="earliest", fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        ack_policy=AckPolicy.NACK_ON_ERROR, decoder=undecoded, listener=listener,
    )  # fmt: skip
    listener.subscriber = subscriber
    dead_letters = declare_publisher(broker, DEAD_LETTER_TOPIC)

    async def handle(body: Any, message: KafkaMessage) -> None:
        before = alerts.evaluations
        records, epoch = records_of(message.raw_message), listener.epoch
        result = await asyncio.to_thread(alerts.fold, records, epoch)
        metrics.evaluations.inc(alerts.evaluations - before)
        metrics.dead_letters.inc(len(result.bad))
        for record, why in result.bad:
            letter = dead_letter(record, why, datetime.now(UTC), "alerts")
            await dead_letters.publish(letter, key=b"alerts")

    subscriber(handle)

    return listener


class _Tasks:
    def __init__(self, sender: Sender, alerts: Engine, tick_s: float,
                 webhook: WebhookChannel) -> None:  # fmt: skip
        self._sender, self._alerts, self._tick_s, self._webhook = sender, alerts, tick_s, webhook
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._sender.run()), asyncio.create_task(self._tick())]

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self._tick_s)
            try:
                await asyncio.to_thread(self._alerts.tick)
            except Exception:
                log.exception("the alert clock tick failed; retrying")

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        await self._webhook.close()


def _cluster_of(path: str | None) -> Callable[[str], str | None]:
    """Ward → its cluster id, from the optional cluster file (checked at start-up)."""
    if path is None:
        return lambda ward: None
    clusters = load_clusters(Path(path), load_reference())

    def cluster_of(ward: str) -> str | None:
        found = clusters.cluster_for_ward(ward)
        return None if found is None else found.id

    return cluster_of


def _borough_of(reference: LondonReference) -> Callable[[str], str | None]:
    """Ward → its borough (any boundary set), for the scope of alerts and silences."""

    def borough_of(ward_code: str) -> str | None:
        try:
            return reference.ward(ward_code).borough_code
        except LookupError:
            return None

    return borough_of


def _names(reference: LondonReference) -> Names:
    """Ward and borough names from the reference data (None: an unknown code)."""

    def ward(code: str) -> str | None:
        try:
            return reference.ward(code).name
        except LookupError:
            return None

    def borough(code: str) -> str | None:
        try:
            return reference.borough(code).name
        except LookupError:
            return None

    return Names(ward, borough)


def _now() -> datetime:
    return datetime.now(UTC)
