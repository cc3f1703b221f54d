"""Gather a Borough SN Performance Pack from the kpi and flex APIs.

Every figure in the pack is the API's own answer for the same ward, period and as-of date
(the pack computes nothing the services already judge); what the pack adds is the layout,
the plain-language status and the comparison with the previous month's pack.
"""

from __future__ import annotations

import asyncio
import calendar
from collections.abc import Awaitable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from services.dashboard.pack.attention import Figures, movement, reasons
from services.dashboard.pack.status import (
    GROUPS,
    SpcClass,
    Status,
    figure_spc_class,
    trajectory_status,
)
from services.dashboard.upstream import Source

PERIODS = ("fytd", "rolling_12m")
PACK_VERSION = "borough-pack-1"
FETCH_CONCURRENCY = 16


@dataclass(frozen=True)
class Area:
    code: str
    name: str


@dataclass(frozen=True)
class Cell:
    """One figure of the ward table: the API's figure and what it means."""

    figure: Mapping[str, Any]
    status: Status
    spc: SpcClass

    @property
    def value(self) -> float:
        return float(self.figure["value"])


@dataclass
class WardRow:
    ward: Area
    cells: dict[tuple[str, str], Cell]
    """(kpi group, period) → cell"""
    diagnostics: Mapping[str, Any] | None = None

    def attention(self, borough: Figures | None = None) -> list[str]:
        """Why the ward needs attention (empty: it does not), FYTD, beyond the movement of
        ``borough`` (its FYTD figures by group) as the dashboard's attention panel says it:
        differs from the MPS trend, or off trajectory or a special cause where the borough
        is not."""
        figures = {group: self.cells[(group, "fytd")].figure for group in GROUPS}
        return [r.text for r in reasons(figures, borough)]


@dataclass(frozen=True)
class Change:
    ward: Area
    group: str
    what: str
    before: str
    after: str


@dataclass
class Pack:
    borough: Area
    as_of: date
    previous_as_of: date
    generated_at: datetime
    wards: list[WardRow]
    borough_cells: dict[tuple[str, str], Cell]
    borough_diagnostics: Mapping[str, Any]
    survey: Mapping[str, Any]
    flex_report: Mapping[str, Any]
    kpi9: Mapping[str, Any]
    exceptions: dict[str, Mapping[str, Any]]
    spc: dict[str, Mapping[str, Any]]
    changes: list[Change]
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def movement(self) -> list[str]:
        """The borough's own movement, FYTD, said once."""
        return movement(self._borough_fytd(), self.borough.name)

    @property
    def attention(self) -> list[tuple[WardRow, list[str]]]:
        found = [(w, w.attention(self._borough_fytd())) for w in self.wards]
        return [(w, reasons) for w, reasons in found if reasons]

    def _borough_fytd(self) -> Figures:
        return {g: c.figure for (g, p), c in self.borough_cells.items() if p == "fytd"}

    def ward_name(self, code: str) -> str:
        return next((w.ward.name for w in self.wards if w.ward.code == code), code)


async def data_date(source: Source, path: str) -> date:
    """The kpi service's data date (its default as-of): the end of the FYTD period of the
    area at ``path`` (e.g. /v1/kpi/boroughs/E09000023)."""
    body = await source.get("kpi", path, {})
    return date.fromisoformat(body["figures"][0]["period_end"])


def previous_pack_date(as_of: date) -> date:
    """The as-of date of the previous monthly pack: the same day a month earlier (the
    month's last day when it has fewer days)."""
    year, month = (as_of.year, as_of.month - 1) if as_of.month > 1 else (as_of.year - 1, 12)
    last = calendar.monthrange(year, month)[1]
    if as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]:
        return date(year, month, last)
    return date(year, month, min(as_of.day, last))


