"""A CARM3 roster simulator (no real CARM3 data is public): a month of duties for every ward
team, as duty.changed events for ingest, with its own ground truth.

Each ward's team follows the minimum staffing model from the real ward populations: 1
sergeant, 2 PCs and 3 PCSOs, or 6 PCSOs where the ward has over 14,000 residents. Every
officer works five days in seven (early 07:00–15:00 or late 14:00–22:00, alternating weeks);
a duty day may instead be leave or sickness, a planned abstraction (aid, public order,
court, training, authorised by a superintendent the day before) or authorised ward flex to
another ward of the borough with a problem-solving (302) reference. A configurable share of
the flex is faulty: authorised only by an inspector, or authorised after the duty started.
Some duties are changed later (a shorter shift) or cancelled, as new versions.

Deterministic for a seed. The ground truth is tallied directly from the final version of
each duty, apart from the flex service's ledger.
"""

from __future__ import annotations

import calendar
import random
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import orjson

from shared.reference import LondonReference

LONDON: Final = ZoneInfo("Europe/London")
SOURCE: Final = "simulated:carm3"
"""The source system the duty changes name: simulated, so every figure on them says so."""
ABSTRACTION_ODDS: Final = (("leave", 0.08), ("sickness", 0.02), ("aid", 0.05),
                           ("public_order", 0.02), ("court", 0.02), ("training", 0.03),
                           ("authorised_ward_flex", 0.06))  # fmt: skip
ACTIVITY: Final = {"ward_duty": "Ward Duty", "authorised_ward_flex": "Authorised Ward Flex",
                   "aid": "Aid", "public_order": "Public Order", "court": "Court",
                   "training": "Training", "leave": "Annual Leave", "sickness": "Sick"}  # fmt: skip


@dataclass
class Truth:
    """Minutes per home ward as the simulator planned them (final versions only)."""

    planned: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    on_ward: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    flexed_out: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    flexed_out_unauthorised: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    flexed_in: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    abstracted: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    absent: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    late_authorisations: int = 0
    unauthorised_flex: int = 0
    duties: int = 0


@dataclass(frozen=True, slots=True)
class Simulation:
    events: list[bytes]
    truth: Truth


def simulate(reference: LondonReference, year: int, month: int, *, seed: int = 7,
             wards: Sequence[str] | None = None, faulty: float = 0.05,
             changes: float = 0.03, source: str = SOURCE) -> Simulation:  # fmt: skip
    """Duty events for ``wards`` (default: every 2022-set MPS ward) in the month, from the
    source system ``source`` (``simulated:carm3``: no real CARM3 system sent them)."""
    rnd = random.Random(seed)
    days = [date(year, month, d) for d in range(1, calendar.monthrange(year, month)[1] + 1)]
    events: list[bytes] = []
    truth = Truth()
    for member in teams(reference, wards):
        offset = rnd.randrange(7)
        for day in days:
            if (day.toordinal() + offset) % 7 >= 5:
                continue  # rest day
            duty = _duty(rnd, *member, day, faulty)
            events += _versions(rnd, duty, changes, truth, source)
    rnd.shuffle(events)  # CARM3 sends in no particular order; versions still decide
    return Simulation(events, truth)


Member = tuple[str, str, str, str, list[str]]
"""(home ward, borough, officer, role, the borough's other wards)."""


def teams(reference: LondonReference, wards: Sequence[str] | None = None) -> list[Member]:
    """Every officer of the ward teams of ``wards`` (default: every 2022-set MPS ward)."""
    chosen = [reference.ward(code, boundary_set="2022") for code in wards] if wards else list(
        reference.wards("2022"))  # fmt: skip
    by_borough: dict[str, list[str]] = defaultdict(list)
    for w in chosen:
        by_borough[w.borough_code].append(w.code)
    out: list[Member] = []
    for ward in chosen:
        model = ward.staffing_model
        team = [("PS", 0)] + [("PC", i) for i in range(model.pc)] + [
            ("PCSO", i) for i in range(model.pcso)]  # fmt: skip
        neighbours = [c for c in by_borough[ward.borough_code] if c != ward.code]
        out += [(ward.code, ward.borough_code, f"{ward.code}-{role}-{i}", role, neighbours)
                for role, i in team]  # fmt: skip
    return out


