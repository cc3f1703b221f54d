"""The dashboard's HTTP surface with the services' APIs answered by a local stand-in
transport: the caller's own token goes upstream, writes are limited to acknowledging and
silencing alerts, upstream refusals come back as they are, and the drill-down tree is the
user's scope (with clusters when configured)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.dashboard.api import build_router
from services.dashboard.areas import Directory
from services.dashboard.live import LiveHub
from services.dashboard.pack.map import WardMap
from services.dashboard.upstream import Upstream
from shared.api import DateWindow
from shared.auth import Authenticator, MemoryTokenStore, add_forbidden_handler, issue_token
from shared.reference import load_clusters, load_reference

WINDOW = DateWindow(date(2000, 1, 1), 366, lambda: date(2026, 1, 5))
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
CLUSTERS = Path(__file__).resolve().parents[3] / "shared/reference/clusters.example.toml"


@pytest.fixture(scope="module")
def reference() -> Any:
    return load_reference()


@pytest.fixture
def app(reference: Any) -> tuple[TestClient, dict[str, str], list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/acknowledge"):
            return httpx.Response(200, json={"state": "acknowledged"})
        if request.url.path == "/v1/kpi/boroughs/E09000033":
            return httpx.Response(403, json={"detail": "out of scope: borough E09000033"})
        return httpx.Response(200, json={"path": request.url.path})

    store = MemoryTokenStore()
    tokens = {
        "lead": issue_token(store, name="sutton.lead", role="borough_lead",
                            boroughs=("E09000029",), now=NOW).plain_token,
        "inspector": issue_token(store, name="insp", role="cluster_inspector",
                                 wards=("E05013754", "E05013756"), now=NOW).plain_token,
        "central": issue_token(store, name="central", role="central", now=NOW).plain_token,
    }  # fmt: skip
    directory = Directory(reference, load_clusters(CLUSTERS, reference))
    hub = LiveHub(directory.borough_of, 10)
    api = FastAPI()
    add_forbidden_handler(api)
    ups = Upstream({"kpi": "http://kpi", "flex": "http://flex", "alerts": "http://alerts"}, 5,
                   transport=httpx.MockTransport(upstream))  # fmt: skip
    api.include_router(build_router(ups, Authenticator(store, lambda: NOW), directory,
                                    WardMap(reference), hub, window=WINDOW))  # fmt: skip
    return TestClient(api), tokens, seen


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_reads_go_upstream_with_the_callers_token(app: Any) -> None:
    client, tokens, seen = app
    found = client.get("/api/kpi/v1/kpi/wards/E05013754?period=fytd", headers=auth(tokens["lead"]))
    assert found.json() == {"path": "/v1/kpi/wards/E05013754"}
    assert seen[-1].headers["Authorization"] == f"Bearer {tokens['lead']}"
    assert seen[-1].url.params["period"] == "fytd"
    assert str(seen[-1].url).startswith("http://kpi/")


def test_upstream_refusals_come_back_as_they_are(app: Any) -> None:
    client, tokens, _ = app
    found = client.get("/api/kpi/v1/kpi/boroughs/E09000033", headers=auth(tokens["lead"]))
    assert found.status_code == 403
    assert found.json() == {"detail": "out of scope: borough E09000033"}


def test_only_acknowledging_and_silencing_may_write(app: Any) -> None:
    client, tokens, seen = app
    ack = client.post("/api/alerts/v1/alerts/a-1/acknowledge", json={"note": "on it"},
                      headers=auth(tokens["lead"]))  # fmt: skip
    assert ack.json() == {"state": "acknowledged"}
    assert seen[-1].content == b'{"note":"on it"}'
    refused = client.post("/api/alerts/v1/subscriptions/x", json={},
                          headers=auth(tokens["central"]))  # fmt: skip
    assert refused.status_code == 405
    assert refused.json()["detail"] == (
        "POST /v1/subscriptions/x is not open through the dashboard"
    )
    assert client.post("/api/kpi/v1/kpi/mps", headers=auth(tokens["central"])).status_code == 405
    assert client.get("/api/kpi/metrics", headers=auth(tokens["central"])).status_code == 404
    assert client.get("/api/other/v1/x", headers=auth(tokens["central"])).status_code == 422


def test_every_call_needs_a_valid_token(app: Any) -> None:
    client, _, seen = app
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/kpi/v1/kpi/mps", headers=auth("snt_wrong")).status_code == 401
    assert client.get("/live").status_code == 401
    assert seen == []
    assert client.get("/").status_code == 200  # the page itself: its sign-in form


def test_the_tree_is_the_users_scope_with_clusters(app: Any) -> None:
    client, tokens, _ = app
    lead = client.get("/api/me", headers=auth(tokens["lead"])).json()
    assert (lead["mps"], [b["code"] for b in lead["boroughs"]]) == (False, ["E09000029"])
    [sutton] = lead["boroughs"]
    assert sutton["whole_borough"] is True
    assert len(sutton["wards"]) == 20
    assert [c["id"] for c in sutton["clusters"]] == ["SU-CW", "SU-NH", "SU-SC", "SU-WP"]
    assert sum(len(c["wards"]) for c in sutton["clusters"]) == 20
    inspector = client.get("/api/me", headers=auth(tokens["inspector"])).json()
    [own] = inspector["boroughs"]
    assert own["whole_borough"] is False
    assert [w["name"] for w in own["wards"]] == ["Beddington", "Carshalton Central"]
    assert [(c["id"], c["wards"]) for c in own["clusters"]] == [
        ("SU-CW", ["E05013754", "E05013756"])]  # fmt: skip
    central = client.get("/api/me", headers=auth(tokens["central"])).json()
    assert central["mps"] is True
    assert len(central["boroughs"]) == 32


def test_a_lead_cannot_open_another_boroughs_pack_or_map(app: Any) -> None:
    client, tokens, seen = app
    pack = client.get("/packs/boroughs/E09000033", headers=auth(tokens["lead"]))
    assert pack.status_code == 403
    assert pack.json()["detail"] == "out of scope: borough E09000033 is not in your scope"
    assert client.get("/maps/boroughs/E09000033.svg",
                      headers=auth(tokens["lead"])).status_code == 403  # fmt: skip
    assert client.get("/maps/mps.svg", headers=auth(tokens["lead"])).status_code == 403
    assert client.get("/summary/mps", headers=auth(tokens["lead"])).status_code == 403
    assert seen == []
