"""All five services for real in one test process: uvicorn on free ports, the tansu broker,
SQLite databases, the dashboard calling the others over HTTP.

``running_services(tmp, bootstrap)`` serves them and yields their URLs and apps;
``issue_tokens`` makes tokens in their shared token database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI

from services.alerts.app import create_app as alerts_app
from services.alerts.config import AlertsSettings
from services.dashboard.app import create_app as dashboard_app
from services.dashboard.config import DashboardSettings
from services.flex.app import create_app as flex_app
from services.flex.config import FlexSettings
from services.ingest.app import create_app as ingest_app
from services.ingest.config import IngestSettings
from services.kpi.app import create_app as kpi_app
from services.kpi.config import KpiSettings
from shared.auth.admin import create_token, open_engine
from shared.settings import load_settings
from tests.support.services import free_port

STRONG = "five-services-" + "k" * 32
MAKERS: dict[str, tuple[Any, Callable[[Any], FastAPI]]] = {
    "ingest": (IngestSettings, ingest_app), "kpi": (KpiSettings, kpi_app),
    "flex": (FlexSettings, flex_app), "alerts": (AlertsSettings, alerts_app),
}  # fmt: skip


@dataclass
class Services:
    urls: dict[str, str]
    apps: dict[str, FastAPI]


def settings_env(name: str, bootstrap: str, tmp: Path) -> dict[str, str]:
    prefix = f"SNT_{name.upper()}_"
    env = {prefix + "ENVIRONMENT": "test", prefix + "KAFKA_BOOTSTRAP": bootstrap,
           prefix + "KAFKA_FETCH_MAX_WAIT_MS": "20",
           prefix + "DATABASE_URL": f"sqlite:///{tmp / f'{name}.db'}",
           prefix + "AUTH_DATABASE_URL": f"sqlite:///{tmp / 'auth.db'}"}  # fmt: skip
    secrets = {"ingest": "PSEUDONYMISATION_KEY", "alerts": "WEBHOOK_SIGNING_KEY"}
    if name in secrets:
        env[prefix + secrets[name]] = STRONG
    return env


def serve(app: FastAPI) -> tuple[str, Callable[[], None]]:
    """Serve ``app`` on a free port in a thread; its URL, and how to stop it."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                           access_log=False, lifespan="on"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the service did not start")
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(30)

    return f"http://127.0.0.1:{port}", stop


@contextmanager
def running_services(
    tmp: Path, bootstrap: str, extra: Mapping[str, Mapping[str, str]] | None = None
) -> Iterator[Services]:
    """Every service served (``extra``: more settings per service name), stopped afterwards."""
    found = Services({}, {})
    stops: list[Callable[[], None]] = []
    try:
        for name, (settings_cls, create) in MAKERS.items():
            env = {**settings_env(name, bootstrap, tmp), **(extra or {}).get(name, {})}
            found.apps[name] = create(load_settings(settings_cls, env))
            found.urls[name], stop = serve(found.apps[name])
            stops.append(stop)
        env = {**settings_env("dashboard", bootstrap, tmp), **(extra or {}).get("dashboard", {})}
        env.update(
            {f"SNT_DASHBOARD_{n.upper()}_URL": found.urls[n] for n in ("kpi", "flex", "alerts")}
        )
        found.apps["dashboard"] = dashboard_app(load_settings(DashboardSettings, env))
        found.urls["dashboard"], stop = serve(found.apps["dashboard"])
        stops.append(stop)
        yield found
    finally:
        for stop in reversed(stops):
            stop()


def issue_token(auth_url: str, name: str, role: str, boroughs: tuple[str, ...] = ()) -> str:
    """A token of ``role`` in the services' token database (``sqlite:///…/auth.db``)."""
    created = create_token(open_engine(auth_url), name=name, role=role, boroughs=boroughs)
    return created.plain_token
