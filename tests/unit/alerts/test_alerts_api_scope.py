"""The alerts API keeps each borough's business to itself: alerts, silences (with their free-text
reasons) and acknowledgements are listed and written only in the caller's scope; a silence
that could hold another borough's alerts is refused; out of scope is 403 with the reason, an
alert id that exists nowhere 404."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.alerts.api import build_router
from services.alerts.engine import Engine
from services.alerts.rule_config import load_rules
from services.alerts.scope import AlertScope
from services.alerts.store.sql import SqlAlertsStore, create_schema
from services.alerts.targets import TargetPolicy
from shared.api import add_error_handlers
from shared.auth import Authenticator, MemoryTokenStore, add_forbidden_handler, issue_token
from shared.consumer import Record
from shared.contracts.examples import example_event
from shared.db import make_engine
from shared.reference import load_reference

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CAMDEN, WESTMINSTER = "E09000007", "E09000033"
BELSIZE, BLOOMSBURY, ST_JAMES = "E05013652", "E05013653", "E05013806"


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


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]
    engine: Engine

    def call(self, method: str, path: str, who: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.request(method, path, headers=headers, **kw)


@pytest.fixture(scope="module")
def borough_of() -> Any:
    reference = load_reference()

    def lookup(ward: str) -> str | None:
        try:
            return reference.ward(ward).borough_code
        except LookupError:
            return None

    return lookup


@pytest.fixture
def api(tmp_path: Path, borough_of: Any) -> Iterator[Api]:
    db = make_engine(f"sqlite:///{tmp_path / 'alerts.db'}")
    create_schema(db)
    engine = Engine(SqlAlertsStore(db), load_rules(), lambda ward: None, lambda: NOW)
    engine.fold([breach(1, BELSIZE, CAMDEN), breach(2, ST_JAMES, WESTMINSTER)])
    store = MemoryTokenStore()
    tokens = {
        "camden": issue_token(store, name="camden.lead", role="borough_lead",
                              boroughs=(CAMDEN,), now=NOW).plain_token,
        "westminster": issue_token(store, name="westminster.lead", role="borough_lead",
                                   boroughs=(WESTMINSTER,), now=NOW).plain_token,
        "inspector": issue_token(store, name="belsize.inspector", role="cluster_inspector",
                                 wards=(BELSIZE,), now=NOW).plain_token,
        "central": issue_token(store, name="central", role="central", now=NOW).plain_token,
    }  # fmt: skip
    app = FastAPI()
    add_forbidden_handler(app)
    add_error_handlers(app)
    boroughs = frozenset(b.code for b in load_reference().boroughs())
    app.include_router(build_router(engine, SqlAlertsStore(db), Authenticator(store, lambda: NOW),
                                    lambda: NOW, AlertScope(borough_of, boroughs),
                                    TargetPolicy()))  # fmt: skip
    yield Api(TestClient(app), tokens, engine)
    db.dispose()


def silence(api: Api, who: str, **matchers: str) -> Any:
    body = {"reason": f"{who}: planned event at the stadium", "hours": 2, **matchers}
    return api.call("POST", "/v1/silences", who, json=body)


def alert_id(ward: str) -> str:
    return f"trajectory_breach:{ward}:1"


def test_alerts_are_listed_in_scope_and_a_foreign_borough_filter_is_403(api: Api) -> None:
    mine = api.call("GET", "/v1/alerts", "camden").json()["alerts"]
    assert [a["area_code"] for a in mine] == [BELSIZE]
    everyone = api.call("GET", "/v1/alerts", "central").json()["alerts"]
    assert {a["area_code"] for a in everyone} == {BELSIZE, ST_JAMES}
    foreign = api.call("GET", f"/v1/alerts?borough_code={WESTMINSTER}", "camden")
    assert foreign.status_code == 403
    assert foreign.json()["detail"] == f"out of scope: borough {WESTMINSTER} is not in your scope"
    own = api.call("GET", f"/v1/alerts?borough_code={CAMDEN}", "inspector")
    assert [a["area_code"] for a in own.json()["alerts"]] == [BELSIZE]


def test_acknowledging_another_boroughs_alert_is_403_and_an_unknown_one_404(api: Api) -> None:
    foreign = api.call("POST", f"/v1/alerts/{alert_id(ST_JAMES)}/acknowledge", "camden",
                       json={"note": "not mine"})  # fmt: skip
    assert foreign.status_code == 403
    assert foreign.json()["detail"] == (
        f"out of scope: alert {alert_id(ST_JAMES)} is not in your scope"
    )
    for who in ("camden", "central"):
        unknown = api.call("POST", "/v1/alerts/no-such-alert/acknowledge", who,
                           json={"note": "x"})  # fmt: skip
        assert (unknown.status_code, unknown.json()["detail"]) == (404, "no alert no-such-alert")
    done = api.call("POST", f"/v1/alerts/{alert_id(BELSIZE)}/acknowledge", "camden",
                    json={"note": "extra patrols"})  # fmt: skip
    assert (done.status_code, done.json()["acknowledged_by"]) == (200, "camden.lead")
    again = api.call("POST", f"/v1/alerts/{alert_id(ST_JAMES)}/acknowledge", "inspector",
                     json={"note": "x"})  # fmt: skip
    assert again.status_code == 403


def test_silences_are_listed_only_to_those_whose_scope_holds_them(api: Api) -> None:
    assert silence(api, "westminster", borough_code=WESTMINSTER).status_code == 201
    assert silence(api, "camden", area_code=BELSIZE).status_code == 201
    assert silence(api, "central", rule_id="spc_concern").status_code == 201  # MPS-wide
    listed = {
        who: [s["reason"] for s in api.call("GET", "/v1/silences", who).json()["silences"]]
        for who in ("camden", "westminster", "inspector", "central")
    }
    assert listed["camden"] == ["camden: planned event at the stadium"]
    assert listed["westminster"] == ["westminster: planned event at the stadium"]
    assert listed["inspector"] == ["camden: planned event at the stadium"]  # on their ward
    assert len(listed["central"]) == 3


@pytest.mark.parametrize(
    ("matchers", "reason"),
    [
        ({}, "could hold other boroughs' alerts"),
        ({"rule_id": "trajectory_breach"}, "could hold other boroughs' alerts"),
        ({"borough_code": WESTMINSTER}, f"borough {WESTMINSTER} is not in your scope"),
        ({"area_code": WESTMINSTER}, f"borough {WESTMINSTER} is not in your scope"),
        ({"area_code": ST_JAMES}, f"ward {ST_JAMES} is not in your scope"),
        ({"area_code": "MPS"}, "could hold other boroughs' alerts"),
        ({"borough_code": "MPS"}, "could hold other boroughs' alerts"),
    ],
)
def test_a_lead_may_not_silence_outside_their_borough(
    api: Api, matchers: dict[str, str], reason: str
) -> None:
    refused = silence(api, "camden", **matchers)
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("out of scope: ")
    assert reason in refused.json()["detail"]
    assert api.call("GET", "/v1/silences", "central").json()["silences"] == []


def test_a_ward_silence_records_its_borough_and_contradictions_are_422(api: Api) -> None:
    made = silence(api, "camden", area_code=BELSIZE)
    assert (made.json()["area_code"], made.json()["borough_code"]) == (BELSIZE, CAMDEN)
    ward_as_borough = silence(api, "camden", borough_code=BELSIZE)  # an alert with no borough
    assert (ward_as_borough.json()["area_code"], ward_as_borough.json()["borough_code"]) == (
        BELSIZE, CAMDEN)  # fmt: skip
    assert silence(api, "camden", borough_code=ST_JAMES).status_code == 403
    clash = silence(api, "camden", area_code=ST_JAMES, borough_code=CAMDEN)
    assert clash.status_code == 422
    assert clash.json()["detail"] == (
        f"the silence would match nothing: ward {ST_JAMES} is in borough {WESTMINSTER}, "
        f"not {CAMDEN}"
    )
    assert silence(api, "camden", area_code="E05013652\t").status_code == 422
    assert silence(api, "camden", borough_code=CAMDEN, rule_id="nope").status_code == 422


def test_an_inspector_silences_only_their_own_wards(api: Api) -> None:
    assert silence(api, "inspector", area_code=BELSIZE).status_code == 201
    assert silence(api, "inspector", area_code=BLOOMSBURY).status_code == 403
    whole = silence(api, "inspector", borough_code=CAMDEN)
    assert whole.status_code == 403
    assert "only their own wards" in whole.json()["detail"]


def test_a_silence_in_scope_holds_only_that_boroughs_notices(api: Api) -> None:
    made = silence(api, "camden", borough_code=CAMDEN, rule_id="trajectory_breach")
    assert made.json()["author"] == "camden.lead"
    api.engine.fold([breach(3, BLOOMSBURY, CAMDEN), breach(4, "E05013800", WESTMINSTER)])
    log = api.call("GET", "/v1/deliveries", "central").json()["deliveries"]
    held = {d["alert_id"]: d["status"] for d in log}
    assert held[alert_id(BLOOMSBURY)] == "held"
    assert held[alert_id("E05013800")] == "pending"


@pytest.mark.parametrize("path", ["/v1/subscriptions", "/v1/deliveries"])
def test_subscriptions_and_the_delivery_log_are_mps_wide_only(api: Api, path: str) -> None:
    assert api.call("GET", path, "camden").status_code == 403
    assert api.call("GET", path, "central").status_code == 200
