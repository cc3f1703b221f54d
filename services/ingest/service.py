"""The ingest application service: one serialised path from any live surface to the pipeline.

Submissions run in a worker thread (the store is synchronous) one batch at a time, so SQLite
never sees two writers from this process; each batch wakes the outbox relay.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from services.ingest.decode import DateWindow, refusal, submission
from services.ingest.metrics import IngestMetrics
from services.ingest.outbox import OutboxRelay
from services.ingest.pipeline import Outcome, Pipeline, Submission
from shared.contracts import FieldProblem, RejectReason
from shared.contracts.errors import ParsePosition

T = TypeVar("T")


class IngestService:
    def __init__(
        self, pipeline: Pipeline, relay: OutboxRelay, metrics: IngestMetrics, max_bytes: int,
        window: DateWindow | None = None,
    ) -> None:  # fmt: skip
        self._pipeline = pipeline
        self._relay = relay
        self._metrics = metrics
        self.max_bytes = max_bytes
        self._window = window or DateWindow()
        self._lock = asyncio.Lock()

    async def submit_raw(
        self, raws: Sequence[bytes | str], *, surface: str, expected: str | None = None,
        positions: Sequence[dict[str, Any] | None] | None = None,
    ) -> list[Outcome]:  # fmt: skip
        where = positions or [None] * len(raws)
        subs = [
            submission(raw, max_bytes=self.max_bytes, expected=expected, position=pos,
                       window=self._window)
            for raw, pos in zip(raws, where, strict=True)
        ]  # fmt: skip
        self._metrics.received.labels(surface).inc(len(subs))
        return await self.submit(subs)

    async def refuse(
        self, raw: bytes, reason: RejectReason, problem: FieldProblem, *, surface: str,
        at: ParsePosition | None = None,
    ) -> Outcome:  # fmt: skip
        """Refuse a whole request body (wrong media type, too large, not a batch): counted
        and dead-lettered like any rejection, its original withheld unless it is a JSON
        object."""
        self._metrics.received.labels(surface).inc()
        [outcome] = await self.submit([refusal(raw, reason, (problem,), at)])
        return outcome

    async def submit(self, subs: Sequence[Submission]) -> list[Outcome]:
        async with self._lock:
            outcomes = await asyncio.to_thread(self._pipeline.submit, subs)
        self._relay.wake.set()
        return outcomes

    async def exclusive(self, work: Callable[[], T]) -> T:
        """Run ``work`` (a release decision, say) in a worker thread between batches, then
        wake the relay for the events it stored."""
        async with self._lock:
            result = await asyncio.to_thread(work)
        self._relay.wake.set()
        return result
