"""The one error model of every service: ``{"reason": <code>, "detail": <why>}``.

``reason`` is a short, stable code a client can branch on; ``detail`` says what is wrong in
words (for a refused request body or parameter: one item per problem, with where it is).
Inputs are never quoted back in a validation error, so an error body cannot carry the
personal data a request held.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

REASONS: Final = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "oversized",
    415: "unsupported_media_type", 422: "invalid_request", 429: "too_many_requests",
    500: "internal_error", 502: "upstream_error", 503: "unavailable", 504: "upstream_timeout",
}  # fmt: skip
"""The ``reason`` of an answer that names none, by HTTP status."""


class Problem(BaseModel):
    """One problem with a request parameter or body."""

    loc: list[str | int] = Field(description='Where: e.g. ["query", "as_of"]')
    msg: str = Field(description="What is wrong")
    type: str = Field(description="The kind of problem, e.g. missing, string_pattern_mismatch")


class ErrorBody(BaseModel):
    """Every error answer of every service."""

    reason: str = Field(description="Why, as a stable code: e.g. not_found, unknown_area, "
                        "out_of_scope, date_out_of_range, invalid_request")  # fmt: skip
    detail: str | list[Problem] | list[dict[str, Any]] = Field(
        description="What is wrong, in words (a list of problems for a refused request)"
    )


class ApiError(HTTPException):
    """An HTTP error with its ``reason`` code (otherwise the status's, from REASONS)."""

    def __init__(
        self, status_code: int, reason: str, detail: str,
        headers: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(status_code, detail, headers)
        self.reason = reason


def reason_of(exc: StarletteHTTPException) -> str:
    found = getattr(exc, "reason", None)
    return found if isinstance(found, str) else REASONS.get(exc.status_code, "error")


def error_response(status: int, reason: str, detail: Any,
                   headers: dict[str, str] | None = None) -> JSONResponse:  # fmt: skip
    return JSONResponse({"reason": reason, "detail": detail}, status, headers=headers)


def add_error_handlers(app: FastAPI) -> None:
    """Answer every HTTP error and every refused parameter or body with an ErrorBody."""

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        headers = dict(exc.headers) if exc.headers else None
        return error_response(exc.status_code, reason_of(exc), exc.detail, headers)

    async def invalid(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(422, REASONS[422], problems(exc.errors()))

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)


FORWARDS_QUERY: Final = "x-forwards-query"
"""A route's ``openapi_extra`` key: its query is passed on to another API, which checks it."""


async def known_query(request: Request) -> None:
    """An app-wide dependency: a query parameter the route does not take is refused (422
    ``unknown_parameter``, named), never silently ignored."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or FORWARDS_QUERY in (getattr(route, "openapi_extra", None) or {}):
        return
    unknown = sorted(set(request.query_params) - _query_names(dependant))
    if unknown:
        named = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise ApiError(422, "unknown_parameter", f"unknown query parameter(s): {named}")


def _query_names(dependant: Any) -> set[str]:
    names = {field.alias for field in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def problems(errors: Any) -> list[dict[str, Any]]:
    """Pydantic's errors without the input (nor the context that can quote it)."""
    return [{"loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
             "msg": str(e.get("msg", "invalid")), "type": str(e.get("type", "value_error"))}
            for e in errors]  # fmt: skip
