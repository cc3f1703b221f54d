"""The live feed's days: contract-valid events marked simulated, the same for the same seed,
unique ids, and people who come back (repeat victims, repeat and vulnerable callers)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import orjson
import pytest

from services.ingest.decode import submission
from services.ingest.domain.intake import RowRejection
from shared.classification import load_classification
from shared.contracts import parse_event
from snt.sim.feed import Feed
from snt.sim.rates import WardRates, load_rates
from snt.sim.run import default_ward_file

LEWISHAM = frozenset({"E05013714", "E05013715", "E05013716", "E05013717"})


@pytest.fixture(scope="module")
def rates() -> WardRates:
    return load_rates(default_ward_file(), load_classification(), LEWISHAM)


@pytest.fixture(scope="module")
def month(rates: WardRates) -> list[dict]:  # type: ignore[type-arg]
    feed = Feed(rates)
    days = [rates.first_day + timedelta(days=n) for n in range(31)]
    return [orjson.loads(e.raw) for d in days for e in feed.day(d)]


def test_every_event_meets_its_contract_and_says_it_is_simulated(rates: WardRates) -> None:
    events = Feed(rates).day(rates.first_day)
    assert events
    for e in events:
        parsed = parse_event(e.raw)
        assert parsed.source in ("simulated:cris", "simulated:cad")
        assert parsed.event_type == e.event_type
        assert not isinstance(submission(e.raw, max_bytes=65_536).item, RowRejection)
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert all(e.at.date() == rates.first_day for e in events[1:-1])


def test_the_same_seed_gives_the_same_day_and_another_seed_another(rates: WardRates) -> None:
    day = date(2026, 1, 9)
    first = [e.raw for e in Feed(rates, seed=3).day(day)]
    assert first == [e.raw for e in Feed(rates, seed=3).day(day)]
    assert first != [e.raw for e in Feed(rates, seed=4).day(day)]


def test_ids_are_unique_over_a_month(month: list[dict]) -> None:  # type: ignore[type-arg]
    ids = Counter(e["event_id"] for e in month)
    assert ids.most_common(1)[0][1] == 1


def test_victims_and_callers_come_back(month: list[dict]) -> None:  # type: ignore[type-arg]
    crimes = [e["payload"] for e in month if e["event_type"] == "crime.recorded"]
    calls = [e["payload"] for e in month if e["event_type"] == "cad.incident"]
    victims = Counter(p["victim_id"] for p in crimes if "victim_id" in p)
    callers = Counter(p["caller_id"] for p in calls)
    assert sum(n >= 2 for n in victims.values()) >= 3  # repeat victims (2 crimes or more)
    for ward in LEWISHAM:
        assert any(n >= 3 for c, n in callers.items() if ward in c), ward  # repeat callers
    assert 0.02 < sum(n for n in victims.values() if n >= 2) / sum(victims.values()) < 0.3
    assert any(p["vulnerable_caller"] for p in calls)
    assert {p["asb_category"] for p in calls} == {"personal", "nuisance", "environmental"}
    # crimes with no victim (drugs, weapons, public order) name none
    assert any("victim_id" not in p for p in crimes)
