"""KPI updates: the figures of every unit a folded batch touched, published as kpi.updated
events (keyed by area code) and written to the hot read model.

Coalesced: batches only mark units (and their borough and the MPS) dirty; every
``interval_s`` (longer after a long flush) the dirty units' figures are computed once for
each KPI group and configured period, and a figure is published only when it differs from
the last one published for the same area, KPI and period. Figures are as of the data date
(the latest day with any count, never after today). An update's id is derived from its
content, so a figure re-published unchanged (after a restart, say) carries the same id and
consumers can de-duplicate it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import orjson

from services.kpi.board import Board
from services.kpi.domain.figures import Figure, availability, figure
from services.kpi.domain.periods import period
from services.kpi.domain.state import MPS, Unit, roll_ups
from services.kpi.domain.survey import MPS_AREA
from services.kpi.domain.survey_figures import SurveyConfig
from services.kpi.domain.targets import KPI_OF_GROUP, Targets
from services.kpi.fold import Folder
from services.kpi.survey_updates import survey_payloads
from services.kpi.views import judged_body

log = logging.getLogger(__name__)

UPDATE_TOPIC = "snt.kpi.updates.v1"
MAX_DEFER_S = 60.0
LATER_CHUNK = 4
"""Units whose other periods are computed between two looks for fresh FYTD work."""
PUBLISHED_LEVELS = frozenset({"ward", "borough", "mps"})


@dataclass(frozen=True, slots=True)
class Versions:
    classification: str
    reference: str
    boundary_set: Callable[[Unit], str]


class ReadModel(Protocol):
    """Where the latest figures are kept for fast reads by other systems (Redis)."""

    async def put(self, figures: Sequence[tuple[str, str, bytes]]) -> None:
        """Store (area code, field, body) triples, replacing older values."""
        ...


Send = Callable[[Sequence[tuple[bytes, bytes]]], Awaitable[None]]
"""Publish (key, value) messages on the KPI update topic, all or nothing."""


class UpdatePublisher:
    def __init__(
        self, folder: Folder, board: Board, targets: Targets, versions: Versions, send: Send,
        read_model: ReadModel | None, *, periods: Sequence[str], interval_s: float,
        today: Callable[[], date], now: Callable[[], datetime],
        observe: Callable[[int, float], None] = lambda published, seconds: None,
        survey: SurveyConfig | None = None,
    ) -> None:  # fmt: skip
        self._folder, self._board, self._targets = folder, board, targets
        self._versions, self._send, self._read_model = versions, send, read_model
        self._periods, self._interval_s = tuple(periods), interval_s
        self._today, self._now, self._observe = today, now, observe
        self._dirty: set[tuple[Unit, str]] = set()
        """(unit, KPI group) whose figures may have changed."""
        self._later: set[tuple[Unit, str]] = set()
        """(unit, KPI group) whose FYTD figures are sent and other periods' not yet."""
        self._survey = survey
        self._survey_dirty: set[str] = set()
        self._backlog_at = -math.inf
        self._last: dict[tuple[str, int, str], str] = {}
        self.published = 0

    def touched(self, units: Iterable[Unit | tuple[Unit, str]], *,
                backlog: bool = False) -> None:  # fmt: skip
        """Mark units — every KPI group, or (unit, group) pairs: that group only — and what
        they roll up into for the next flush. ``backlog``: the batch was full, so more events
        are waiting (a catch-up is under way)."""
        if backlog:
            self._backlog_at = time.monotonic()
        for found in units:
            unit, groups = (found, tuple(KPI_OF_GROUP)) if isinstance(found, Unit) else (
                found[0], (found[1],) if found[1] in KPI_OF_GROUP else ())  # fmt: skip
            for u in roll_ups(unit):
                if u.kind in PUBLISHED_LEVELS:
                    self._dirty.update((u, g) for g in groups)

    def surveyed(self, areas: Iterable[str]) -> None:
        """Mark the survey figures of ``areas`` (boroughs, MPS) and the MPS's for the next
        flush."""
        found = set(areas)
        if found and self._survey is not None:
            self._survey_dirty.update(found | {MPS_AREA})

    def touch_all(self) -> None:
        """Mark every unit held (after the state is loaded at start-up)."""
        with self._folder.lock:
            state = self._folder.state
            units = [*state.units("ward"), *state.units("borough")]
        self._dirty.update((u, g) for u in [*units, MPS] for g in KPI_OF_GROUP)
        with self._folder.lock:
            self.surveyed(self._folder.survey.boroughs())

    def republish_all(self) -> None:
        """Publish every figure again at the next flush, changed or not (the broker's log is
        new: what was published to the old one is gone)."""
        self._last.clear()
        self.touch_all()

    async def run(self) -> None:
        """Flush every ``interval_s`` until cancelled. A flush that took long (every ward
        touched) stretches the pause to twice its own time, so computing figures never takes
        more than a third of the process from the fold; while a catch-up is under way (a full
        batch within the last ``interval_s``) flushes wait, up to ``MAX_DEFER_S``, so a replay
        is not slowed by figures that are out of date before they are published."""
        pause, last = self._interval_s, time.monotonic()
        while True:
            await asyncio.sleep(pause)
            catching_up = time.monotonic() - self._backlog_at < self._interval_s
            if not (self._dirty or self._survey_dirty or self._later) or (
                catching_up and time.monotonic() - last < MAX_DEFER_S
            ):
                continue
            started = last = time.monotonic()
            try:
                published = await self.flush()
            except Exception:  # a failed flush keeps its units dirty and is retried
                log.exception("publishing KPI updates failed; retrying at the next flush")
                published = 0
            took = time.monotonic() - started
            self._observe(published, took)
            pause = max(self._interval_s, 2 * took) if catching_up else self._interval_s

    async def flush(self) -> int:
        """Publish the changed figures of the dirty units; returns how many were published.

        Financial year to date figures — the ones alerts judge — and survey figures are
        computed and sent first; then the other periods, a few units at a time, and before
        each few the FYTD figures of any unit touched meanwhile: a fresh event's FYTD figure
        never waits for the other periods of a large flush."""
        first = tuple(k for k in self._periods if k == "fytd")
        rest = tuple(k for k in self._periods if k != "fytd")
        published = await self._flush_first(first)
        while self._later:
            if self._dirty or self._survey_dirty:
                published += await self._flush_first(first)
                continue
            ordered = sorted(self._later, key=lambda d: (*_order(d[0]), d[1]))
            chunk = ordered[:LATER_CHUNK]
            self._later.difference_update(chunk)
            try:
                published += await self._publish(chunk, [], rest)
            except BaseException:  # what was sent is remembered: a retry sends only the rest
                self._later.update(chunk)
                raise
        return published

    async def _flush_first(self, periods: tuple[str, ...]) -> int:
        dirty, self._dirty = self._dirty, set()
        surveyed, self._survey_dirty = self._survey_dirty, set()
        ordered = sorted(dirty, key=lambda d: (*_order(d[0]), d[1]))
        try:
            published = await self._publish(ordered, sorted(surveyed), periods)
        except BaseException:
            self._dirty |= dirty
            self._survey_dirty |= surveyed
            raise
        self._later |= dirty
        return published

    async def _publish(self, units: list[tuple[Unit, str]], areas: list[str],
                       periods: tuple[str, ...]) -> int:  # fmt: skip
        if not periods and not areas:
            return 0
        messages, keys = await asyncio.to_thread(self._messages, units, areas, periods)
        if messages:
            await self._send([(k, v) for k, v, _ in messages])
            if self._read_model is not None:
                await self._read_model.put([f for _, _, f in messages])
        self._last.update(keys)
        self.published += len(messages)
        return len(messages)

    def _messages(self, dirty: list[tuple[Unit, str]], surveyed: Sequence[str] = (),
                  periods: Sequence[str] | None = None,
                  ) -> tuple[list[Any], dict[tuple[str, int, str], str]]:  # fmt: skip
        as_of = self._board.data_date(self._today())
        with self._folder.lock:
            offsets, applied = dict(self._folder.positions), self._folder.applied_total
        messages, keys = [], {}
        for unit, group in dirty:
            for kind in self._periods if periods is None else periods:
                body = self._body(unit, group, kind, as_of)
                if body is None:  # the data under it cannot support the period
                    continue
                key = (unit.code, KPI_OF_GROUP[group], kind)
                digest = _digest(body)
                if self._last.get(key) == digest:
                    continue
                keys[key] = digest
                event = self._event(unit, body, digest, (offsets, applied))
                raw = orjson.dumps(event)
                messages.append((unit.code.encode(), raw, (unit.code, f"{group}:{kind}", raw)))
        if self._survey is not None:
            messages += self._survey_messages(surveyed, keys, (offsets, applied))
        return messages, keys

    def _survey_messages(self, areas: Sequence[str], keys: dict[tuple[str, int, str], str],
                         held: tuple[dict[tuple[str, int], int], int]) -> list[Any]:  # fmt: skip
        assert self._survey is not None
        messages = []
        with self._folder.lock:
            as_of = self._folder.survey.data_date(self._today())
        for area in areas:
            with self._folder.lock:
                found = survey_payloads(self._folder.survey, self._survey, area, as_of)
            for measure, body in found:
                key = (area, body["kpi"], f"survey:{measure}")
                digest = _digest(body)
                if self._last.get(key) == digest:
                    continue
                keys[key] = digest
                now = self._now().isoformat()
                provenance = {**self._provenance(MPS, *held),
                              "target_config_version": self._survey.version}  # fmt: skip
                payload = {**body, "as_of": now, "provenance": provenance}
                event = {"event_id": f"kpi:{area}:{body['kpi']}:{measure}:{digest}",
                         "event_type": "kpi.updated", "schema_version": 1, "version": 1,
                         "occurred_at": now, "recorded_at": now, "source": "kpi",
                         "correlation_id": None, "payload": payload}  # fmt: skip
                raw = orjson.dumps(event)
                messages.append((area.encode(), raw, (area, f"survey:{measure}", raw)))
        return messages

    def _body(self, unit: Unit, group: str, kind: str, as_of: date) -> dict[str, Any] | None:
        """The judged figure; None when the data cannot support the period."""
        current = period(kind, as_of)
        with self._folder.lock:
            state = self._folder.state
            if availability(state, unit, group, current) is not None:
                return None
            found: Figure = figure(state, unit, group, current, self._targets.for_group(group))
        return judged_body(self._board, found)

    def _event(self, unit: Unit, body: dict[str, Any], digest: str,
               held: tuple[dict[tuple[str, int], int], int]) -> dict[str, Any]:  # fmt: skip
        now = self._now().isoformat()
        payload = update_payload(unit, body, now, self._provenance(unit, *held))
        return {"event_id": f"kpi:{unit.code}:{body['kpi']}:{body['period']}:{digest}",
                "event_type": "kpi.updated", "schema_version": 1, "version": 1,
                "occurred_at": now, "recorded_at": now, "source": "kpi",
                "correlation_id": None, "payload": payload}  # fmt: skip

    def _provenance(
        self, unit: Unit, offsets: dict[tuple[str, int], int], applied: int
    ) -> dict[str, Any]:
        return {
            "classification_version": self._versions.classification,
            "reference_version": self._versions.reference,
            "target_config_version": self._targets.version,
            "boundary_set": self._versions.boundary_set(unit),
            "events_counted": applied,
            "last_offsets": [{"topic": t, "partition": p, "offset": o - 1}
                             for (t, p), o in sorted(offsets.items()) if o > 0],
        }  # fmt: skip


