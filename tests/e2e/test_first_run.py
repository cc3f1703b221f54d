"""The README's first run: `snt up --detach` (the `make run` path) on a new data directory
loads London's bundled public data and a simulated roster month, showing progress, within
the measured bound; the MPS figures, the flex report and the alerts are then London's; a
second start loads nothing again and changes no figure; `--empty` starts clean."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.auth.admin import create_token, open_engine
from snt.config import SERVICES
from tests.e2e.test_embedded_stack import free_port_run, snt, state

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1500)]

BOUND_S = 300.0
"""The README's measured time from `snt up --detach` on a new data directory to a fully
loaded dashboard on this two-core machine (4 min 31 s), rounded up."""
DATA_END = "2025-12-31"


class Stack:
    def __init__(
        self, env: dict[str, str], data_dir: Path, started: Any, seconds: float, load: float
    ) -> None:
        self.env, self.data_dir, self.started = env, data_dir, started
        self.seconds, self.load = seconds, load
        self.token = create_token(
            open_engine(f"sqlite:///{data_dir / 'auth.db'}"), name="first-run", role="central"
        ).plain_token

    def url(self, service: str) -> str:
        return str(state(self.data_dir)["services"][service]["url"])

    def get(self, service: str, path: str, **params: Any) -> Any:
        found = httpx.get(
            f"{self.url(service)}{path}",
            params=params,
            timeout=60,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert found.status_code == 200, found.text
        return found.json()


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SNT_STACK_DATA_DIR": str(data_dir),
        "SNT_STACK_BROKER_PORT": str(free_port_run(1)),
        "SNT_STACK_HTTP_BASE_PORT": str(free_port_run(len(SERVICES))),
        "SNT_STACK_START_TIMEOUT_S": "300",  # the services' start on a busy machine
        **extra,
    }


def start(env: dict[str, str], *args: str) -> tuple[Any, float, float]:
    """`snt up --detach`: its result, seconds taken, and the machine's load over them as
    runnable processes per core (at least 1)."""
    began = time.monotonic()
    started = snt("up", "--detach", *args, env=env, timeout=1200)
    seconds = time.monotonic() - began
    assert started.returncode == 0, started.stdout + started.stderr
    return started, seconds, max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))


@pytest.fixture(scope="module")
def london(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data_dir = tmp_path_factory.mktemp("first-run") / "var"
    env = environment(data_dir, SNT_STACK_EMPTY="0")
    started, seconds, load = start(env)
    try:
        yield Stack(env, data_dir, started, seconds, load)
    finally:
        snt("down", env=env)


def stored_events(data_dir: Path) -> int:
    """The events in ingest's event store (read-only)."""
    with sqlite3.connect(f"file:{data_dir / 'ingest.db'}?mode=ro", uri=True) as db:
        return int(db.execute("SELECT count(*) FROM ingest_event").fetchone()[0])


def mps_figures(stack: Stack) -> dict[int, Any]:
    return {f["kpi"]: f for f in stack.get("kpi", "/v1/kpi/mps")["figures"]}


def wait_for(check: Callable[[], Any], timeout_s: float = 180) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(1)
    return found


def test_the_first_start_loads_london_within_the_measured_bound(london: Stack) -> None:
    # the bound was measured with the stack at raised priority; a busy machine (other tests
    # on the two cores) gets the bound times its load per core
    assert london.seconds <= BOUND_S * london.load, (london.seconds, london.load)
    out = london.started.stdout
    assert "loading MPS ward file: " in out or "MPS ward file: 315,576 events stored" in out
    assert "London's public data loaded in" in out, out
    marker = json.loads((london.data_dir / "firstrun.json").read_text())
    assert marker["status"] == "loaded"
    assert {k: v["events"] for k, v in marker["steps"].items()} == {
        "MPS ward file": 315_576,
        "MPS borough file": 21_786,
        "PAS borough file": 9_603,
        "simulated roster 2025-12": 112_564,
    }


def test_the_mps_figures_are_londons_to_the_data_s_last_month(london: Stack) -> None:
    figures = mps_figures(london)
    for kpi in (1, 4):
        assert figures[kpi]["value"] > 0, figures[kpi]
        assert figures[kpi]["last_year"] > 0, figures[kpi]
        assert figures[kpi]["period_end"] == DATA_END
    survey = london.get("kpi", "/v1/kpi/mps/survey")
    assert survey["figures"], survey


def test_a_current_period_alert_is_open(london: Stack) -> None:
    def current() -> list[Any]:
        """Firing alerts on a crime KPI about the data's current period (not history)."""
        alerts = london.get("alerts", "/v1/alerts", state="firing")["alerts"]
        return [
            a
            for a in alerts
            if not a["history"] and a.get("period_end") == DATA_END and a["kpi"] in (1, 4)
        ]

    found = wait_for(current)
    assert {a["rule_id"] for a in found} & {"trajectory_breach", "spc_concern"}, found


def test_the_flex_report_opens_on_the_roster_month(london: Stack) -> None:
    report = london.get("flex", "/v1/flex/mps/report")
    assert report["month"] == "2025-12"
    assert report["total"]["planned"] > 0
    kpi9 = london.get("flex", "/v1/flex/mps/kpi9")
    month = next(p for p in kpi9["periods"] if p["period"] == "month")
    assert (month["period_start"], month["period_end"]) == ("2025-12-01", DATA_END)


def test_a_second_start_loads_nothing_again(london: Stack) -> None:
    before = mps_figures(london)
    assert snt("down", env=london.env).returncode == 0
    stored = stored_events(london.data_dir)
    started, _seconds, _load = start(london.env)
    assert "not loaded again" in started.stdout, started.stdout
    assert "loading MPS ward file" not in started.stdout
    after = mps_figures(london)
    assert {k: (f["value"], f["last_year"]) for k, f in after.items()} == {
        k: (f["value"], f["last_year"]) for k, f in before.items()
    }
    assert stored_events(london.data_dir) == stored
    metrics = httpx.get(f"{london.url('kpi')}/metrics", timeout=10).text
    applied = next(
        line
        for line in metrics.splitlines()
        if line.startswith('snt_kpi_events_total{outcome="applied"}')
    )
    assert float(applied.split()[-1]) == 0  # nothing was published to kpi again


def test_empty_starts_clean(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    env = environment(data_dir, SNT_STACK_EMPTY="0")
    started, _seconds, _load = start(env, "--empty")
    try:
        assert "the bundled public data is not loaded" in started.stdout, started.stdout
        assert json.loads((data_dir / "firstrun.json").read_text())["status"] == "empty"
        stack = Stack(env, data_dir, started, 0, 1)
        found = httpx.get(
            f"{stack.url('kpi')}/v1/kpi/mps",
            timeout=30,
            headers={"Authorization": f"Bearer {stack.token}"},
        )
        assert found.status_code == 422 or all(f["value"] == 0 for f in found.json()["figures"]), (
            found.text
        )
        assert stack.get("alerts", "/v1/alerts")["alerts"] == []
    finally:
        snt("down", env=env)
    # a later start without --empty keeps the data directory as its first start left it
    started, _seconds, _load = start(env)
    try:
        assert "first started with --empty" in started.stdout, started.stdout
    finally:
        snt("down", env=env)
