"""HTTP surface of the dashboard: the page, the drill-down tree, a scoped pass-through to
the kpi, flex and alerts APIs (the caller's token goes with each call, so every service
applies its own scope), live updates (server-sent events), maps, charts and packs."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, StreamingResponse

from services.dashboard.areas import Directory
from services.dashboard.live import LiveHub
from services.dashboard.pack.attention import (
    DEFAULT_LIMIT,
    Figures,
    by_group,
    movement,
    ranked,
    reasons,
    strongest,
)
from services.dashboard.pack.basis import basis
from services.dashboard.pack.build import Area, build_pack, data_date
from services.dashboard.pack.charts import spc_chart, trajectory_chart
from services.dashboard.pack.map import WardMap
from services.dashboard.pack.meeting import MeetingError, build_meeting
from services.dashboard.pack.render import render_html, render_pdf, render_template
from services.dashboard.pack.status import GROUP_NAMES, figure_spc_class, trajectory_status
from services.dashboard.paths import PathRefusedError, passage, raw_tail
from services.dashboard.upstream import Upstream, UpstreamError
from shared.api import ApiError, DateWindow, IsoDate
from shared.api.errors import FORWARDS_QUERY, REASONS
from shared.auth import Authenticator, Principal, forbidden_as_403
from shared.auth.http import known_code
from shared.auth.scopes import BOROUGH_CODE, WARD_CODE

STATIC = Path(__file__).resolve().parent / "static"
Group = Literal["violence", "property", "asb"]
Format = Literal["html", "pdf"]
Period = Literal["fytd", "rolling_12m", "month", "rolling_28d", "week", "fortnight", "quarter"]


def build_router(upstream: Upstream, auth: Authenticator, directory: Directory,
                 ward_map: WardMap, hub: LiveHub, attention_limit: int = DEFAULT_LIMIT, *,
                 window: DateWindow) -> APIRouter:  # fmt: skip
    router = APIRouter()
    anyone = Depends(auth.principal)

    def dated(as_of: date | None) -> dict[str, str]:
        """The ``as_of`` parameter to send upstream, checked against the dates answered for."""
        day = window.check(as_of)
        return {"as_of": day.isoformat()} if day else {}

    def token(request: Request) -> str:
        return request.headers["Authorization"].split(None, 1)[1]

    @router.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @router.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        found = STATIC / name
        if "/" in name or not found.is_file():
            raise HTTPException(404, f"no file {name}")
        return FileResponse(found)

    @router.get("/api/me", tags=["dashboard"])
    def me(principal: Principal = anyone) -> Any:
        """Who is signed in, and the MPS → borough → cluster → ward tree they may see."""
        return {"name": principal.name, "role": principal.role.value,
                "scope_boroughs": sorted(principal.boroughs),
                "scope_wards": sorted(principal.wards),
                **directory.visible(principal)}  # fmt: skip

    @router.get(
        "/api/{service}/{path:path}",
        tags=["dashboard"],
        operation_id="passthrough_get",
        openapi_extra={FORWARDS_QUERY: True},
    )
    @router.post("/api/{service}/{path:path}", tags=["dashboard"],
                 operation_id="passthrough_post", openapi_extra={FORWARDS_QUERY: True})  # fmt: skip
    async def passthrough(service: Literal["kpi", "flex", "alerts"], path: str,
                          request: Request, principal: Principal = anyone) -> Response:  # fmt: skip
        """The kpi, flex or alerts API, called with your own token (reads; and acknowledging
        and silencing alerts). The path is decoded and normalised before it is matched: 400
        for an encoded separator, a backslash or a control character, 404 outside the
        service's `v1` API."""
        raw = raw_tail(request.scope.get("raw_path", b"").decode("latin-1"), path)
        try:
            opened = passage(service, raw, request.method)
        except PathRefusedError as exc:
            raise HTTPException(exc.status, exc.reason) from exc
        body = await request.body() if request.method == "POST" else None
        try:
            found = await upstream.request(service, request.method, opened.path, token(request),
                                           dict(request.query_params), body)  # fmt: skip
        except UpstreamError as exc:
            reason = exc.reason or REASONS.get(exc.status, "upstream_error")
            raise ApiError(exc.status, reason, exc.detail) from exc
        return Response(found.content, found.status_code,
                        media_type=found.headers.get("content-type"))  # fmt: skip

    @router.get("/live", tags=["dashboard"])
    async def live(principal: Principal = anyone) -> StreamingResponse:
        """Server-sent events: KPI updates, alerts and flex exceptions in your scope as they
        happen (`kpi`, `alert`, `flex`; `resync` when the page should reload)."""
        subscriber = hub.subscribe(principal)
        return StreamingResponse(hub.stream(subscriber), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store",
                                          "X-Accel-Buffering": "no"})  # fmt: skip

    @router.get("/summary/mps", tags=["dashboard"])
    async def mps_summary(request: Request, period: Period = "fytd", as_of: IsoDate | None = None,
                          principal: Principal = anyone) -> Any:  # fmt: skip
        """Every borough's crime KPIs with their status in words (central users). The MPS's
        own movement is said once (``movement``); ``attention`` lists the boroughs that differ
        significantly from it, most significant first, at most the configured number, with
        how many more."""
        if not principal.can_see_mps():
            raise HTTPException(403, "out of scope: the MPS view is for central users")
        source = upstream.source(token(request))
        params = {"period": period, **dated(as_of)}
        codes = sorted(directory.boroughs, key=lambda c: directory.boroughs[c])
        mps, *bodies = await _fetch(asyncio.gather(
            source.get("kpi", "/v1/kpi/mps", params),
            *(source.get("kpi", f"/v1/kpi/boroughs/{c}", params) for c in codes)))  # fmt: skip
        london = by_group(mps["figures"])
        rows = [_row(c, directory.boroughs[c], b, london)
                for c, b in zip(codes, bodies, strict=True)]  # fmt: skip
        return {"period": period, "mps": _row("MPS", "Metropolitan Police Service", mps),
                "basis": basis(mps["figures"]),
                "movement": movement(london, "London-wide"),
                "attention": ranked(rows, attention_limit),
                "areas": _attention_first(rows)}  # fmt: skip

    @router.get("/summary/boroughs/{borough_code}", tags=["dashboard"])
    async def borough_summary(borough_code: str, request: Request, period: Period = "fytd",
                              as_of: IsoDate | None = None,
                              principal: Principal = anyone) -> Any:  # fmt: skip
        """The borough's wards (those in your scope) with their crime KPIs and status in
        words, the wards needing attention first; the borough row when you may see it. The
        borough's own movement is said once (``movement``); ``attention`` lists the wards
        that differ from the MPS trend (or are off trajectory where the borough is not),
        most significant first, at most the configured number, with how many more."""
        wards = _wards_in_scope(directory, principal, borough_code)
        source = upstream.source(token(request))
        params = {"period": period, **dated(as_of)}
        whole = principal.can_see_borough(borough_code)
        calls = [source.get("kpi", f"/v1/kpi/wards/{w.code}", params) for w in wards]
        if whole:
            calls.append(source.get("kpi", f"/v1/kpi/boroughs/{borough_code}", params))
        bodies = await _fetch(asyncio.gather(*calls))
        name = directory.boroughs[borough_code]
        borough = by_group(bodies[-1]["figures"]) if whole else None
        rows = [_row(w.code, w.name, b, borough) for w, b in zip(wards, bodies, strict=False)]
        return {"period": period, "code": borough_code, "name": name,
                "borough": _row(borough_code, name, bodies[-1]) if whole else None,
                "basis": basis(bodies[-1]["figures"]),
                "movement": movement(borough, name) if borough else [],
                "attention": ranked(rows, attention_limit),
                "areas": _attention_first(rows)}  # fmt: skip

    @router.get("/summary/wards/{ward_code}", tags=["dashboard"])
    async def ward_summary(ward_code: str, request: Request, as_of: IsoDate | None = None,
                           principal: Principal = anyone) -> Any:  # fmt: skip
        """The ward's crime KPIs, FYTD and rolling 12 months, with status in words."""
        found = directory.wards.get(ward_code)
        if found is None:
            raise ApiError(404, "unknown_area", f"{ward_code} is not an MPS ward")
        with forbidden_as_403():
            principal.require_ward(ward_code, found.borough_code)
        source = upstream.source(token(request))
        fytd, rolling = await _fetch(asyncio.gather(*(
            source.get("kpi", f"/v1/kpi/wards/{ward_code}", {"period": p, **dated(as_of)})
            for p in ("fytd", "rolling_12m"))))  # fmt: skip
        return {"code": ward_code, "name": found.name, "borough_code": found.borough_code,
                "borough_name": directory.boroughs[found.borough_code],
                "basis": {"fytd": basis(fytd["figures"]),
                          "rolling_12m": basis(rolling["figures"])},
                "fytd": _row(ward_code, found.name, fytd),
                "rolling_12m": _row(ward_code, found.name, rolling)}  # fmt: skip

    @router.get("/basis/mps", tags=["dashboard"])
    async def mps_basis(request: Request, period: Period = "fytd", as_of: IsoDate | None = None,
                        principal: Principal = anyone) -> Any:  # fmt: skip
        """What the MPS's figures cover and rest on, in words: the period, and per KPI group
        the source (monthly published counts, event-level records, simulated records, or
        no data of the group loaded)."""
        source = upstream.source(token(request))
        body = await _fetch(source.get("kpi", "/v1/kpi/mps", {"period": period,
                                                                **dated(as_of)}))  # fmt: skip
        return basis(body["figures"])

    @router.get("/basis/boroughs/{borough_code}", tags=["dashboard"])
    async def borough_basis(borough_code: str, request: Request, period: Period = "fytd",
                            as_of: IsoDate | None = None,
                            principal: Principal = anyone) -> Any:  # fmt: skip
        """What the borough's figures cover and rest on, in words (as ``/basis/mps``)."""
        _require_code("boroughs", borough_code)
        source = upstream.source(token(request))
        params = {"period": period, **dated(as_of)}
        body = await _fetch(source.get("kpi", f"/v1/kpi/boroughs/{borough_code}", params))
        return basis(body["figures"])

    @router.get("/maps/boroughs/{borough_code}.svg", tags=["dashboard"])
    async def borough_map(borough_code: str, request: Request, group: Group = "violence",
                          period: Literal["fytd", "rolling_12m"] = "fytd",
                          as_of: IsoDate | None = None,
                          principal: Principal = anyone) -> Response:  # fmt: skip
        """The borough's wards coloured and marked by the KPI's status."""
        wards = _wards_in_scope(directory, principal, borough_code)
        source = upstream.source(token(request))
        params = {"period": period, **dated(as_of)}
        bodies = await _fetch(asyncio.gather(*(
            source.get("kpi", f"/v1/kpi/wards/{w.code}", params) for w in wards)))  # fmt: skip
        statuses = {w.code: trajectory_status(_group(b, group)) for w, b in
                    zip(wards, bodies, strict=True)}  # fmt: skip
        names = {w.code: w.name for w in wards}
        title = f"{directory.boroughs[borough_code]}: {GROUP_NAMES[group]}, {period} status"
        return _svg(ward_map.borough_svg(borough_code, title, statuses, names))

    @router.get("/maps/mps.svg", tags=["dashboard"])
    async def mps_map(request: Request, group: Group = "violence",
                      period: Literal["fytd", "rolling_12m"] = "fytd",
                      as_of: IsoDate | None = None,
                          principal: Principal = anyone) -> Response:  # fmt: skip
        """Every borough coloured and marked by the KPI's status (central users)."""
        if not principal.can_see_mps():
            raise HTTPException(403, "out of scope: the MPS map is for central users")
        source = upstream.source(token(request))
        params = {"period": period, **dated(as_of)}
        codes = sorted(directory.boroughs)
        bodies = await _fetch(asyncio.gather(*(
            source.get("kpi", f"/v1/kpi/boroughs/{c}", params) for c in codes)))  # fmt: skip
        statuses = {c: trajectory_status(_group(b, group)) for c, b in
                    zip(codes, bodies, strict=True)}  # fmt: skip
        return _svg(ward_map.mps_svg(f"MPS: {GROUP_NAMES[group]}, {period} status by borough",
                                     statuses, directory.boroughs))  # fmt: skip

    @router.get("/charts/{level}/{code}/{kind}.svg", tags=["dashboard"])
    async def chart(level: Literal["wards", "boroughs"], code: str,
                    kind: Literal["trajectory", "spc"], request: Request,
                    group: Group = "violence", as_of: IsoDate | None = None,
                    principal: Principal = anyone) -> Response:  # fmt: skip
        """A ward's or borough's trajectory chart (cumulative FYTD against last year and the
        target) or its monthly XmR chart."""
        _require_area(directory, principal, level, code)
        source = upstream.source(token(request))
        figures = await _fetch(source.get("kpi", f"/v1/kpi/{level}/{code}", dated(as_of)))
        end = date.fromisoformat(_group(figures, group)["period_end"])
        params = {"group": group, "interval": "month", "as_of": end.isoformat()}
        spc = await _fetch(source.get("kpi", f"/v1/kpi/{level}/{code}/spc", params))
        name = (directory.wards[code].name if level == "wards" and code in directory.wards
                else directory.boroughs.get(code, code))  # fmt: skip
        label = f"{name} {GROUP_NAMES[group]}"
        if kind == "spc":
            return _svg(spc_chart(spc, label))
        ratio = _group(figures, group).get("target_ratio")
        return _svg(trajectory_chart(spc, end, ratio, label))

    @router.get("/packs/boroughs/{borough_code}", tags=["dashboard"])
    async def borough_pack(borough_code: str, request: Request, as_of: IsoDate | None = None,
                           format: Format = "html",
                           principal: Principal = anyone) -> Response:  # fmt: skip
        """The Borough SN Performance Pack as HTML or PDF."""
        _require_area(directory, principal, "boroughs", borough_code)
        wards = [Area(w.code, w.name) for w in directory.wards_of(borough_code)]
        area = Area(borough_code, directory.boroughs[borough_code])
        source = upstream.source(token(request))
        day = window.check(as_of) or await _data_date(source, f"/v1/kpi/boroughs/{borough_code}")
        made = await _fetch(build_pack(source, area, wards, day, datetime.now(UTC)))
        html = await asyncio.to_thread(render_html, made, ward_map)
        name = f"sn-pack-{borough_code}-{made.as_of.isoformat()}"
        return await _document(html, format, name)

    @router.get("/packs/meetings/{meeting}", tags=["dashboard"])
    async def meeting_pack(meeting: str, request: Request, borough: str | None = None,
                           cluster: str | None = None, as_of: IsoDate | None = None,
                           format: Format = "html",
                           principal: Principal = anyone) -> Response:  # fmt: skip
        """A meeting pack: with ``borough`` a borough meeting (``cluster`` narrows the weekly
        cluster meeting to one cluster's wards), without it a corporate one."""
        if borough is not None:
            _require_area(directory, principal, "boroughs", borough)
        names = directory.names()
        scope = None if borough is None else (borough, directory.boroughs.get(borough, borough))
        wards = None
        if cluster is not None:
            if directory.clusters is None:
                raise HTTPException(404, "no clusters are configured")
            found = [c for c in directory.clusters.clusters if c.id == cluster]
            if not found:
                raise HTTPException(404, f"no cluster {cluster!r}")
            if found[0].borough_code != borough:
                raise HTTPException(422, f"cluster {cluster} is not a cluster of {borough}")
            wards = frozenset(found[0].ward_codes)
        source = upstream.source(token(request))
        day = window.check(as_of) or await _data_date(
            source, "/v1/kpi/mps" if borough is None else f"/v1/kpi/boroughs/{borough}"
        )
        try:
            made = await _fetch(build_meeting(source, meeting, scope, day, datetime.now(UTC),
                                              names, wards))  # fmt: skip
        except MeetingError as exc:
            raise HTTPException(404, str(exc)) from exc
        html = render_template("meeting.html", pack=made)
        return await _document(html, format, f"meeting-{meeting}-{made.scope_code}")

    return router


