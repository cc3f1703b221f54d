"""The kpi service on the real broker: count events folded and served by the scoped API,
re-deliveries and restarts never double-count, unfoldable events are dead-lettered."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import create_engine, text

from services.kpi.app import create_app
from services.kpi.config import KpiSettings
from shared.auth.admin import create_token, open_engine
from shared.contracts import KpiUpdated, parse_event
from shared.contracts.examples import example_event
from shared.kafka_admin import ensure_topics
from shared.settings import load_settings
from shared.topics import TOPICS
from tests.support.services import PG_ADMIN_URL, unavailable
from tests.support.tansu import running_tansu
from tests.unit.kpi.conftest import BOROUGH, WARD, counted

pytestmark = pytest.mark.integration
CAMDEN = "E09000007"
FYTD = "/v1/kpi/wards/" + WARD + "?period=fytd&as_of=2025-03-31"


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    with running_tansu() as address:
        ensure_topics(address, list(TOPICS))
        yield address


@pytest.fixture
def env(bootstrap: str, tmp_path: Path) -> dict[str, str]:
    return {
        "SNT_KPI_ENVIRONMENT": "test",
        "SNT_KPI_KAFKA_BOOTSTRAP": bootstrap,
        "SNT_KPI_KAFKA_FETCH_MAX_WAIT_MS": "20",
        "SNT_KPI_DATABASE_URL": f"sqlite:///{tmp_path / 'kpi.db'}",
        "SNT_KPI_AUTH_DATABASE_URL": f"sqlite:///{tmp_path / 'auth.db'}",
        "SNT_KPI_CONSUMER_GROUP": f"kpi-{tmp_path.name}",
    }


def token(env: dict[str, str], role: str, boroughs: tuple[str, ...] = ()) -> str:
    engine = open_engine(env["SNT_KPI_AUTH_DATABASE_URL"])
    created = create_token(engine, name=f"{role}-{len(boroughs)}", role=role, boroughs=boroughs)
    return created.plain_token


def produce(bootstrap: str, raws: list[bytes], topic: str = "snt.crime.v1") -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for raw in raws:
        producer.send(topic, raw, key=WARD.encode())
    producer.flush()
    producer.close()


def wait_for(check: Callable[[], bool], timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def violence(client: TestClient, auth: str, path: str = FYTD) -> dict[str, Any]:
    reply = client.get(path, headers={"Authorization": f"Bearer {auth}"})
    assert reply.status_code == 200, reply.text
    [found] = [f for f in reply.json()["figures"] if f["kpi_group"] == "violence"]
    return dict(found)


def events(tag: str, n: int, at: str) -> list[bytes]:
    return [counted(f"{tag}:{i}", at=at) for i in range(n)]


def test_folds_serves_and_survives_redelivery_and_restart(
    env: dict[str, str], bootstrap: str
) -> None:
    settings = load_settings(KpiSettings, env)
    lead = token(env, "borough_lead", (BOROUGH,))
    other = token(env, "borough_lead", (CAMDEN,))
    this_year = events("ty", 30, "2025-01-15T10:00:00+00:00")
    last_year = events("ly", 40, "2024-01-15T10:00:00+00:00")
    with TestClient(create_app(settings)) as client:
        produce(bootstrap, this_year + last_year + this_year[:10])  # 10 re-deliveries
        # both years folded (a batch may end between this year's and last year's events)
        wait_for(lambda: (violence(client, lead)["value"], violence(client, lead)["last_year"])
                 == (30, 40))  # fmt: skip
        figure = violence(client, lead)
        assert (figure["last_year"], figure["pct_change"]) == (40, pytest.approx(-25.0))
        assert figure["trajectory"] == pytest.approx(40 * 0.98)
        assert client.get(FYTD, headers={"Authorization": f"Bearer {other}"}).status_code == 403
    produce(bootstrap, this_year[10:20] + events("late", 5, "2025-02-01T10:00:00+00:00"))
    with TestClient(create_app(settings)) as client:
        wait_for(lambda: violence(client, lead)["value"] == 35)
        time.sleep(1)  # nothing else arrives: the re-sent events were not counted again
        assert violence(client, lead)["value"] == 35
    db = create_engine(env["SNT_KPI_DATABASE_URL"])
    with db.connect() as conn:
        applied = conn.execute(text("SELECT count(*) FROM kpi_applied")).scalar_one()
    assert applied == 75


def test_an_unfoldable_event_is_dead_lettered_with_its_position(
    env: dict[str, str], bootstrap: str
) -> None:
    settings = load_settings(KpiSettings, env)
    produce(bootstrap, [b'{"event_type": "crime.counted", "payload": {}}'], topic="snt.cad.v1")
    with TestClient(create_app(settings)):
        letters = consume_dead_letters(bootstrap)
    mine = {d["event_id"]: d for d in letters if d["source"] == "kpi"}
    [letter] = mine.values()  # a re-delivery gives the same dead letter id
    where = letter["payload"]["source_position"]
    assert letter["event_id"] == f"kpi:dead:snt.cad.v1:{where['partition']}:{where['offset']}"
    payload = letter["payload"]
    assert payload["source_position"]["topic"] == "snt.cad.v1"
    assert payload["errors"][0]["problem"].startswith("not a valid count event: KeyError")


def consume_dead_letters(bootstrap: str, timeout_s: float = 20) -> list[dict[str, Any]]:
    consumer = KafkaConsumer("snt.deadletter.v1", bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             fetch_max_wait_ms=20, consumer_timeout_ms=500)  # fmt: skip
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while not any(d["source"] == "kpi" for d in found) and time.monotonic() < deadline:
            found += [json.loads(m.value) for m in consumer]
    finally:
        consumer.close()
    return found


def test_publishes_coalesced_kpi_updates_and_fills_the_read_model(
    env: dict[str, str], bootstrap: str, redis_url: str
) -> None:
    ward = "E05013807"  # Vincent Square: no other test here counts in it
    settings = load_settings(KpiSettings, {
        **env, "SNT_KPI_REDIS_URL": redis_url, "SNT_KPI_UPDATE_INTERVAL_S": "0.2",
        "SNT_KPI_UPDATE_PERIODS": '["fytd"]',
    })  # fmt: skip
    raws = [counted(f"vs:{i}", at="2025-01-15T10:00:00+00:00", ward=ward) for i in range(7)]
    with TestClient(create_app(settings)):
        produce(bootstrap, raws)
        wanted = {"area_code": ward, "kpi": 1, "value": 7}
        updates = consume_updates(bootstrap, lambda u: wanted.items() <= u["payload"].items())
        held = redis.Redis.from_url(redis_url).hget(f"snt:kpi:v1:area:{ward}", "violence:fytd")
    mine = [u for u in updates if u["payload"]["area_code"] == ward and u["payload"]["kpi"] == 1]
    latest = parse_event(json.dumps(mine[-1]))
    assert isinstance(latest, KpiUpdated)
    assert (latest.payload.level, latest.payload.borough_code) == ("ward", BOROUGH)
    assert latest.payload.period == "fytd"
    assert latest.payload.period_start == date(2024, 4, 1)
    assert latest.payload.spc is not None
    assert latest.payload.spc.interval == "month"
    assert held is not None
    assert json.loads(held)["event_id"] == latest.event_id
    ids = [u["event_id"] for u in mine]
    assert len(ids) == len(set(ids))  # coalesced: each figure published once per change


def test_waits_for_its_database_and_then_starts(env: dict[str, str], bootstrap: str) -> None:
    name = f"snt_test_later_{uuid.uuid4().hex[:10]}"  # created only after the service starts
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    settings = load_settings(KpiSettings, {**env, "SNT_KPI_DATABASE_URL": f"{base}/{name}"})
    try:
        with TestClient(create_app(settings)) as client:
            waiting = client.get("/readyz")
            assert waiting.status_code == 503
            assert "waiting for the database" in waiting.json()["checks"]["state"]
            admin_sql(f'CREATE DATABASE "{name}"')
            wait_for(lambda: client.get("/readyz").status_code == 200)
            produce(bootstrap, events("wait", 3, "2025-01-20T10:00:00+00:00"))
            central = token(env, "central")
            wait_for(lambda: violence(client, central)["value"] >= 3)
    finally:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def admin_sql(statement: str) -> None:
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as admin:
            admin.execute(statement)
    except psycopg.OperationalError as exc:
        unavailable("PostgreSQL", str(exc))


def consume_updates(bootstrap: str, done: Callable[[dict[str, Any]], bool],
                    timeout_s: float = 30) -> list[dict[str, Any]]:  # fmt: skip
    consumer = KafkaConsumer("snt.kpi.updates.v1", bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             fetch_max_wait_ms=20, consumer_timeout_ms=500)  # fmt: skip
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout_s
    try:
        while not any(done(u) for u in found):
            if time.monotonic() > deadline:
                raise AssertionError("the expected KPI update did not arrive")
            found += [json.loads(m.value) for m in consumer]
    finally:
        consumer.close()
    return found


def test_exceptions_league_and_spc_are_served_and_scoped(
    env: dict[str, str], bootstrap: str
) -> None:
    rising, steady = "E05013808", "E05013809"  # two more Westminster wards
    raws = [counted(f"rise:{i}", at="2025-01-10T10:00:00+00:00", ward=rising) for i in range(60)]
    raws += [counted(f"rise0:{i}", at="2024-01-10T10:00:00+00:00", ward=rising) for i in range(20)]
    raws += [counted(f"st:{i}", at=f"2025-0{1 + i % 2}-10T10:00:00+00:00", ward=steady)
             for i in range(20)]  # fmt: skip
    raws += [counted(f"st0:{i}", at="2024-01-10T10:00:00+00:00", ward=steady) for i in range(20)]
    settings = load_settings(KpiSettings, env)
    lead, other = token(env, "borough_lead", (BOROUGH,)), token(env, "borough_lead", (CAMDEN,))
    central = token(env, "central")
    query = "group=violence&period=fytd&as_of=2025-03-31"
    with TestClient(create_app(settings)) as client:
        produce(bootstrap, raws)

        def get(path: str, who: str) -> Any:
            return client.get(path, headers={"Authorization": f"Bearer {who}"})

        ward_fytd = f"/v1/kpi/wards/{rising}?period=fytd&as_of=2025-03-31"
        wait_for(lambda: violence(client, lead, ward_fytd)["value"] == 60)
        steady_fytd = f"/v1/kpi/wards/{steady}?period=fytd&as_of=2025-03-31"
        wait_for(lambda: violence(client, lead, steady_fytd)["value"] == 20)
        found = get(f"/v1/kpi/boroughs/{BOROUGH}/exceptions?{query}", lead).json()
        poor = [s["area_code"] for s in found["poor"]]  # other tests' wards may appear too
        assert poor[0] == rising
        assert steady not in poor + [s["area_code"] for s in found["good"]]
        assert found["poor"][0]["verdict"] == "significant_worse"
        assert (found["poor"][0]["value"], found["poor"][0]["last_year"]) == (60, 20)
        assert rising not in {s["area_code"] for s in found["good"]}
        league = get(f"/v1/kpi/boroughs/{BOROUGH}/league?{query}", lead).json()
        assert league["standings"][0]["area_code"] == rising
        assert violence(client, lead, ward_fytd)["rank_in_borough"] == 1
        chart = get(f"/v1/kpi/wards/{steady}/spc?group=violence&interval=month"
                    "&as_of=2025-02-28", lead).json()  # fmt: skip
        counts = {p["start"]: p["count"] for p in chart["series"]}
        assert (counts["2025-01-01"], counts["2025-02-01"]) == (10, 10)
        assert get(f"/v1/kpi/boroughs/{BOROUGH}/exceptions?{query}", other).status_code == 403
        assert get(f"/v1/kpi/mps/exceptions?{query}", lead).status_code == 403
        assert get(f"/v1/kpi/mps/exceptions?{query}", central).status_code == 200
        meeting = get(f"/v1/kpi/boroughs/{BOROUGH}/meetings/strategic_monthly"
                      "?as_of=2025-01-31", lead).json()  # fmt: skip
        violence_list = next(k for k in meeting["kpis"] if k["kpi_group"] == "violence")
        assert violence_list["period"] == "month"
        assert violence_list["period_start"] == "2025-01-01"
        assert violence_list["poor"][0]["area_code"] == rising
        weekly = get(f"/v1/kpi/boroughs/{BOROUGH}/meetings/cluster_weekly?as_of=2025-01-12",
                     lead).json()  # fmt: skip
        assert weekly["kpis"][0]["period"] == "week"
        assert get("/v1/kpi/mps/meetings/key_performance_quarterly", lead).status_code == 403
        quarterly = get("/v1/kpi/mps/meetings/key_performance_quarterly?as_of=2025-03-31",
                        central).json()  # fmt: skip
        assert quarterly["kpis"][0]["period"] == "quarter"


def test_repeat_diagnostics_are_served_as_counts_and_scoped(
    env: dict[str, str], bootstrap: str
) -> None:
    ward = "E05013805"  # a Westminster ward no other test here counts in
    victim, caller = "ab" * 32, "cd" * 32
    raws = [_named(counted(f"rv:{i}", at=f"2025-0{i}-10T10:00:00+00:00", ward=ward),
                   f"CR-RV-{i}", victim_pseudonym=victim) for i in (1, 2)]  # fmt: skip
    raws += [_named(counted(f"rc:{i}", at=f"2025-0{i}-10T10:00:00+00:00", ward=ward, asb=True,
                            group="asb"), f"CAD-RC-{i}", caller_pseudonym=caller,
                    vulnerable_caller=True) for i in (1, 2, 3)]  # fmt: skip
    settings = load_settings(KpiSettings, env)
    lead, other = token(env, "borough_lead", (BOROUGH,)), token(env, "borough_lead", (CAMDEN,))
    with TestClient(create_app(settings)) as client:
        produce(bootstrap, raws)

        def get(path: str, who: str) -> Any:
            return client.get(path, headers={"Authorization": f"Bearer {who}"})

        path = f"/v1/kpi/wards/{ward}/diagnostics?as_of=2025-03-31"
        assert get(path, lead).status_code == 200, get(path, lead).text
        wait_for(lambda: get(path, lead).json()["repeat_callers"]["contacts"] == 3)
        found = get(path, lead).json()
        assert found["rules"] == {"owner": "most_recent", "repeat_victim_threshold": 2,
                                  "repeat_caller_threshold": 3}  # fmt: skip
        assert (found["period_start"], found["period_end"]) == ("2024-04-01", "2025-03-31")
        assert found["repeat_victims"] == {"persons": 1, "repeat_persons": 1, "contacts": 2,
                                           "repeat_contacts": 2, "repeat_share": 1.0}  # fmt: skip
        assert found["repeat_callers"]["vulnerable_repeat_persons"] == 1
        assert victim not in json.dumps(found)
        assert caller not in json.dumps(found)
        borough = get(f"/v1/kpi/boroughs/{BOROUGH}/diagnostics?as_of=2025-03-31", lead)
        assert borough.json()["repeat_victims"]["repeat_persons"] >= 1
        assert get(path, other).status_code == 403
        assert get("/v1/kpi/mps/diagnostics", lead).status_code == 403


def _named(raw: bytes, record_id: str, **person: object) -> bytes:
    event = json.loads(raw)
    event["payload"].update(record_id=record_id, **person)
    return json.dumps(event).encode()


def test_survey_kpis_are_served_for_boroughs_published_and_refused_for_wards(
    env: dict[str, str], bootstrap: str
) -> None:
    def aggregate(area: str, end: str, proportion: float) -> bytes:
        event = example_event("survey.aggregate", event_id=f"pas:{area}:{end}:good_job")
        event["payload"].update(area_code=area, period_end=end, proportion=proportion, n=1600)
        return json.dumps(event).encode()

    raws = [aggregate(BOROUGH, "2025-03-31", 0.68), aggregate(BOROUGH, "2024-03-31", 0.62),
            aggregate("MPS", "2025-03-31", 0.60), aggregate(CAMDEN, "2025-03-31", 0.5)]  # fmt: skip
    settings = load_settings(KpiSettings, {**env, "SNT_KPI_UPDATE_INTERVAL_S": "0.2"})
    lead = token(env, "borough_lead", (BOROUGH,))
    with TestClient(create_app(settings)) as client:
        produce(bootstrap, raws, topic="snt.survey.v1")

        def get(path: str) -> Any:
            return client.get(path, headers={"Authorization": f"Bearer {lead}"})

        path = f"/v1/kpi/boroughs/{BOROUGH}/survey?as_of=2025-04-15&measure=good_job"
        wait_for(lambda: len(get(path).json()["figures"]) == 1)
        [found] = get(path).json()["figures"]
        assert (found["kpi"], found["quarter"], found["percent"]) == (6, "Q4 2024/25", 68.0)
        assert found["vs_last_year"]["difference_points"] == pytest.approx(6.0)
        # n = 1600 each, 1,053 effective at the borough design effect 1.52: a 6-point rise is
        # significant (z = 2.9) where 4 points would not be (z = 1.9)
        assert found["vs_last_year"]["verdict"] == "significant_better"
        assert found["target_percent"] == pytest.approx(63.0)
        assert found["vs_mps"]["percent"] == 60.0
        assert found["peers"][0] == "E09000007"
        refused = get(f"/v1/kpi/wards/{WARD}/survey")
        assert refused.status_code == 422
        assert "not valid at ward level" in refused.json()["detail"]
        assert get(f"/v1/kpi/boroughs/{CAMDEN}/survey").status_code == 403
        mine = consume_updates(bootstrap, lambda u: u["payload"]["kpi"] == 6
                               and u["payload"]["area_code"] == BOROUGH)  # fmt: skip
    [update] = [
        u for u in mine if u["payload"]["kpi"] == 6 and u["payload"]["area_code"] == BOROUGH
    ]
    parsed = parse_event(json.dumps(update))
    assert isinstance(parsed, KpiUpdated)
    assert (parsed.payload.unit, parsed.payload.value, parsed.payload.n) == (
        "proportion",
        0.68,
        1600,
    )
    assert parsed.payload.significance is not None
    assert parsed.payload.significance.verdict == "significant_better"


def test_monthly_counts_answer_weeks_with_the_reason_and_months_with_figures(
    env: dict[str, str], bootstrap: str
) -> None:
    settings = load_settings(KpiSettings, env)
    central = token(env, "central")
    ward = "E05013808"  # no other test here counts in it
    cells = [counted(f"cell:{y}:{m}", delta=12, ward=ward, at=f"{y}-{m:02d}-01T00:00:00+00:00")
             for y in (2024, 2025) for m in range(1, 13)]  # fmt: skip
    produce(bootstrap, cells)
    headers = {"Authorization": f"Bearer {central}"}
    base = f"/v1/kpi/wards/{ward}"
    with TestClient(create_app(settings)) as client:
        wait_for(
            lambda: (
                client.get(base, headers=headers).status_code == 200
                and client.get(base, headers=headers).json()["figures"][0]["value"] == 108
            )
        )
        found = client.get(base, headers=headers).json()  # default as-of: 31 December 2025
        [violence_] = [f for f in found["figures"] if f["kpi_group"] == "violence"]
        assert violence_["period_label"] == "FYTD 2025-26 to December 2025"
        assert violence_["sources"]["this_year"]["resolution"] == "published_monthly"
        week = client.get(base, params={"period": "week"}, headers=headers)
        assert week.status_code == 200  # property and ASB have no monthly counts here
        assert [n["kpi_group"] for n in week.json()["not_available"]] == ["violence"]
        assert "data for this area are monthly" in week.json()["not_available"][0]["reason"]
        part = client.get(base, params={"period": "month", "as_of": "2025-12-15"},
                          headers=headers)  # fmt: skip
        assert "violence" not in [f["kpi_group"] for f in part.json()["figures"]]
        drill = client.get(f"{base}/categories", headers=headers,
                           params={"group": "violence", "period": "rolling_28d"})  # fmt: skip
        assert drill.status_code == 422
        assert drill.json()["detail"].startswith("28 days to 31 December 2025: not available")
