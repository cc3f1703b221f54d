"""The release endpoints over HTTP: MPS-wide roles only; list held, accept, reject."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.ingest.api_releases import build_release_router
from services.ingest.bulk import run_import
from services.ingest.metrics import IngestMetrics
from services.ingest.outbox import OutboxRelay
from services.ingest.pipeline import Pipeline
from services.ingest.releases import ReleaseDesk
from services.ingest.service import IngestService
from services.ingest.store.base import StoredEvent
from services.ingest.store.sql import SqlIngestStore
from shared.auth import Authenticator, MemoryTokenStore, Role, issue_token
from shared.observability import new_registry
from shared.reference import LondonReference
from tests.unit.ingest.test_ingest_releases import RULE, held_setup, net

NOW = datetime(2026, 3, 1, tzinfo=UTC)
HELD = "mps-ward:202401-202403"


class _NoBroker:
    async def publish(self, events: Sequence[StoredEvent]) -> list[bool]:
        return [False] * len(events)


@pytest.fixture
def api(
    make_pipeline: Callable[..., Pipeline], store: SqlIngestStore
) -> tuple[TestClient, dict[str, dict[str, str]]]:
    pipeline = make_pipeline()
    metrics = IngestMetrics(new_registry("ingest", "test"))
    relay = OutboxRelay(store, _NoBroker(), metrics)
    service = IngestService(pipeline, relay, metrics, 65_536)
    tokens = MemoryTokenStore()
    auth = Authenticator(tokens, lambda: NOW)
    app = FastAPI()
    app.include_router(build_release_router(service, ReleaseDesk(pipeline, RULE), auth))
    headers = {}
    for role, boroughs in ((Role.CENTRAL, ()), (Role.BOROUGH_LEAD, ("E09000002",))):
        issued = issue_token(tokens, name=role.value, role=role, boroughs=boroughs, now=NOW)
        headers[role.value] = {"Authorization": f"Bearer {issued.plain_token}"}
    return TestClient(app), headers


@pytest.fixture
def held(
    tmp_path: Path, make_pipeline: Callable[..., Pipeline], reference: LondonReference
) -> None:
    pipeline = make_pipeline()
    held_setup(tmp_path, lambda p: run_import(pipeline, "mps-ward-csv", p, reference,
                                              rule=RULE).as_dict())  # fmt: skip


@pytest.mark.usefixtures("held")
def test_only_mps_wide_roles_see_and_decide_releases(
    api: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, headers = api
    assert client.get("/v1/releases").status_code == 401
    lead = headers["borough_lead"]
    assert client.get("/v1/releases", headers=lead).status_code == 403
    assert client.post(f"/v1/releases/{HELD}/accept", json={}, headers=lead).status_code == 403
    listed = client.get("/v1/releases?status=held", headers=headers["central"]).json()
    assert [r["release_id"] for r in listed["releases"]] == [HELD]
    assert listed["releases"][0]["findings"][0]["month"] == "2024-01"


@pytest.mark.usefixtures("held")
def test_accept_applies_and_reject_is_then_refused(
    api: tuple[TestClient, dict[str, dict[str, str]]], store: SqlIngestStore
) -> None:
    client, headers = api
    central = headers["central"]
    done = client.post(f"/v1/releases/{HELD}/accept", json={"note": "ok"}, headers=central)
    assert done.status_code == 200
    assert done.json()["release"]["decided_by"] == "central"
    assert net(store)[("E05014053", "2024-01", "violence")] == 10
    again = client.post(f"/v1/releases/{HELD}/reject", json={}, headers=central)
    assert again.status_code == 409
    assert client.post("/v1/releases/mps-ward:209901-209902/accept", json={},
                       headers=central).status_code == 404  # fmt: skip


@pytest.mark.usefixtures("held")
def test_reject_keeps_the_figures(
    api: tuple[TestClient, dict[str, dict[str, str]]], store: SqlIngestStore
) -> None:
    client, headers = api
    done = client.post(f"/v1/releases/{HELD}/reject", json={"note": "truncated"},
                       headers=headers["central"])  # fmt: skip
    assert (done.status_code, done.json()["status"], done.json()["note"]) == (
        200, "rejected", "truncated")  # fmt: skip
    assert net(store)[("E05014053", "2024-01", "violence")] == 100
