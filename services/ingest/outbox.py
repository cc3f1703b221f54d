"""The outbox relay: publishes stored events in order and marks each one once the broker has
acknowledged it. While the broker is unavailable events wait in the store (ingest keeps
accepting); they are published when it returns. A failed event is retried, never skipped.

An acknowledgement is only as durable as the broker's log: a broker on memory storage that
restarts comes back empty. So the relay remembers the broker epoch (:mod:`shared.epoch`)
its events were published in, reads the broker's epoch again after every failure and every
``epoch_check_s`` and, when it has changed, marks every stored event unpublished and so
publishes all of them again, in order; consumers skip the ids they applied before.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from services.ingest.metrics import IngestMetrics
from services.ingest.store.base import IngestStore, StoredEvent

log = logging.getLogger(__name__)


class Publisher(Protocol):
    async def publish(self, events: Sequence[StoredEvent]) -> list[bool]:
        """Publish ``events`` in order; for each one, whether the broker acknowledged it."""
        ...


class EpochStore(Protocol):
    def epoch(self) -> str | None:
        """The broker epoch the published events were last confirmed in; None: never."""
        ...

    def republish_all(self, epoch: str) -> int:
        """Mark every event unpublished and record ``epoch``; how many were published."""
        ...


class Epochs:
    """The broker's epoch (``read``) against the one the outbox's events are in (``store``)."""

    def __init__(self, read: Callable[[], Awaitable[str]], store: EpochStore,
                 check_s: float = 2.0) -> None:  # fmt: skip
        self.read, self.store, self.check_s = read, store, check_s


class OutboxRelay:
    def __init__(
        self, store: IngestStore, publisher: Publisher, metrics: IngestMetrics, *,
        batch: int = 1000, epochs: Epochs | None = None,
        idle_s: float = 0.05, max_backoff_s: float = 5.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:  # fmt: skip
        self._store = store
        self._publisher = publisher
        self._metrics = metrics
        self._batch = batch
        self._epochs = epochs
        self._idle_s = idle_s
        self._max_backoff_s = max_backoff_s
        self._clock = clock
        self._epoch_due = -math.inf
        self.republished = 0
        """Events marked for publishing again because the broker's log was new."""
        self.wake = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        backoff = self._idle_s
        while not stop.is_set():
            try:
                await self.check_epoch()
                sent = await self.drain_once()
                backoff = self._idle_s
            except Exception as exc:
                self._metrics.publish_failures.inc()
                log.warning("outbox publish failed, retrying in %.1fs: %s", backoff, exc)
                sent = 0
                backoff = min(backoff * 2 + 0.1, self._max_backoff_s)
                self._epoch_due = -math.inf  # the broker may have restarted: check first
            if not sent:
                await self._pause(stop, backoff)

    async def check_epoch(self, *, force: bool = False) -> bool:
        """When due (or ``force``), compare the broker's epoch with the one the published
        events are in; when it changed, mark every event for publishing again. Returns
        whether it did."""
        epochs = self._epochs
        if epochs is None or not (force or time.monotonic() >= self._epoch_due):
            return False
        current = await epochs.read()
        self._epoch_due = time.monotonic() + epochs.check_s
        held = await asyncio.to_thread(epochs.store.epoch)
        if held == current:
            return False
        marked = await asyncio.to_thread(epochs.store.republish_all, current)
        self.republished += marked
        level = logging.INFO if held is None else logging.WARNING
        log.log(level, "the broker's log is new (epoch %s, was %s): publishing all %d stored "
                "events again", current, held, marked)  # fmt: skip
        return True

    async def _pause(self, stop: asyncio.Event, seconds: float) -> None:
        self.wake.clear()
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()

    async def drain_once(self) -> int:
        """Publish one batch of waiting events; returns how many were acknowledged."""
        pending = await asyncio.to_thread(self._store.unpublished, self._batch)
        if not pending:
            return 0
        acked = await self._publish(pending)
        if acked:
            now = self._clock()
            await asyncio.to_thread(self._store.mark_published, [e.seq for e in acked], now)
            self._observe(acked, now)
        if len(acked) < len(pending):
            raise ConnectionError(f"{len(pending) - len(acked)} of {len(pending)} not acknowledged")
        return len(acked)

    async def _publish(self, events: Sequence[StoredEvent]) -> list[StoredEvent]:
        acked = await self._publisher.publish(events)
        return [e for e, ok in zip(events, acked, strict=True) if ok]

    def _observe(self, acked: Sequence[StoredEvent], now: datetime) -> None:
        for topic, count in Counter(e.topic for e in acked).items():
            self._metrics.published.labels(topic).inc(count)
        # One latency observation per unit of work (its events share one store time).
        for created_at in {e.created_at for e in acked if e.created_at is not None}:
            self._metrics.publish_latency.observe((now - created_at).total_seconds())
