"""The outbox relay against a broker whose log is lost: when the broker's epoch changes, every
stored event is published again, in store order; while it stays the same, nothing is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from services.ingest.domain.canonical import OutEvent
from services.ingest.metrics import IngestMetrics
from services.ingest.outbox import Epochs, OutboxRelay
from services.ingest.store.base import StoredEvent
from services.ingest.store.epoch import SqlOutboxEpoch
from services.ingest.store.epoch import create_schema as create_epoch_schema
from services.ingest.store.sql import SqlIngestStore, create_schema
from shared.db import make_engine
from shared.observability import new_registry

NOW = datetime(2026, 3, 1, tzinfo=UTC)


class _Broker:
    """Acknowledges everything and remembers what it holds; ``restart`` loses it all."""

    def __init__(self) -> None:
        self.epoch = "epoch-1"
        self.log: list[str] = []

    async def publish(self, events: Sequence[StoredEvent]) -> list[bool]:
        self.log += [e.event_id for e in events]
        return [True] * len(events)

    async def read_epoch(self) -> str:
        return self.epoch

    def restart(self, epoch: str) -> None:
        self.epoch, self.log = epoch, []


def _append(store: SqlIngestStore, ids: range) -> None:
    with store.unit() as unit:
        unit.append([OutEvent(f"e{n}", "crime.counted", "snt.crime.v1", "W", NOW, {"n": n})
                     for n in ids], NOW)  # fmt: skip


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    create_schema(engine)
    create_epoch_schema(engine)
    return engine


@pytest.fixture
def store(engine: Engine) -> SqlIngestStore:
    return SqlIngestStore(engine)


@pytest.fixture
def relay(store: SqlIngestStore, engine: Engine) -> tuple[OutboxRelay, _Broker]:
    broker = _Broker()
    epochs = Epochs(broker.read_epoch, SqlOutboxEpoch(engine), check_s=0.0)
    metrics = IngestMetrics(new_registry("ingest", "test"))
    return OutboxRelay(store, broker, metrics, batch=4, epochs=epochs), broker


async def _drain(relay: OutboxRelay) -> None:
    await relay.check_epoch()
    while await relay.drain_once():
        await relay.check_epoch()


async def test_a_new_broker_log_gets_every_stored_event_again_in_order(
    store: SqlIngestStore, relay: tuple[OutboxRelay, _Broker]
) -> None:
    outbox, broker = relay
    _append(store, range(10))
    await _drain(outbox)
    assert broker.log == [f"e{n}" for n in range(10)]
    assert outbox.republished == 0  # the first epoch: nothing was published before

    broker.restart("epoch-2")
    _append(store, range(10, 13))
    await _drain(outbox)
    assert broker.log == [f"e{n}" for n in range(13)]
    assert outbox.republished == 10
    assert store.backlog() == 0


async def test_the_same_epoch_publishes_nothing_again(
    store: SqlIngestStore, relay: tuple[OutboxRelay, _Broker]
) -> None:
    outbox, broker = relay
    _append(store, range(5))
    await _drain(outbox)
    _append(store, range(5, 7))
    await _drain(outbox)
    assert broker.log == [f"e{n}" for n in range(7)]
    assert not await outbox.check_epoch(force=True)


async def test_an_epoch_seen_by_a_restarted_relay_is_remembered(
    store: SqlIngestStore, engine: Engine, relay: tuple[OutboxRelay, _Broker]
) -> None:
    outbox, broker = relay
    _append(store, range(3))
    await _drain(outbox)
    broker.restart("epoch-2")  # while ingest was down: the stored epoch tells
    again = OutboxRelay(store, broker, IngestMetrics(new_registry("ingest", "test2")),
                        epochs=Epochs(broker.read_epoch, SqlOutboxEpoch(engine)))  # fmt: skip
    await _drain(again)
    assert broker.log == ["e0", "e1", "e2"]
    assert SqlOutboxEpoch(engine).epoch() == "epoch-2"
