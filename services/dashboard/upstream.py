"""The kpi, flex and alerts APIs as the dashboard and the pack read them: the caller's own
token goes with every call, so each service applies its own scope rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import httpx

SERVICES = ("kpi", "flex", "alerts")


class UpstreamError(RuntimeError):
    """A kpi, flex or alerts call failed; ``status`` is the HTTP status to pass on."""

    def __init__(self, service: str, status: int, detail: str, reason: str | None = None) -> None:
        super().__init__(f"{service} API: {status} {detail}")
        self.service = service
        self.status = status
        self.detail = detail
        self.reason = reason


class Source(Protocol):
    """Read access to the services' APIs on behalf of one caller."""

    async def get(self, service: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """The decoded JSON body of ``GET path`` on ``service``; UpstreamError otherwise."""
        ...


class Upstream:
    """One HTTP client for the three APIs (connection pooling across requests)."""

    def __init__(self, urls: Mapping[str, str], timeout_s: float,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:  # fmt: skip
        unknown = set(urls) - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown upstream services: {sorted(unknown)}")
        self.urls = {name: url.rstrip("/") for name, url in urls.items()}
        self.client = httpx.AsyncClient(timeout=timeout_s, transport=transport)

    def source(self, token: str) -> HttpSource:
        return HttpSource(self, token)

    async def request(self, service: str, method: str, path: str, token: str,
                      params: Mapping[str, Any] | None = None,
                      body: bytes | None = None) -> httpx.Response:  # fmt: skip
        base = self.urls.get(service)
        if base is None:
            raise UpstreamError(service, 404, f"no service {service!r}")
        headers = {"Authorization": f"Bearer {token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            return await self.client.request(method, f"{base}{path}", params=params,
                                             content=body, headers=headers)  # fmt: skip
        except httpx.HTTPError as exc:
            raise UpstreamError(service, 502, f"unreachable: {type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        await self.client.aclose()


class HttpSource:
    def __init__(self, upstream: Upstream, token: str) -> None:
        self._upstream = upstream
        self._token = token

    async def get(self, service: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = await self._upstream.request(service, "GET", path, self._token, params)
        if response.status_code != 200:
            raise UpstreamError(service, response.status_code, *_refusal(response))
        return response.json()


def _refusal(response: httpx.Response) -> tuple[str, str | None]:
    """The detail and reason of an upstream error answer (the error model's fields)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300], None
    if not isinstance(body, dict):
        return str(body)[:300], None
    detail, reason = body.get("detail"), body.get("reason")
    text = str(detail if detail is not None else body)[:300]
    return text, reason if isinstance(reason, str) else None