async def build_pack(source: Source, borough: Area, wards: Sequence[Area], as_of: date,
                     now: datetime) -> Pack:  # fmt: skip
    """The pack of ``borough`` as of ``as_of``: every section fetched concurrently."""
    gate = asyncio.Semaphore(FETCH_CONCURRENCY)
    previous = previous_pack_date(as_of)

    async def get(service: str, path: str, **params: Any) -> Any:
        async with gate:
            return await source.get(service, path, params)

    b = borough.code
    day = as_of.isoformat()
    month = as_of.strftime("%Y-%m")
    ward_figures = {(w.code, p): get("kpi", f"/v1/kpi/wards/{w.code}", period=p, as_of=day)
                    for w in wards for p in PERIODS}  # fmt: skip
    before = {w.code: get("kpi", f"/v1/kpi/wards/{w.code}", period="fytd",
                          as_of=previous.isoformat()) for w in wards}  # fmt: skip
    diagnostics = {w.code: get("kpi", f"/v1/kpi/wards/{w.code}/diagnostics", as_of=day)
                   for w in wards}  # fmt: skip
    borough_figures = {p: get("kpi", f"/v1/kpi/boroughs/{b}", period=p, as_of=day)
                       for p in PERIODS}  # fmt: skip
    spc = {g: get("kpi", f"/v1/kpi/boroughs/{b}/spc", group=g, interval="month", as_of=day)
           for g in GROUPS}  # fmt: skip
    exceptions = {g: get("kpi", f"/v1/kpi/boroughs/{b}/exceptions", group=g, period="fytd",
                         as_of=day) for g in GROUPS}  # fmt: skip
    singles = {
        "diagnostics": get("kpi", f"/v1/kpi/boroughs/{b}/diagnostics", as_of=day),
        "survey": get("kpi", f"/v1/kpi/boroughs/{b}/survey", as_of=day),
        "flex": get("flex", f"/v1/flex/boroughs/{b}/report", month=month),
        "kpi9": get("flex", f"/v1/flex/boroughs/{b}/kpi9", as_of=day),
    }
    got = await _gather({"wf": ward_figures, "before": before, "diag": diagnostics,
                         "bf": borough_figures, "spc": spc, "exc": exceptions,
                         "one": singles})  # fmt: skip
    rows = []
    for w in wards:
        cells = {}
        for p in PERIODS:
            cells.update(_cells(got["wf"][(w.code, p)], p))
        rows.append(WardRow(w, cells, got["diag"][w.code]))
    borough_cells: dict[tuple[str, str], Cell] = {}
    for p in PERIODS:
        borough_cells.update(_cells(got["bf"][p], p))
    earlier = {code: _cells(body, "fytd") for code, body in got["before"].items()}
    one = got["one"]
    fytd = got["bf"]["fytd"]
    return Pack(
        borough=borough, as_of=as_of, previous_as_of=previous, generated_at=now, wards=rows,
        borough_cells=borough_cells, borough_diagnostics=one["diagnostics"],
        survey=one["survey"], flex_report=one["flex"], kpi9=one["kpi9"],
        exceptions=got["exc"], spc=got["spc"], changes=changes(rows, earlier),
        versions={"pack": PACK_VERSION, "targets": str(fytd.get("target_config_version")),
                  "diagnostic rules": _rules(one["diagnostics"].get("rules") or {})},
    )  # fmt: skip


def _rules(rules: Mapping[str, Any]) -> str:
    return (
        f"owner {rules.get('owner')}, repeat victim {rules.get('repeat_victim_threshold')}+,"
        f" repeat caller {rules.get('repeat_caller_threshold')}+"
    )


def _cells(body: Mapping[str, Any], period: str) -> dict[tuple[str, str], Cell]:
    return {(f["kpi_group"], period): Cell(f, trajectory_status(f), figure_spc_class(f))
            for f in body["figures"]}  # fmt: skip


def changes(rows: Sequence[WardRow],
            earlier: Mapping[str, Mapping[tuple[str, str], Cell]]) -> list[Change]:  # fmt: skip
    """What changed since the previous pack, ward by ward: status, SPC class and rank in
    the borough of each FYTD crime figure (the figures themselves are in the table)."""
    found = []
    for row in rows:
        for group in GROUPS:
            now, then = row.cells[(group, "fytd")], earlier[row.ward.code].get((group, "fytd"))
            if then is None:
                continue
            if now.status.key != then.status.key:
                found.append(Change(row.ward, group, "status", then.status.label,
                                    now.status.label))  # fmt: skip
            if now.spc.key != then.spc.key:
                found.append(Change(row.ward, group, "SPC", then.spc.label, now.spc.label))
            rank_now, rank_then = (
                now.figure.get("rank_in_borough"),
                then.figure.get("rank_in_borough"),
            )
            if rank_now and rank_then and abs(rank_now - rank_then) >= 3:
                found.append(Change(row.ward, group, "rank in borough", str(rank_then),
                                    str(rank_now)))  # fmt: skip
    return found


async def _gather(calls: Mapping[str, Mapping[Any, Awaitable[Any]]]) -> dict[str, dict[Any, Any]]:
    keys = [(name, key) for name, group in calls.items() for key in group]
    values = await asyncio.gather(*(calls[name][key] for name, key in keys))
    out: dict[str, dict[Any, Any]] = {name: {} for name in calls}
    for (name, key), value in zip(keys, values, strict=True):
        out[name][key] = value
    return out
