"""The pieces every service's composition root assembles the same way.

Nothing here runs at import time: each function builds one thing from explicit arguments.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any, cast

import uvicorn
from fastapi import Depends, FastAPI
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from shared import db
from shared.api.errors import add_error_handlers, known_query
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


class Startup:
    """Prepare the service (schema, state), then start the broker and the ``on_start`` hooks,
    without holding up the HTTP server when the database is not reachable yet.

    The broker connection is made as the server starts (so readiness can tell a broker
    problem from a database one); the first attempt follows: any error other than an
    unreachable database stops the service with that error. While the database is unreachable the
    attempt is retried in the background with a growing pause (up to ``max_pause_s``), and
    readiness (:meth:`check`) answers with what the service is waiting for.
    """

    def __init__(
        self, broker: KafkaBroker, prepare: Sequence[Hook], on_start: Sequence[Hook] = (),
        on_stop: Sequence[Hook] = (), *, max_pause_s: float = 30.0,
    ) -> None:  # fmt: skip
        self._broker = broker
        self._prepare = prepare
        self._on_start = on_start
        self._on_stop = on_stop
        self._max_pause_s = max_pause_s
        self.waiting_for: str | None = "start-up"
        self._started = False
        self._connected = False

    def check(self) -> Check:
        async def check() -> None:
            if self.waiting_for is not None:
                raise RuntimeError(f"waiting for {self.waiting_for}")

        return check

    def lifespan(self) -> Callable[[FastAPI], Any]:
        @asynccontextmanager
        async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
            task = None
            await self._broker.connect()
            self._connected = True
            if not await self._attempt():
                task = asyncio.create_task(self._retry())
            try:
                yield
            finally:
                if task is not None:
                    task.cancel()
                    with suppress(asyncio.CancelledError):
                        await task
                await self._stop()

        return lifespan

    async def _attempt(self) -> bool:
        try:
            for hook in self._prepare:
                await hook()
        except (OperationalError, OSError) as exc:
            self.waiting_for = f"the database: {type(exc).__name__}: {str(exc).strip()[:200]}"
            log.warning("start-up waits for the database", extra={"error": self.waiting_for})
            return False
        await self._broker.start()
        self._started = True
        for hook in self._on_start:
            await hook()
        self.waiting_for = None
        return True

    async def _retry(self) -> None:
        pause = 0.5
        while True:
            await asyncio.sleep(pause)
            if await self._attempt():
                log.info("start-up complete after waiting for the database")
                return
            pause = min(pause * 2, self._max_pause_s)

    async def _stop(self) -> None:
        if self._started:
            for hook in self._on_stop:
                await hook()
        if self._connected:
            await self._broker.stop()


def service_app(
    settings: ServiceSettings,
    *,
    description: str,
    version: str,
    lifespan: Callable[[FastAPI], Any],
    checks: Mapping[str, Check],
    registry: CollectorRegistry,
) -> FastAPI:
    """A FastAPI application with the operational endpoints already mounted, answering
    every error with the one error model (``reason`` and ``detail``) and refusing query
    parameters a route does not take."""
    app = FastAPI(
        title=f"SNT {settings.service_name} service",
        description=description,
        version=version,
        lifespan=lifespan,
        dependencies=[Depends(known_query)],
    )
    app.include_router(ops_router(settings.service_name, checks, registry))
    add_error_handlers(app)
    return app


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Run the HTTP server (and with it the broker) until SIGINT/SIGTERM."""
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        http="httptools",
        timeout_graceful_shutdown=20,
    )
