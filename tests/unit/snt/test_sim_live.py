"""The live feed's clock: it starts after the ward file's last month, runs accelerated but
never past the machine's clock, submits each event once, and after a restart continues
from the saved clock with no event submitted again."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from shared.classification import load_classification
from shared.reference import LondonReference, load_reference
from snt.sim.feed import Feed
from snt.sim.live import STATE_FILE, LiveFeed
from snt.sim.rates import WardRates, load_rates
from snt.sim.run import default_ward_file

WARDS = ("E05013714", "E05013715")
START = datetime(2026, 1, 1, tzinfo=UTC)  # London is on GMT in January


class MemorySink:
    def __init__(self) -> None:
        self.events: list[dict] = []  # type: ignore[type-arg]

    def submit(self, event_type: str, raws: list[bytes]) -> Counter[str]:
        found = [orjson.loads(raw) for raw in raws]
        assert {e["event_type"] for e in found} == {event_type}
        self.events += found
        return Counter({"accepted": len(raws)})

    def ids(self) -> Counter[str]:
        return Counter(e["event_id"] for e in self.events)


@pytest.fixture(scope="module")
def reference() -> LondonReference:
    return load_reference()


@pytest.fixture(scope="module")
def rates() -> WardRates:
    return load_rates(default_ward_file(), load_classification(), frozenset(WARDS))


def _feed(rates: WardRates, reference: LondonReference, sink: MemorySink, tmp_path: Path,
          now: datetime = datetime(2026, 12, 1, tzinfo=UTC)) -> LiveFeed:  # fmt: skip
    return LiveFeed(Feed(rates), reference, sink, tmp_path / STATE_FILE, day_seconds=60,
                    roster_wards=WARDS, real_now=lambda: now)  # fmt: skip


def test_the_clock_starts_after_the_file_and_runs_a_day_a_minute(
    rates: WardRates, reference: LondonReference, tmp_path: Path
) -> None:
    sink = MemorySink()
    live = _feed(rates, reference, sink, tmp_path)
    assert live.progress.clock == START
    assert live.advance(90) == START + timedelta(days=1.5)
    live.close()
    kinds = Counter(e["event_type"] for e in sink.events)
    assert kinds["crime.recorded"] > 0
    assert kinds["cad.incident"] > 0
    assert kinds["duty.changed"] > 0
    assert {e["source"] for e in sink.events} == {"simulated:cris", "simulated:cad",
                                                 "simulated:carm3"}  # fmt: skip
    times = [datetime.fromisoformat(e["occurred_at"]) for e in sink.events
             if e["event_type"] != "duty.changed"]  # fmt: skip
    assert min(times) >= START
    assert max(times) <= START + timedelta(days=1.5)
    # duties are submitted as they are recorded: a week ahead, never later than the clock
    duties = [datetime.fromisoformat(e["recorded_at"]) for e in sink.events
              if e["event_type"] == "duty.changed"]  # fmt: skip
    assert max(duties) <= START + timedelta(days=1.5)


def test_the_clock_never_passes_the_machines(
    rates: WardRates, reference: LondonReference, tmp_path: Path
) -> None:
    now = START + timedelta(hours=6)
    live = _feed(rates, reference, MemorySink(), tmp_path, now=now)
    assert live.advance(600) == now  # ten data-days asked, six hours allowed
    assert live.advance(600) == now
    live.close()


def test_a_restart_continues_from_the_saved_clock_and_submits_nothing_twice(
    rates: WardRates, reference: LondonReference, tmp_path: Path
) -> None:
    sink = MemorySink()
    first = _feed(rates, reference, sink, tmp_path / "a")
    (tmp_path / "a").mkdir()
    for _ in range(5):
        first.advance(17)
    stopped = first.progress.clock
    first.close()
    again = _feed(rates, reference, sink, tmp_path / "a")
    assert again.progress.clock == stopped
    for _ in range(5):
        again.advance(17)
    again.close()
    assert again.progress.clock == START + timedelta(days=170 / 60)
    assert sink.ids().most_common(1)[0][1] == 1  # no id twice
    # exactly what one uninterrupted run submits over the same data time
    (tmp_path / "b").mkdir()
    whole = MemorySink()
    once = _feed(rates, reference, whole, tmp_path / "b")
    once.advance(170)
    once.close()
    assert set(sink.ids()) == set(whole.ids())
    state = orjson.loads((tmp_path / "a" / STATE_FILE).read_bytes())
    assert state["clock"] == again.progress.clock.isoformat()
    assert sum(state["submitted"].values()) == len(sink.events)


def test_a_days_duties_are_drawn_alone_and_the_same_each_time(
    reference: LondonReference,
) -> None:
    from datetime import date

    from shared.contracts import parse_event
    from snt.sim.roster import day_roster, teams

    members = teams(reference, WARDS)
    day = date(2026, 1, 14)
    events = day_roster(members, day)
    assert events == day_roster(members, day)
    assert events != day_roster(members, day, seed=8)
    duties = {orjson.loads(raw)["payload"]["duty_id"] for raw in events}
    assert 0.5 * len(members) <= len(duties) <= len(members)  # five days in seven
    for raw in events:
        event = parse_event(raw)
        assert event.source == "simulated:carm3"
        assert event.payload.duty_date == day  # type: ignore[attr-defined]
