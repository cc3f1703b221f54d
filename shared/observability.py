"""Logging, metrics and the operational endpoints every service exposes.

``/healthz``: the process is alive and serving. ``/readyz``: every dependency check passes
(broker, database, Redis when configured); 503 with the failing checks otherwise.
``/metrics``: the service's own Prometheus registry (injected, never the global one).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

Check = Callable[[], Awaitable[None]]
"""A readiness check: returns when healthy, raises with a reason when not."""

_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "color_message",
}


class JsonFormatter(logging.Formatter):
    """One JSON object a line; ``extra=`` fields (topic, partition, offset...) kept."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self._service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


#: Client-library loggers whose DEBUG records quote raw wire bytes (message payloads).
WIRE_LOGGERS = ("aiokafka.conn", "aiokafka.protocol", "kafka.conn", "kafka.protocol.parser")


class _NoWireBytes(logging.Filter):
    """Drops a client library's DEBUG records: they may quote raw message bytes, and so raw
    personal identifiers that ingest has not yet pseudonymised."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG


_WIRE_FILTER = _NoWireBytes()


def guard_wire_logs() -> None:
    """Keep raw message bytes out of the logs whatever level is configured (idempotent)."""
    for name in WIRE_LOGGERS:
        logger = logging.getLogger(name)
        if _WIRE_FILTER not in logger.filters:
            logger.addFilter(_WIRE_FILTER)


def configure_logging(service: str, level: str = "INFO", as_json: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    plain = logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(JsonFormatter(service) if as_json else plain)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    guard_wire_logs()


def new_registry(service: str, version: str) -> CollectorRegistry:
    """A fresh registry with the build-info series; one per service instance."""
    registry = CollectorRegistry(auto_describe=True)
    info = Gauge(
        "build_info",
        "Service build information",
        ["version"],
        namespace=f"snt_{service}",
        registry=registry,
    )
    info.labels(version=version).set(1)
    return registry


async def run_checks(checks: Mapping[str, Check], timeout_s: float = 2.0) -> dict[str, str]:
    async def one(check: Check) -> str:
        try:
            await asyncio.wait_for(check(), timeout_s)
        except Exception as exc:
            return f"failing: {type(exc).__name__}: {exc}"[:300]
        return "ok"

    results = await asyncio.gather(*(one(c) for c in checks.values()))
    return dict(zip(checks, results, strict=True))


def ops_router(service: str, checks: Mapping[str, Check], registry: CollectorRegistry) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process is serving")
    async def healthz() -> dict[str, str]:
        return {"service": service, "status": "ok"}

    @router.get("/readyz", summary="Readiness: every dependency is reachable")
    async def readyz() -> JSONResponse:
        results = await run_checks(checks)
        ready = all(v == "ok" for v in results.values())
        body = {"service": service, "ready": ready, "checks": results}
        return JSONResponse(body, status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
