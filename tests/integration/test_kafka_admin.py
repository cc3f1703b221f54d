"""ensure_topics against a real Kafka-protocol broker (tansu)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from kafka.admin import KafkaAdminClient

from shared.kafka_admin import KafkaAdminError, TopicOutcome, TopicsReport, ensure_topics
from shared.topics import TOPICS, TopicSpec
from tests.support.services import free_port
from tests.support.tansu import running_tansu

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def kafka_bootstrap() -> Iterator[str]:
    with running_tansu() as bootstrap:
        yield bootstrap


def _partitions(bootstrap: str) -> dict[str, int]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="snt-test")
    try:
        names = [t.name for t in TOPICS]
        assert set(names) <= set(admin.list_topics())
        return {t["name"]: len(t["partitions"]) for t in admin.describe_topics(names)}
    finally:
        admin.close()


def test_creates_every_topic_then_reports_them_existing(kafka_bootstrap: str) -> None:
    first = ensure_topics(kafka_bootstrap, TOPICS, timeout_s=20)
    assert first.names(TopicOutcome.CREATED) == [t.name for t in TOPICS]
    assert _partitions(kafka_bootstrap) == {t.name: t.partitions for t in TOPICS}

    second = ensure_topics(kafka_bootstrap, TOPICS, timeout_s=20)
    assert second.names(TopicOutcome.EXISTING) == [t.name for t in TOPICS]
    assert second.ok
    assert all(s.actual_partitions == s.expected_partitions for s in second.topics)


def test_fewer_partitions_than_the_spec_is_a_mismatch(kafka_bootstrap: str) -> None:
    spec = TopicSpec("snt.test.mismatch.v1", 2, ("payload.ward_code",), ("kpi.updated",), "test")
    ensure_topics(kafka_bootstrap, [spec], timeout_s=20)

    report = ensure_topics(kafka_bootstrap, [spec], partitions=4, timeout_s=20)

    assert report.names(TopicOutcome.MISMATCH) == [spec.name]
    assert not report.ok
    assert "has 2 partitions, expected 4" in report.summary()


def test_an_unreachable_broker_is_named_in_the_error() -> None:
    bootstrap = f"127.0.0.1:{free_port()}"
    with pytest.raises(KafkaAdminError, match=f"Kafka at {bootstrap} did not answer within 1s"):
        ensure_topics(bootstrap, TOPICS, timeout_s=1)


def test_waits_for_a_broker_that_is_still_starting() -> None:
    port = free_port()
    spec = TopicSpec("snt.test.late.v1", 3, ("payload.source",), ("dead_letter.recorded",), "test")
    reports: list[TopicsReport] = []
    worker = threading.Thread(
        target=lambda: reports.append(ensure_topics(f"127.0.0.1:{port}", [spec], timeout_s=20))
    )
    worker.start()
    time.sleep(1.0)
    with running_tansu(port):
        worker.join(timeout=25)
    assert [r.names(TopicOutcome.CREATED) for r in reports] == [[spec.name]]
