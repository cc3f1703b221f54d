"""Live updates for open dashboard pages: KPI, alert and flex exception events from Kafka,
each passed only to the pages whose signed-in user may see its area.

A page that falls behind (its queue full) is not sent a partial picture: its queue is
emptied and it is told to reload (`resync`), so what it shows stays right.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from shared.auth import Principal

EVENT_KINDS: Mapping[str, str] = {
    "kpi.updated": "kpi", "alert.updated": "alert", "flex.exception": "flex",
}  # fmt: skip
KEPT = ("level", "area_code", "borough_code", "ward_code", "kpi", "measure", "period",
        "period_end", "value", "last_year", "pct_change", "trajectory", "state", "rule_id",
        "title", "severity", "kind", "date", "alert_id")  # fmt: skip
HEARTBEAT_S = 15.0


def project(envelope: Mapping[str, Any]) -> dict[str, Any] | None:
    """The part of an event a page needs (never personal data), or None for other events."""
    kind = EVENT_KINDS.get(str(envelope.get("event_type")))
    payload = envelope.get("payload")
    if kind is None or not isinstance(payload, Mapping):
        return None
    found = {k: payload[k] for k in KEPT if k in payload}
    if "area_code" not in found and "ward_code" in found:
        found["area_code"] = found["ward_code"]
    return {"type": kind, **found}


def visible(principal: Principal, event: Mapping[str, Any],
            borough_of: Callable[[str], str | None]) -> bool:  # fmt: skip
    area = str(event.get("area_code", ""))
    if area.startswith("E05"):
        return principal.can_see_ward(area, event.get("borough_code") or borough_of(area) or "")
    if area.startswith("E09"):
        return principal.can_see_borough(area)
    return principal.can_see_mps()


@dataclass(eq=False)
class Subscriber:
    principal: Principal
    queue: asyncio.Queue[dict[str, Any]]


class LiveHub:
    def __init__(self, borough_of: Callable[[str], str | None], queue_size: int) -> None:
        self._borough_of = borough_of
        self._queue_size = queue_size
        self._subscribers: set[Subscriber] = set()
        self.delivered = 0
        self.resyncs = 0

    @property
    def open_pages(self) -> int:
        return len(self._subscribers)

    def subscribe(self, principal: Principal) -> Subscriber:
        found = Subscriber(principal, asyncio.Queue(self._queue_size))
        self._subscribers.add(found)
        return found

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def publish(self, events: Iterable[Mapping[str, Any]]) -> None:
        batch = [e for e in events if e]
        for subscriber in self._subscribers:
            for event in batch:
                if not visible(subscriber.principal, event, self._borough_of):
                    continue
                try:
                    subscriber.queue.put_nowait(dict(event))
                    self.delivered += 1
                except asyncio.QueueFull:
                    _drain(subscriber.queue)
                    subscriber.queue.put_nowait({"type": "resync"})
                    self.resyncs += 1
                    break

    async def stream(self, subscriber: Subscriber) -> AsyncIterator[bytes]:
        """Server-sent events for one page until it goes away."""
        try:
            yield b"retry: 2000\nevent: hello\ndata: {}\n\n"
            while True:
                try:
                    event = await asyncio.wait_for(subscriber.queue.get(), HEARTBEAT_S)
                except TimeoutError:
                    yield b": heartbeat\n\n"
                    continue
                kind = str(event.pop("type"))
                yield b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(event) + b"\n\n"
        finally:
            self.unsubscribe(subscriber)


def _drain(queue: asyncio.Queue[dict[str, Any]]) -> None:
    while not queue.empty():
        queue.get_nowait()


def decode(value: bytes) -> dict[str, Any] | None:
    """The projected event of a Kafka record value; None when it is not one a page shows
    (or not JSON: the owning service dead-letters bad records, the dashboard only reads)."""
    try:
        envelope = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    return project(envelope) if isinstance(envelope, dict) else None
