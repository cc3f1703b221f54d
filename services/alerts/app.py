"""Composition root of the alerts service: the only place that picks broker, stores and HTTP."""

from __future__ import annotations

from fastapi import FastAPI

from services.alerts.config import AlertsSettings
from shared import __version__
from shared.db import make_engine
from shared.observability import new_registry
from shared.service import broker_lifespan, make_broker, service_app, standard_checks

DESCRIPTION = (
    "Exception notifications to borough leads: evaluate, inhibit, silence, group, dedupe, deliver."
)


def create_app(settings: AlertsSettings) -> FastAPI:
    registry = new_registry(settings.service_name, __version__)
    broker = make_broker(settings)
    engine = make_engine(settings.database_url)
    return service_app(
        settings,
        description=DESCRIPTION,
        version=__version__,
        lifespan=broker_lifespan(broker),
        checks=standard_checks(settings, broker, engine),
        registry=registry,
    )
