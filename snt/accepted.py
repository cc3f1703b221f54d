"""Accepted but not applied: events ingest stored — and so answered 202 for — that a consumer
has not applied (yet). Each `verify` counts them as differences once a settle time is over."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator

import orjson

from services.ingest.store.sql import SqlIngestStore

PAGE = 5000


def accepted_ids(ingest: SqlIngestStore, topics: Collection[str],
                 event_types: Collection[str]) -> Iterator[str]:  # fmt: skip
    """Ids of the stored events of ``event_types`` on ``topics``, in store order."""
    seq = 0
    while page := ingest.events(seq, PAGE):
        seq = page[-1].seq
        for event in page:
            if event.topic in topics and orjson.loads(event.envelope)["event_type"] in event_types:
                yield event.event_id


def unapplied(ingest: SqlIngestStore, topics: Collection[str], event_types: Collection[str],
              applied: Callable[[], Collection[str]]) -> tuple[int, int]:  # fmt: skip
    """(accepted events of the kinds a consumer folds, how many of them it has not applied)."""
    held = applied()
    total = missing = 0
    for event_id in accepted_ids(ingest, topics, event_types):
        total += 1
        missing += event_id not in held
    return total, missing


def settle(check: Callable[[], tuple[int, int]], seconds: float, *, pause_s: float = 1.0,
           sleep: Callable[[float], None] = time.sleep,
           clock: Callable[[], float] = time.monotonic) -> tuple[int, int]:  # fmt: skip
    """``check`` again every ``pause_s`` until nothing is missing or ``seconds`` have passed;
    the last answer."""
    deadline = clock() + seconds
    found = check()
    while found[1] and clock() < deadline:
        sleep(min(pause_s, max(deadline - clock(), 0.0)))
        found = check()
    return found
