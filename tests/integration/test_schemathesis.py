"""Requests generated from each service's own OpenAPI document, sent to all five services
running for real (uvicorn, the tansu broker, SQLite): schemathesis's checks pass, no answer
is a server error, every 4xx carries the error model's ``reason``, and no dead letter holds a
personal identifier the requests carried.

CI sends a bounded sample (``SAMPLE`` requests a service, a few minutes in all);
``SNT_SOAK=1`` sends at least ``SOAK`` (10,000) a service. Every operation is exercised in
both of schemathesis's modes: positive (requests the document allows) and negative (requests
it forbids, which must be refused with a 4xx). Rounds over every operation repeat until the
service's count is reached (an operation with few possible requests is exhausted early).

Exclusions, each with its reason, are ``EXCLUDED_CHECKS`` and ``EXCLUDED_OPERATIONS``.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from kafka import KafkaConsumer, TopicPartition
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from services.ingest.api import ROUTES as INGEST_ROUTES
from shared.contracts import default_registry
from shared.contracts.examples import example_event
from shared.contracts.personal import personal_data_fields
from shared.kafka_admin import ensure_topics
from shared.topics import TOPICS
from tests.support.five_services import Services, issue_token, running_services
from tests.support.tansu import running_tansu

pytestmark = [pytest.mark.integration, pytest.mark.schemathesis]

SOAK = os.environ.get("SNT_SOAK") == "1"
SAMPLE, LONG = 200, 10_000
WANTED = LONG if SOAK else SAMPLE
"""Requests a service is sent at least."""
MARK = "PRSNL"
"""In every personal identifier the requests carry, and nowhere else."""
DEAD_LETTERS = "snt.deadletter.v1"

EXCLUDED_CHECKS = {
    status_code_conformance: "the documents do not list their error statuses yet (401, 403, "
    "404, 409, 413, 415, 422); replaced here by: no 5xx, and a reason on every 4xx",
    content_type_conformance: "SVG, PDF, HTML, CSV and event-stream answers are documented as "
    "application/json until each operation declares its media types",
    response_schema_conformance: "success answers are not typed in the documents yet (an "
    "empty schema accepts anything, so this check would say nothing)",
    positive_data_acceptance: "a request the document allows may still be refused for what "
    "the document cannot say: an area code that matches the pattern but names no area (404), "
    "a date outside the configured window (422), another area's data (403), a release or "
    "alert id that does not exist (404), figures not available for the period (422)",
}
"""Checks left out, and why; every other check of schemathesis runs."""
EXCLUDED_OPERATIONS = {
    ("dashboard", "GET", "/live"): "a server-sent event stream: it never ends, so a request "
    "to it does not either (tests/unit/dashboard/test_dashboard_live.py covers it)",
}
"""Operations not sent generated requests, and why."""
TOKENS = {"ingest": "system", "kpi": "central", "flex": "central", "alerts": "central",
          "dashboard": "central"}  # fmt: skip
"""Whose token each service is called with: the role that may use every route."""


def personal_keys() -> frozenset[str]:
    registry = default_registry()
    return frozenset(path.rsplit(".", 1)[-1] for cls in registry.classes()
                     for path in personal_data_fields(cls))  # fmt: skip


@dataclass
class Tally:
    """What one service was sent and answered."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    personal: set[str] = field(default_factory=set)


@dataclass
class Stack:
    services: Services
    bootstrap: str
    tokens: dict[str, str]
    tallies: dict[str, Tally] = field(default_factory=dict)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("schemathesis")
    with running_tansu() as bootstrap:
        ensure_topics(bootstrap, list(TOPICS))
        with running_services(tmp, bootstrap) as found:
            auth = f"sqlite:///{Path(tmp) / 'auth.db'}"
            tokens = {role: issue_token(auth, role, role) for role in ("system", "central")}
            yield Stack(found, bootstrap, tokens)


