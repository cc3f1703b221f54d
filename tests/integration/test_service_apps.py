"""Each service's composition root against the real broker, PostgreSQL and Redis."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.alerts.app import create_app as alerts_app
from services.alerts.config import AlertsSettings
from services.flex.app import create_app as flex_app
from services.flex.config import FlexSettings
from services.ingest.app import create_app as ingest_app
from services.ingest.config import IngestSettings
from services.kpi.app import create_app as kpi_app
from services.kpi.config import KpiSettings
from shared.settings import load_settings
from tests.support.tansu import running_tansu

pytestmark = pytest.mark.integration

APPS = {
    "ingest": (IngestSettings, ingest_app),
    "kpi": (KpiSettings, kpi_app),
    "flex": (FlexSettings, flex_app),
    "alerts": (AlertsSettings, alerts_app),
}
STRONG = "integration-" + "k" * 32


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    with running_tansu() as address:
        yield address


def env_for(name: str, bootstrap: str, database_url: str, redis_url: str) -> dict[str, str]:
    prefix = f"SNT_{name.upper()}_"
    env = {
        prefix + "ENVIRONMENT": "test",
        prefix + "KAFKA_BOOTSTRAP": bootstrap,
        prefix + "KAFKA_FETCH_MAX_WAIT_MS": "20",
        prefix + "DATABASE_URL": database_url,
        prefix + "AUTH_DATABASE_URL": database_url,
        prefix + "REDIS_URL": redis_url,
    }
    secrets = {"ingest": "PSEUDONYMISATION_KEY", "alerts": "WEBHOOK_SIGNING_KEY"}
    if name in secrets:
        env[prefix + secrets[name]] = STRONG
    return env


@pytest.mark.parametrize("name", list(APPS))
def test_service_is_ready_on_postgres_redis_and_the_broker(
    name: str, bootstrap: str, pg_url: str, redis_url: str
) -> None:
    settings_cls, create_app = APPS[name]
    settings = load_settings(settings_cls, env_for(name, bootstrap, pg_url, redis_url))
    with TestClient(create_app(settings)) as client:  # type: ignore[operator]
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        expected = {"broker": "ok", "database": "ok", "redis": "ok"}
        if name in ("kpi", "flex", "alerts"):  # ready once its state is loaded
            expected["state"] = "ok"
        assert ready.json()["checks"] == expected
        assert f"snt_{name}_build_info" in client.get("/metrics").text


def test_readiness_names_an_unreachable_database(bootstrap: str, redis_url: str) -> None:
    dead_db = "postgresql+psycopg://postgres@127.0.0.1:1/none"
    settings = load_settings(KpiSettings, env_for("kpi", bootstrap, dead_db, redis_url))
    with TestClient(kpi_app(settings)) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["broker"] == "ok"
    assert checks["redis"] == "ok"
    assert checks["database"].startswith("failing: OperationalError")
    assert checks["state"].startswith("failing: RuntimeError: waiting for the database: Operat")