def update_payload(unit: Unit, body: dict[str, Any], as_of: str,
                   provenance: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """A kpi.updated v1 payload from a judged figure body (see :mod:`views`)."""
    spc = body["spc"]
    return {
        "level": unit.kind, "area_code": unit.code,
        "borough_code": unit.borough if unit.kind == "ward" else None,
        "kpi": body["kpi"], "measure": "count", "unit": "count", "period": body["period"],
        "period_start": body["period_start"].isoformat(),
        "period_end": body["period_end"].isoformat(), "as_of": as_of,
        "value": body["value"], "last_year": body["last_year"], "pct_change": body["pct_change"],
        "target_ratio": body["target_ratio"], "trajectory": body["trajectory"],
        "gap_to_trajectory": body["gap_to_trajectory"],
        "projected_year_end": body["projected_year_end"],
        "rank_in_borough": body["rank_in_borough"], "rank_in_mps": body["rank_in_mps"],
        "significance": body["vs_last_year"], "target_significance": body["vs_target"],
        "mps_trend_significance": body["vs_mps"],
        "spc": {"signal": spc["signal"], "rules_fired": list(spc["rules_fired"]),
                "points": spc["points"], "warning": spc["warning"],
                "interval": spc["interval"], "assurance": spc["assurance"]},
        "boundary_estimate": body["boundary_estimate"],
        "period_label": body["period_label"], "sources": body["sources"],
        "provenance": provenance,
    }  # fmt: skip


def _digest(body: dict[str, Any]) -> str:
    raw = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    return hashlib.blake2b(raw, digest_size=8).hexdigest()


def _order(unit: Unit) -> tuple[int, str]:
    return ({"ward": 0, "borough": 1, "mps": 2}[unit.kind], unit.code)
