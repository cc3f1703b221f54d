"""The pieces every service's composition root assembles the same way.

Nothing here runs at import time: each function builds one thing from explicit arguments.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, cast

import uvicorn
from fastapi import FastAPI
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from sqlalchemy.engine import Engine

from shared import db
from shared.observability import Check, guard_wire_logs, ops_router
from shared.settings import ServiceSettings

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    """A FastStream Kafka broker for this service (connects on start, not here)."""
    guard_wire_logs()
    return KafkaBroker(
        settings.kafka_bootstrap,
        client_id=f"snt-{settings.service_name}",
        graceful_timeout=15.0,
        logger=logging.getLogger(f"snt.{settings.service_name}.broker"),
    )


def broker_check(broker: KafkaBroker) -> Check:
    async def check() -> None:
        if not await broker.ping(timeout=2.0):
            raise ConnectionError("Kafka broker did not answer")

    return check


def database_check(engine: Engine) -> Check:
    async def check() -> None:
        await asyncio.to_thread(db.ping, engine)

    return check


def redis_check(url: str) -> Check:
    async def check() -> None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(url, socket_connect_timeout=2)
        try:
            await cast(Awaitable[bool], client.ping())
        finally:
            await client.aclose()

    return check


def standard_checks(
    settings: ServiceSettings, broker: KafkaBroker, engine: Engine
) -> dict[str, Check]:
    checks = {"broker": broker_check(broker), "database": database_check(engine)}
    if settings.redis_url:
        checks["redis"] = redis_check(settings.redis_url)
    return checks


def broker_lifespan(
    broker: KafkaBroker, on_start: Sequence[Hook] = (), on_stop: Sequence[Hook] = (),
    before_start: Sequence[Hook] = (),
) -> Callable[[FastAPI], Any]:  # fmt: skip
    """Start the broker with the HTTP server and stop it (gracefully) with it.

    ``before_start`` hooks run before the broker starts consuming (loading state, say);
    ``on_start`` hooks once it is up; ``on_stop`` hooks before it goes down.
    """

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for hook in before_start:
            await hook()
        await broker.start()
        try:
            for hook in on_start:
                await hook()
            yield
        finally:
            for hook in on_stop:
                await hook()
            await broker.stop()

    return lifespan


def service_app(
    settings: ServiceSettings,
    *,
    description: str,
    version: str,
    lifespan: Callable[[FastAPI], Any],
    checks: Mapping[str, Check],
    registry: CollectorRegistry,
) -> FastAPI:
    """A FastAPI application with the operational endpoints already mounted."""
    app = FastAPI(
        title=f"SNT {settings.service_name} service",
        description=description,
        version=version,
        lifespan=lifespan,
    )
    app.include_router(ops_router(settings.service_name, checks, registry))
    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run the HTTP server (and with it the broker) until SIGINT/SIGTERM."""
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=20,
    )
