"""The live simulated feed: crimes, ASB incidents and duty changes for every ward, submitted
to ingest on an accelerated data clock, each marked simulated (source ``simulated:…``).

The data clock starts on the first day after the ward file's last month and runs
``86,400 / day_seconds`` times faster than real time, never past the machine's clock (ingest
refuses records from the future): once it catches up it runs in real time. Each tick submits
the events whose time the clock has passed: crimes and incidents as :class:`Feed` draws them,
and duty changes from :mod:`snt.sim.roster`, a day of duties at a time, as they are
recorded (a week, or a day for a change, before the duty). The clock is saved in
``simulator.json`` in the data directory after every tick; a restart continues from it,
and since every event is a pure function of the seed and its day, what a restart submits
again keeps its id and content (ingest answers it ``duplicate``).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol

import orjson

from shared.reference import LondonReference
from snt.sim.feed import CARM3, LONDON, Feed, SimEvent
from snt.sim.roster import day_roster, teams

log = logging.getLogger(__name__)
STATE_FILE = "simulator.json"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ROSTER_AHEAD_DAYS = 8
"""Duties are recorded up to a week (and a day, for a duty's start hour) ahead."""


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
        self._members = teams(reference, roster_wards)
        self._duties: dict[date, list[tuple[datetime, bytes]]] = {}
        """Duty changes of each duty day drawn so far, in the order they are recorded."""

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
        """The duty changes recorded in (after, upto]: of the duties from the feed's first
        day to a week and a day past ``upto`` (a duty is recorded a week ahead, a change a
        day ahead)."""
        first = max(after.astimezone(LONDON).date(), self.feed.rates.first_day)
        last = upto.astimezone(LONDON).date() + timedelta(days=ROSTER_AHEAD_DAYS)
        day = first
        while day <= last:
            for at, raw in self._roster(day):
                if after < at <= upto:
                    yield raw
            day += timedelta(days=1)
        for held in [d for d in self._duties if d < first]:
            del self._duties[held]

    def _roster(self, day: date) -> list[tuple[datetime, bytes]]:
        if day not in self._duties:
            events = day_roster(self._members, day, seed=self.seed, source=CARM3)
            timed = [(datetime.fromisoformat(orjson.loads(raw)["recorded_at"]), raw)
                     for raw in events]  # fmt: skip
            self._duties[day] = sorted(timed, key=lambda pair: pair[0])
        return self._duties[day]

    def close(self) -> None:
        """Nothing to release (kept for callers that stop the feed)."""
