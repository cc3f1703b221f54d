"""Composition root of the flex service: the only place that picks broker, stores and HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from contextlib import suppress
from datetime import UTC, date, datetime
from functools import partial

from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from services.flex.api import build_router
from services.flex.config import FlexSettings
from services.flex.domain.exceptions import Rules
from services.flex.domain.ledger import Ledger
from services.flex.domain.report import WardInfo
from services.flex.fold import Folder, FoldResult
from services.flex.handlers import INPUT_TOPICS, register_handlers
from services.flex.metrics import FlexMetrics
from services.flex.publisher import OUTPUT_TOPICS, Area, FlexPublisher, Send
from services.flex.store.sql import SqlFlexStore, create_schema
from shared import __version__
from shared.api import DateWindow
from shared.asyncapi import declare_publisher, mount_asyncapi
from shared.auth import Authenticator, SqlTokenStore, add_forbidden_handler, utc_now
from shared.auth import create_schema as create_auth_schema
from shared.consumer import SeekToStored
from shared.db import make_engine
from shared.epoch import ensure_epoch
from shared.lag import ConsumerLag, stored_positions
from shared.observability import new_registry
from shared.reference import LondonReference, load_reference
from shared.service import Startup, make_broker, service_app, standard_checks

log = logging.getLogger(__name__)

STOP_FLUSH_LIMIT = 2_000
"""Ward-days flushed when stopping at most (a larger backlog waits for the next start)."""
DESCRIPTION = (
    "CARM3 duty changes: ward abstraction, minimum staffing and the SNT abstraction report (KPI 9)."
)


def create_app(settings: FlexSettings) -> FastAPI:
    registry = new_registry(settings.service_name, __version__)
    broker = make_broker(settings)
    engine = make_engine(settings.database_url)
    auth_engine = make_engine(settings.auth_database_url)
    store = SqlFlexStore(engine)
    folder = Folder(store, Ledger())
    reference = load_reference()
    area = area_of(reference)
    rules = Rules(f"flex-rules-1/{settings.abstraction_threshold:g}/{settings.repeated_flex_days}",
                  settings.abstraction_threshold, settings.repeated_flex_days)  # fmt: skip
    metrics = FlexMetrics(registry)
    publisher = FlexPublisher(folder, area, rules, _sender(broker),
                              interval_s=settings.update_interval_s,
                              now=lambda: datetime.now(UTC))  # fmt: skip
    publisher.on_published = lambda n: metrics.published.inc(n)

    def folded(result: FoldResult) -> None:
        metrics.observe(result)
        publisher.touched(result.touched, result.breach_changed)

    listener = SeekToStored(store.resume_points, partial(ensure_epoch, settings.kafka_bootstrap),
                            on_new_epoch=lambda epoch: publisher.republish_all())  # fmt: skip
    register_handlers(broker, folder, listener, group_id=settings.consumer_group,
                      fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
                      on_folded=folded)  # fmt: skip

    async def prepare() -> None:
        await asyncio.to_thread(create_schema, engine)
        await asyncio.to_thread(create_auth_schema, auth_engine)
        rows = await asyncio.to_thread(folder.load)
        publisher.touch_all()
        log.info("duties loaded", extra={"duties": rows})

    tasks = _Tasks(publisher)
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
    names = {b.code: b.name for b in reference.boroughs()}
    window = DateWindow(settings.earliest_date, settings.days_ahead, _today)
    app.include_router(build_router(folder, area, rules, auth, names, window))
    return app


def area_of(reference: LondonReference) -> Area:
    """Every 2022-set MPS ward with its staffing model (1-2-3, or 1-2-6 over 14,000)."""
    wards = {}
    for w in reference.wards("2022"):
        m = w.staffing_model
        wards[w.code] = WardInfo(w.code, w.name, w.borough_code,
                                 {"PS": m.ps, "PC": m.pc, "PCSO": m.pcso})  # fmt: skip
    return Area(wards, reference.version)


class _Tasks:
    def __init__(self, publisher: FlexPublisher) -> None:
        self._publisher = publisher
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._publisher.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        if self._publisher.backlog > STOP_FLUSH_LIMIT:
            # nothing is lost: the next start re-derives and re-publishes every figure
            log.info("left %d ward-days for the next start", self._publisher.backlog)
            return
        try:
            await self._publisher.flush()
        except Exception:
            log.exception("the last flex flush failed")


def _sender(broker: KafkaBroker) -> Send:
    publishers = {topic: declare_publisher(broker, topic) for topic in OUTPUT_TOPICS}

    async def send(messages: Sequence[tuple[str, bytes, bytes]]) -> None:
        await asyncio.gather(*(publishers[topic].publish(value, key=key)
                               for topic, key, value in messages))  # fmt: skip

    return send


def _today() -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/London")).date()
