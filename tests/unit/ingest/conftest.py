from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from services.ingest.pipeline import Pipeline
from services.ingest.store.sql import SqlIngestStore, create_schema
from services.ingest.wiring import context_factory
from shared.classification import Classifier, load_classification
from shared.db import make_engine
from shared.reference import LondonReference, load_reference

KEY = b"unit-test-pseudonymisation-key!!"
NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def reference() -> LondonReference:
    return load_reference()


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return load_classification()


@pytest.fixture
def store(tmp_path) -> SqlIngestStore:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'ingest.db'}")
    create_schema(engine)
    return SqlIngestStore(engine)


@pytest.fixture
def make_pipeline(
    reference: LondonReference, classifier: Classifier, store: SqlIngestStore
) -> Callable[..., Pipeline]:
    def make(now: datetime = NOW) -> Pipeline:
        return Pipeline(
            store=store, context=context_factory(reference, classifier, KEY, lambda: now)
        )

    return make
