"""Every route of every service, called by the lead of one borough (Camden) against the
objects and paths of another (Westminster): each answers 403 (docs/security.md), and no
Westminster data appear in any answer a Camden lead is given.

The routes are read from each app's OpenAPI: a route that is neither in ``TABLE`` nor in
``PUBLIC`` fails the test, so a new route cannot ship unclassified. All five services run for
real (uvicorn, the tansu broker, SQLite), the dashboard calling the others over HTTP.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from services.alerts.app import create_app as alerts_app
from services.alerts.config import AlertsSettings
from services.alerts.domain.routing import Silence, Subscription
from services.alerts.engine import Engine
from services.alerts.rule_config import load_rules
from services.alerts.store.sql import SqlAlertsStore, create_schema
from services.dashboard.app import create_app as dashboard_app
from services.dashboard.config import DashboardSettings
from services.flex.app import create_app as flex_app
from services.flex.config import FlexSettings
from services.ingest.app import create_app as ingest_app
from services.ingest.config import IngestSettings
from services.kpi.app import create_app as kpi_app
from services.kpi.config import KpiSettings
from shared.auth.admin import create_token, open_engine
from shared.consumer import Record
from shared.contracts.examples import example_event
from shared.db import make_engine
from shared.kafka_admin import ensure_topics
from shared.reference import load_reference
from shared.settings import load_settings
from shared.topics import TOPICS
from tests.support.services import free_port
from tests.support.tansu import running_tansu

pytestmark = pytest.mark.integration

CAMDEN, WESTMINSTER = "E09000007", "E09000033"
BELSIZE, ST_JAMES = "E05013652", "E05013806"
B_ALERT = f"trajectory_breach:{ST_JAMES}:1"
B_SECRET = "WESTMINSTER-ONLY: state visit, do not circulate"
B_TARGET = "https://westminster.example/hook"
STRONG = "cross-borough-" + "k" * 32

PUBLIC = {(name, "GET", path) for name in ("ingest", "kpi", "flex", "alerts", "dashboard")
          for path in ("/healthz", "/readyz", "/asyncapi.json")}  # fmt: skip
"""Health probes and the AsyncAPI document of the service's topics (contracts, like
/openapi.json): no token, no data."""


@dataclass(frozen=True)
class Case:
    """One call by the Camden lead; ``status`` is the documented answer."""

    path: str
    status: int = 403
    body: dict[str, Any] | None = None
    stream: bool = False


def _ingest() -> dict[tuple[str, str, str], list[Case]]:
    feeds = ("crimes/recorded", "crimes/amended", "cad/incidents", "carm3/duty-changes",
             "surveys/responses", "surveys/aggregates")  # fmt: skip
    table = {("ingest", "POST", f"/v1/{f}{b}"): [Case(f"/v1/{f}{b}", body={})]
             for f in feeds for b in ("", "/batch")}  # fmt: skip
    table[("ingest", "GET", "/v1/releases")] = [Case("/v1/releases")]
    for verb in ("accept", "reject"):
        table[("ingest", "POST", f"/v1/releases/{{release_id}}/{verb}")] = [
            Case(f"/v1/releases/r-{WESTMINSTER}/{verb}", body={"reason": "x"})]  # fmt: skip
    return table


KPI = {
    "/v1/kpi/wards/{ward_code}": "/v1/kpi/wards/{w}",
    "/v1/kpi/wards/{ward_code}/categories": "/v1/kpi/wards/{w}/categories",
    "/v1/kpi/wards/{ward_code}/series": "/v1/kpi/wards/{w}/series",
    "/v1/kpi/wards/{ward_code}/spc": "/v1/kpi/wards/{w}/spc",
    "/v1/kpi/wards/{ward_code}/diagnostics": "/v1/kpi/wards/{w}/diagnostics",
    "/v1/kpi/wards/{ward_code}/survey": "/v1/kpi/wards/{w}/survey",
    "/v1/kpi/boroughs/{borough_code}": "/v1/kpi/boroughs/{b}",
    "/v1/kpi/boroughs/{borough_code}/spc": "/v1/kpi/boroughs/{b}/spc",
    "/v1/kpi/boroughs/{borough_code}/league": "/v1/kpi/boroughs/{b}/league",
    "/v1/kpi/boroughs/{borough_code}/exceptions": "/v1/kpi/boroughs/{b}/exceptions",
    "/v1/kpi/boroughs/{borough_code}/reconciliation": "/v1/kpi/boroughs/{b}/reconciliation",
    "/v1/kpi/boroughs/{borough_code}/meetings/{meeting}":
        "/v1/kpi/boroughs/{b}/meetings/strategic_monthly",
    "/v1/kpi/boroughs/{borough_code}/diagnostics": "/v1/kpi/boroughs/{b}/diagnostics",
    "/v1/kpi/boroughs/{borough_code}/survey": "/v1/kpi/boroughs/{b}/survey",
    "/v1/kpi/mps": "/v1/kpi/mps",
    "/v1/kpi/mps/meetings/{meeting}": "/v1/kpi/mps/meetings/strategic_monthly",
    "/v1/kpi/mps/exceptions": "/v1/kpi/mps/exceptions",
    "/v1/kpi/mps/league": "/v1/kpi/mps/league",
    "/v1/kpi/mps/diagnostics": "/v1/kpi/mps/diagnostics",
    "/v1/kpi/mps/survey": "/v1/kpi/mps/survey",
}  # fmt: skip
FLEX = {
    "/v1/flex/wards/{ward_code}": "/v1/flex/wards/{w}",
    "/v1/flex/wards/{ward_code}/kpi9": "/v1/flex/wards/{w}/kpi9",
    "/v1/flex/boroughs/{borough_code}/report": "/v1/flex/boroughs/{b}/report",
    "/v1/flex/boroughs/{borough_code}/exceptions": "/v1/flex/boroughs/{b}/exceptions",
    "/v1/flex/boroughs/{borough_code}/kpi9": "/v1/flex/boroughs/{b}/kpi9",
    "/v1/flex/mps/report": "/v1/flex/mps/report",
    "/v1/flex/mps/kpi9": "/v1/flex/mps/kpi9",
}
SILENCE = {"reason": "x", "hours": 1}
DASHBOARD_READS = ("kpi/v1/kpi/boroughs/{b}", "kpi/v1/kpi/wards/{w}", "flex/v1/flex/wards/{w}",
                   "kpi/v1/kpi/mps", f"alerts/v1/alerts?borough_code={WESTMINSTER}",
                   "alerts/v1/subscriptions", "alerts/v1/deliveries")  # fmt: skip


def _b(path: str) -> str:
    return path.replace("{w}", ST_JAMES).replace("{b}", WESTMINSTER)


TABLE: dict[tuple[str, str, str], list[Case]] = {
    **_ingest(),
    **{("kpi", "GET", route): [Case(_b(path))] for route, path in KPI.items()},
    **{("flex", "GET", route): [Case(_b(path))] for route, path in FLEX.items()},
    ("alerts", "GET", "/v1/alerts"): [
        Case("/v1/alerts", 200), Case(f"/v1/alerts?borough_code={WESTMINSTER}")],
    ("alerts", "POST", "/v1/alerts/{alert_id}/acknowledge"): [
        Case(f"/v1/alerts/{B_ALERT}/acknowledge", body={"note": "x"}),
        Case("/v1/alerts/no-such-alert/acknowledge", 404, body={"note": "x"})],
    ("alerts", "GET", "/v1/silences"): [Case("/v1/silences", 200)],
    ("alerts", "POST", "/v1/silences"): [
        Case("/v1/silences", body={**SILENCE, "borough_code": WESTMINSTER}),
        Case("/v1/silences", body={**SILENCE, "area_code": ST_JAMES}),
        Case("/v1/silences", body={**SILENCE, "rule_id": "trajectory_breach"}),
        Case("/v1/silences", body=SILENCE)],
    ("alerts", "GET", "/v1/subscriptions"): [Case("/v1/subscriptions")],
    ("alerts", "PUT", "/v1/subscriptions/{subscription_id}"): [
        Case("/v1/subscriptions/westminster", body={
            "name": "x", "scope": "borough", "scope_code": WESTMINSTER, "channel": "email",
            "target": "camden@example.org"})],
    ("alerts", "DELETE", "/v1/subscriptions/{subscription_id}"): [
        Case("/v1/subscriptions/westminster")],
    ("alerts", "GET", "/v1/deliveries"): [
        Case("/v1/deliveries"), Case(f"/v1/deliveries?alert_id={B_ALERT}")],
    ("dashboard", "GET", "/api/me"): [Case("/api/me", 200)],
    ("dashboard", "GET", "/api/{service}/{path}"): [
        Case(f"/api/{_b(p)}") for p in DASHBOARD_READS] + [
        Case("/api/alerts/v1/alerts", 200), Case("/api/alerts/v1/silences", 200)],
    ("dashboard", "POST", "/api/{service}/{path}"): [
        Case(f"/api/alerts/v1/alerts/{B_ALERT}/acknowledge", body={"note": "x"}),
        Case("/api/alerts/v1/silences", body={**SILENCE, "borough_code": WESTMINSTER})],
    ("dashboard", "GET", "/live"): [Case("/live", 200, stream=True)],
    ("dashboard", "GET", "/summary/mps"): [Case("/summary/mps")],
    ("dashboard", "GET", "/summary/boroughs/{borough_code}"): [
        Case(f"/summary/boroughs/{WESTMINSTER}")],
    ("dashboard", "GET", "/summary/wards/{ward_code}"): [Case(f"/summary/wards/{ST_JAMES}")],
    ("dashboard", "GET", "/basis/mps"): [Case("/basis/mps")],
    ("dashboard", "GET", "/basis/boroughs/{borough_code}"): [
        Case(f"/basis/boroughs/{WESTMINSTER}")],
    ("dashboard", "GET", "/maps/boroughs/{borough_code}.svg"): [
        Case(f"/maps/boroughs/{WESTMINSTER}.svg")],
    ("dashboard", "GET", "/maps/mps.svg"): [Case("/maps/mps.svg")],
    ("dashboard", "GET", "/charts/{level}/{code}/{kind}.svg"): [
        Case(f"/charts/wards/{ST_JAMES}/spc.svg"),
        Case(f"/charts/boroughs/{WESTMINSTER}/trajectory.svg")],
    ("dashboard", "GET", "/packs/boroughs/{borough_code}"): [
        Case(f"/packs/boroughs/{WESTMINSTER}")],
    ("dashboard", "GET", "/packs/meetings/{meeting}"): [
        Case(f"/packs/meetings/strategic_monthly?borough={WESTMINSTER}"),
        Case("/packs/meetings/strategic_monthly")],
}  # fmt: skip
"""(service, method, OpenAPI route) → the calls made by the Camden lead, and the answers."""


@dataclass
class Stack:
    urls: dict[str, str]
    tokens: dict[str, str]
    apps: dict[str, FastAPI]
    b_codes: frozenset[str] = field(default_factory=frozenset)


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


def breach(n: int, ward: str, borough: str) -> Record:
    event = example_event("kpi.updated", event_id=f"kpi:{ward}:1:fytd:t{n}")
    event["payload"].update(
        level="ward", area_code=ward, borough_code=borough, kpi=1, period="fytd", value=130,
        last_year=100, trajectory=98.0, gap_to_trajectory=32.0,
        significance={"test": "poisson_conditional_binomial", "null_ratio": 1.0,
                      "p_value": 0.01, "verdict": "significant_worse"},
        target_significance={"test": "poisson_conditional_binomial", "null_ratio": 0.98,
                             "p_value": 0.001, "verdict": "significant_worse"},
    )  # fmt: skip
    return Record("snt.kpi.updates.v1", 0, n, json.dumps(event).encode())


def seed_alerts(url: str) -> None:
    """Westminster's business in the alerts database: an alert, a silence, a subscription."""
    db = make_engine(url)
    create_schema(db)
    now = datetime.now(UTC)
    engine = Engine(SqlAlertsStore(db), load_rules(), lambda ward: None, lambda: now)
    engine.fold([breach(1, ST_JAMES, WESTMINSTER), breach(2, BELSIZE, CAMDEN)])
    engine.add_silence(Silence("silence-westminster", now, now.replace(year=now.year + 1),
                               "westminster.lead", B_SECRET, None, None, WESTMINSTER))  # fmt: skip
    engine.put_subscription(Subscription("westminster", "Westminster lead", "borough",
                                         WESTMINSTER, "webhook", B_TARGET))  # fmt: skip
    db.dispose()


