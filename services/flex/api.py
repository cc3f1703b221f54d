"""Read API of the flex service: a ward's day, the monthly SNT abstraction report (JSON, CSV,
HTML), exceptions and KPI 9. Auth-scoped: a borough lead sees their boroughs and wards,
central everything (the MPS endpoints need it)."""

from __future__ import annotations

import calendar
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from services.flex.domain.exceptions import Rules, ward_day_exceptions, ward_month_exceptions
from services.flex.domain.ledger import ROLES
from services.flex.domain.periods import fytd_start
from services.flex.domain.report import (
    KPI9_DEFINITION,
    KPI9_MEASURE,
    Kpi9,
    Report,
    Row,
    WardInfo,
    kpi9,
    monthly_report,
)
from services.flex.fold import Folder
from services.flex.publisher import Area
from services.flex.render import to_csv, to_html
from shared.api import ApiError, DateWindow, IsoDate, IsoMonth
from shared.auth import Authenticator, Role

Month = Annotated[
    IsoMonth | None,
    Query(description="YYYY-MM; default: the data's last month (the latest holding a duty)"),
]
Format = Literal["json", "csv", "html"]


def build_router(
    folder: Folder, area: Area, rules: Rules, auth: Authenticator,
    borough_names: dict[str, str], window: DateWindow,
) -> APIRouter:  # fmt: skip
    router = APIRouter(prefix="/v1/flex", tags=["flex"])

    def borough_of(ward: str) -> str | None:
        info = area.wards.get(ward)
        return info.borough if info else None

    ward_scope = Depends(auth.ward_in_path(borough_of))
    borough_scope = Depends(auth.borough_in_path(borough_names))
    central = Depends(auth.require_roles(Role.CENTRAL, Role.SYSTEM))

    def ward(code: str) -> WardInfo:
        info = area.wards.get(code)
        if info is None:
            raise ApiError(404, "unknown_area", f"{code} is not a London ward code")
        return info

    @router.get("/wards/{ward_code}", dependencies=[ward_scope])
    def ward_day(ward_code: str, day: IsoDate) -> Any:
        """The ward's day: per role the planned, on-ward, flexed and abstracted minutes,
        officers on duty, those available for the staffing model (on duty on the ward; None
        when no roster of the role is held that month), and the exceptions."""
        info = ward(ward_code)
        window.check(day, "day")
        with folder.lock:
            ledger = folder.ledger
            roles = []
            for role in ROLES:
                cell, team = ledger.cell(ward_code, role, day), ledger.team(ward_code, role, day)
                roles.append({
                    "role": role, "planned_minutes": cell.planned,
                    "on_ward_minutes": cell.on_ward, "flexed_out_minutes": cell.flexed_out,
                    "flexed_out_unauthorised_minutes": cell.flexed_out_unauthorised,
                    "flexed_in_minutes": cell.flexed_in,
                    "abstracted_minutes": dict(+cell.abstracted),
                    "absent_minutes": dict(+cell.absent),
                    "officers_on_duty": cell.officers_on_duty, "team": team,
                    "available": ledger.available(ward_code, role, day),
                    "minimum": info.model.get(role, 0),
                })  # fmt: skip
            found = [_exception(e) for e in ward_day_exceptions(ledger, ward_code, day, info.model)]
        return {"ward_code": ward_code, "borough_code": info.borough, "date": day,
                "roles": roles, "exceptions": found}  # fmt: skip

    def data_date() -> date:
        """The flex data's clock: the latest day holding a duty, never after today."""
        with folder.lock:
            return folder.ledger.data_date(window.today())

    def data_month(month: str | None) -> str:
        return month or f"{data_date():%Y-%m}"

    def report(scope: str, month: str, fmt: Format) -> Any:
        year, number = window.month(month)
        with folder.lock:
            found = monthly_report(folder.ledger, area.wards.values(), scope, year, number,
                                   lambda b: borough_names.get(b, b))  # fmt: skip
        title = "MPS" if scope == "MPS" else borough_names.get(scope, scope)
        if fmt == "csv":
            name = f"snt-abstraction-{scope}-{month}.csv"
            disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
            return Response(to_csv(found), media_type="text/csv", headers=disposition)
        if fmt == "html":
            return Response(to_html(found, title), media_type="text/html")
        return _report_body(found, title)

    @router.get("/boroughs/{borough_code}/report", dependencies=[borough_scope])
    def borough_report(borough_code: str, month: Month = None, format: Format = "json") -> Any:
        """The monthly SNT abstraction report of the borough: a row per ward and a total;
        ``month`` by default the data's last month (the latest holding a duty)."""
        return report(borough_code, data_month(month), format)

    @router.get("/mps/report", dependencies=[central])
    def mps_report(month: Month = None, format: Format = "json") -> Any:
        """The MPS's monthly SNT abstraction report: a row per borough and a total; ``month``
        by default the data's last month (the latest holding a duty)."""
        return report("MPS", data_month(month), format)

    @router.get("/boroughs/{borough_code}/exceptions", dependencies=[borough_scope])
    def borough_exceptions(borough_code: str, month: Month = None) -> Any:
        """Every exception of the borough's wards in the month (by default the data's last),
        each with its duties."""
        month = data_month(month)
        year, number = window.month(month)
        days = [date(year, number, d) for d in range(1, calendar.monthrange(year, number)[1] + 1)]
        found = []
        with folder.lock:
            ledger = folder.ledger
            for info in sorted(area.wards.values(), key=lambda w: w.code):
                if info.borough != borough_code:
                    continue
                for day in days:
                    found += [_exception(e) for e in
                              ward_day_exceptions(ledger, info.code, day, info.model)]  # fmt: skip
                breaching = folder.breaching(info.code)
                monthly = ward_month_exceptions(ledger, info.code, year, number, rules, breaching)
                found += [_exception(e) for e in monthly]
        return {"borough_code": borough_code, "month": month, "rules_version": rules.version,
                "exceptions": found}  # fmt: skip

    def kpi9_body(wards: list[WardInfo], scope: str, as_of: date | None) -> Any:
        end = window.check(as_of) or data_date()
        month_first = end.replace(day=1)
        with folder.lock:
            month = kpi9(folder.ledger, wards, month_first, end)
            year = kpi9(folder.ledger, wards, fytd_start(end), end)
        return {"area_code": scope, "kpi": 9, "measure": KPI9_MEASURE,
                "definition": KPI9_DEFINITION,
                "target": "baseline (no target): this year against last year",
                "periods": [_kpi9(month, "month"), _kpi9(year, "fytd")]}  # fmt: skip

    @router.get("/wards/{ward_code}/kpi9", dependencies=[ward_scope])
    def ward_kpi9(ward_code: str, as_of: IsoDate | None = None) -> Any:
        """KPI 9: authorised ward flex as a share of planned SN hours, month and financial
        year to date, against the same period last year; as of the flex data's last day
        (the latest holding a duty, never after today) unless ``as_of`` says."""
        return kpi9_body([ward(ward_code)], ward_code, as_of)

    @router.get("/boroughs/{borough_code}/kpi9", dependencies=[borough_scope])
    def borough_kpi9(borough_code: str, as_of: IsoDate | None = None) -> Any:
        """KPI 9 of the borough's wards together."""
        wards = [w for w in area.wards.values() if w.borough == borough_code]
        return kpi9_body(wards, borough_code, as_of)

    @router.get("/mps/kpi9", dependencies=[central])
    def mps_kpi9(as_of: IsoDate | None = None) -> Any:
        """KPI 9 of every ward together."""
        return kpi9_body(list(area.wards.values()), "MPS", as_of)

    return router


