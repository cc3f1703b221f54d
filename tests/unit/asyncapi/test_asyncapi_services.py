"""Every service's /asyncapi.json and the product's document: accepted by the official
AsyncAPI parser, covering every topic, and the committed docs/asyncapi.json current."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from shared.contracts.catalogue import CANONICAL_EVENTS
from shared.contracts.deadletter import DeadLettered
from shared.contracts.registry import event_key
from shared.topics import TOPICS, topics_for
from snt.docs import Documents, read_documents, render
from tests.support.asyncapi_parser import ParserUnavailableError, Result, parse
from tests.support.services import unavailable

REPO = Path(__file__).resolve().parents[3]
COMMITTED = REPO / "docs" / "asyncapi.json"


@pytest.fixture(scope="module")
def documents() -> Documents:
    return read_documents()


def parsed(documents: dict[str, dict[str, Any]]) -> dict[str, Result]:
    try:
        return parse(documents)
    except ParserUnavailableError as exc:
        unavailable("the AsyncAPI parser (npm @asyncapi/parser)", str(exc))
        raise


def test_the_official_parser_accepts_every_document(documents: Documents) -> None:
    found = parsed({**documents.asyncapi, "product": documents.product_asyncapi()})
    assert set(found) == {"ingest", "kpi", "flex", "alerts", "dashboard", "product"}
    for name, result in found.items():
        assert result.parsed, (name, result.diagnostics)
        assert result.version == "3.0.0"
        assert result.problems() == [], name


def test_the_parser_refuses_a_dangling_reference(documents: Documents) -> None:
    broken = copy.deepcopy(documents.asyncapi["kpi"])
    del broken["components"]["schemas"]["kpi.updated.v1"]
    result = parsed({"broken": broken})["broken"]
    assert not result.parsed
    assert any(d["severity"] == 0 for d in result.diagnostics)


def test_the_product_document_has_every_topic_and_who_writes_it(documents: Documents) -> None:
    product = documents.product_asyncapi()
    assert list(product["channels"]) == [spec.name for spec in TOPICS]
    operations = product["operations"]
    for spec in TOPICS:
        actions = {
            op["action"]
            for op in operations.values()
            if op["channel"]["$ref"] == f"#/channels/{spec.name}"
        }
        source_systems = spec.name.startswith("snt.raw.")  # written by CRIS, CAD, CARM3, surveys
        assert ("send" in actions) is not source_systems, spec.name


def test_each_service_documents_its_own_operations_only(documents: Documents) -> None:
    for name, document in documents.asyncapi.items():
        assert document["operations"], name
        assert all(op.startswith(f"{name}.") for op in document["operations"]), name


def test_ingest_declares_every_topic_its_outbox_publishes_to(documents: Documents) -> None:
    sends = {
        op.removeprefix("ingest.send.")
        for op in documents.asyncapi["ingest"]["operations"]
        if op.startswith("ingest.send.")
    }
    for cls in (*CANONICAL_EVENTS, DeadLettered):
        for spec in topics_for(event_key(cls)[0]):
            if not spec.name.startswith("snt.raw."):
                assert spec.name in sends, spec.name


def test_every_service_serves_its_document_at_asyncapi_json(documents: Documents) -> None:
    for name, openapi in documents.openapi.items():
        assert "/asyncapi.json" in openapi["paths"], name


def test_the_committed_product_document_is_current(documents: Documents) -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render(documents.product_asyncapi()), (
        "docs/asyncapi.json is not current: run .venv/bin/snt docs"
    )


def test_services_send_only_through_declared_publishers() -> None:
    bare = re.compile(r"\bbroker\.publish\(")
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "services").rglob("*.py")
        if bare.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "publish through shared.asyncapi.declare_publisher"
