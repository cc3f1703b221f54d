"""HTTP surface: POST one event or a batch per input type. Writes need the `system` role.

A single event answers 202 (accepted, parked, duplicate...) or 422 with every field problem;
a batch answers 200 listing each item as accepted or rejected with its reason. Rejected
inputs also go to the dead-letter topic. Bodies over the size limit get 413.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from services.ingest.pipeline import Outcome
from services.ingest.service import IngestService
from shared.auth import Authenticator, Role
from shared.contracts import default_registry

ROUTES = {
    "crime.recorded": "crimes/recorded",
    "crime.amended": "crimes/amended",
    "cad.incident": "cad/incidents",
    "duty.changed": "carm3/duty-changes",
    "survey.response": "surveys/responses",
    "survey.aggregate": "surveys/aggregates",
}
MAX_BATCH = 5000


def outcome_body(index: int | None, outcome: Outcome) -> dict[str, Any]:
    body: dict[str, Any] = {"status": outcome.status, "event_id": outcome.event_id,
                            "event_type": outcome.event_type}  # fmt: skip
    if index is not None:
        body = {"index": index, **body}
    if outcome.reason is not None:
        body["reason"] = outcome.reason.value
    if outcome.problems:
        body["problems"] = [p.model_dump() for p in outcome.problems]
    if outcome.published:
        body["published"] = list(outcome.published)
    if outcome.settled:  # amendments parked for this crime, applied or rejected now
        body["settled"] = [outcome_body(None, s) for s in outcome.settled]
    return body


def build_router(service: IngestService, auth: Authenticator) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["ingest"],
                       dependencies=[Depends(auth.require_roles(Role.SYSTEM))])  # fmt: skip
    for event_type, path in ROUTES.items():
        _add_routes(router, service, event_type, path)
    return router


def _schema(event_type: str) -> dict[str, Any]:
    return default_registry().current(event_type).model_json_schema(mode="validation")


def _add_routes(router: APIRouter, service: IngestService, event_type: str, path: str) -> None:
    single_doc = _body_doc(_schema(event_type))
    batch_doc = _body_doc({"type": "array", "maxItems": MAX_BATCH, "items": _schema(event_type)})

    async def single(request: Request) -> JSONResponse:
        raw = await request.body()
        if len(raw) > service.max_bytes:
            return _too_large(len(raw), service.max_bytes)
        [outcome] = await service.submit_raw([raw], surface="http", expected=event_type)
        status = 422 if outcome.status == "rejected" else 202
        return JSONResponse(outcome_body(None, outcome), status_code=status)

    async def batch(request: Request) -> JSONResponse:
        raw = await request.body()
        if len(raw) > service.max_bytes * 64:
            return _too_large(len(raw), service.max_bytes * 64)
        items = _items(raw)
        if isinstance(items, JSONResponse):
            return items
        outcomes = await service.submit_raw(items, surface="http", expected=event_type)
        return JSONResponse(_batch_body(outcomes))

    router.add_api_route(f"/{path}", single, methods=["POST"], status_code=202,
                         summary=f"Submit one {event_type} event",
                         openapi_extra=single_doc)  # fmt: skip
    router.add_api_route(f"/{path}/batch", batch, methods=["POST"],
                         summary=f"Submit a batch of {event_type} events",
                         openapi_extra=batch_doc)  # fmt: skip


def _body_doc(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _batch_body(outcomes: list[Outcome]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    return {"counts": counts, "items": [outcome_body(i, o) for i, o in enumerate(outcomes)]}


def _items(raw: bytes) -> list[str] | JSONResponse:
    try:
        data = json.loads(raw)
    except ValueError as exc:  # UnicodeDecodeError included
        return _bad("body", f"is not a JSON array of events: {exc}")
    except RecursionError:
        return _bad("body", "is not a JSON array of events here: it nests too deeply")
    if not isinstance(data, list):
        return _bad("body", "must be a JSON array of events")
    if len(data) > MAX_BATCH:
        return _bad("body", f"has {len(data)} events; at most {MAX_BATCH} per batch")
    return [json.dumps(item) for item in data]


def _bad(field: str, problem: str) -> JSONResponse:
    return JSONResponse({"detail": [{"field": field, "problem": problem}]}, status_code=400)


def _too_large(size: int, limit: int) -> JSONResponse:
    return JSONResponse(
        {"detail": [{"field": "body", "problem": f"is {size} bytes; the limit is {limit}"}],
         "reason": "oversized"}, status_code=413,
    )  # fmt: skip