def _report_body(report: Report, title: str) -> dict[str, Any]:
    def row(r: Row) -> dict[str, Any]:
        return {**asdict(r), "abstracted_total": r.abstracted_total,
                "abstraction_share": r.abstraction_share, "flex_share": r.flex_share,
                "flexed_out_authorised": r.flexed_out_authorised,
                "authorised_flex_share": r.authorised_flex_share}  # fmt: skip

    return {"scope": report.scope, "title": title, "month": f"{report.year:04d}-{report.month:02d}",
            "unit": "minutes", "rows": [row(r) for r in report.rows],
            "total": row(report.total)}  # fmt: skip


def _exception(e: Any) -> dict[str, Any]:
    return {"exception_id": e.exception_id, "kind": e.kind, "ward_code": e.ward,
            "date": e.day, "duty_ids": list(e.duty_ids), "detail": e.detail,
            "figures": e.figures}  # fmt: skip


def _kpi9(found: Kpi9, kind: str) -> dict[str, Any]:
    now, then = found.now, found.last_year
    return {
        "period": kind, "period_start": found.first, "period_end": found.last,
        "authorised_flex_minutes": now.authorised_flex, "planned_minutes": now.planned,
        "share": found.share, "last_year_share": found.last_year_share,
        "change_points": found.change_points,
        "last_year_authorised_flex_minutes": then.authorised_flex,
        "last_year_planned_minutes": then.planned,
        "unauthorised_flex_minutes": now.flexed_out_unauthorised,
        "abstracted_minutes": now.abstracted,
    }  # fmt: skip
