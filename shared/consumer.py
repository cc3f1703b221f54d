"""Consuming canonical topics with the exactly-once effect: batches whose positions live in
the service's own database with its state.

When partitions are assigned the consumer seeks to the stored next offset (the beginning when
none is stored, or when it was stored under another broker epoch: a broker log that no longer
exists), so Kafka's committed offsets never decide what is applied. Records a handler
cannot use are dead-lettered with the reason and their position; a dead letter's id is the
position, so a re-delivered record gives the same dead letter.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any, Protocol, TypeVar

from aiokafka import ConsumerRebalanceListener, TopicPartition

from shared.contracts import capture_original

log = logging.getLogger(__name__)

T = TypeVar("T")
DEAD_LETTER_TOPIC = "snt.deadletter.v1"
Position = tuple[str, int]
"""(topic, partition)."""
Resume = tuple[int, str | None]
"""(next offset, the broker epoch it belongs to: see :mod:`shared.epoch`)."""


class HasId(Protocol):
    """A decoded event, known by its event id (applied once however often it arrives)."""

    @property
    def event_id(self) -> str: ...


Event = TypeVar("Event", bound=HasId)


event_id_of: Callable[[HasId], str] = attrgetter("event_id")
"""The id ``claim`` records an event by (read in C: it runs once per event)."""


@dataclass(frozen=True, slots=True)
class Record:
    """One consumed Kafka record."""

    topic: str
    partition: int
    offset: int
    value: bytes


def records_of(raw: Any) -> list[Record]:
    """The records of a FastStream batch message's raw aiokafka record(s)."""
    return [Record(r.topic, r.partition, r.offset, r.value or b"")
            for r in (raw if isinstance(raw, tuple) else (raw,))]  # fmt: skip


def next_offsets(records: Sequence[Record]) -> dict[Position, int]:
    """The next offset to read per partition after ``records``."""
    positions: dict[Position, int] = {}
    for r in records:
        key = (r.topic, r.partition)
        positions[key] = max(positions.get(key, 0), r.offset + 1)
    return positions


Decoded = tuple[list[T], list[tuple[Record, str]], int]
"""(items, refused records with the reason, how many were of no use)."""


def decode_all(records: Sequence[Record], decode: Callable[[bytes], T | None],
               refused: type[Exception]) -> Decoded[T]:  # fmt: skip
    """The decoded items of ``records``, the records ``decode`` refused (``refused``) with the
    reason (to dead-letter), and how many it had no use for (None)."""
    items: list[T] = []
    bad: list[tuple[Record, str]] = []
    ignored = 0
    for record in records:
        try:
            item = decode(record.value)
        except refused as exc:
            bad.append((record, str(exc)))
            continue
        if item is None:
            ignored += 1
        else:
            items.append(item)
    return items, bad, ignored


class SeekToStored(ConsumerRebalanceListener):  # type: ignore[misc]
    """On assignment, continue each partition from the offset stored with the state, when it
    was stored under the broker's current epoch; otherwise (a broker whose log is new: its
    memory storage restarted) from the beginning of the new log, whose re-delivered events
    already applied are skipped by id.

    Every assignment reads the epoch again: a broker that restarts under a running consumer
    makes its group join again, so the check runs then too (and a position past the new log's
    end is reset to its beginning by ``auto_offset_reset="earliest"`` meanwhile). Without an
    ``epoch`` reader the stored offsets are trusted as they are."""

    def __init__(self, stored: Callable[[], dict[Position, Resume]],
                 epoch: Callable[[], Awaitable[str]] | None = None,
                 on_new_epoch: Callable[[str], None] = lambda epoch: None) -> None:  # fmt: skip
        self._stored = stored
        self._read_epoch = epoch
        self._on_new_epoch = on_new_epoch
        self.subscriber: Any = None
        self.epoch: str | None = None
        """The broker epoch the consumer's positions belong to (stored with the offsets)."""

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        consumer = self.subscriber.consumer
        current = await self._current_epoch()
        stored = await asyncio.to_thread(self._stored)
        for tp in sorted(assigned):
            found = stored.get((tp.topic, tp.partition))
            offset = self._resume_at(found, current)
            if offset is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, offset)
            extra = {"topic": tp.topic, "partition": tp.partition, "offset": offset or 0,
                     "epoch": current, "stored_epoch": found and found[1]}  # fmt: skip
            log.info("resuming from %s", "the beginning" if offset is None else "the stored offset",
                     extra=extra)  # fmt: skip
        if self.epoch is not None and current is not None and current != self.epoch:
            log.warning("the broker's log is new (epoch %s, was %s)", current, self.epoch)
            self._on_new_epoch(current)
        self.epoch = current

    def _resume_at(self, found: Resume | None, current: str | None) -> int | None:
        """The stored offset to continue from; None: from the beginning."""
        if found is None:
            return None
        offset, epoch = found
        if self._read_epoch is None or (current is not None and epoch == current):
            return offset
        return None

    async def _current_epoch(self) -> str | None:
        if self._read_epoch is None:
            return None
        try:
            return await self._read_epoch()
        except Exception as exc:  # unknown: no stored offset is trusted, nothing is skipped
            log.warning("the broker's epoch could not be read (%s); reading from the beginning",
                        exc)  # fmt: skip
            return None


async def undecoded(message: Any) -> Any:
    """A FastStream decoder that leaves the bytes alone (the fold decodes them)."""
    return message.body


def dead_letter(record: Record, why: str, now: datetime, service: str) -> dict[str, Any]:
    """A dead_letter.recorded envelope for a record ``service`` could not use."""
    kept = capture_original(record.value)
    return {
        "event_id": f"{service}:dead:{record.topic}:{record.partition}:{record.offset}",
        "event_type": "dead_letter.recorded",
        "schema_version": 1, "version": 1, "occurred_at": now.isoformat(),
        "recorded_at": now.isoformat(), "source": service, "correlation_id": None,
        "payload": {
            "source": "ingest", "received_at": now.isoformat(), "reason": "schema_violation",
            "source_position": {"topic": record.topic, "partition": record.partition,
                                "offset": record.offset},
            "errors": [{"field": "(message)", "problem": why[:500]}],
            "original_text": kept.original_text, "original_base64": kept.original_base64,
            "original_size": kept.original_size, "truncated": kept.truncated,
        },
    }  # fmt: skip