def serve(app: FastAPI) -> tuple[str, Callable[[], None]]:
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


MAKERS: dict[str, tuple[Any, Callable[[Any], FastAPI]]] = {
    "ingest": (IngestSettings, ingest_app), "kpi": (KpiSettings, kpi_app),
    "flex": (FlexSettings, flex_app), "alerts": (AlertsSettings, alerts_app),
}  # fmt: skip


def issue_tokens(url: str) -> dict[str, str]:
    auth = open_engine(url)
    camden = create_token(auth, name="camden.lead", role="borough_lead", boroughs=(CAMDEN,))
    central = create_token(auth, name="central", role="central")
    return {"camden": camden.plain_token, "central": central.plain_token}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("cross-borough")
    with running_tansu() as bootstrap:
        ensure_topics(bootstrap, list(TOPICS))
        tokens = issue_tokens(f"sqlite:///{tmp / 'auth.db'}")
        seed_alerts(settings_env("alerts", bootstrap, tmp)["SNT_ALERTS_DATABASE_URL"])
        apps: dict[str, FastAPI] = {}
        urls: dict[str, str] = {}
        stops: list[Callable[[], None]] = []
        try:
            for name, (settings_cls, create) in MAKERS.items():
                apps[name] = create(load_settings(settings_cls, settings_env(name, bootstrap, tmp)))
                urls[name], stop = serve(apps[name])
                stops.append(stop)
            env = settings_env("dashboard", bootstrap, tmp)
            env.update(
                {f"SNT_DASHBOARD_{n.upper()}_URL": urls[n] for n in ("kpi", "flex", "alerts")}
            )
            apps["dashboard"] = dashboard_app(load_settings(DashboardSettings, env))
            urls["dashboard"], stop = serve(apps["dashboard"])
            stops.append(stop)
            wards = {w.code for w in load_reference().wards("2022", WESTMINSTER)}
            yield Stack(urls, tokens, apps, frozenset({WESTMINSTER, *wards}))
        finally:
            for stop in reversed(stops):
                stop()


