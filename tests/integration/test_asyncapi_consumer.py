"""The example downstream consumer (docs/examples/consume_kpi_updates.py) against a running
broker: KPI updates published the way the services publish them (a declared publisher) are
valid by the product's AsyncAPI document, and a message off the contract is reported."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from faststream.kafka import KafkaBroker

from shared.asyncapi import declare_publisher
from shared.contracts import default_registry
from shared.contracts.examples import example_event, example_payload
from shared.kafka_admin import ensure_topics
from shared.topics import TOPICS, message_key, topic
from tests.support.tansu import running_tansu

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "docs" / "examples" / "consume_kpi_updates.py"
UPDATES = "snt.kpi.updates.v1"
WARDS = ("E05013806", "E05013807", "E05013808")


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    with running_tansu() as address:
        ensure_topics(address, list(TOPICS), timeout_s=30)
        yield address


def updates() -> list[dict[str, object]]:
    events = []
    for n, ward in enumerate(WARDS * 2):
        payload = example_payload("kpi.updated") | {"area_code": ward, "value": n}
        events.append(example_event("kpi.updated", event_id=f"kpi:test-{n}", payload=payload))
    return events


async def publish(bootstrap: str, valid: list[dict[str, object]]) -> None:
    broker = KafkaBroker(bootstrap)
    publisher = declare_publisher(broker, UPDATES)
    await broker.start()
    try:
        spec = topic(UPDATES)
        for event in valid:
            key = message_key(spec, default_registry().parse(event))
            await publisher.publish(json.dumps(event).encode(), key=key)
        off_contract = updates()[0] | {"event_id": "kpi:off-contract"}
        off_contract["payload"] = {**example_payload("kpi.updated"), "unknown_field": 1}
        await publisher.publish(json.dumps(off_contract).encode(), key=b"E05013806")
    finally:
        await broker.stop()


def consume(bootstrap: str, count: int) -> tuple[int, dict[str, object]]:
    done = subprocess.run(
        [
            sys.executable,
            str(EXAMPLE),
            "--bootstrap",
            bootstrap,
            "--topic",
            UPDATES,
            "--asyncapi",
            str(REPO / "docs" / "asyncapi.json"),
            "--max-messages",
            str(count),
            "--idle-timeout-s",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert done.stdout, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])["summary"]
    return done.returncode, summary


async def test_the_example_consumer_validates_published_kpi_updates(bootstrap: str) -> None:
    valid = updates()
    await publish(bootstrap, valid)
    status, summary = consume(bootstrap, len(valid) + 1)
    assert summary["valid"] == len(valid)
    assert summary["by_type"] == {"kpi.updated.v1": len(valid)}
    assert summary["invalid"] == 1
    assert "unknown_field" in str(summary["problems"])
    assert status == 1
