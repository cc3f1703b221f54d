"""One simulated day of CRIS crimes and CAD ASB incidents for every ward, drawn from the
wards' real rates (:mod:`snt.sim.rates`).

A ward's count of a KPI group in a month is gamma-Poisson (negative binomial) with the
ward's real monthly mean and SD: the month's rate is drawn from a gamma distribution with
that mean and the variance beyond Poisson, and each day's count is Poisson with the rate's
share for the day (so the month's total is exactly that negative binomial). Each record
gets a time in the day, an offence category by the ward's real shares, and a person:
victims (of violence and property crime) and callers are new people, or, with a set
chance, one of a small pool of people per ward who are victimised or call again (the repeat
victims and repeat callers of the diagnostics).

Everything is a pure function of the seed and the day: a restart re-draws the same day,
with the same record ids, so nothing is submitted twice under another id.
"""

from __future__ import annotations

import calendar
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

import numpy as np
import orjson

from snt.sim.rates import ASB, WardRates

LONDON: Final = ZoneInfo("Europe/London")
CRIS: Final = "simulated:cris"
CAD: Final = "simulated:cad"
CARM3: Final = "simulated:carm3"
VICTIM_GROUPS: Final = frozenset({"violence", "property"})
REPEAT_VICTIM: Final = 0.12
"""Chance that a victim is one of the ward's repeat-prone people (pool of 15)."""
REPEAT_CALLER: Final = 0.35
"""Chance that an ASB caller is one of the ward's frequent callers (pool of 6)."""
VICTIM_POOL, CALLER_POOL = 15, 6
VULNERABLE: Final = 0.12
"""Share of callers flagged vulnerable (fixed per caller)."""
ETHNICITY: Final = (("white", 0.50), ("asian", 0.17), ("black", 0.13), ("mixed", 0.05),
                    ("other", 0.05), ("not_stated", 0.10))  # fmt: skip
"""London residents' self-defined ethnicity (Census 2021, rounded), plus not stated."""


@dataclass(frozen=True, slots=True)
class SimEvent:
    at: datetime
    event_type: str
    raw: bytes


class Feed:
    """Draws days of events from ``rates``; deterministic for ``seed``."""

    def __init__(self, rates: WardRates, seed: int = 7) -> None:
        self.rates, self.seed = rates, seed
        self.wards = tuple(sorted(rates.wards))
        self.groups = tuple(sorted({g for w in rates.wards.values() for g in w}))
        self._mean = self._table("mean")
        self._sd = self._table("sd")
        self._months: dict[tuple[int, int], np.ndarray] = {}

    def _table(self, name: str) -> np.ndarray:
        return np.array([[getattr(self.rates.wards[w][g], name) if g in self.rates.wards[w]
                          else 0.0 for g in self.groups] for w in self.wards])  # fmt: skip

    def month_rates(self, year: int, month: int) -> np.ndarray:
        """The month's expected count per ward × group: a London-wide factor (mean 1, the
        groups' common CV) times a gamma draw per ward, which together give each ward its
        real mean and variance (the real mean alone where its variance is Poisson's)."""
        key = (year, month)
        if key not in self._months:
            rng = np.random.default_rng([self.seed, year, month, 1])
            c2 = np.array([self.rates.london_cv.get(g, 0.0) for g in self.groups]) ** 2
            common = np.where(c2 > 0, rng.gamma(1 / np.where(c2 > 0, c2, 1), c2), 1.0)
            # Var(count) = m + (1 + c2) Var(ward rate) + c2 m^2: the ward's share is what
            # its real variance leaves over
            extra = (self._sd**2 - self._mean - c2 * self._mean**2) / (1 + c2)
            spread = (extra > 0) & (self._mean > 0)
            shape = np.where(spread, self._mean**2 / np.where(spread, extra, 1), 1.0)
            scale = np.where(spread, extra / np.where(self._mean > 0, self._mean, 1), 1.0)
            own = np.where(spread, rng.gamma(shape, scale), self._mean)
            self._months = {key: own * common}  # one month kept
        return self._months[key]

    def day_counts(self, day: date) -> np.ndarray:
        """Records per ward × group on ``day``."""
        days = calendar.monthrange(day.year, day.month)[1]
        rng = np.random.default_rng([self.seed, day.year, day.month, day.day, 2])
        return rng.poisson(self.month_rates(day.year, day.month) / days)

    def day(self, day: date) -> list[SimEvent]:
        """Every crime and ASB incident of ``day``, in time order."""
        counts = self.day_counts(day)
        rng = np.random.default_rng([self.seed, day.year, day.month, day.day, 3])
        start = datetime.combine(day, time(), LONDON).astimezone(UTC)
        span = (datetime.combine(day + timedelta(days=1), time(), LONDON).astimezone(UTC)
                - start).total_seconds()  # fmt: skip
        out: list[SimEvent] = []
        for w, ward in enumerate(self.wards):
            k = 0
            for g, group in enumerate(self.groups):
                rate = self.rates.wards[ward].get(group)
                n = int(counts[w, g])
                if rate is None or not n:
                    continue
                picks = rng.choice(len(rate.categories), size=n, p=rate.weights)
                seconds = rng.uniform(0, span, size=n)
                people = rng.random(size=(n, 3))
                for i in range(n):
                    at = start + timedelta(seconds=int(seconds[i]))
                    category = rate.categories[int(picks[i])]
                    record = f"SIM-{day:%Y%m%d}-{ward}-{k:04d}"
                    k += 1
                    if group == ASB:
                        out.append(_incident(record, at, ward, category[0], people[i]))
                    else:
                        out.append(_crime(record, at, ward, group, category, people[i]))
        out.sort(key=lambda e: e.at)
        return out


