"""The consumption ceilings of the kpi service's input: its own batch subscriber (the same
topics, batch size, fetch wait, ack policy and seek-to-stored listener) in a process pinned to
one core, as the service is in the end-to-end measurement, with a handler that does the least
a fold could do:

- ``count``: only counts the records;
- ``parse``: also parses each record's JSON event (``orjson.loads``), the least any fold of
  the canonical JSON events must do before it can tell a ward, a group or a day.

What they reach bounds any end-to-end rate on this machine.

Run as ``python -m snt.bench.kpi_consume BOOTSTRAP TOTAL [count|parse]``: prints
``{"events": N, "events_per_s": R}`` once TOTAL records were consumed (timed from the first
batch, as the end-to-end rate is).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal

import orjson
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.kpi.handlers import subscribe
from shared.consumer import Position, SeekToStored
from shared.heap import collect_for_batches, freeze_static

FETCH_MAX_WAIT_MS = 50
"""As the end-to-end measurement runs the service (SNT_KPI_KAFKA_FETCH_MAX_WAIT_MS)."""
Mode = Literal["count", "parse"]
MODES: Final[tuple[Mode, ...]] = ("count", "parse")


@dataclass(frozen=True, slots=True)
class Consumed:
    events: int
    """Records handled, each once: a record delivered again (the client can hand over a
    partition's first records twice when the listener seeks on assignment) is handled but
    not counted, as the service skips an event applied before."""
    events_per_s: float
    """From the end of the first batch to the last (the first batch's records not counted)."""


def _parse_all(records: tuple[Any, ...]) -> None:
    for record in records:
        orjson.loads(record.value)


def _count_only(records: tuple[Any, ...]) -> None:
    return None


_WORK: Final[dict[Mode, Callable[[tuple[Any, ...]], None]]] = {
    "count": _count_only, "parse": _parse_all}  # fmt: skip


async def consume(bootstrap: str, total: int, mode: Mode = "count",
                  group_id: str = "snt-bench-consume") -> Consumed:  # fmt: skip
    """Consume the kpi input topics from the beginning until ``total`` records were handled."""
    work = _WORK[mode]
    broker = KafkaBroker(bootstrap, client_id=group_id)
    seen = {"first": 0, "count": 0}
    started = [0.0]
    done = asyncio.Event()
    positions: dict[Position, int] = {}
    """Next offset per partition, as the service keeps them: a re-assignment resumes there."""
    listener = SeekToStored(lambda: {p: (o, None) for p, o in positions.items()})
    subscriber = subscribe(broker, listener, group_id=group_id,
                           fetch_max_wait_ms=FETCH_MAX_WAIT_MS)  # fmt: skip

    @subscriber
    async def handle(body: Any, message: KafkaMessage) -> None:
        raw = message.raw_message
        records = raw if isinstance(raw, tuple) else (raw,)
        work(records)
        new = 0
        for record in records:
            key = (record.topic, record.partition)
            if record.offset >= positions.get(key, 0):
                positions[key] = record.offset + 1
                new += 1
        if not seen["count"]:
            started[0], seen["first"] = time.perf_counter(), new
        seen["count"] += new
        if seen["count"] >= total:
            done.set()

    await broker.start()
    try:
        await asyncio.wait_for(done.wait(), timeout=600)
        finished = time.perf_counter()
    finally:
        await broker.stop()
    timed = seen["count"] - seen["first"]
    return Consumed(seen["count"], timed / (finished - started[0]) if timed else 0.0)


def main() -> None:
    bootstrap, total = sys.argv[1], int(sys.argv[2])
    asked = sys.argv[3] if len(sys.argv) > 3 else "count"
    mode = next((m for m in MODES if m == asked), None)
    if mode is None:
        raise SystemExit(f"mode must be one of {', '.join(MODES)}, not {asked!r}")
    freeze_static()
    collect_for_batches()  # the collector as the service runs it
    found = asyncio.run(consume(bootstrap, total, mode, f"snt-bench-{mode}"))
    print(json.dumps({"events": found.events, "events_per_s": round(found.events_per_s)}))


if __name__ == "__main__":
    main()
