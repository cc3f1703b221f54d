"""The production deployment files agree with the code; no Docker needed.

docker-compose.yml and deploy/prometheus/prometheus.yml are read with the strict YAML-subset
loader; each service's environment is checked against, and loaded with, its settings class.
"""

from __future__ import annotations

import re
from typing import get_args

import pytest
from pydantic import SecretStr

from shared.settings import Environment, SettingsError, load_settings
from tests.unit.deploy.compose_file import (
    INTERPOLATION,
    ROOT,
    compose,
    environment,
    required_name,
    resolve,
    service,
    setting,
    settings_class,
    strings,
)
from tests.unit.deploy.yaml_subset import load

STATEFUL = ("ingest", "kpi", "flex", "alerts")
APPS = (*STATEFUL, "dashboard")
INFRA = ("kafka", "postgres", "redis")
EVERY_SERVICE = (*INFRA, "prometheus", "topics", *APPS)
DEPENDENCIES = {
    "kafka": "service_healthy",
    "postgres": "service_healthy",
    "redis": "service_healthy",
    "topics": "service_completed_successfully",
}


def test_every_service_is_defined() -> None:
    missing = sorted(set(EVERY_SERVICE) - set(compose()["services"]))
    assert not missing, f"docker-compose.yml lacks service(s): {', '.join(missing)}"


@pytest.mark.parametrize("name", APPS)
def test_app_service_runs_its_module(name: str) -> None:
    command = service(name).get("command")
    expected = ["python", "-m", f"services.{name}"]
    assert command == expected, f"{name}: command is {command!r}, expected {expected!r}"


@pytest.mark.parametrize("name", APPS)
def test_app_service_sets_only_real_settings(name: str) -> None:
    cls = settings_class(name)
    real = {cls.env_prefix() + field.upper() for field in cls.model_fields}
    unknown = sorted(set(environment(name)) - real)
    assert not unknown, (
        f"{name}: {', '.join(unknown)} not a setting of {cls.__name__} "
        f"(its settings: {', '.join(sorted(real))})"
    )


def test_environment_values_are_quoted_strings() -> None:
    retyped = [
        f"{name}.{var}"
        for name, spec in compose()["services"].items()
        for var, value in (spec.get("environment") or {}).items()
        if not isinstance(value, str)
    ]
    assert not retyped, f"quote the value of {', '.join(retyped)} (YAML would retype it)"


@pytest.mark.parametrize("name", APPS)
def test_app_service_runs_in_prod(name: str) -> None:
    value = setting(name, "ENVIRONMENT")
    assert value == "prod", (
        f"{name}: ENVIRONMENT is {value!r}; deployments run in prod (dev accepts placeholders)"
    )


@pytest.mark.parametrize("name", APPS)
def test_required_secrets_fail_fast(name: str) -> None:
    cls = settings_class(name)
    secrets = [
        field
        for field, info in cls.model_fields.items()
        if info.annotation is SecretStr or SecretStr in get_args(info.annotation)
    ]
    for field in secrets:
        var = cls.env_prefix() + field.upper()
        value = environment(name).get(var)
        assert value is not None, f"{name}: secret {var} is unset (it would be the dev default)"
        assert required_name(value) == var, (
            f"{name}: {var} is {value!r}; it must be exactly ${{{var}:?message}} so compose "
            "refuses to start without it"
        )


def test_postgres_password_fails_fast() -> None:
    value = environment("postgres").get("POSTGRES_PASSWORD", "")
    assert required_name(value) == "POSTGRES_PASSWORD", (
        f"postgres: POSTGRES_PASSWORD is {value!r}; expected ${{POSTGRES_PASSWORD:?message}}"
    )


def test_every_interpolation_has_a_default_or_fails_fast() -> None:
    problems, operators = [], {}
    for text in strings(compose()):
        for token in re.findall(r"\$\$|\$\{[^}]*\}?|\$\w*", text):
            match = INTERPOLATION.fullmatch(token)
            if token != "$$" and not (match and match["op"]):
                problems.append(f"{token!r} in {text!r} needs :-default or :?message")
            elif match:
                operators.setdefault(match["name"], set()).add(match["op"])
    mixed = sorted(name for name, ops in operators.items() if len(ops) > 1)
    problems += [f"{name} is required in one place and defaulted in another" for name in mixed]
    assert not problems, "docker-compose.yml: " + "; ".join(problems)


