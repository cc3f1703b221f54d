"""Meeting packs, on an exception basis: the most significant poor and good performing
wards for each crime KPI over the meeting's period, with the alerts still open in scope.

Borough meetings (seed 000 "Performance Meetings"): the weekly cluster meeting, the
fortnightly Tactical Performance and Problem Solving Review, the monthly strategic review.
Corporate: the monthly Strategic Performance Meeting, the quarterly Key Performance Review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.dashboard.pack.basis import basis
from services.dashboard.upstream import Source, UpstreamError

BOROUGH_MEETINGS: Mapping[str, str] = {
    "cluster_weekly": "Weekly cluster performance meeting",
    "tactical_fortnightly": "Fortnightly Tactical Performance and Problem Solving Review",
    "strategic_monthly": "Monthly borough strategic performance review",
}  # fmt: skip
MPS_MEETINGS: Mapping[str, str] = {
    "strategic_monthly": "Monthly Strategic Performance Meeting (corporate)",
    "key_performance_quarterly": "Quarterly Key Performance Review (corporate)",
}  # fmt: skip


class MeetingError(ValueError):
    """A meeting pack was asked for with a meeting that does not exist at that level."""


@dataclass(frozen=True)
class MeetingPack:
    meeting: str
    title: str
    scope_code: str
    scope_name: str
    as_of: date
    generated_at: datetime
    kpis: Sequence[Mapping[str, Any]]
    alerts: Sequence[Mapping[str, Any]]
    names: Mapping[str, str]
    wards: frozenset[str] | None
    """Only these wards (a cluster's), or None for the whole scope"""
    period_label: str = ""
    """The meeting's period in words, as the kpi service states it"""
    sources: Sequence[str] = ()
    """What the scope's figures rest on, in words, per KPI group"""

    def name_of(self, code: str) -> str:
        return self.names.get(code, code)

    def kept(self, standings: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        return [s for s in standings if self.wards is None or s["area_code"] in self.wards]


async def build_meeting(source: Source, meeting: str, borough: tuple[str, str] | None,
                        as_of: date, now: datetime, names: Mapping[str, str],
                        wards: frozenset[str] | None = None) -> MeetingPack:  # fmt: skip
    """The meeting pack for ``borough`` (code, name), or the MPS when None."""
    if borough is None:
        if meeting not in MPS_MEETINGS:
            raise MeetingError(
                f"no corporate meeting {meeting!r}; known: {', '.join(MPS_MEETINGS)}"
            )
        title, scope = MPS_MEETINGS[meeting], ("MPS", "Metropolitan Police Service")
        area = "/v1/kpi/mps"
        body = await source.get("kpi", f"/v1/kpi/mps/meetings/{meeting}",
                                {"as_of": as_of.isoformat()})  # fmt: skip
        alerts = await source.get("alerts", "/v1/alerts", {"state": "firing"})
    else:
        if meeting not in BOROUGH_MEETINGS:
            raise MeetingError(
                f"no borough meeting {meeting!r}; known: {', '.join(BOROUGH_MEETINGS)}"
            )
        title, scope = BOROUGH_MEETINGS[meeting], borough
        area = f"/v1/kpi/boroughs/{borough[0]}"
        body = await source.get("kpi", f"/v1/kpi/boroughs/{borough[0]}/meetings/{meeting}",
                                {"as_of": as_of.isoformat()})  # fmt: skip
        alerts = await source.get("alerts", "/v1/alerts",
                                  {"state": "firing", "borough_code": borough[0]})  # fmt: skip
    open_alerts = [a for a in alerts["alerts"]
                   if wards is None or a["area_code"] in wards]  # fmt: skip
    return MeetingPack(meeting, title, scope[0], scope[1], as_of, now, body["kpis"],
                       open_alerts, names, wards, body.get("period_label", ""),
                       await _sources(source, area, as_of))  # fmt: skip


async def _sources(source: Source, area: str, as_of: date) -> list[str]:
    """What the scope's figures (financial year to date) rest on; nothing when the data
    cannot give that period at ``as_of`` (a mid-month date on monthly counts)."""
    try:
        figures = await source.get("kpi", area, {"as_of": as_of.isoformat()})
    except UpstreamError:
        return []
    return list(basis(figures["figures"])["sources"])
