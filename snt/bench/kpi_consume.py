"""The consumption ceiling of the kpi service's input: its own batch subscriber (the same
topics, batch size, fetch wait, ack policy and seek-to-stored listener) with a handler that
only counts the records, in a process pinned to one core, as the service is in the end-to-end
measurement. What it reaches bounds any end-to-end rate on this machine.

Run as ``python -m snt.bench.kpi_consume BOOTSTRAP TOTAL``: prints ``{"events_per_s": N}``
once TOTAL records were consumed (timed from the first batch, as the end-to-end rate is).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from services.kpi.handlers import subscribe
from shared.heap import collect_for_batches, freeze_static

FETCH_MAX_WAIT_MS = 50
"""As the end-to-end measurement runs the service (SNT_KPI_KAFKA_FETCH_MAX_WAIT_MS)."""


async def consume(bootstrap: str, total: int) -> float:
    broker = KafkaBroker(bootstrap, client_id="snt-bench-consume")
    seen = {"first": 0, "count": 0}
    started = [0.0]
    done = asyncio.Event()
    subscriber = subscribe(broker, dict, group_id="snt-bench-consume",
                           fetch_max_wait_ms=FETCH_MAX_WAIT_MS)  # fmt: skip

    @subscriber
    async def count(body: Any, message: KafkaMessage) -> None:
        raw = message.raw_message
        size = len(raw) if isinstance(raw, tuple) else 1
        if not seen["count"]:
            started[0], seen["first"] = time.perf_counter(), size
        seen["count"] += size
        if seen["count"] >= total:
            done.set()

    await broker.start()
    try:
        await asyncio.wait_for(done.wait(), timeout=600)
        finished = time.perf_counter()
    finally:
        await broker.stop()
    return (seen["count"] - seen["first"]) / (finished - started[0])


def main() -> None:
    bootstrap, total = sys.argv[1], int(sys.argv[2])
    freeze_static()
    collect_for_batches()  # the collector as the service runs it
    rate = asyncio.run(consume(bootstrap, total))
    print(json.dumps({"events_per_s": round(rate)}))


if __name__ == "__main__":
    main()