def test_env_example_documents_every_variable() -> None:
    text = (ROOT / "deploy" / ".env.example").read_text(encoding="utf-8")
    used = {m["name"]: m["op"] for s in strings(compose()) for m in INTERPOLATION.finditer(s)}
    missing = sorted(n for n in used if not re.search(rf"^#? ?{n}=", text, re.MULTILINE))
    assert not missing, f"deploy/.env.example does not document {', '.join(missing)}"
    commented = sorted(n for n, op in used.items() if op == ":?" and f"\n{n}=" not in text)
    assert not commented, f"deploy/.env.example: set required {', '.join(commented)} uncommented"


@pytest.mark.parametrize("name", APPS)
def test_compose_environment_loads_with_the_settings_class(name: str) -> None:
    cls = settings_class(name)
    env = {var: resolve(str(value)) for var, value in environment(name).items()}
    try:
        settings = load_settings(cls, env)
    except SettingsError as exc:
        pytest.fail(f"{name}: the compose environment does not load: {exc}")
    actual = settings.environment.value
    assert settings.environment is Environment.PROD, f"{name}: loads as {actual!r}, not prod"


@pytest.mark.parametrize("name", APPS)
def test_http_port_matches_published_port_and_healthcheck(name: str) -> None:
    port = setting(name, "HTTP_PORT")
    host = setting(name, "HTTP_HOST")
    assert host == "0.0.0.0", f"{name}: HTTP_HOST is {host!r}; 0.0.0.0 is needed inside a container"
    ports = service(name).get("ports")
    expected = [f"127.0.0.1:{port}:{port}"]
    assert ports == expected, f"{name}: ports are {ports!r}, expected {expected!r} (HTTP_PORT)"
    test = service(name).get("healthcheck", {}).get("test") or []
    assert test[:3] == ["CMD", "python", "-c"], f"{name}: healthcheck must run python -c ..."
    urls = re.findall(r"'(http://[^']*)'", test[3] if len(test) > 3 else "")
    wanted = f"http://127.0.0.1:{port}/readyz"
    assert urls == [wanted], f"{name}: healthcheck GETs {urls!r}, expected [{wanted!r}]"


@pytest.mark.parametrize("name", STATEFUL)
def test_app_service_waits_for_healthy_dependencies(name: str) -> None:
    depends = service(name).get("depends_on")
    assert isinstance(depends, dict), f"{name}: depends_on must be a mapping with conditions"
    for dependency, condition in DEPENDENCIES.items():
        actual = (depends.get(dependency) or {}).get("condition")
        assert actual == condition, (
            f"{name}: depends_on.{dependency}.condition is {actual!r}, expected {condition!r}"
        )


@pytest.mark.parametrize("name", INFRA)
def test_infrastructure_has_a_healthcheck(name: str) -> None:
    test = service(name).get("healthcheck", {}).get("test")
    assert test, f"{name}: no healthcheck, so service_healthy would never be reached"


@pytest.mark.parametrize("name", APPS)
def test_app_service_restarts_unless_stopped(name: str) -> None:
    restart = service(name).get("restart")
    assert restart == "unless-stopped", f"{name}: restart is {restart!r}, not 'unless-stopped'"


def test_ports_are_published_on_loopback_only() -> None:
    exposed = [
        f"{name}: {port!r}"
        for name, spec in compose()["services"].items()
        for port in spec.get("ports") or []
        if not str(port).startswith("127.0.0.1:")
    ]
    assert not exposed, f"published beyond 127.0.0.1: {'; '.join(exposed)}"


@pytest.mark.parametrize("name", STATEFUL)
def test_databases_are_postgres_and_created_by_init_sql(name: str) -> None:
    init_sql = (ROOT / "deploy" / "postgres" / "init.sql").read_text(encoding="utf-8")
    created = set(re.findall(r"^CREATE DATABASE (\w+);", init_sql, re.MULTILINE))
    for field, database in (("DATABASE_URL", f"snt_{name}"), ("AUTH_DATABASE_URL", "snt_auth")):
        url = setting(name, field)
        expected = f"postgresql+psycopg://snt:${{POSTGRES_PASSWORD:?...}}@postgres:5432/{database}"
        pattern = r"postgresql\+psycopg://snt:\$\{POSTGRES_PASSWORD:\?[^}]+\}@postgres:5432/"
        assert re.fullmatch(pattern + database, url), f"{name}: {field} is {url!r}, not {expected}"
        assert database in created, f"deploy/postgres/init.sql does not create {database}"


