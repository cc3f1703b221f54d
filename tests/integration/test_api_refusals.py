"""Every refusal of every service is a 4xx with a ``reason``, never a server error or figures
made up for something that does not exist (issue: contracts other systems can build on).

All five services run for real (uvicorn, the tansu broker, SQLite). Each row is one call
and the answer documented in docs/security.md ("Unknown objects", "Dates") and
docs/contracts.md: dates outside the configured window are 422 ``date_out_of_range``; a date
is ``YYYY-MM-DD`` only (no number read as a timestamp); an unknown borough or ward is 404
``unknown_area`` for every role, before any scope check; a malformed code is 422; ingest
takes no string for a number; subscription targets must be on the allow-list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.contracts.examples import example_event
from shared.kafka_admin import ensure_topics
from shared.topics import TOPICS
from tests.support.five_services import Services, issue_token, running_services
from tests.support.tansu import running_tansu

pytestmark = pytest.mark.integration

CAMDEN, BELSIZE = "E09000007", "E05013652"
FAR = (date.today() + timedelta(days=400)).isoformat()
ROLES = {"central": ("central", ()), "lead": ("borough_lead", (CAMDEN,)),
         "system": ("system", ())}  # fmt: skip


@dataclass(frozen=True)
class Call:
    service: str
    path: str
    status: int
    reason: str
    who: str = "central"
    method: str = "GET"
    body: Any = None


DATES = [
    Call("flex", "/v1/flex/mps/report?month=0000-01", 422, "date_out_of_range"),
    Call("flex", "/v1/flex/mps/report?month=2024-13", 422, "invalid_request"),
    Call("flex", "/v1/flex/mps/report?month=202401", 422, "invalid_request"),
    Call("flex", "/v1/flex/mps/report?month=0001-01", 422, "date_out_of_range"),
    Call("flex", "/v1/flex/mps/report?month=1999-12", 422, "date_out_of_range"),
    Call("flex", "/v1/flex/mps/report?month=9999-12&format=csv", 422, "date_out_of_range"),
    Call(
        "flex", f"/v1/flex/boroughs/{CAMDEN}/report?month=0001-01", 422, "date_out_of_range", "lead"
    ),
    Call(
        "flex",
        f"/v1/flex/boroughs/{CAMDEN}/exceptions?month=0001-01",
        422,
        "date_out_of_range",
        "lead",
    ),
    Call("flex", "/v1/flex/mps/kpi9?as_of=0001-01-01", 422, "date_out_of_range"),
    Call("flex", f"/v1/flex/wards/{BELSIZE}/kpi9?as_of={FAR}", 422, "date_out_of_range"),
    Call("flex", f"/v1/flex/wards/{BELSIZE}?day=1999-12-31", 422, "date_out_of_range"),
    Call("kpi", "/v1/kpi/mps?as_of=0001-01-01", 422, "date_out_of_range"),
    Call("kpi", "/v1/kpi/mps?as_of=9999-12-31", 422, "date_out_of_range"),
    Call("kpi", "/v1/kpi/mps/survey?as_of=0001-01-01", 422, "date_out_of_range"),
    Call(
        "kpi",
        f"/v1/kpi/boroughs/{CAMDEN}/league?group=violence&as_of=1999-12-31",
        422,
        "date_out_of_range",
        "lead",
    ),
    Call(
        "kpi",
        f"/v1/kpi/wards/{BELSIZE}/series?group=violence&start=1990-01-01&end=2024-01-01",
        422,
        "date_out_of_range",
        "lead",
    ),
    Call("kpi", "/v1/kpi/mps/diagnostics?as_of=0001-01-01", 422, "date_out_of_range"),
    Call("dashboard", "/summary/mps?as_of=0001-01-01", 422, "date_out_of_range"),
    Call(
        "dashboard",
        f"/charts/wards/{BELSIZE}/spc.svg?as_of={FAR}",
        422,
        "date_out_of_range",
        "lead",
    ),
]
"""Dates outside the window (default 2000-01-01 to 366 days past today)."""

COERCION = [
    Call("kpi", "/v1/kpi/mps?as_of=0", 422, "invalid_request"),
    Call("kpi", "/v1/kpi/mps?as_of=1700000000", 422, "invalid_request"),
    Call("kpi", "/v1/kpi/mps?as_of=2024-1-5", 422, "invalid_request"),
    Call("kpi", "/v1/kpi/mps?as_of=2024-02-30", 422, "invalid_request"),
    Call("kpi", "/v1/kpi/mps?as_of=2024-05-01T00:00:00", 422, "invalid_request"),
    Call("flex", f"/v1/flex/wards/{BELSIZE}?day=0", 422, "invalid_request"),
    Call("flex", "/v1/flex/mps/kpi9?as_of=0", 422, "invalid_request"),
    Call("dashboard", "/summary/mps?as_of=0", 422, "invalid_request"),
]
"""Numbers and loose texts are not dates on the wire."""

AREAS = [
    *(
        Call("kpi", path, 404, "unknown_area", who)
        for path in (
            "/v1/kpi/boroughs/E09999999",
            "/v1/kpi/boroughs/E09000001",
            "/v1/kpi/boroughs/E09999999/league?group=violence",
            "/v1/kpi/boroughs/E09999999/survey",
            "/v1/kpi/wards/E05999999",
            "/v1/kpi/wards/E05999999/spc?group=violence",
        )
        for who in ("central", "lead")
    ),
    *(
        Call("flex", path, 404, "unknown_area", who)
        for path in (
            "/v1/flex/boroughs/E09999999/report?month=2024-01",
            "/v1/flex/boroughs/E09999999/kpi9",
            "/v1/flex/wards/E05999999/kpi9",
        )
        for who in ("central", "lead")
    ),
    Call("kpi", "/v1/kpi/boroughs/0", 422, "malformed_code"),
    Call("kpi", "/v1/kpi/boroughs/0", 422, "malformed_code", "lead"),
    Call("flex", "/v1/flex/wards/E05013652x/kpi9", 422, "malformed_code"),
    Call("alerts", "/v1/alerts?borough_code=E09999999", 404, "unknown_area", "lead"),
    *(
        Call("dashboard", path, 404, "unknown_area", who)
        for path in (
            "/charts/boroughs/E09999999/spc.svg",
            "/charts/wards/E05999999/spc.svg",
            "/packs/boroughs/E09999999",
            "/summary/boroughs/E09999999",
            "/packs/meetings/strategic_monthly?borough=E09999999",
            "/api/kpi/v1/kpi/boroughs/E09999999",
        )
        for who in ("central", "lead")
    ),
    Call("dashboard", "/charts/wards/E05013805%09/spc.svg", 422, "malformed_code"),
    Call("dashboard", "/charts/wards/E05013805%3F/spc.svg", 422, "malformed_code"),
    Call("dashboard", "/charts/boroughs/E09000033/spc.svg", 403, "out_of_scope", "lead"),
]
"""Unknown areas are 404 for everyone; known ones out of scope stay 403."""


def _event(**changes: Any) -> dict[str, Any]:
    event = example_event("cad.incident", event_id="cad.incident:refusals-1")
    for path, value in changes.items():
        *parents, last = path.split(".")
        target = event
        for key in parents:
            target = target[key]
        target[last] = value
    return event


BODIES = [
    Call(
        "ingest",
        "/v1/cad/incidents",
        422,
        "schema_violation",
        "system",
        "POST",
        _event(**{"payload.location.latitude": "51.5405"}),
    ),
    Call(
        "ingest",
        "/v1/cad/incidents",
        422,
        "schema_violation",
        "system",
        "POST",
        _event(**{"payload.location.longitude": "-0.0061"}),
    ),
    Call(
        "ingest",
        "/v1/cad/incidents",
        422,
        "schema_violation",
        "system",
        "POST",
        _event(version="1"),
    ),
    Call(
        "ingest",
        "/v1/cad/incidents",
        422,
        "schema_violation",
        "system",
        "POST",
        _event(schema_version="1"),
    ),
    *(
        Call(
            "alerts",
            "/v1/subscriptions/refused",
            422,
            "target_not_allowed",
            "central",
            "PUT",
            {
                "name": "x",
                "scope": "mps",
                "scope_code": "MPS",
                "channel": channel,
                "target": target,
            },
        )
        for channel, target in (
            ("webhook", "http://169.254.169.254/latest/meta-data/"),
            ("webhook", "https://evil.example/hook"),
            ("webhook", "http://127.0.0.1:8104/v1"),
            ("webhook", "http://localhost/"),
            ("webhook", "ftp://hooks.example.org/"),
            ("webhook", "https://hooks.example.org@evil.example/"),
            ("email", "someone@evil.example"),
            ("email", "not an address"),
            ("kafka", "snt.crime.v1"),
            ("kafka", "snt.kpi.updates.v1"),
        )
    ),
    Call(
        "alerts",
        "/v1/silences",
        422,
        "unknown_area",
        "central",
        "POST",
        {"reason": "x", "hours": 1, "borough_code": "E09999999"},
    ),
]
"""Bodies: no string taken for a number; subscription targets on the allow-list only."""

ALLOWED = [
    ("webhook", "https://hooks.example.org/snt"),
    ("webhook", "https://a.police.example:8443/x"),
    ("email", "lead@example.org"),
    ("kafka", "snt.alerts.v1"),
]
"""Targets on the allow-list this module configures (ALLOW_LIST)."""
ALLOW_LIST = {"SNT_ALERTS_WEBHOOK_ORIGINS": '["https://hooks.example.org", '
              '"https://*.police.example:8443"]',
              "SNT_ALERTS_EMAIL_DOMAINS": '["example.org"]'}  # fmt: skip

RELEASES = [
    Call("ingest", "/v1/releases/no-such-release/accept", 404, "not_found", "central", "POST", {}),
]


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("refusals")
    with running_tansu() as bootstrap:
        ensure_topics(bootstrap, list(TOPICS))
        with running_services(tmp, bootstrap, {"alerts": ALLOW_LIST}) as found:
            auth = f"sqlite:///{Path(tmp) / 'auth.db'}"
            tokens = {who: issue_token(auth, who, role, boroughs)
                      for who, (role, boroughs) in ROLES.items()}  # fmt: skip
            yield found, tokens


def _call(services: tuple[Services, dict[str, str]], call: Call) -> httpx.Response:
    found, tokens = services
    headers = {"Authorization": f"Bearer {tokens[call.who]}"}
    content = None if call.body is None else json.dumps(call.body)
    if content is not None:
        headers["Content-Type"] = "application/json"
    return httpx.request(call.method, found.urls[call.service] + call.path, headers=headers,
                         content=content, timeout=60)  # fmt: skip


@pytest.mark.parametrize("call", DATES + COERCION + AREAS + BODIES + RELEASES,
                         ids=lambda c: f"{c.who}-{c.method}-{c.service}{c.path}")  # fmt: skip
def test_refusals_are_4xx_with_the_reason(services: Any, call: Call) -> None:
    answer = _call(services, call)
    body = answer.json()
    assert (answer.status_code, body.get("reason")) == (call.status, call.reason), answer.text
    assert body["detail"]


def test_the_first_and_last_dates_of_the_window_are_answered(services: Any) -> None:
    """The window's edges are inside it: answered (200, or 422 not_available for a period
    whose data cannot say), never refused as out of range and never a server error."""
    edges = ("2000-01-01", (date.today() + timedelta(days=366)).isoformat())
    for as_of in edges:
        for path in (f"/v1/kpi/mps?as_of={as_of}", f"/v1/kpi/mps/survey?as_of={as_of}",
                     f"/v1/kpi/mps/league?group=violence&as_of={as_of}"):  # fmt: skip
            answer = _call(services, Call("kpi", path, 200, ""))
            assert answer.status_code in (200, 422), answer.text
            assert answer.json().get("reason") != "date_out_of_range", answer.text
        answer = _call(services, Call("flex", f"/v1/flex/mps/kpi9?as_of={as_of}", 200, ""))
        assert answer.status_code == 200, answer.text
    report = _call(services, Call("flex", "/v1/flex/mps/report?month=2000-01", 200, ""))
    assert (report.status_code, report.json()["month"]) == (200, "2000-01")


@pytest.mark.parametrize(("channel", "target"), ALLOWED)
def test_targets_on_the_allow_list_are_stored(services: Any, channel: str, target: str) -> None:
    body = {"name": "x", "scope": "mps", "scope_code": "MPS", "channel": channel,
            "target": target}  # fmt: skip
    answer = _call(services, Call("alerts", "/v1/subscriptions/allowed", 200, "", "central",
                                  "PUT", body))  # fmt: skip
    assert answer.status_code == 200, answer.text
