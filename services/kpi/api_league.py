"""Read API for judging wards side by side: SPC charts, league tables and exception lists.
Auth-scoped like the figures: a borough lead sees their boroughs, central everything."""

from __future__ import annotations

from collections.abc import Callable, Container
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from services.kpi.board import Board
from services.kpi.domain.league import EXCEPTIONS
from services.kpi.domain.periods import Period, label, period
from services.kpi.domain.state import MPS, Unit
from services.kpi.views import exceptions_body, league_body, spc_body
from shared.api import ApiError, DateWindow, IsoDate
from shared.auth import Authenticator, Role

PeriodName = Literal["fytd", "rolling_12m", "month", "rolling_28d", "week", "fortnight", "quarter"]
GroupName = Literal["violence", "property", "asb"]
PeriodParam = Annotated[PeriodName, Query(alias="period", description="Kind of period")]
Limit = Annotated[int, Query(ge=1, le=50, description="Most significant performers each way")]
BoroughMeeting = Literal["cluster_weekly", "tactical_fortnightly", "strategic_monthly"]
MpsMeeting = Literal["strategic_monthly", "key_performance_quarterly"]
MEETINGS = {"cluster_weekly": "week", "tactical_fortnightly": "fortnight",
            "strategic_monthly": "month", "key_performance_quarterly": "quarter"}  # fmt: skip
KPI_GROUPS = ("violence", "property", "asb")