def test_the_dashboard_reads_the_services_it_waits_for_and_their_token_database() -> None:
    depends = service("dashboard").get("depends_on") or {}
    for name in ("kafka", "postgres", "kpi", "flex", "alerts"):
        assert (depends.get(name) or {}).get("condition") == "service_healthy", name
    for name in ("kpi", "flex", "alerts"):
        url = setting("dashboard", f"{name.upper()}_URL")
        assert url == f"http://{name}:{setting(name, 'HTTP_PORT')}", (name, url)
    auth = setting("dashboard", "AUTH_DATABASE_URL")
    assert auth == setting("kpi", "AUTH_DATABASE_URL"), "one token database for every service"
    assert "DATABASE_URL" not in {v.removeprefix("SNT_DASHBOARD_")
                                  for v in environment("dashboard")}  # fmt: skip


def test_kafka_is_one_kraft_node_that_creates_no_topic_by_itself() -> None:
    expected = {
        "KAFKA_NODE_ID": "1",
        "KAFKA_PROCESS_ROLES": "broker,controller",
        "KAFKA_ADVERTISED_LISTENERS": "PLAINTEXT://kafka:9092",
        "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@kafka:9093",
        "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
        "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
    }
    env = environment("kafka")
    wrong = {var: env.get(var) for var, value in expected.items() if env.get(var) != value}
    should = {var: expected[var] for var in wrong}
    assert not wrong, f"kafka: {wrong} should be {should}"


@pytest.mark.parametrize("name", APPS)
def test_services_bootstrap_from_the_advertised_listener(name: str) -> None:
    bootstrap = setting(name, "KAFKA_BOOTSTRAP")
    assert bootstrap == "kafka:9092", f"{name}: KAFKA_BOOTSTRAP is {bootstrap!r}, not kafka:9092"


def test_topics_are_created_once_kafka_is_healthy() -> None:
    topics = service("topics")
    command = topics.get("command") or []
    assert command[:3] == ["snt", "topics", "create"], f"topics: command is {command!r}"
    assert "--bootstrap" in command, "topics: pass --bootstrap kafka:9092"
    bootstrap = command[command.index("--bootstrap") + 1]
    assert bootstrap == "kafka:9092", f"topics: --bootstrap {bootstrap!r}, not kafka:9092"
    condition = topics.get("depends_on", {}).get("kafka", {}).get("condition")
    assert condition == "service_healthy", f"topics: waits for kafka {condition!r}"


def test_prometheus_scrapes_every_service_on_its_port() -> None:
    config = load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    scraped = set()
    for job in config.get("scrape_configs") or []:
        path = job.get("metrics_path", "/metrics")
        for sd in job.get("dns_sd_configs") or []:
            scraped |= {(host, int(sd["port"]), path) for host in sd["names"]}
        for static in job.get("static_configs") or []:
            hosts = (target.rsplit(":", 1) for target in static["targets"])
            scraped |= {(host, int(port), path) for host, port in hosts}
    for name in APPS:
        target = (name, int(setting(name, "HTTP_PORT")), "/metrics")
        assert target in scraped, f"prometheus.yml does not scrape {target} (it scrapes {scraped})"


def test_prometheus_reads_the_deploy_config() -> None:
    mount = "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro"
    volumes = service("prometheus").get("volumes") or []
    assert mount in volumes, f"prometheus: mount {mount!r} (volumes are {volumes!r})"


def test_dockerfile_installs_the_lock_frozen_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    code = [line for line in dockerfile.splitlines() if not line.lstrip().startswith("#")]
    syncs = [line.strip() for line in code if "uv sync" in line]
    unfrozen = [s for s in syncs if "--frozen" not in s or "--no-dev" not in s]
    assert syncs, "Dockerfile: no `uv sync`"
    assert not unfrozen, f"Dockerfile: every `uv sync` needs --frozen --no-dev: {unfrozen}"
    pinned = re.search(r"^UV_VERSION\s*:?=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M)
    assert pinned, "Makefile: UV_VERSION not found"
    assert f"ARG UV_VERSION={pinned[1]}" in code, f"Dockerfile: pin uv {pinned[1]} (Makefile)"
    assert any('pip install "uv==${UV_VERSION}"' in line for line in code), (
        'Dockerfile: install uv with pip install "uv==${UV_VERSION}"'
    )
    users = [line.split()[1] for line in code if line.startswith("USER ")]
    final_user = users[-1].split(":")[0] if users else "root"
    assert final_user not in ("root", "0"), (
        f"Dockerfile: runs as {final_user!r}, not a non-root USER"
    )
