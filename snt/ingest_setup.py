"""The ingest pipeline for command-line use (bulk import), configured like the service."""

from __future__ import annotations

from pathlib import Path

from services.ingest.config import IngestSettings
from services.ingest.pipeline import Pipeline
from services.ingest.store.sql import SqlIngestStore, create_schema
from services.ingest.wiring import context_factory
from shared.classification import load_classification
from shared.db import make_engine
from shared.heap import freeze_static
from shared.reference import LondonReference, load_reference
from shared.settings import load_settings


def bulk_pipeline(
    data_dir: Path | None, environ: dict[str, str]
) -> tuple[Pipeline, LondonReference]:
    from snt.cli import stack_settings
    from snt.stack import sqlite_url

    env = dict(environ)
    if "SNT_INGEST_DATABASE_URL" not in env:
        stack = stack_settings(data_dir=data_dir)
        env["SNT_INGEST_DATABASE_URL"] = sqlite_url(stack.data_dir / "ingest.db")
    settings = load_settings(IngestSettings, env)
    engine = make_engine(settings.database_url)
    create_schema(engine)
    reference = load_reference()
    key = settings.pseudonymisation_key.get_secret_value().encode()
    context = context_factory(reference, load_classification(), key)
    freeze_static()
    return Pipeline(store=SqlIngestStore(engine), context=context), reference
