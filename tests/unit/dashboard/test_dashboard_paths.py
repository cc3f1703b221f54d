"""The pass-through matches its allow-list on the path the upstream would read: decoded until
stable, dot segments resolved, encoded separators, backslashes and control characters refused
with a reason. Codes are checked before they go into an upstream URL."""

from __future__ import annotations

from typing import Any

import pytest

from services.dashboard.paths import PathRefusedError, passage
from tests.unit.dashboard.test_dashboard_api import app, auth, reference  # noqa: F401


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ("v1/kpi/mps", "/v1/kpi/mps"),
        ("v1/kpi/wards/../boroughs/E09000029", "/v1/kpi/boroughs/E09000029"),
        ("v1/kpi/./mps", "/v1/kpi/mps"),
        ("v1//kpi/mps", "/v1/kpi/mps"),
        ("v1/kpi/wards/E05013754%2Fx", None),
        ("v1/%6bpi/mps", "/v1/kpi/mps"),
    ],
)
def test_paths_are_normalised_before_matching(raw: str, path: str | None) -> None:
    if path is None:
        with pytest.raises(PathRefusedError):
            passage("kpi", raw, "GET")
        return
    assert passage("kpi", raw, "GET").path == path


@pytest.mark.parametrize(
    ("raw", "status", "reason"),
    [
        ("v1/%2e%2e/metrics", 404, "no kpi API path /metrics through the dashboard"),
        ("v1/%252e%252e/metrics", 404, "no kpi API path /metrics through the dashboard"),
        ("v1/%25252e%25252e/metrics", 404, "no kpi API path /metrics through the dashboard"),
        ("v1/kpi/%2e%2e/%2e%2e/%2e%2e/metrics", 400, "the path climbs above the API's root"),
        ("v1/kpi/..%2f..%2fmetrics", 400, "the path has an encoded '/' or '\\'"),
        ("v1/kpi/..%252F..%252Fmetrics", 400, "the path has an encoded '/' or '\\'"),
        ("v1/kpi/..%5c..%5cmetrics", 400, "the path has an encoded '/' or '\\'"),
        ("v1/kpi/..\\..\\metrics", 400, "the path has a backslash once decoded"),
        ("v1/kpi/wards/E05013754%09", 400, "the path has a control character once decoded"),
        ("v1/kpi/wards/E05013754%00", 400, "the path has a control character once decoded"),
        ("v1/kpi/wards/E05013754%E2%80%8B", 400, "the path has a control character once decoded"),
        ("v1/kpi/mps%3Fx=1", 400, "the path has a '?' once decoded"),
        ("v1/kpi/mps%23x", 400, "the path has a '#' once decoded"),
        ("v1/kpi/mps%zz", 400, "the path has a '%' once decoded"),
        ("v1/kpi/mps%ff", 400, "the path does not decode as UTF-8"),
        ("v1/kpi/%2525252525252e", 400, "the path is percent-encoded more than 4 times"),
        ("v1/flex/wards/x", 404, "no kpi API path /v1/flex/wards/x through the dashboard"),
        ("metrics", 404, "no kpi API path /metrics through the dashboard"),
    ],
)
def test_tricks_are_refused_with_a_reason(raw: str, status: int, reason: str) -> None:
    with pytest.raises(PathRefusedError) as refused:
        passage("kpi", raw, "GET")
    assert (refused.value.status, refused.value.reason) == (status, reason)


def test_only_silencing_and_acknowledging_are_writes() -> None:
    assert passage("alerts", "v1/silences", "POST").path == "/v1/silences"
    assert passage("alerts", "v1/alerts/a-1/acknowledge", "POST").path == (
        "/v1/alerts/a-1/acknowledge"
    )
    for raw in ("v1/alerts/a-1/b/acknowledge", "v1/subscriptions/x",
                "v1/alerts/a-1/acknowledge/../../../subscriptions/x"):  # fmt: skip
        with pytest.raises(PathRefusedError) as refused:
            passage("alerts", raw, "POST")
        assert refused.value.status in (404, 405)


def test_the_encoded_dot_dot_trick_never_reaches_upstream(app: Any) -> None:  # noqa: F811
    client, tokens, seen = app
    for raw in ("/api/kpi/v1/%2e%2e/metrics", "/api/kpi/v1/%252e%252e/metrics",
                "/api/kpi/v1/kpi/..%2f..%2fmetrics", "/api/alerts/v1/%2E%2E/metrics"):  # fmt: skip
        found = client.get(raw, headers=auth(tokens["central"]))
        assert found.status_code in (400, 404), raw
        assert "detail" in found.json()
    assert seen == []


def test_a_normalised_path_goes_upstream_as_normalised(app: Any) -> None:  # noqa: F811
    client, tokens, seen = app
    found = client.get("/api/kpi/v1/kpi/wards/%2e%2e/boroughs/E09000029",
                       headers=auth(tokens["lead"]))  # fmt: skip
    assert found.json() == {"path": "/v1/kpi/boroughs/E09000029"}
    assert seen[-1].url.raw_path == b"/v1/kpi/boroughs/E09000029"


@pytest.mark.parametrize(
    "path",
    [
        "/charts/wards/E05013805%09/spc.svg",
        "/charts/wards/E09000029/spc.svg",
        "/charts/boroughs/E05013805/trajectory.svg",
        "/charts/wards/E05013805x/spc.svg",
        "/charts/wards/%2e%2e/spc.svg",
    ],
)
def test_chart_codes_are_checked_before_any_upstream_call(app: Any, path: str) -> None:  # noqa: F811
    client, tokens, seen = app
    found = client.get(path, headers=auth(tokens["central"]))
    assert found.status_code == 422, found.text
    assert found.json()["detail"].startswith("not a ")
    assert seen == []


def test_summaries_and_meetings_refuse_unknown_or_malformed_codes(app: Any) -> None:  # noqa: F811
    client, tokens, seen = app
    unknown = client.get("/summary/boroughs/E09999999", headers=auth(tokens["central"]))
    assert (unknown.status_code, unknown.json()["detail"]) == (
        404, "'E09999999' is not an MPS borough")  # fmt: skip
    other = client.get("/summary/wards/E05013806", headers=auth(tokens["lead"]))
    assert other.status_code == 403
    meeting = client.get("/packs/meetings/strategic_monthly?borough=../../mps",
                         headers=auth(tokens["lead"]))  # fmt: skip
    assert meeting.status_code == 422
    assert client.get("/packs/meetings/cluster_weekly?borough=E09000029&cluster=XX",
                      headers=auth(tokens["lead"])).status_code == 404  # fmt: skip
    foreign = client.get("/packs/meetings/cluster_weekly?borough=E09000033&cluster=SU-CW",
                         headers=auth(tokens["central"]))  # fmt: skip
    assert (foreign.status_code, foreign.json()["detail"]) == (
        422, "cluster SU-CW is not a cluster of E09000033")  # fmt: skip
    assert seen == []


def test_a_write_is_matched_on_its_normalised_path(app: Any) -> None:  # noqa: F811
    client, tokens, seen = app
    made = client.post("/api/alerts/v1/alerts/a-1/acknowledge/%2e%2e/%2e%2e/%2e%2e/silences",
                       json={}, headers=auth(tokens["lead"]))  # fmt: skip
    assert made.status_code == 200  # the path the upstream reads: the silences write
    assert seen[-1].url.raw_path == b"/v1/silences"
    refused = client.post("/api/alerts/v1/silences/%2e%2e/subscriptions/x", json={},
                          headers=auth(tokens["central"]))  # fmt: skip
    assert refused.status_code == 405
    assert len(seen) == 1
