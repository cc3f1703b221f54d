"""The live simulated feed: crimes, ASB incidents and duty changes for every ward, submitted
to ingest on an accelerated data clock, each marked simulated (source ``simulated:…``).

The data clock starts on the first day after the ward file's last month and runs
``86,400 / day_seconds`` times faster than real time, never past the machine's clock (ingest
refuses records from the future): once it catches up it runs in real time. Each tick submits
the events whose time the clock has passed: crimes and incidents as :class:`Feed` draws them,
and duty changes from :mod:`snt.sim.roster`, a month at a time, as they are recorded (a
week, or a day for a change, before the duty). The clock is saved in ``simulator.json`` in
the data directory after every tick; a restart continues from it, and since every event is
a pure function of the seed and its day, what a restart submits again keeps its id and
content (ingest answers it ``duplicate``).
"""

from __future__ import annotations

import json
import logging
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol

import orjson

from shared.reference import LondonReference
from snt.sim.feed import CARM3, LONDON, Feed, SimEvent
from snt.sim.roster import simulate

log = logging.getLogger(__name__)
STATE_FILE = "simulator.json"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ROSTER_DUE_DAY = 20
"""From this day of a month its next month's duties are due (recorded a week ahead)."""


class Sink(Protocol):
    def submit(self, event_type: str, raws: list[bytes]) -> Counter[str]:
        """Submit events of one type; how many ended in each ingest status."""
        ...


@dataclass
class Progress:
    clock: datetime
    submitted: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)


class LiveFeed:
    """Advances the data clock and submits what it passes to ``sink``."""

    def __init__(self, feed: Feed, reference: LondonReference, sink: Sink, state_path: Path,
                 *, day_seconds: float = 60.0, seed: int = 7,
                 roster_wards: Sequence[str] | None = None,
                 real_now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:  # fmt: skip
        """``roster_wards``: the ward teams to roster (default: every MPS ward)."""
        self.feed, self.reference, self.sink = feed, reference, sink
        self.roster_wards = roster_wards
        self.state_path, self.day_seconds, self.seed = state_path, day_seconds, seed
        self.real_now = real_now
        self.progress = self._load()
        self._day: tuple[date, list[SimEvent]] | None = None
        self._duties: dict[tuple[int, int], deque[tuple[datetime, bytes]]] = {}
        self._rostering: dict[tuple[int, int], Future[deque[tuple[datetime, bytes]]]] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="roster")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.feed.rates.first_day, datetime.min.time(),
                                LONDON).astimezone(UTC)  # fmt: skip

    def _load(self) -> Progress:
        try:
            held = json.loads(self.state_path.read_text())
        except FileNotFoundError:
            return Progress(self.start)
        clock = datetime.fromisoformat(held["clock"])
        return Progress(max(clock, self.start), Counter(held.get("submitted", {})),
                        Counter(held.get("outcomes", {})))  # fmt: skip

    def _save(self) -> None:
        body = {"clock": self.progress.clock.isoformat(), "seed": self.seed,
                "first_day": self.feed.rates.first_day.isoformat(),
                "submitted": dict(self.progress.submitted),
                "outcomes": dict(self.progress.outcomes)}  # fmt: skip
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(body, indent=2))
        tmp.replace(self.state_path)

    def advance(self, real_seconds: float) -> datetime:
        """Move the data clock on by ``real_seconds`` of real time (never past the machine's
        clock) and submit what it passed; returns the new data clock."""
        before = self.progress.clock
        target = before + timedelta(days=real_seconds / self.day_seconds)
        return self.advance_to(min(target, self.real_now()))

    def advance_to(self, target: datetime) -> datetime:
        before = self.progress.clock
        if target <= before and before != self.start:
            return before
        first = before == self.start
        batches: dict[str, list[bytes]] = {}
        for e in self._records(before, target, inclusive=first):
            batches.setdefault(e.event_type, []).append(e.raw)
        duties = list(self._duty_changes(EPOCH if first else before, target))
        if duties:
            batches["duty.changed"] = duties
        for event_type, raws in batches.items():
            self.progress.outcomes.update(self.sink.submit(event_type, raws))
            self.progress.submitted[event_type] += len(raws)
        self.progress.clock = max(target, before)
        self._save()
        return self.progress.clock

    def _records(self, after: datetime, upto: datetime, *, inclusive: bool) -> Iterator[SimEvent]:
        day = after.astimezone(LONDON).date()
        while datetime.combine(day, datetime.min.time(), LONDON) <= upto:
            for e in self._events_of(day):
                if (after < e.at or (inclusive and e.at == after)) and e.at <= upto:
                    yield e
            day += timedelta(days=1)

    def _events_of(self, day: date) -> list[SimEvent]:
        if self._day is None or self._day[0] != day:
            self._day = (day, self.feed.day(day))
        return self._day[1]

    def _duty_changes(self, after: datetime, upto: datetime) -> Iterator[bytes]:
        local = upto.astimezone(LONDON)
        now, following = (local.year, local.month), _next(local.year, local.month)
        self._prepare(following)  # rostered in the background while this month runs
        due = {now} | ({following} if local.day >= ROSTER_DUE_DAY else set())
        for key in sorted(self._duties.keys() | due):
            queue = self._queue(key)
            while queue and queue[0][0] <= upto:
                at, raw = queue.popleft()
                if at > after:
                    yield raw
        for key in [k for k, q in self._duties.items() if not q and k < now]:
            del self._duties[key]

    def _prepare(self, key: tuple[int, int]) -> None:
        if key not in self._duties and key not in self._rostering:
            self._rostering[key] = self._pool.submit(self._roster, *key)

    def _queue(self, key: tuple[int, int]) -> deque[tuple[datetime, bytes]]:
        if key not in self._duties:
            self._prepare(key)
            self._duties[key] = self._rostering.pop(key).result()
        return self._duties[key]

    def _roster(self, year: int, month: int) -> deque[tuple[datetime, bytes]]:
        """The month's duty changes (as `snt simulate roster` makes them with the same seed),
        marked simulated, in the order they are recorded."""
        events = simulate(self.reference, year, month, seed=self.seed, wards=self.roster_wards,
                          source=CARM3).events  # fmt: skip
        timed = [(datetime.fromisoformat(orjson.loads(raw)["recorded_at"]), raw)
                 for raw in events]  # fmt: skip
        timed.sort(key=lambda pair: pair[0])
        return deque(timed)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)
