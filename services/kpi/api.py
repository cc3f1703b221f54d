"""Read API: ward, borough and MPS crime KPIs for any period and as-of date, category
drill-down and time series. Auth-scoped: a borough lead sees their boroughs, a cluster
inspector their wards, central everything."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Container
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from services.kpi.board import Board
from services.kpi.domain.days import day_index, month_index, month_start
from services.kpi.domain.figures import availability, figure, latest_supported
from services.kpi.domain.periods import KINDS, label, period
from services.kpi.domain.state import MPS, Unit
from services.kpi.domain.targets import KPI_OF_GROUP, Targets
from services.kpi.fold import Folder
from services.kpi.store.base import KpiStore
from services.kpi.views import judged_body
from shared.api import ApiError, DateWindow, IsoDate
from shared.auth import Authenticator, Role
from shared.responses import json_response

PeriodName = Literal["fytd", "rolling_12m", "month", "rolling_28d", "week", "fortnight", "quarter"]
GroupName = Literal["violence", "property", "asb"]
BoroughOf = Callable[[str], str | None]


def build_router(
    folder: Folder, store: KpiStore, targets: Targets, auth: Authenticator,
    borough_of: BoroughOf, boroughs: Container[str], window: DateWindow, board: Board,
) -> APIRouter:  # fmt: skip
    router = APIRouter(prefix="/v1/kpi", tags=["kpi"])

    def as_of_or_data_date(as_of: date | None) -> date:
        return window.check(as_of) or board.data_date(window.today())

    ward_scope = Depends(auth.ward_in_path(borough_of))
    borough_scope = Depends(auth.borough_in_path(boroughs))
    central = Depends(auth.require_roles(Role.CENTRAL, Role.SYSTEM))

    def figures(unit: Unit, kind: str, as_of: date | None) -> Response:
        current = period(kind, as_of_or_data_date(as_of))
        periods = dict.fromkeys(KPI_OF_GROUP, current)
        with folder.lock:
            state = folder.state
            if as_of is None:  # by default, each KPI to the latest date its data support
                periods = {g: latest_supported(state, unit, g, current) for g in KPI_OF_GROUP}
            missing = {g: why for g, p in periods.items()
                       if (why := availability(state, unit, g, p)) is not None}  # fmt: skip
            found = [figure(state, unit, g, periods[g], targets.for_group(g))
                     for g in KPI_OF_GROUP if g not in missing]  # fmt: skip
        if not found:
            raise ApiError(422, "not_available",
                           f"{label(current)}: {next(iter(missing.values()))}")  # fmt: skip
        return json_response({"level": unit.kind, "area_code": unit.code,
                              "borough_code": unit.borough,
                              "target_config_version": targets.version,
                              "figures": [judged_body(board, f) for f in found],
                              "not_available": [
                                  {"kpi": KPI_OF_GROUP[g], "kpi_group": g, "reason": why}
                                  for g, why in missing.items()]})  # fmt: skip

    def ward_unit(ward_code: str) -> Unit:
        borough = borough_of(ward_code)
        if borough is None:
            raise ApiError(404, "unknown_area", f"{ward_code} is not a London ward code")
        return Unit("ward", ward_code, borough)

    @router.get("/wards/{ward_code}", dependencies=[ward_scope])
    async def ward(
        ward_code: str, period: PeriodName = "fytd", as_of: IsoDate | None = None
    ) -> Any:
        """The ward's KPI 1, 4 and 5 figures for ``period`` ending ``as_of`` (default today)."""
        return figures(ward_unit(ward_code), period, as_of)

    @router.get("/boroughs/{borough_code}", dependencies=[borough_scope])
    async def borough(
        borough_code: str, period: PeriodName = "fytd", as_of: IsoDate | None = None
    ) -> Any:
        """The borough's figures: its wards plus its records with no ward."""
        return figures(Unit("borough", borough_code, borough_code), period, as_of)

    @router.get("/mps", dependencies=[central])
    async def mps(period: PeriodName = "fytd", as_of: IsoDate | None = None) -> Any:
        """The MPS figures: every borough (published borough totals excluded)."""
        return figures(MPS, period, as_of)

    @router.get("/wards/{ward_code}/categories", dependencies=[ward_scope])
    async def categories(ward_code: str, group: GroupName, period: PeriodName = "fytd",
                         as_of: IsoDate | None = None) -> Any:  # fmt: skip
        """Counts per offence category (drill-down) for the period."""
        unit, current = ward_unit(ward_code), _period(period, as_of_or_data_date(as_of))
        with folder.lock:
            why = availability(folder.state, unit, group, current)
        if why is not None:
            raise ApiError(422, "not_available", f"{label(current)}: {why}")
        first, last = day_index(current.first), day_index(current.last)
        counts = await asyncio.to_thread(store.categories, unit, group, first, last)
        return {"area_code": ward_code, "kpi_group": group, "period_start": current.first,
                "period_end": current.last,
                "categories": dict(sorted(counts.items(), key=lambda kv: -kv[1]))}  # fmt: skip

    @router.get("/wards/{ward_code}/series", dependencies=[ward_scope])
    def series(
        ward_code: str, group: GroupName,
        start: Annotated[IsoDate, Query(description="First month (any day in it)")],
        end: Annotated[IsoDate, Query(description="Last month (any day in it)")],
    ) -> Any:  # fmt: skip
        """Monthly counts from ``start``'s month to ``end``'s month."""
        unit = ward_unit(ward_code)
        window.check(start, "start"), window.check(end, "end")
        first, last = month_index(start), month_index(end)
        if last < first or last - first > 240:
            raise ApiError(422, "invalid_range",
                           "end must be on or after start, at most 20 years apart")  # fmt: skip
        with folder.lock:
            found = folder.state.series(unit, group)
            counts = found.by_month(first, last) if found else [0] * (last - first + 1)
        return {"area_code": ward_code, "kpi_group": group, "interval": "month",
                "points": [{"month": month_start(first + i).isoformat()[:7], "count": c}
                           for i, c in enumerate(counts)]}  # fmt: skip

    return router


def _period(kind: str, as_of: date) -> Any:
    if kind not in KINDS:
        raise ApiError(422, "invalid_request", f"unknown period {kind}")
    return period(kind, as_of)
