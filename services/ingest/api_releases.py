"""HTTP surface of releases of published monthly files: list them (the held ones waiting for
an analyst), accept a held release (its figures are applied now) or reject it (its cells are
dropped; the figures stay). MPS-wide roles only (central, system): a release spans London.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from services.ingest.releases import NotHeldError, ReleaseDesk, UnknownReleaseError, describe
from services.ingest.service import IngestService
from shared.auth import Authenticator, Principal, Role


class Decision(BaseModel):
    note: str | None = Field(default=None, max_length=500, description="Why, for the record")


def build_release_router(service: IngestService, desk: ReleaseDesk,
                         auth: Authenticator) -> APIRouter:  # fmt: skip
    router = APIRouter(prefix="/v1/releases", tags=["releases"])
    analyst = Depends(auth.require_roles(Role.CENTRAL, Role.SYSTEM))

    @router.get("", dependencies=[analyst])
    def releases(status: Literal["held", "applied", "rejected"] | None = None) -> Any:
        """Releases of published monthly files, oldest window first (``status=held``: the
        ones waiting for an analyst, with the findings that held them)."""
        found = desk.releases()
        return {"releases": [describe(r) for r in found if status in (None, r.status)]}

    @router.post("/{release_id}/accept")
    async def accept(release_id: str, body: Decision, principal: Principal = analyst) -> Any:
        """Apply a held release: its cells revise and retract the figures of the months it
        governs, as if it had been plausible."""
        summary = await _decide(service, lambda: desk.accept(release_id, principal.name,
                                                             body.note))  # fmt: skip
        return summary.as_dict()

    @router.post("/{release_id}/reject")
    async def reject(release_id: str, body: Decision, principal: Principal = analyst) -> Any:
        """Drop a held release's cells; the figures stay as they were."""
        record = await _decide(service, lambda: desk.reject(release_id, principal.name,
                                                            body.note))  # fmt: skip
        return describe(record)

    return router


async def _decide(service: IngestService, work: Any) -> Any:
    try:
        return await service.exclusive(work)
    except UnknownReleaseError as exc:
        raise HTTPException(404, str(exc)) from exc
    except NotHeldError as exc:
        raise HTTPException(409, str(exc)) from exc
