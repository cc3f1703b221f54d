"""The attention panel: when the whole MPS moves it is said once, and the boroughs listed are
those that differ significantly from the MPS trend, most significant first, at most the
configured number with "and N more" (the kpi API stood in for by a local transport)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.dashboard.api import build_router
from services.dashboard.areas import Directory
from services.dashboard.live import LiveHub
from services.dashboard.pack.attention import Reason, movement, ranked, reasons
from services.dashboard.pack.map import WardMap
from services.dashboard.upstream import Upstream
from shared.api import DateWindow
from shared.auth import Authenticator, MemoryTokenStore, add_forbidden_handler, issue_token
from shared.reference import load_reference

WINDOW = DateWindow(date(2000, 1, 1), 366, lambda: date(2026, 1, 5))
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LIMIT = 3


def figure(group: str, value: int, last_year: int, *, target: str = "not_significant",
           trend: tuple[str, float] | None = None, signal: str = "common_cause",
           london: float = 1.077) -> dict[str, Any]:  # fmt: skip
    ratio = {"violence": 0.98, "property": 0.99}.get(group)
    vs_mps = None if trend is None else {
        "verdict": trend[0], "q_value": trend[1], "null_ratio": london, "p_value": trend[1] / 10,
    }  # fmt: skip
    return {"kpi": {"violence": 1, "property": 4, "asb": 5}[group], "kpi_group": group,
            "period": "fytd", "value": value, "last_year": last_year,
            "pct_change": 100 * (value - last_year) / last_year,
            "target_ratio": ratio, "trajectory": last_year * ratio if ratio else None,
            "vs_last_year": {"verdict": "not_significant", "p_value": 0.5, "q_value": 0.9},
            "vs_target": {"verdict": target, "p_value": 0.01, "q_value": 0.03} if ratio else None,
            "vs_mps": vs_mps, "spc": {"signal": signal, "rules_fired": []}}  # fmt: skip


# Every borough up ~7.7% on last year like London (each one's own test against the target
# significant: the old panel listed all 32); four differ from London's trend, one for the
# better; one has an SPC concern of its own while London has none.
DIFFERING = {"E09000002": 0.0004, "E09000005": 0.02, "E09000009": 0.0001, "E09000030": 0.003}
BETTER = "E09000026"
OWN_SPC = "E09000017"


def borough_body(code: str) -> dict[str, Any]:
    if code in DIFFERING:
        violence = figure("violence", 1_300, 1_000, target="significant_worse",
                          trend=("significant_worse", DIFFERING[code]))  # fmt: skip
    elif code == BETTER:
        violence = figure("violence", 1_000, 1_000, trend=("significant_better", 0.01))
    else:
        violence = figure("violence", 1_077, 1_000, target="significant_worse",
                          trend=("not_significant", 0.8))  # fmt: skip
    signal = "concern" if code == OWN_SPC else "common_cause"
    return {"figures": [violence, figure("property", 930, 1_000, trend=("not_significant", 0.7),
                                         signal=signal), figure("asb", 500, 500)]}  # fmt: skip


MPS_BODY = {"figures": [figure("violence", 77_000, 71_500, target="significant_worse"),
                        figure("property", 180_000, 193_000), figure("asb", 10, 10)]}  # fmt: skip


@pytest.fixture(scope="module")
def client() -> tuple[TestClient, str]:
    reference = load_reference()

    def upstream(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/kpi/mps":
            return httpx.Response(200, json=MPS_BODY)
        return httpx.Response(200, json=borough_body(path.rsplit("/", 1)[-1]))

    store = MemoryTokenStore()
    token = issue_token(store, name="central", role="central", now=NOW).plain_token
    directory = Directory(reference, None)
    api = FastAPI()
    add_forbidden_handler(api)
    ups = Upstream({"kpi": "http://kpi", "flex": "http://flex", "alerts": "http://alerts"}, 5,
                   transport=httpx.MockTransport(upstream))  # fmt: skip
    api.include_router(build_router(ups, Authenticator(store, lambda: NOW), directory,
                                    WardMap(reference), LiveHub(directory.borough_of, 10),
                                    LIMIT, window=WINDOW))  # fmt: skip
    return TestClient(api), token


def test_the_mps_page_says_the_london_wide_movement_once(client: tuple[TestClient, str]) -> None:
    test, token = client
    answer = test.get("/summary/mps", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["movement"] == ["Violence (KPI 1): London-wide +7.7%, off trajectory"]
    assert json.dumps(body).count("London-wide") == 1
    # only the boroughs that differ from London's trend, worse first, by adjusted p; at most 3
    listed = [a["code"] for a in body["attention"]["areas"]]
    assert listed == ["E09000009", "E09000002", "E09000030"]
    assert body["attention"]["more"] == 2  # Camden (q 0.02) and the SPC concern of its own
    assert body["attention"]["limit"] == LIMIT
    assert body["attention"]["areas"][0]["attention"] == [
        "Violence (KPI 1): +30.0% against London's +7.7%, significantly worse than the MPS trend"
    ]
    needing = {a["code"] for a in body["areas"] if a["attention"]}
    assert needing == {*DIFFERING, OWN_SPC}  # not the 27 that only share London's movement
    assert BETTER not in needing


def test_without_a_limit_all_are_listed_and_nothing_is_more() -> None:
    rows = [{"code": str(i), "name": f"area {i}", "attention": ["x"], "attention_q": q}
            for i, q in enumerate((0.04, 0.001, None, 0.01))]  # fmt: skip
    rows.append({"code": "9", "name": "quiet", "attention": [], "attention_q": None})
    found = ranked(rows, 10)
    assert [a["code"] for a in found["areas"]] == ["1", "3", "0", "2"]
    assert found["more"] == 0
    assert ranked(rows, 1)["more"] == 3


@pytest.mark.parametrize(
    ("area", "parent", "expected"),
    [
        # off trajectory like its scope: nothing to add
        (figure("violence", 110, 100, target="significant_worse"),
         figure("violence", 1_100, 1_000, target="significant_worse"), []),
        # off trajectory where its scope is not: listed
        (figure("violence", 110, 100, target="significant_worse"),
         figure("violence", 1_000, 1_000), ["Violence (KPI 1): Off trajectory (significant)"]),
        # differs from the MPS trend: listed with London's change, whatever the scope
        (figure("violence", 150, 100, target="significant_worse",
                trend=("significant_worse", 0.01)),
         figure("violence", 1_100, 1_000, target="significant_worse"),
         ["Violence (KPI 1): +50.0% against London's +7.7%, significantly worse than the MPS "
          "trend"]),
        # an SPC concern the scope shares: nothing; one of its own: listed
        (figure("violence", 100, 100, signal="concern"),
         figure("violence", 1_000, 1_000, signal="concern"), []),
        (figure("violence", 100, 100, signal="concern"), figure("violence", 1_000, 1_000),
         ["Violence (KPI 1): Special cause: concern"]),
    ],
)  # fmt: skip
def test_reasons_beyond_the_scopes_movement(area: dict[str, Any], parent: dict[str, Any],
                                            expected: list[str]) -> None:  # fmt: skip
    found = reasons({"violence": area}, {"violence": parent})
    assert [r.text for r in found] == expected
    assert all(isinstance(r, Reason) for r in found)


def test_movement_words() -> None:
    assert movement({"violence": figure("violence", 1_077, 1_000, target="significant_worse"),
                     "property": figure("property", 930, 1_000)}, "London-wide") == [
        "Violence (KPI 1): London-wide +7.7%, off trajectory"]  # fmt: skip
