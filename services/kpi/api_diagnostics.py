"""Read API for the repeat diagnostics: repeat victims of crime, repeat ASB callers and
vulnerable callers over the rolling 12 months to a date, for a ward, a borough or the MPS.
Counts only (never a pseudonym); auth-scoped like the figures."""

from __future__ import annotations

from collections.abc import Callable, Container
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends

from services.kpi.board import Board
from services.kpi.domain.diagnostics import Answer, Rules, within
from services.kpi.domain.periods import period
from services.kpi.domain.state import MPS, Unit
from shared.api import ApiError, DateWindow, IsoDate
from shared.auth import Authenticator, Role


def build_diagnostics_router(board: Board, rules: Rules, auth: Authenticator,
                             borough_of: Callable[[str], str | None],
                             boroughs: Container[str],
                             window: DateWindow) -> APIRouter:  # fmt: skip
    router = APIRouter(prefix="/v1/kpi", tags=["kpi"])
    ward_scope = Depends(auth.ward_in_path(borough_of))
    borough_scope = Depends(auth.borough_in_path(boroughs))
    central = Depends(auth.require_roles(Role.CENTRAL, Role.SYSTEM))

    def body(scope: Unit, as_of: date | None) -> dict[str, Any]:
        months = period("rolling_12m", window.check(as_of) or board.data_date(window.today()))
        victims = within(board.diagnostics("victim", months), scope)
        callers = within(board.diagnostics("caller", months), scope)
        return {
            "level": scope.kind, "area_code": scope.code, "borough_code": scope.borough,
            "period": months.kind, "period_start": months.first, "period_end": months.last,
            "rules": {"owner": rules.owner, "repeat_victim_threshold": rules.repeat_victim,
                      "repeat_caller_threshold": rules.repeat_caller},
            "repeat_victims": _counts(victims, vulnerable=False),
            "repeat_callers": _counts(callers, vulnerable=True),
        }  # fmt: skip

    @router.get("/wards/{ward_code}/diagnostics", dependencies=[ward_scope])
    def ward_diagnostics(ward_code: str, as_of: IsoDate | None = None) -> Any:
        """Repeat victims and repeat / vulnerable ASB callers the ward owns over the rolling
        12 months to ``as_of`` (default: the data date). A person belongs to one ward, by the
        configured rule (``rules.owner``)."""
        borough = borough_of(ward_code)
        if borough is None:
            raise ApiError(404, "unknown_area", f"{ward_code} is not a London ward code")
        return body(Unit("ward", ward_code, borough), as_of)

    @router.get("/boroughs/{borough_code}/diagnostics", dependencies=[borough_scope])
    def borough_diagnostics(borough_code: str, as_of: IsoDate | None = None) -> Any:
        """The borough's repeat diagnostics: persons its wards and its records with no ward
        own (each person counted once)."""
        return body(Unit("borough", borough_code, borough_code), as_of)

    @router.get("/mps/diagnostics", dependencies=[central])
    def mps_diagnostics(as_of: IsoDate | None = None) -> Any:
        """The MPS's repeat diagnostics (each person counted once)."""
        return body(MPS, as_of)

    return router


def _counts(found: Answer, *, vulnerable: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "persons": found.persons, "repeat_persons": found.repeat_persons,
        "contacts": found.contacts, "repeat_contacts": found.repeat_contacts,
        "repeat_share": found.repeat_share,
    }  # fmt: skip
    if vulnerable:
        out |= {"vulnerable_persons": found.vulnerable_persons,
                "vulnerable_contacts": found.vulnerable_contacts,
                "vulnerable_repeat_persons": found.vulnerable_repeat_persons}  # fmt: skip
    return out
