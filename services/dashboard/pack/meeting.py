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

from services.dashboard.upstream import Source

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
        body = await source.get("kpi", f"/v1/kpi/mps/meetings/{meeting}",
                                {"as_of": as_of.isoformat()})  # fmt: skip
        alerts = await source.get("alerts", "/v1/alerts", {"state": "firing"})
    else:
        if meeting not in BOROUGH_MEETINGS:
            raise MeetingError(
                f"no borough meeting {meeting!r}; known: {', '.join(BOROUGH_MEETINGS)}"
            )
        title, scope = BOROUGH_MEETINGS[meeting], borough
        body = await source.get("kpi", f"/v1/kpi/boroughs/{borough[0]}/meetings/{meeting}",
                                {"as_of": as_of.isoformat()})  # fmt: skip
        alerts = await source.get("alerts", "/v1/alerts",
                                  {"state": "firing", "borough_code": borough[0]})  # fmt: skip
    open_alerts = [a for a in alerts["alerts"]
                   if wards is None or a["area_code"] in wards]  # fmt: skip
    return MeetingPack(meeting, title, scope[0], scope[1], as_of, now, body["kpis"],
                       open_alerts, names, wards)  # fmt: skip