def _person(kind: str, ward: str, record: str, roll: float, pool: int, chance: float) -> str:
    if roll < chance:
        return f"{kind}-{ward}-R{int(roll / chance * pool):02d}"
    return f"{kind}-{record}"


def _ethnicity(roll: float) -> str:
    for name, share in ETHNICITY:
        if roll < share:
            return name
        roll -= share
    return "not_stated"


def _crime(record: str, at: datetime, ward: str, group: str, category: tuple[str, str],
           rolls: np.ndarray) -> SimEvent:  # fmt: skip
    payload: dict[str, Any] = {
        "crime_id": record, "recorded_at": at.isoformat(), "location": {"ward_code": ward},
        "offence": {"taxonomy": "mps_upper", "major": category[0], "minor": category[1]},
    }  # fmt: skip
    if group in VICTIM_GROUPS:
        payload["victim_id"] = _person("V", ward, record, float(rolls[0]), VICTIM_POOL,
                                       REPEAT_VICTIM)  # fmt: skip
        payload["victim_ethnicity"] = _ethnicity(float(rolls[1]))
    return SimEvent(at, "crime.recorded", _envelope("crime.recorded", record, at, CRIS, payload))


def _incident(record: str, at: datetime, ward: str, category: str,
              rolls: np.ndarray) -> SimEvent:  # fmt: skip
    caller = _person("C", ward, record, float(rolls[0]), CALLER_POOL, REPEAT_CALLER)
    vulnerable = zlib.crc32(caller.encode()) % 100 < VULNERABLE * 100
    payload = {
        "incident_id": record, "incident_at": at.isoformat(), "location": {"ward_code": ward},
        "opening_code": "ASB", "closing_code": "ASB-ADVICE" if rolls[1] < 0.6 else "ASB-ATTEND",
        "asb_category": category, "caller_id": caller, "vulnerable_caller": vulnerable,
    }  # fmt: skip
    return SimEvent(at, "cad.incident", _envelope("cad.incident", record, at, CAD, payload))


def _envelope(event_type: str, record: str, at: datetime, source: str,
              payload: dict[str, Any]) -> bytes:  # fmt: skip
    return orjson.dumps({
        "event_id": f"{source}:{record}:v1", "event_type": event_type, "schema_version": 1,
        "version": 1, "occurred_at": at.isoformat(), "recorded_at": at.isoformat(),
        "source": source, "payload": payload,
    })  # fmt: skip
