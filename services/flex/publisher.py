"""Flex outputs: changed ward/role/day figures (flex.updated), exceptions (flex.exception)
and KPI 9 (kpi.updated), coalesced like the KPI updates.

Folded batches mark ward-days (and their months) dirty; every ``interval_s`` their figures
are computed once and published only when they differ from what was last published. Event
ids are derived from content, so an unchanged figure re-published after a restart keeps its
id; an exception keeps its exception id (kind, ward, date) as its figures change.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson

from services.flex.domain.exceptions import (
    FlexException,
    Model,
    Rules,
    ward_day_exceptions,
    ward_month_exceptions,
)
from services.flex.domain.ledger import ROLES
from services.flex.domain.periods import fytd_start, kpi9_figures
from services.flex.domain.report import KPI9_MEASURE, WardInfo, kpi9
from services.flex.fold import Folder, WardDay

log = logging.getLogger(__name__)

UPDATES_TOPIC = "snt.flex.updates.v1"
EXCEPTIONS_TOPIC = "snt.flex.exceptions.v1"
KPI_TOPIC = "snt.kpi.updates.v1"
OUTPUT_TOPICS = (UPDATES_TOPIC, EXCEPTIONS_TOPIC, KPI_TOPIC)
"""Every topic the publisher sends to (KPI 9 figures go out as kpi.updated events)."""
Figure = tuple[str, str, str, int, int]
"""A KPI 9 figure: (level, area code, period "month" or "fytd", year, month of its end)."""
Send = Callable[[Sequence[tuple[str, bytes, bytes]]], Awaitable[None]]
"""Publish (topic, key, value) messages."""


@dataclass(frozen=True, slots=True)
class Area:
    """Where the wards are: their info and staffing models (from the reference data)."""

    wards: dict[str, WardInfo]
    reference_version: str

    def model(self, ward: str) -> Model:
        found = self.wards.get(ward)
        return found.model if found else {"PS": 1, "PC": 2, "PCSO": 3}


class FlexPublisher:
    def __init__(self, folder: Folder, area: Area, rules: Rules, send: Send, *,
                 interval_s: float, now: Callable[[], datetime]) -> None:  # fmt: skip
        self._folder, self._area, self._rules, self._send = folder, area, rules, send
        self._interval_s, self._now = interval_s, now
        self._members = _members(area)
        self._dirty: set[WardDay] = set()
        self._breach: set[str] = set()
        self._last: dict[str, str] = {}
        self.published = 0
        self.on_published: Callable[[int], None] = lambda n: None

    def touched(self, ward_days: frozenset[WardDay], breach_changed: frozenset[str]) -> None:
        self._dirty |= ward_days
        self._breach |= breach_changed

    @property
    def backlog(self) -> int:
        """Ward-days waiting for the next flush."""
        return len(self._dirty)

    def touch_all(self) -> None:
        with self._folder.lock:
            for d in self._folder.ledger.duties():
                self._dirty.add((d.home_ward, d.day))
                if d.worked_ward:
                    self._dirty.add((d.worked_ward, d.day))

    def republish_all(self) -> None:
        """Publish every figure and exception again at the next flush, changed or not (the
        broker's log is new: what was published to the old one is gone)."""
        self._last.clear()
        self.touch_all()

    async def run(self) -> None:
        pause = self._interval_s
        while True:
            await asyncio.sleep(pause)
            if not (self._dirty or self._breach):
                continue
            started = asyncio.get_running_loop().time()
            try:
                await self.flush()
            except Exception:
                log.exception("publishing flex outputs failed; retrying at the next flush")
            pause = max(self._interval_s, 2 * (asyncio.get_running_loop().time() - started))

    async def flush(self) -> int:
        dirty, self._dirty = self._dirty, set()
        breach, self._breach = self._breach, set()
        try:
            messages, keys = await asyncio.to_thread(self._messages, dirty, breach)
            if messages:
                await self._send(messages)
        except BaseException:
            self._dirty |= dirty
            self._breach |= breach
            raise
        self._last.update(keys)
        self.published += len(messages)
        self.on_published(len(messages))
        return len(messages)

    def _messages(
        self, dirty: set[WardDay], breach: set[str]
    ) -> tuple[list[tuple[str, bytes, bytes]], dict[str, str]]:
        out: list[tuple[str, bytes, bytes]] = []
        keys: dict[str, str] = {}
        months = {(w, d.year, d.month) for w, d in dirty}
        with self._folder.lock:
            ledger = self._folder.ledger
            if breach:  # a change of breach status re-judges the ward's months
                months |= {(w, y, m) for (w, _, y, m) in ledger.teams if w in breach}
            breaching = self._folder.breaching_wards()
            bodies: list[tuple[str, str, str, dict[str, Any]]] = []
            for ward, day in sorted(dirty):
                for role in ROLES:
                    cell = ledger.cells.get((ward, role, day))
                    if cell is not None:
                        bodies.append((UPDATES_TOPIC, f"cell:{ward}:{role}:{day}", ward,
                                       self._cell(ward, role, day)))  # fmt: skip
                for e in ward_day_exceptions(ledger, ward, day, self._area.model(ward)):
                    bodies.append((EXCEPTIONS_TOPIC, f"exc:{e.exception_id}", ward, _exc(e)))
            scopes: set[Figure] = set()
            for ward, year, month in sorted(months):
                for e in ward_month_exceptions(ledger, ward, year, month, self._rules,
                                               ward in breaching):  # fmt: skip
                    bodies.append((EXCEPTIONS_TOPIC, f"exc:{e.exception_id}", ward, _exc(e)))
                scopes |= self._figures(ward, year, month)
            for figure in sorted(scopes):  # each area's KPI 9 figure once
                body = self._kpi9(*figure)
                if body is not None:
                    bodies.append((KPI_TOPIC, _kpi9_key(figure), figure[1], body))
            applied = self._folder.applied_total
        for topic, key, ward, body in bodies:
            digest = _digest(body)
            if self._last.get(key) == digest or keys.get(key) == digest:
                continue
            keys[key] = digest
            out.append(
                (topic, ward.encode(), orjson.dumps(self._event(topic, key, body, digest, applied)))
            )
        return out, keys

    def _cell(self, ward: str, role: str, day: date) -> dict[str, Any]:
        ledger = self._folder.ledger
        cell = ledger.cell(ward, role, day)
        abstracted = {k: n for k, n in cell.abstracted.items() if n > 0}
        abstracted |= {k: n for k, n in cell.absent.items() if n > 0}
        return {"ward_code": ward, "borough_code": ledger.boroughs.get(ward) or
                self._borough(ward), "date": day.isoformat(), "role": role,
                "planned_minutes": max(cell.planned, 0),
                "flexed_out_minutes": max(cell.flexed_out, 0),
                "flexed_in_minutes": max(cell.flexed_in, 0),
                "abstracted_minutes": abstracted,
                "officers_on_duty": cell.officers_on_duty}  # fmt: skip

    def _figures(self, ward: str, year: int, month: int) -> set[Figure]:
        """The KPI 9 figures of the ward, its borough and the MPS a change to the ward's
        month can move."""
        info = self._area.wards.get(ward)
        if info is None:
            return set()
        areas = (("ward", ward), ("borough", info.borough), ("mps", "MPS"))
        return {(level, code, period, y, m) for period, y, m in kpi9_figures(year, month)
                for level, code in areas}  # fmt: skip

    def _kpi9(self, level: str, code: str, period: str, year: int,
              month: int) -> dict[str, Any] | None:  # fmt: skip
        """KPI 9 of a ward, a borough or the MPS for a month or the financial year to its
        end (None: no duties held for the area that month, or nothing planned)."""
        last = date(year, month, calendar.monthrange(year, month)[1])
        first = last.replace(day=1) if period == "month" else fytd_start(last)
        wards = self._members.get((level, code), [])
        ledger = self._folder.ledger
        if not any((w.code, year, month) in ledger.months for w in wards):
            return None  # a month not yet held: no figure ending in it
        found = kpi9(ledger, wards, first, last)
        if found.share is None:
            return None
        borough = wards[0].borough if level == "ward" else None
        return {"level": level, "area_code": code, "borough_code": borough, "kpi": 9,
                "measure": KPI9_MEASURE, "unit": "proportion", "period": period,
                "period_start": first.isoformat(), "period_end": last.isoformat(),
                "value": found.share, "last_year": found.last_year_share,
                "pct_change": None}  # fmt: skip

    def _borough(self, ward: str) -> str:
        info = self._area.wards.get(ward)
        return info.borough if info else ""

    def _event(self, topic: str, key: str, body: dict[str, Any], digest: str,
               applied: int) -> dict[str, Any]:  # fmt: skip
        now = self._now().isoformat()
        if topic == KPI_TOPIC:
            kind = "kpi.updated"
            payload = {**body, "as_of": now, "provenance": {
                "classification_version": "carm3-activity-1",
                "reference_version": self._area.reference_version,
                "target_config_version": self._rules.version, "boundary_set": "2022",
                "events_counted": applied}}  # fmt: skip
        else:
            kind = "flex.updated" if topic == UPDATES_TOPIC else "flex.exception"
            payload = body
        return {"event_id": f"flex:{key}:{digest}"[:128], "event_type": kind,
                "schema_version": 1, "version": 1, "occurred_at": now, "recorded_at": now,
                "source": "flex", "correlation_id": None, "payload": payload}  # fmt: skip


def _members(area: Area) -> dict[tuple[str, str], list[WardInfo]]:
    """The wards of every ward, borough and the MPS (a KPI 9 figure's area), worked out once:
    a flush reads thousands of figures."""
    found: dict[tuple[str, str], list[WardInfo]] = {("mps", "MPS"): []}
    for info in area.wards.values():
        found[("ward", info.code)] = [info]
        found.setdefault(("borough", info.borough), []).append(info)
        found[("mps", "MPS")].append(info)
    return found


def _kpi9_key(figure: Figure) -> str:
    _, code, period, year, month = figure
    return (
        f"kpi9:{code}:{year}-{month}" if period == "month" else f"kpi9:{code}:fytd:{year}-{month}"
    )


def _exc(e: FlexException) -> dict[str, Any]:
    return {"exception_id": e.exception_id, "kind": e.kind, "ward_code": e.ward,
            "borough_code": e.borough, "date": e.day.isoformat(), "duty_ids": list(e.duty_ids),
            "detail": e.detail, "figures": dict(e.figures)}  # fmt: skip


def _digest(body: dict[str, Any]) -> str:
    return hashlib.blake2b(orjson.dumps(body, option=orjson.OPT_SORT_KEYS),
                           digest_size=8).hexdigest()  # fmt: skip