def build_league_router(board: Board, auth: Authenticator,
                        borough_of: Callable[[str], str | None], boroughs: Container[str],
                        window: DateWindow) -> APIRouter:  # fmt: skip
    router = APIRouter(prefix="/v1/kpi", tags=["kpi"])
    ward_scope = Depends(auth.ward_in_path(borough_of))
    borough_scope = Depends(auth.borough_in_path(boroughs))
    central = Depends(auth.require_roles(Role.CENTRAL, Role.SYSTEM))

    def as_of_or_data_date(as_of: date | None) -> date:
        return window.check(as_of) or board.data_date(window.today())

    def reason(scope: Unit, group: str, current: Period) -> dict[str, Any]:
        """Why a scope's league leaves its areas out, when the data cannot support the
        period (monthly-only counts, a period that is not whole months)."""
        why = board.available(scope, group, current)
        return {} if why is None else {"not_available": f"{label(current)}: {why}"}

    @router.get("/wards/{ward_code}/spc", dependencies=[ward_scope])
    def ward_spc(ward_code: str, group: GroupName, interval: Literal["week", "month"] = "month",
                 as_of: IsoDate | None = None) -> Any:  # fmt: skip
        """The ward's XmR chart of whole weeks or months ending by ``as_of``: points, limits,
        special-cause signals, the verdict on the latest point and assurance against the
        target."""
        borough = borough_of(ward_code)
        if borough is None:
            raise ApiError(404, "unknown_area", f"{ward_code} is not a London ward code")
        view = board.spc(Unit("ward", ward_code, borough), group, as_of_or_data_date(as_of),
                         interval)  # fmt: skip
        return {"area_code": ward_code, "kpi_group": group, **spc_body(view)}

    @router.get("/boroughs/{borough_code}/spc", dependencies=[borough_scope])
    def borough_spc(borough_code: str, group: GroupName,
                    interval: Literal["week", "month"] = "month",
                    as_of: IsoDate | None = None) -> Any:  # fmt: skip
        """The borough's XmR chart (its wards plus its records with no ward)."""
        unit = Unit("borough", borough_code, borough_code)
        view = board.spc(unit, group, as_of_or_data_date(as_of), interval)
        return {"area_code": borough_code, "kpi_group": group, **spc_body(view)}

    @router.get("/boroughs/{borough_code}/league", dependencies=[borough_scope])
    def borough_league(borough_code: str, group: GroupName, period_kind: PeriodParam = "fytd",
                       as_of: IsoDate | None = None) -> Any:  # fmt: skip
        """Every ward of the borough ranked (1 = most significant rise on last year), with
        its verdicts by the product's significance rules (overdispersion allowed for,
        Benjamini–Hochberg across the MPS's wards) against last year and the MPS trend."""
        scope = Unit("borough", borough_code, borough_code)
        current = period(period_kind, as_of_or_data_date(as_of))
        return {"scope": borough_code, **league_body(board.ward_league(scope, group, current)),
                **reason(scope, group, current)}  # fmt: skip

    @router.get("/boroughs/{borough_code}/exceptions", dependencies=[borough_scope])
    def borough_exceptions(
        borough_code: str, group: GroupName, period_kind: PeriodParam = "fytd",
        as_of: IsoDate | None = None, limit: Limit = EXCEPTIONS,
    ) -> Any:  # fmt: skip
        """The borough's wards that differ most significantly from the MPS trend, worse
        (poor) and better (good), and how many more."""
        scope = Unit("borough", borough_code, borough_code)
        current = period(period_kind, as_of_or_data_date(as_of))
        found = board.ward_league(scope, group, current)
        return {"scope": borough_code, **exceptions_body(found, limit),
                **reason(scope, group, current)}  # fmt: skip

    @router.get("/boroughs/{borough_code}/reconciliation", dependencies=[borough_scope])
    def borough_reconciliation(borough_code: str, period_kind: PeriodParam = "rolling_12m",
                               as_of: IsoDate | None = None) -> Any:  # fmt: skip
        """The borough's figure (wards + records with no ward) against the published borough
        total, per KPI group and for all crime: the difference is crime the MPS files to the
        borough but never to a ward."""
        current = period(period_kind, as_of_or_data_date(as_of))
        rows = board.reconcile(borough_code, current)
        return {"scope": borough_code, "period": current.kind, "period_start": current.first,
                "period_end": current.last,
                "groups": [{"kpi_group": r.group, "wards": r.wards, "unlocated": r.unlocated,
                            "borough": r.borough, "published": r.published,
                            "difference": r.difference} for r in rows]}  # fmt: skip

    @router.get("/boroughs/{borough_code}/meetings/{meeting}", dependencies=[borough_scope])
    def borough_meeting(borough_code: str, meeting: BoroughMeeting, as_of: IsoDate | None = None,
                        limit: Limit = EXCEPTIONS) -> Any:  # fmt: skip
        """The exception list for a borough performance meeting: the weekly cluster meeting
        (last whole-week period), the fortnightly tactical and problem solving review, the
        monthly strategic review — the most significant poor and good performing wards for
        each crime KPI over the meeting's period."""
        scope = Unit("borough", borough_code, borough_code)
        current = period(MEETINGS[meeting], as_of_or_data_date(as_of))
        found = [{**exceptions_body(board.ward_league(scope, g, current), limit),
                  **reason(scope, g, current)} for g in KPI_GROUPS]  # fmt: skip
        return {"scope": borough_code, "meeting": meeting, "period_label": label(current),
                "kpis": found}  # fmt: skip

    @router.get("/mps/meetings/{meeting}", dependencies=[central])
    def mps_meeting(meeting: MpsMeeting, as_of: IsoDate | None = None,
                    limit: Limit = EXCEPTIONS) -> Any:  # fmt: skip
        """The corporate exception list: the monthly Strategic Performance Meeting or the
        quarterly Key Performance Review — the most significant performing wards across the
        MPS for each crime KPI (adjusted across all wards)."""
        current = period(MEETINGS[meeting], as_of_or_data_date(as_of))
        found = [{**exceptions_body(board.ward_league(MPS, g, current), limit),
                  **reason(MPS, g, current)} for g in KPI_GROUPS]  # fmt: skip
        return {"scope": MPS.code, "meeting": meeting, "period_label": label(current),
                "kpis": found}  # fmt: skip

    @router.get("/mps/exceptions", dependencies=[central])
    def mps_exceptions(group: GroupName, period_kind: PeriodParam = "fytd",
                       as_of: IsoDate | None = None, limit: Limit = EXCEPTIONS) -> Any:  # fmt: skip
        """The MPS's wards that differ most significantly from the MPS trend (adjusted across
        all), worse (poor) and better (good), and how many more."""
        current = period(period_kind, as_of_or_data_date(as_of))
        return {"scope": MPS.code, **exceptions_body(board.ward_league(MPS, group, current), limit),
                **reason(MPS, group, current)}  # fmt: skip

    @router.get("/mps/league", dependencies=[central])
    def mps_league(group: GroupName, period_kind: PeriodParam = "fytd",
                   as_of: IsoDate | None = None) -> Any:  # fmt: skip
        """Every borough ranked within the MPS."""
        current = period(period_kind, as_of_or_data_date(as_of))
        return {"scope": MPS.code, **league_body(board.borough_league(group, current))}

    return router
