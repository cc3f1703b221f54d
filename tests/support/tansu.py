"""A throw-away tansu broker (Kafka protocol, in-memory storage) for integration tests.

Usage as a fixture::

    @pytest.fixture(scope="module")
    def kafka_bootstrap() -> Iterator[str]:
        with running_tansu() as bootstrap:
            yield bootstrap

What tansu supports: consumer groups, committed offsets, seek and topic admin. What it does
not: idempotent or transactional producers, compaction, retention, create_partitions and
delete_records. A fetch long-poll is not woken by a produce, so test consumers should set
``fetch_max_wait_ms`` to 10-20.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from snt.tansu import BrokerError, start_tansu, stop_process, tansu_binary
from tests.support.services import free_port, unavailable


@contextmanager
def running_tansu(port: int | None = None) -> Iterator[str]:
    """Start a broker (on a free port unless given); yield its bootstrap; stop it afterwards."""
    port = port or free_port()
    try:
        process = start_tansu(port, binary=tansu_binary())
    except BrokerError as exc:
        unavailable("tansu", str(exc))
        raise
    try:
        yield f"127.0.0.1:{port}"
    finally:
        stop_process(process, timeout_s=5)