def day_roster(members: Sequence[Member], day: date, *, seed: int = 7, faulty: float = 0.05,
               changes: float = 0.03, source: str = SOURCE) -> list[bytes]:  # fmt: skip
    """The duty changes of one day's duties, each a pure function of the seed, the officer
    and the day (as the live feed draws them a day at a time; the same model as
    :func:`simulate`, not the same draws)."""
    events: list[bytes] = []
    truth = Truth()
    for member in members:
        officer = member[2]
        if (day.toordinal() + zlib.crc32(f"{seed}:{officer}".encode())) % 7 >= 5:
            continue  # rest day
        rnd = random.Random(f"{seed}:{officer}:{day.isoformat()}")
        events += _versions(rnd, _duty(rnd, *member, day, faulty), changes, truth, source)
    return events


def _duty(rnd: random.Random, ward: str, borough: str, officer: str, role: str,
          neighbours: list[str], day: date, faulty: float) -> dict[str, Any]:  # fmt: skip
    late_shift = (day.isocalendar().week % 2) == 1
    start = datetime(day.year, day.month, day.day, 14 if late_shift else 7, tzinfo=LONDON)
    kind = "ward_duty"
    roll = rnd.random()
    for name, odds in ABSTRACTION_ODDS:
        if roll < odds:
            kind = name
            break
        roll -= odds
    if kind == "authorised_ward_flex" and not neighbours:
        kind = "ward_duty"
    duty: dict[str, Any] = {
        "duty_id": f"D-{officer}-{day:%Y%m%d}", "role": role, "home_ward_code": ward,
        "duty_date": day.isoformat(), "start": start, "end": start + timedelta(hours=8),
        "planned_ward_code": ward, "actual_ward_code": None, "activity": ACTIVITY[kind],
        "activity_kind": kind, "officer_id": officer, "borough": borough,
    }  # fmt: skip
    if kind == "ward_duty":
        duty["actual_ward_code"] = ward
    elif kind in ("aid", "public_order", "court", "training", "authorised_ward_flex"):
        rank, at = "superintendent", start - timedelta(days=1)
        if kind == "authorised_ward_flex":
            duty["actual_ward_code"] = rnd.choice(neighbours)
            duty["problem_solving_ref"] = f"302-{rnd.randrange(10_000):04d}"
            if rnd.random() < faulty:
                if rnd.random() < 0.5:
                    rank = "inspector"  # not senior enough
                else:
                    at = start + timedelta(minutes=rnd.choice((30, 90, 240)))
        duty["authoriser"] = {"rank": rank, "officer_id": f"AUTH-{borough}-{rank}"}
        duty["authorised_at"] = at
    return duty


def _versions(rnd: random.Random, duty: dict[str, Any], changes: float, truth: Truth,
              source: str) -> list[bytes]:  # fmt: skip
    out = [_event(duty, 1, "created", source)]
    final: dict[str, Any] | None = duty
    roll = rnd.random()
    if roll < changes:  # shortened to a 6-hour shift
        final = {**duty, "end": duty["start"] + timedelta(hours=6)}
        out.append(_event(final, 2, "changed", source))
    elif roll < 1.5 * changes:
        final = None
        out.append(_event(duty, 2, "cancelled", source))
    if final is not None:
        _tally(truth, final)
    return out


def _tally(truth: Truth, d: dict[str, Any]) -> None:
    minutes = round((d["end"] - d["start"]).total_seconds() / 60)
    home, kind = d["home_ward_code"], d["activity_kind"]
    truth.duties += 1
    if kind in ("leave", "sickness"):
        truth.absent[(home, kind)] += minutes
        return
    truth.planned[home] += minutes
    if kind == "ward_duty":
        truth.on_ward[home] += minutes
    elif kind == "authorised_ward_flex":
        truth.flexed_out[home] += minutes
        truth.flexed_in[d["actual_ward_code"]] += minutes
        authoriser = d["authoriser"]
        if authoriser["rank"] != "superintendent":
            truth.flexed_out_unauthorised[home] += minutes
            truth.unauthorised_flex += 1
        if d["authorised_at"] > d["start"]:
            truth.late_authorisations += 1
    else:
        truth.abstracted[(home, kind)] += minutes


def _event(duty: dict[str, Any], version: int, change: str, source: str) -> bytes:
    payload = {k: v for k, v in duty.items() if k != "borough"}
    payload["change"] = change
    for name in ("start", "end", "authorised_at"):
        if isinstance(payload.get(name), datetime):
            payload[name] = payload[name].isoformat()
    recorded = (duty["start"] - timedelta(days=7 if version == 1 else 1)).isoformat()
    envelope = {"event_id": f"carm3:{duty['duty_id']}:v{version}", "event_type": "duty.changed",
                "schema_version": 1, "version": version, "occurred_at": recorded,
                "recorded_at": recorded, "source": source, "payload": payload}  # fmt: skip
    return orjson.dumps(envelope)