def mark_personal(value: Any, keys: frozenset[str], tally: Tally) -> Any:
    """The body with each string under a personal key replaced by a marked identifier."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in keys and isinstance(item, str):
                item = f"{MARK}-{tally.requests}-{len(tally.personal)}"
                tally.personal.add(item)
            out[key] = mark_personal(item, keys, tally)
        return out
    if isinstance(value, list):
        return [mark_personal(item, keys, tally) for item in value]
    return value


def check_answer(case: Case, response: Any) -> None:
    """Never a server error; every 4xx in the error model, with its reason."""
    status = response.status_code
    where = f"{case.method} {case.formatted_path}"
    assert status < 500, f"{where}: {status} {response.text[:300]}"
    if 400 <= status < 500 and status != 401:
        body = response.json()
        assert isinstance(body, dict), f"{where}: {status} {response.text[:300]}"
        assert isinstance(body.get("reason"), str), f"{where}: {status} {response.text[:300]}"
        assert body.get("detail"), f"{where}: {status} {response.text[:300]}"


def run_operation(stack: Stack, name: str, operation: APIOperation, mode: GenerationMode,
                  examples: int, session: requests.Session) -> None:  # fmt: skip
    tally, keys = stack.tallies[name], personal_keys()

    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy(mode))
    def run(case: Case) -> None:
        if isinstance(case.body, dict | list):
            case.body = mark_personal(case.body, keys, tally)
        response = case.call(base_url=stack.services.urls[name], session=session, timeout=60)
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        check_answer(case, response)
        case.validate_response(response, excluded_checks=list(EXCLUDED_CHECKS))

    run()


def operations(stack: Stack, name: str) -> list[APIOperation]:
    """The service's operations, its token configured as schemathesis's own headers (so a
    request made without it, or with another, is one schemathesis knows is unauthorised)."""
    document = stack.services.apps[name].openapi()
    token = {"Authorization": f"Bearer {stack.tokens[TOKENS[name]]}"}
    config = SchemathesisConfig.from_dict({"headers": token})
    schema = schemathesis.openapi.from_dict(document, config=config)
    found = [result.ok() for result in schema.get_all_operations()]
    return [op for op in found
            if (name, op.method.upper(), op.path) not in EXCLUDED_OPERATIONS]  # fmt: skip


@pytest.mark.timeout(7200 if SOAK else 900)
@pytest.mark.parametrize("name", ["ingest", "kpi", "flex", "alerts", "dashboard"])
def test_generated_requests(stack: Stack, name: str) -> None:
    stack.tallies[name] = tally = Tally()
    found = operations(stack, name)
    per_round = max(5, WANTED // (2 * len(found)))
    started = time.monotonic()
    impossible: set[tuple[str, GenerationMode]] = set()
    with requests.Session() as session:
        while tally.requests < WANTED:
            before = tally.requests
            for operation in found:
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    if (operation.label, mode) in impossible:
                        continue
                    try:
                        run_operation(stack, name, operation, mode, per_round, session)
                    except Unsatisfiable:  # nothing to get wrong: no parameter, no body
                        impossible.add((operation.label, mode))
            assert tally.requests > before, "no operation could be sent another request"
    seconds = time.monotonic() - started
    print(f"\n{name}: {tally.requests} requests to {len(found)} operations in {seconds:.0f} s;"
          f" statuses {dict(sorted(tally.statuses.items()))}")  # fmt: skip
    assert tally.requests >= WANTED
    assert any(200 <= s < 300 for s in tally.statuses), "nothing generated was accepted"


@st.composite
def contract_bodies(draw: st.DrawFn, event_type: str, tally: Tally) -> str:
    """A contract event of ``event_type`` whose personal fields carry marked identifiers,
    then broken in one of the ways seen in practice (or left valid): a field dropped or
    given any JSON value, an unknown field holding an identifier, a stray quote after a key."""
    event = example_event(event_type, event_id=f"{event_type}:gen-{draw(st.integers(0, 10**9))}")
    event = mark_personal(event, personal_keys(), tally)
    payload = event["payload"]
    how = draw(st.sampled_from(["valid", "drop", "replace", "unknown", "stray_quote"]))
    key = draw(st.sampled_from(sorted(payload)))
    if how == "drop":
        del payload[key]
    elif how == "replace":
        payload[key] = draw(st.recursive(st.none() | st.booleans() | st.integers()
                                         | st.floats(allow_nan=False) | st.text(max_size=20),
                                         lambda inner: st.lists(inner, max_size=3),
                                         max_leaves=5))  # fmt: skip
    elif how == "unknown":
        payload["victim"] = mark_personal({"victim_id": "x"}, personal_keys(), tally)["victim_id"]
    text = json.dumps(event)
    if how == "stray_quote":
        text = text.replace(f'"{key}":', f'"{key}"":', 1)
    return text


def test_generated_events_at_ingest(stack: Stack) -> None:
    """Ingest's feeds, sent contract events generated from the example of each type and
    broken in the ways of ``contract_bodies``: accepted or refused with a reason, never a
    server error; their personal identifiers are looked for in the dead letters next."""
    tally = stack.tallies.setdefault("ingest-events", Tally())
    for event_type, route in INGEST_ROUTES.items():
        post_events(stack, event_type, route, tally)
    print(f"\ningest events: {tally.requests} requests; statuses {dict(tally.statuses)}")
    assert any(400 <= s < 500 for s in tally.statuses), "nothing generated was refused"


def post_events(stack: Stack, event_type: str, route: str, tally: Tally) -> None:
    url = f"{stack.services.urls['ingest']}/v1/{route}"
    headers = {"Authorization": f"Bearer {stack.tokens['system']}",
               "Content-Type": "application/json"}  # fmt: skip

    @settings(max_examples=max(20, WANTED // len(INGEST_ROUTES)), deadline=None,
              database=None, suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(body=contract_bodies(event_type, tally))
    def post(body: str) -> None:
        answer = requests.post(url, data=body, headers=headers, timeout=60)
        tally.requests += 1
        tally.statuses[answer.status_code] += 1
        assert answer.status_code < 500, answer.text[:300]
        if answer.status_code >= 400:
            assert answer.json()["reason"], answer.text[:300]

    post()


def test_no_dead_letter_holds_a_personal_identifier(stack: Stack) -> None:
    """After the generated requests (run first, in this module), every dead letter on the
    topic is read: none holds an identifier the requests carried in a personal field."""
    sent = set().union(*(t.personal for t in stack.tallies.values())) if stack.tallies else set()
    if not sent:
        pytest.skip("no generated request carried a personal field (run the module whole)")
    consumer = KafkaConsumer(bootstrap_servers=stack.bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=3000)  # fmt: skip
    try:
        parts = [TopicPartition(DEAD_LETTERS, p)
                 for p in consumer.partitions_for_topic(DEAD_LETTERS) or ()]  # fmt: skip
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        letters = [m.value.decode("utf-8", "replace") for m in consumer]
    finally:
        consumer.close()
    assert letters, "generated requests were refused, yet no dead letter was written"
    leaked = [text[:300] for text in letters if MARK in text]
    assert leaked == [], f"{len(leaked)} of {len(letters)} dead letters hold a personal id"
    print(f"\n{len(letters)} dead letters, none with any of {len(sent)} personal identifiers")
    assert json.loads(letters[0])  # the scan read whole letters, not fragments