def _require_code(level: str, code: str) -> None:
    """A ward (E05…) or borough (E09…) code, checked before it goes into an upstream URL."""
    pattern, kind = (WARD_CODE, "ward") if level == "wards" else (BOROUGH_CODE, "borough")
    known_code(code, pattern, kind)


def _require_area(directory: Directory, principal: Principal, level: str, code: str) -> None:
    """Before any upstream call: a well-formed code (422), of an MPS ward or borough (404),
    in the caller's scope (403)."""
    _require_code(level, code)
    if level == "wards":
        found = directory.wards.get(code)
        if found is None:
            raise ApiError(404, "unknown_area", f"{code} is not an MPS ward")
        with forbidden_as_403():
            principal.require_ward(code, found.borough_code)
        return
    if code not in directory.boroughs:
        raise ApiError(404, "unknown_area", f"{code} is not an MPS borough")
    with forbidden_as_403():
        principal.require_borough(code)


def _wards_in_scope(directory: Directory, principal: Principal, borough_code: str) -> list[Any]:
    """The borough's wards the caller may see: 404 for no MPS borough, 403 for none."""
    _require_code("boroughs", borough_code)
    if borough_code not in directory.boroughs:
        raise ApiError(404, "unknown_area", f"{borough_code!r} is not an MPS borough")
    wards = directory.wards_in_scope(principal, borough_code)
    if not wards:
        raise ApiError(
            403, "out_of_scope", f"out of scope: no ward of {borough_code} in your scope"
        )
    return wards


