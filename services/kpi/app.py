"""Composition root of the kpi service: the only place that picks broker, stores and HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import UTC, date, datetime
from functools import partial

from fastapi import FastAPI
from faststream.kafka import KafkaBroker

from services.kpi.api import build_router
from services.kpi.api_diagnostics import build_diagnostics_router
from services.kpi.api_league import build_league_router
from services.kpi.api_survey import build_survey_router
from services.kpi.board import Board
from services.kpi.boundaries import apportioning
from services.kpi.config import KpiSettings
from services.kpi.domain.days import LONDON
from services.kpi.domain.diagnostics import Diagnostics, Rules
from services.kpi.domain.state import KpiState, Unit
from services.kpi.domain.survey import SurveyBook
from services.kpi.fold import Folder, FoldResult
from services.kpi.handlers import INPUT_TOPICS, MAX_RECORDS, register_handlers
from services.kpi.metrics import KpiMetrics
from services.kpi.store.read_model import RedisReadModel
from services.kpi.store.sql import SqlKpiStore, create_schema
from services.kpi.survey_config import load_survey_config
from services.kpi.target_config import load_targets
from services.kpi.updates import UPDATE_TOPIC, Send, UpdatePublisher, Versions
from shared import __version__
from shared.api import DateWindow
from shared.asyncapi import declare_publisher, mount_asyncapi
from shared.auth import Authenticator, SqlTokenStore, add_forbidden_handler, utc_now
from shared.auth import create_schema as create_auth_schema
from shared.classification import load_classification
from shared.consumer import SeekToStored
from shared.db import make_engine
from shared.epoch import ensure_epoch
from shared.heap import collect_for_batches, freeze_static
from shared.lag import ConsumerLag, stored_positions
from shared.observability import new_registry
from shared.reference import LondonReference, load_reference
from shared.reference.boundaries import LATEST_SET
from shared.service import Startup, make_broker, service_app, standard_checks

log = logging.getLogger(__name__)

SQLITE_CACHE_MIB = 64
"""SQLite page cache per connection of the embedded kpi database (the fold upserts a few
rows per event across a file of hundreds of MB; at the default 2 MiB most pages are read
again from the file)."""

DESCRIPTION = (
    "Exact, incremental ward KPIs with comparisons, trajectories and statistical judgement."
)


def create_app(settings: KpiSettings) -> FastAPI:
    registry = new_registry(settings.service_name, __version__)
    metrics = KpiMetrics(registry)
    broker = make_broker(settings)
    engine = make_engine(settings.database_url, sqlite_cache_mib=SQLITE_CACHE_MIB)
    store = SqlKpiStore(engine)
    reference = load_reference()
    rules = Rules(settings.repeat_owner, settings.repeat_victim_threshold,
                  settings.repeat_caller_threshold)  # fmt: skip
    surveys = load_survey_config([b.code for b in reference.boroughs()])
    book = SurveyBook(surveys.design_effect, surveys.assumed_n)
    folder = Folder(store, KpiState(apportioning(reference)), Diagnostics(rules), book)
    auth_engine = make_engine(settings.auth_database_url)
    targets = load_targets()
    board = Board(folder, targets)
    read_model = RedisReadModel(settings.redis_url) if settings.redis_url else None
    publisher = UpdatePublisher(
        folder, board, targets, _versions(reference), _sender(broker), read_model,
        periods=settings.update_periods, interval_s=settings.update_interval_s,
        today=_today, now=lambda: datetime.now(UTC), observe=metrics.observe_flush,
        survey=surveys,
    )  # fmt: skip

    def folded(result: FoldResult) -> None:
        publisher.touched(result.touched_groups, backlog=result.size >= MAX_RECORDS)
        publisher.surveyed(result.surveyed)

    listener = SeekToStored(store.resume_points, partial(ensure_epoch, settings.kafka_bootstrap),
                            on_new_epoch=lambda epoch: publisher.republish_all())  # fmt: skip
    register_handlers(broker, folder, metrics, listener, group_id=settings.consumer_group,
                      fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
                      on_folded=folded)  # fmt: skip

    async def prepare() -> None:
        await asyncio.to_thread(create_schema, engine)
        await asyncio.to_thread(create_auth_schema, auth_engine)
        rows = await asyncio.to_thread(folder.load)
        freeze_static()  # the loaded state (contacts of years of records) is long-lived
        publisher.touch_all()
        log.info("state loaded", extra={"day_counts": rows})

    tasks = _Tasks(publisher, read_model)
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
    borough_of = _borough_of(reference)
    boroughs = frozenset(b.code for b in reference.boroughs())
    window = DateWindow(settings.earliest_date, settings.days_ahead, _today)
    app.include_router(build_router(folder, store, targets, auth, borough_of, boroughs, window,
                                    board))  # fmt: skip
    app.include_router(build_league_router(board, auth, borough_of, boroughs, window))
    app.include_router(build_diagnostics_router(board, rules, auth, borough_of, boroughs,
                                                window))  # fmt: skip
    app.include_router(build_survey_router(folder, surveys, auth, borough_of, boroughs, window))
    freeze_static()
    collect_for_batches()
    return app


class _Tasks:
    """The KPI update loop: started with the broker, flushed once more when stopping."""

    def __init__(self, publisher: UpdatePublisher, read_model: RedisReadModel | None) -> None:
        self._publisher = publisher
        self._read_model = read_model
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._publisher.run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        try:
            await self._publisher.flush()
        except Exception:
            log.exception("the last KPI update flush failed")
        if self._read_model is not None:
            await self._read_model.close()


def _sender(broker: KafkaBroker) -> Send:
    updates = declare_publisher(broker, UPDATE_TOPIC)

    async def send(messages: Sequence[tuple[bytes, bytes]]) -> None:
        await asyncio.gather(*(updates.publish(value, key=key) for key, value in messages))

    return send


def _versions(reference: LondonReference) -> Versions:
    classification = load_classification().version

    def boundary_set(unit: Unit) -> str:
        if unit.kind != "ward":
            return LATEST_SET.name
        try:
            return reference.ward(unit.code).boundary_set.name
        except LookupError:
            return LATEST_SET.name

    return Versions(classification, reference.version, boundary_set)


def _borough_of(reference: LondonReference) -> Callable[[str], str | None]:
    def borough_of(ward_code: str) -> str | None:
        try:
            return reference.ward(ward_code).borough_code
        except LookupError:
            return None

    return borough_of


def _today() -> date:
    return datetime.now(LONDON).date()
