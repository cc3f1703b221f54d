"""Synthetic, contract-valid count events for the kpi benchmark and replay tests: crimes
(violence, property, other) and ASB incidents over every 2022 ward, several years of days,
with amendments (−1 at the old ward, +1 at the new), cancellations and records with no ward.

Deterministic for a seed; fast (a template per kind, filled by dict updates), so a million
events take seconds. The events are what ingest publishes on snt.crime.v1 / snt.cad.v1.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import orjson

from shared.contracts import parse_event
from shared.contracts.examples import example_event

FIRST_DAY: Final = datetime(2021, 4, 1, 12, tzinfo=UTC)
CRIME_GROUPS: Final = (("violence", 1, "VIOLENCE AGAINST THE PERSON", "VIOLENCE WITH INJURY"),
                       ("property", 4, "BURGLARY", "BURGLARY - RESIDENTIAL"),
                       ("other", None, "DRUG OFFENCES", "POSSESSION OF DRUGS"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Synthetic:
    """One generated event: its topic, key (area code) and bytes."""

    topic: str
    key: bytes
    value: bytes


def wards() -> list[tuple[str, str]]:
    """(ward code, borough code) of every 2022-set MPS ward."""
    from shared.reference import load_reference

    return [(w.code, w.borough_code) for w in load_reference().wards("2022")]


def synthetic_events(
    count: int, *, seed: int = 7, years: int = 4, areas: list[tuple[str, str]] | None = None
) -> Iterator[Synthetic]:
    """``count`` events: about 70% crimes, 20% ASB incidents, 6% amendment halves, 2%
    cancellations, 2% records with no ward (counted at borough level). Victims and callers
    are drawn from pools of people (pseudonyms), so some recur: repeat victims and callers;
    one caller in ten is flagged vulnerable."""
    rnd = random.Random(seed)
    people = max(1, count // 2)
    places = areas or wards()
    crime, cad = _template("crime.counted"), _template("cad.counted")
    recent: list[dict[str, Any]] = []  # crimes that later amendments/cancellations refer to
    made = 0
    while made < count:
        ward, borough = rnd.choice(places)
        at = (FIRST_DAY + timedelta(days=rnd.randrange(365 * years),
                                    minutes=rnd.randrange(1440))).isoformat()  # fmt: skip
        roll = rnd.random()
        if roll < 0.2:
            yield _cad(cad, made, ward, borough, at, _person(rnd, people), rnd.random() < 0.1)
            made += 1
        elif roll < 0.26 and recent and made + 2 <= count:
            old = recent[rnd.randrange(len(recent))]
            yield from _moved(made, old, rnd.choice(places))
            made += 2
        elif roll < 0.28 and recent:
            old = recent.pop(rnd.randrange(len(recent)))
            yield _encoded(_with(old, f"gen:{made}", delta=-1, change="cancelled"))
            made += 1
        else:
            event = _crime(crime, made, ward, borough, at, rnd, unlocated=roll > 0.98)
            event["payload"]["victim_pseudonym"] = _person(rnd, people)
            if len(recent) < 10_000:
                recent.append(event)
            yield _encoded(event)
            made += 1


def _template(kind: str) -> dict[str, Any]:
    event = example_event(kind)
    parse_event(orjson.dumps(event))  # the template meets its contract
    return event


def _crime(template: dict[str, Any], n: int, ward: str, borough: str, at: str,
           rnd: random.Random, *, unlocated: bool) -> dict[str, Any]:  # fmt: skip
    group, kpi, major, minor = CRIME_GROUPS[rnd.randrange(3)]
    offence = {"taxonomy": "mps_upper", "major": major, "minor": minor}
    event = _with(template, f"gen:{n}", record_id=f"CRIS-{n}", recorded_at=at,
                  ward_code=ward, borough_code=borough, kpi_group=group, kpi=kpi,
                  offence=offence)  # fmt: skip
    if unlocated:
        event["payload"].update(level="borough_unlocated", ward_code=None, resolution="borough")
    return event


def _cad(template: dict[str, Any], n: int, ward: str, borough: str, at: str, caller: str,
         vulnerable: bool) -> Synthetic:  # fmt: skip
    return _encoded(_with(template, f"gen:{n}", record_id=f"CAD-{n}", incident_at=at,
                          ward_code=ward, borough_code=borough, caller_pseudonym=caller,
                          vulnerable_caller=vulnerable))  # fmt: skip


def _person(rnd: random.Random, people: int) -> str:
    """A pseudonym (64 hex digits, as the keyed hash gives) from a pool of ``people``."""
    return f"{rnd.randrange(people):064x}"


def _moved(n: int, old: dict[str, Any], to: tuple[str, str]) -> Iterator[Synthetic]:
    """A relocation: −1 where the crime counted, +1 in its new ward."""
    yield _encoded(_with(old, f"gen:{n}", delta=-1, change="relocated"))
    moved = _with(old, f"gen:{n + 1}", delta=1, change="relocated")
    moved["payload"].update(level="ward", ward_code=to[0], borough_code=to[1],
                            resolution="ward_code")  # fmt: skip
    old["payload"] = moved["payload"]  # later changes refer to where it is now
    yield _encoded(moved)


def _with(event: dict[str, Any], event_id: str, **payload: Any) -> dict[str, Any]:
    """A copy of ``event`` with a new id and payload fields (nested values are shared, never
    changed in place)."""
    return {**event, "event_id": event_id, "payload": {**event["payload"], **payload}}


def _encoded(event: dict[str, Any]) -> Synthetic:
    p = event["payload"]
    topic = "snt.cad.v1" if event["event_type"] == "cad.counted" else "snt.crime.v1"
    key = p.get("ward_code") or p["borough_code"]
    # a copy: orjson's own buffer keeps its whole (kilobytes) allocation alive
    return Synthetic(topic, key.encode(), memoryview(orjson.dumps(event)).tobytes())
