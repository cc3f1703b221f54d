"""Composition root of the kpi service: the only place that picks broker, stores and HTTP."""

from __future__ import annotations

from fastapi import FastAPI

from services.kpi.config import KpiSettings
from shared import __version__
from shared.db import make_engine
from shared.observability import new_registry
from shared.service import broker_lifespan, make_broker, service_app, standard_checks

DESCRIPTION = (
    "Exact, incremental ward KPIs with comparisons, trajectories and statistical judgement."
)


def create_app(settings: KpiSettings) -> FastAPI:
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
