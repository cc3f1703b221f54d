"""Resuming at assignment: a stored offset is trusted only under the broker epoch it was stored
in; otherwise, or when the epoch cannot be read, the partition is read from the beginning."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import TopicPartition

from shared.consumer import Position, Resume, SeekToStored

A, B = TopicPartition("snt.crime.v1", 0), TopicPartition("snt.crime.v1", 1)
BOTH_FROM_START = {A: "beginning", B: "beginning"}


class _Consumer:
    def __init__(self) -> None:
        self.at: dict[TopicPartition, int | str] = {}

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.at[tp] = offset

    async def seek_to_beginning(self, tp: TopicPartition) -> None:
        self.at[tp] = "beginning"


def _listener(stored: dict[Position, Resume], epochs: list[Any],
              new: list[str] | None = None) -> tuple[SeekToStored, _Consumer]:  # fmt: skip
    async def read() -> str:
        found = epochs.pop(0)
        if isinstance(found, Exception):
            raise found
        return str(found)

    listener = SeekToStored(
        lambda: stored, read, on_new_epoch=(new if new is not None else []).append
    )
    consumer = _Consumer()
    listener.subscriber = SimpleNamespace(consumer=consumer)
    return listener, consumer


@pytest.mark.parametrize(
    ("stored", "epoch", "expected"),
    [
        ({("snt.crime.v1", 0): (7, "E1")}, "E1", {A: 7, B: "beginning"}),
        ({("snt.crime.v1", 0): (7, "E0")}, "E1", BOTH_FROM_START),
        ({("snt.crime.v1", 0): (7, None)}, "E1", BOTH_FROM_START),
        ({("snt.crime.v1", 0): (7, "E1")}, ConnectionError("down"), BOTH_FROM_START),
    ],
    ids=["same epoch", "new epoch", "stored before epochs", "epoch unknown"],
)  # fmt: skip
async def test_where_each_partition_resumes(
    stored: dict[Position, Resume], epoch: Any, expected: dict[TopicPartition, Any]
) -> None:
    listener, consumer = _listener(stored, [epoch])
    await listener.on_partitions_assigned({A, B})
    assert consumer.at == expected
    assert listener.epoch == (None if isinstance(epoch, Exception) else epoch)


async def test_a_broker_restart_under_a_running_consumer_is_noticed_at_the_next_assignment() -> (
    None
):
    new: list[str] = []
    stored = {("snt.crime.v1", 0): (7, "E1"), ("snt.crime.v1", 1): (3, "E1")}
    listener, consumer = _listener(stored, ["E1", "E2"], new)
    await listener.on_partitions_assigned({A, B})
    assert consumer.at == {A: 7, B: 3}
    await listener.on_partitions_assigned({A, B})  # the group joined the new broker
    assert consumer.at == {A: "beginning", B: "beginning"}
    assert (listener.epoch, new) == ("E2", ["E2"])


async def test_without_an_epoch_reader_stored_offsets_are_trusted() -> None:
    listener = SeekToStored(lambda: {("snt.crime.v1", 0): (7, None)})
    consumer = _Consumer()
    listener.subscriber = SimpleNamespace(consumer=consumer)
    await listener.on_partitions_assigned({A})
    assert consumer.at == {A: 7}