async def _fetch(call: Any) -> Any:
    try:
        return await call
    except UpstreamError as exc:
        status = exc.status if exc.status in (403, 404, 422) else 502
        reason = exc.reason if status == exc.status and exc.reason else REASONS[status]
        raise ApiError(status, reason, f"{exc.service} API: {exc.detail}") from exc


async def _data_date(source: Any, path: str) -> date:
    return await _fetch(data_date(source, path))  # type: ignore[no-any-return]


def _row(code: str, name: str, body: dict[str, Any],
         parent: Figures | None = None) -> dict[str, Any]:  # fmt: skip
    """One area's figures with the status and SPC class of each, in words, and why it needs
    attention beyond ``parent``'s (its scope's) own movement."""
    cells = {}
    for f in body["figures"]:
        status, spc = trajectory_status(f), figure_spc_class(f)
        cells[f["kpi_group"]] = {"figure": f, "status": asdict(status), "spc": asdict(spc)}
    found = reasons(by_group(body["figures"]), parent)
    return {"code": code, "name": name, "cells": cells,
            "attention": [r.text for r in found], "attention_q": strongest(found)}  # fmt: skip


def _attention_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: (not r["attention"], r["attention_q"] or 0.0, r["name"]))


def _group(body: dict[str, Any], group: str) -> dict[str, Any]:
    return next(f for f in body["figures"] if f["kpi_group"] == group)


def _svg(markup: str) -> Response:
    return Response(markup, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


async def _document(html: str, fmt: str, name: str) -> Response:
    if fmt == "pdf":
        pdf = await asyncio.to_thread(render_pdf, html)
        disposition = f'attachment; filename="{name}.pdf"'
        return Response(
            pdf, media_type="application/pdf", headers={"Content-Disposition": disposition}
        )
    return HTMLResponse(html)
