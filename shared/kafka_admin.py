"""Creating the product's Kafka topics, idempotently.

``ensure_topics`` creates what is missing and reports what already exists; a topic with
fewer partitions than its spec is reported as a mismatch (keys would land on different
partitions than the services expect), never silently accepted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from shared.topics import TopicSpec

log = logging.getLogger(__name__)

_TOPIC_EXISTS: Final = 36
_RETRY_PAUSE_S: Final = 0.5


class KafkaAdminError(RuntimeError):
    """The broker could not be reached, or refused to create a topic; the message says which."""


class TopicOutcome(StrEnum):
    """What ``ensure_topics`` found or did for one topic."""

    CREATED = "created"
    EXISTING = "existing"
    MISMATCH = "mismatch"


@dataclass(frozen=True, slots=True)
class TopicStatus:
    """One topic's outcome, with its partition counts (expected from the spec, actual)."""

    name: str
    outcome: TopicOutcome
    expected_partitions: int
    actual_partitions: int


@dataclass(frozen=True, slots=True)
class TopicsReport:
    """What ``ensure_topics`` did, topic by topic."""

    bootstrap: str
    topics: tuple[TopicStatus, ...]

    def names(self, outcome: TopicOutcome) -> list[str]:
        return [status.name for status in self.topics if status.outcome is outcome]

    @property
    def ok(self) -> bool:
        """No topic has fewer partitions than its spec."""
        return not self.names(TopicOutcome.MISMATCH)

    def summary(self) -> str:
        counts = {o.value: len(self.names(o)) for o in TopicOutcome}
        text = ", ".join(f"{n} {outcome}" for outcome, n in counts.items())
        mismatched = [
            f"{s.name} has {s.actual_partitions} partitions, expected {s.expected_partitions}"
            for s in self.topics
            if s.outcome is TopicOutcome.MISMATCH
        ]
        return "; ".join([f"topics on {self.bootstrap}: {text}", *mismatched])


def ensure_topics(
    bootstrap: str,
    topics: Sequence[TopicSpec],
    *,
    partitions: int | None = None,
    replication_factor: int = 1,
    timeout_s: float = 30,
) -> TopicsReport:
    """Create every topic that does not exist; ``partitions`` overrides every spec's count."""
    if partitions is not None and partitions < 1:
        raise ValueError(f"partitions must be at least 1, not {partitions}")
    wanted = {spec.name: partitions or spec.partitions for spec in topics}
    if not wanted:
        return TopicsReport(bootstrap, ())
    admin = connect_admin(bootstrap, timeout_s)
    try:
        created, existing = _create(admin, wanted, replication_factor, timeout_s)
        actual = _partition_counts(admin, existing)
    finally:
        admin.close()
    statuses = [_status(name, wanted[name], name in created, actual) for name in wanted]
    report = TopicsReport(bootstrap, tuple(statuses))
    log.log(logging.INFO if report.ok else logging.WARNING, "%s", report.summary())
    return report


def connect_admin(bootstrap: str, timeout_s: float) -> Any:
    """A connected ``KafkaAdminClient``, retrying until ``timeout_s`` has passed."""
    deadline = time.monotonic() + timeout_s
    while True:
        remaining = deadline - time.monotonic()
        try:
            return KafkaAdminClient(
                bootstrap_servers=bootstrap,
                client_id="snt-topic-admin",
                bootstrap_timeout_ms=max(int(min(remaining, 5.0) * 1000), 100),
                request_timeout_ms=max(int(timeout_s * 1000), 1000),
            )
        except (KafkaError, OSError) as exc:
            if time.monotonic() + _RETRY_PAUSE_S >= deadline:
                raise KafkaAdminError(
                    f"Kafka at {bootstrap} did not answer within {timeout_s:g}s: {exc}"
                ) from exc
            time.sleep(_RETRY_PAUSE_S)


def _create(
    admin: Any, wanted: dict[str, int], replication_factor: int, timeout_s: float
) -> tuple[set[str], set[str]]:
    request = {
        name: {"num_partitions": count, "replication_factor": replication_factor}
        for name, count in wanted.items()
    }
    try:
        response = admin.create_topics(
            request, timeout_ms=int(timeout_s * 1000), raise_errors=False
        )
    except KafkaError as exc:
        raise KafkaAdminError(f"cannot create topics: {exc}") from exc
    created, existing = set(), set()
    for result in response["topics"]:
        code = result["error_code"]
        if code == 0:
            created.add(result["name"])
        elif code == _TOPIC_EXISTS:
            existing.add(result["name"])
        else:
            raise KafkaAdminError(
                f"cannot create topic {result['name']}: error {code} {result['error_message']}"
            )
    return created, existing


def _partition_counts(admin: Any, names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    described = admin.describe_topics(sorted(names))
    return {topic["name"]: len(topic["partitions"]) for topic in described}


def _status(name: str, expected: int, created: bool, actual: dict[str, int]) -> TopicStatus:
    if created:
        return TopicStatus(name, TopicOutcome.CREATED, expected, expected)
    count = actual.get(name, 0)
    outcome = TopicOutcome.MISMATCH if count < expected else TopicOutcome.EXISTING
    return TopicStatus(name, outcome, expected, count)