def openapi_routes(app: FastAPI, name: str) -> set[tuple[str, str, str]]:
    return {(name, method.upper(), path)
            for path, operations in app.openapi()["paths"].items()
            for method in operations}  # fmt: skip


def test_every_route_of_every_service_is_classified(stack: Stack) -> None:
    found = set().union(*(openapi_routes(app, name) for name, app in stack.apps.items()))
    assert sorted(found - PUBLIC - set(TABLE)) == [], "routes with no cross-borough case"
    assert sorted(set(TABLE) - found) == [], "cases for routes that no longer exist"


def test_westminster_has_business_to_hide_and_camden_sees_its_own(stack: Stack) -> None:
    """The control: what the Camden lead is refused exists, and their own is there."""
    central = {"Authorization": f"Bearer {stack.tokens['central']}"}
    camden = {"Authorization": f"Bearer {stack.tokens['camden']}"}
    with httpx.Client(base_url=stack.urls["dashboard"], timeout=60) as client:
        assert B_SECRET in client.get("/api/alerts/v1/silences", headers=central).text
        assert B_TARGET in client.get("/api/alerts/v1/subscriptions", headers=central).text
        assert B_ALERT in client.get("/api/alerts/v1/alerts", headers=central).text
        own = client.get("/api/alerts/v1/alerts", headers=camden).json()["alerts"]
        assert [a["area_code"] for a in own] == [BELSIZE]
        me = client.get("/api/me", headers=camden).json()
        assert [b["code"] for b in me["boroughs"]] == [CAMDEN]


@pytest.mark.parametrize("route", sorted(TABLE), ids=" ".join)
def test_a_lead_of_one_borough_gets_nothing_of_another(
    stack: Stack, route: tuple[str, str, str]
) -> None:
    service, method, _ = route
    headers = {"Authorization": f"Bearer {stack.tokens['camden']}"}
    with httpx.Client(base_url=stack.urls[service], headers=headers, timeout=60) as client:
        for case in TABLE[route]:
            if case.stream:
                with client.stream(method, case.path) as streamed:
                    status, text = streamed.status_code, ""
            else:
                answer = client.request(method, case.path, json=case.body)
                status, text = answer.status_code, answer.text
            assert status == case.status, f"{method} {case.path}: {status} {text[:300]}"
            assert B_SECRET not in text, case.path
            assert B_TARGET not in text, case.path
            if status < 300:
                leaked = sorted(code for code in stack.b_codes if code in text)
                assert leaked == [], f"{method} {case.path} shows Westminster's {leaked}"
            else:
                assert json.loads(text)["detail"], case.path
