"""HTTP surface: POST one event or a batch per input type. Writes need the `system` role.

A single event answers 202 (accepted, parked, duplicate...), 422 with every field problem,
or 409 when its id and version were received with other content; a batch answers 200
listing each item as accepted or rejected with its reason. A body that is not
``application/json`` is 415, one over the size limit 413, a batch body that is not a batch
400. Every refusal carries a ``reason``, is counted and dead-lettered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from services.ingest.pipeline import Outcome
from services.ingest.service import IngestService
from shared.auth import Authenticator, Role
from shared.contracts import FieldProblem, RejectReason, default_registry
from shared.contracts.errors import ParsePosition

ROUTES = {
    "crime.recorded": "crimes/recorded",
    "crime.amended": "crimes/amended",
    "cad.incident": "cad/incidents",
    "duty.changed": "carm3/duty-changes",
    "survey.response": "surveys/responses",
    "survey.aggregate": "surveys/aggregates",
}
MAX_BATCH = 5000
STATUS = {RejectReason.OVERSIZED: 413, RejectReason.UNSUPPORTED_MEDIA_TYPE: 415,
          RejectReason.CONFLICTING_DUPLICATE: 409}  # fmt: skip
"""The HTTP status of a refused single event by reason (otherwise 422)."""


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
        refused = _refused(request, raw, service.max_bytes)
        if refused is not None:
            return await _refuse(service, raw, refused)
        [outcome] = await service.submit_raw([raw], surface="http", expected=event_type)
        if outcome.status != "rejected":
            return JSONResponse(outcome_body(None, outcome), status_code=202)
        status = STATUS.get(outcome.reason, 422) if outcome.reason else 422
        return JSONResponse(_refused_body(outcome), status_code=status)

    async def batch(request: Request) -> JSONResponse:
        raw = await request.body()
        refused = _refused(request, raw, service.max_bytes * 64) or _not_a_batch(raw)
        if isinstance(refused, Refusal):
            return await _refuse(service, raw, refused)
        outcomes = await service.submit_raw(refused, surface="http", expected=event_type)
        return JSONResponse(_batch_body(outcomes))

    router.add_api_route(f"/{path}", single, methods=["POST"], status_code=202,
                         summary=f"Submit one {event_type} event",
                         openapi_extra=single_doc)  # fmt: skip
    router.add_api_route(f"/{path}/batch", batch, methods=["POST"],
                         summary=f"Submit a batch of {event_type} events",
                         openapi_extra=batch_doc)  # fmt: skip


def _refused_body(outcome: Outcome) -> dict[str, Any]:
    """A refused event's answer: its outcome in the error model (``reason``, ``detail``)."""
    body = outcome_body(None, outcome)
    body.setdefault("reason", RejectReason.OTHER.value)
    body["detail"] = body.get("problems") or f"the event was refused: {body['reason']}"
    return body


def _body_doc(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _batch_body(outcomes: list[Outcome]) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    return {"counts": counts, "items": [outcome_body(i, o) for i, o in enumerate(outcomes)]}


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a whole body is refused: the reason, the problem with the body, the HTTP status
    and, for a body that is not UTF-8 or not JSON, where it stopped being readable."""

    reason: RejectReason
    problem: str
    status: int
    at: ParsePosition | None = None


def _refused(request: Request, raw: bytes, limit: int) -> Refusal | None:
    """A body that is not declared JSON (415) or is over ``limit`` bytes (413)."""
    media, _, params = request.headers.get("content-type", "").partition(";")
    charset = params.strip().lower().removeprefix("charset=").strip('"')
    if media.strip().lower() != "application/json" or charset not in {"", "utf-8"}:
        return Refusal(RejectReason.UNSUPPORTED_MEDIA_TYPE,
                       "must be sent with Content-Type: application/json (UTF-8)", 415)  # fmt: skip
    if len(raw) > limit:
        return Refusal(RejectReason.OVERSIZED, f"is {len(raw)} bytes; the limit is {limit}", 413)
    return None


def _not_a_batch(raw: bytes) -> list[str] | Refusal:
    """The batch's items as JSON texts, or why the body is not a batch (400)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Refusal(RejectReason.BAD_ENCODING, f"is not valid UTF-8 (byte {exc.start})", 400,
                       ParsePosition.of(raw, exc.start))  # fmt: skip
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        at = ParsePosition.of(raw, len(text[: exc.pos].encode("utf-8", "surrogatepass")))
        return Refusal(RejectReason.INVALID_JSON, f"is not a JSON array of events: {exc}", 400, at)
    except RecursionError:
        return Refusal(RejectReason.INVALID_JSON,
                       "is not a JSON array of events: it nests too deeply", 400)  # fmt: skip
    if not isinstance(data, list):
        return Refusal(RejectReason.SCHEMA_VIOLATION, "must be a JSON array of events", 400)
    if len(data) > MAX_BATCH:
        problem = f"has {len(data)} events; at most {MAX_BATCH} per batch"
        return Refusal(RejectReason.OVERSIZED, problem, 400)
    return [json.dumps(item) for item in data]


async def _refuse(service: IngestService, raw: bytes, refusal: Refusal) -> JSONResponse:
    """Refuse the whole body: counted and dead-lettered; the answer names the reason."""
    found = FieldProblem(field="body", problem=refusal.problem)
    await service.refuse(raw, refusal.reason, found, surface="http", at=refusal.at)
    body = {"status": "rejected", "reason": refusal.reason.value, "detail": [found.model_dump()]}
    return JSONResponse(body, status_code=refusal.status)
