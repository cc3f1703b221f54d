"""Composition root of the flex service: the only place that picks broker, stores and HTTP."""

from __future__ import annotations

from fastapi import FastAPI

from services.flex.config import FlexSettings
from shared import __version__
from shared.db import make_engine
from shared.observability import new_registry
from shared.service import broker_lifespan, make_broker, service_app, standard_checks

DESCRIPTION = (
    "CARM3 duty changes: ward abstraction, minimum staffing and the SNT abstraction report (KPI 9)."
)


def create_app(settings: FlexSettings) -> FastAPI:
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
