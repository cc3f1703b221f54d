"""The operations files agree with the code: Prometheus's alerting rules are valid (promtool)
and loaded, each alert has a runbook, Grafana is provisioned with its data source and
dashboard, and every metric a rule or a dashboard panel names is exported by a service
(each service's app built in-process with test settings, its /metrics read)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.settings import load_settings
from tests.support.five_services import MAKERS, settings_env
from tests.support.services import unavailable
from tests.unit.deploy.compose_file import ROOT, compose, service
from tests.unit.deploy.yaml_subset import load

PROMETHEUS = ROOT / "deploy" / "prometheus"
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "snt-operations.json"
LOCAL_PROMTOOL = ROOT / ".tools" / "prometheus" / "usr" / "bin" / "promtool"
METRIC = re.compile(r"\b(snt_[a-z0-9_]+|snt:[a-z0-9_:]+|up)\b(?!\s*\()")
PROMETHEUS_OWN = {"up"}


def _yaml(path: Path) -> Any:
    return load(path.read_text(encoding="utf-8"))


@cache
def rules() -> list[dict[str, Any]]:
    return [rule for group in _yaml(PROMETHEUS / "rules.yml")["groups"] for rule in group["rules"]]


def dashboard_exprs() -> list[str]:
    panels = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]
    return [t["expr"] for p in panels for t in p.get("targets", [])]


def promtool() -> str:
    found = shutil.which("promtool") or (str(LOCAL_PROMTOOL) if LOCAL_PROMTOOL.exists() else None)
    if found is None:
        unavailable("promtool", "run `make promtool` (Debian's prometheus package, unpacked)")
    assert found is not None
    return found


def test_the_rules_pass_promtool() -> None:
    tool = promtool()
    for args in (["check", "rules", "rules.yml"], ["check", "config", "prometheus.yml"]):
        done = subprocess.run([tool, *args], cwd=PROMETHEUS, capture_output=True, text=True)
        assert done.returncode == 0, f"promtool {' '.join(args)}:\n{done.stdout}{done.stderr}"


def test_prometheus_loads_the_rules_the_container_mounts() -> None:
    assert _yaml(PROMETHEUS / "prometheus.yml")["rule_files"] == ["rules.yml"]
    mount = "./deploy/prometheus/rules.yml:/etc/prometheus/rules.yml:ro"
    assert mount in service("prometheus")["volumes"]


def test_the_issue_s_alerts_exist() -> None:
    alerts = {r["alert"] for r in rules() if "alert" in r}
    wanted = {
        "SntServiceDown",
        "SntConsumerLag",
        "SntConsumerStalled",
        "SntOutboxBacklog",
        "SntDeadLetters",
        "SntWebhookFailures",
        "SntNotificationsWaiting",
    }
    assert wanted <= alerts, sorted(wanted - alerts)


def test_every_alert_has_a_runbook_section() -> None:
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    sections = set(re.findall(r"^### (\w+)$", text, re.MULTILINE))
    for rule in (r for r in rules() if "alert" in r):
        name = rule["alert"]
        assert name in sections, f"docs/operations.md has no ### {name} runbook"
        anchor = rule["annotations"]["runbook"]
        assert anchor == f"docs/operations.md#{name.lower()}", f"{name}: runbook {anchor!r}"
        assert rule["labels"]["severity"] in ("warning", "critical"), name


def test_grafana_is_provisioned_from_the_repository() -> None:
    grafana = service("grafana")
    volumes = grafana["volumes"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in volumes
    assert "./deploy/grafana/dashboards:/etc/grafana/dashboards:ro" in volumes
    assert grafana["ports"] == ["127.0.0.1:3000:3000"]
    assert grafana["depends_on"]["prometheus"]["condition"] == "service_healthy"
    assert "grafana-data" in compose()["volumes"]
    [source] = _yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"]
    assert source["url"] == "http://prometheus:9090"
    [provider] = _yaml(GRAFANA / "provisioning" / "dashboards" / "snt.yml")["providers"]
    assert provider["options"]["path"] == "/etc/grafana/dashboards"
    panels = json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]
    uids = {t["datasource"]["uid"] for p in panels for t in p.get("targets", [])}
    assert uids == {source["uid"]}, "every panel queries the provisioned data source"


def test_the_dashboard_shows_what_the_issue_asks() -> None:
    text = " ".join(dashboard_exprs())
    for metric in (
        "consumer_lag_events",
        "consumer_lag_seconds",
        "snt_ingest_rejected_total",
        "deadletter",
        "snt_alerts_delivery_seconds_bucket",
        "snt_alerts_notifications_total",
        "snt_ingest_events_total",
    ):
        assert metric in text, f"no dashboard panel shows {metric}"
    assert "instance" in text, "panels break figures down by replica (instance)"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """Every metric and sample name the services' /metrics give (apps built, not started)."""
    tmp = tmp_path_factory.mktemp("operations")
    return {name for text in _scrapes(tmp) for name in _names(text)}


def _scrapes(tmp: Path) -> Iterator[str]:
    for name, (settings_cls, create) in MAKERS.items():
        app = create(load_settings(settings_cls, settings_env(name, "127.0.0.1:1", tmp)))
        reply = TestClient(app).get("/metrics")  # no lifespan: nothing connects
        assert reply.status_code == 200, name
        yield reply.text


def _names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(maxsplit=3)
            names.add(name)
            if kind == "histogram":
                names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def test_every_metric_a_rule_or_panel_names_is_exported(exported: set[str]) -> None:
    recorded = {r["record"] for r in rules() if "record" in r}
    exprs = [r["expr"] for r in rules()] + dashboard_exprs()
    named = {m for expr in exprs for m in METRIC.findall(_without_strings(expr))}
    assert {"snt_ingest_rejected_total", "snt:consumer_lag_seconds:max", "up"} <= named
    missing = sorted(named - exported - recorded - PROMETHEUS_OWN)
    assert not missing, f"named in rules.yml or the dashboard, exported by no service: {missing}"
    assert {
        "snt_kpi_consumer_lag_events",
        "snt_ingest_outbox_oldest_age_seconds",
        "snt_alerts_oldest_unsent_age_seconds",
    } <= exported


def _without_strings(expr: str) -> str:
    """The expression without its quoted label values (a topic name is not a metric)."""
    return re.sub(r'"[^"]*"', '""', expr)
