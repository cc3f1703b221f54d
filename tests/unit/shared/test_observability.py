from __future__ import annotations

import json
import logging

from fastapi import FastAPI
from fastapi.testclient import TestClient

from shared.observability import JsonFormatter, new_registry, ops_router


async def _ok() -> None:
    return None


async def _down() -> None:
    raise ConnectionError("broker did not answer")


def _client(checks: dict) -> TestClient:  # type: ignore[type-arg]
    app = FastAPI()
    app.include_router(ops_router("kpi", checks, new_registry("kpi", "1.2.3")))
    return TestClient(app)


def test_healthz_and_readyz_when_everything_answers() -> None:
    client = _client({"broker": _ok, "database": _ok})
    assert client.get("/healthz").json() == {"service": "kpi", "status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "service": "kpi",
        "ready": True,
        "checks": {"broker": "ok", "database": "ok"},
    }


def test_readyz_is_503_and_names_the_failing_check() -> None:
    ready = _client({"broker": _down, "database": _ok}).get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"] == {
        "broker": "failing: ConnectionError: broker did not answer",
        "database": "ok",
    }


def test_metrics_expose_the_service_namespace() -> None:
    body = _client({}).get("/metrics").text
    assert 'snt_kpi_build_info{version="1.2.3"} 1.0' in body


def test_json_log_lines_keep_extra_fields() -> None:
    record = logging.LogRecord("snt.kpi", logging.INFO, "f.py", 1, "consumed %s", ("x",), None)
    record.topic, record.partition, record.offset = "snt.crime.v1", 3, 41
    line = json.loads(JsonFormatter("kpi").format(record))
    assert line["msg"] == "consumed x"
    assert (line["topic"], line["partition"], line["offset"]) == ("snt.crime.v1", 3, 41)
    assert line["service"] == "kpi"
