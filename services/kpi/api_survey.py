"""Read API for the confidence and satisfaction KPIs (KPI 6, KPI 7) and the PAS diagnostics:
borough and MPS rolling 12 months by quarter, never a ward (survey samples are not valid at
ward level). Auth-scoped like the crime figures."""

from __future__ import annotations

from collections.abc import Callable, Container
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends

from services.kpi.domain.survey import MPS_AREA, quarter_ending_by
from services.kpi.domain.survey_figures import SurveyConfig, survey_figure
from services.kpi.fold import Folder
from services.kpi.survey_views import survey_body
from shared.api import ApiError, DateWindow, IsoDate
from shared.auth import Authenticator, Role

WARD_REFUSAL = (
    "survey figures are not available for a ward: survey samples are not valid at ward "
    "level; ask for the ward's borough (/v1/kpi/boroughs/{borough}/survey)"
)


def build_survey_router(folder: Folder, config: SurveyConfig, auth: Authenticator,
                        borough_of: Callable[[str], str | None], boroughs: Container[str],
                        window: DateWindow) -> APIRouter:  # fmt: skip
    router = APIRouter(prefix="/v1/kpi", tags=["survey"])
    ward_scope = Depends(auth.ward_in_path(borough_of))
    borough_scope = Depends(auth.borough_in_path(boroughs))
    central = Depends(auth.require_roles(Role.CENTRAL, Role.SYSTEM))

    def body(area: str, as_of: date | None, measure: str | None) -> dict[str, Any]:
        if measure is not None and config.measure(measure) is None:
            known = ", ".join(m.measure for m in config.measures)
            raise ApiError(404, "not_found", f"unknown survey measure {measure!r}; known: {known}")
        specs = [m for m in config.measures if measure in (None, m.measure)]
        with folder.lock:
            day = window.check(as_of) or folder.survey.data_date(window.today())
            quarter = quarter_ending_by(day)
            found = [survey_figure(folder.survey, config, m, area, quarter) for m in specs]
        return {"area_code": area, "level": "mps" if area == MPS_AREA else "borough",
                "quarter": quarter.label, "period_end": quarter.end,
                "figures": [survey_body(f, config) for f in found if f is not None]}  # fmt: skip

    @router.get("/boroughs/{borough_code}/survey", dependencies=[borough_scope])
    def borough_survey(borough_code: str, as_of: IsoDate | None = None,
                       measure: str | None = None) -> Any:  # fmt: skip
        """KPI 6, KPI 7 (with the white / minority-ethnic gap) and the PAS diagnostics for
        the rolling 12 months to the latest quarter end on or before ``as_of`` (default: the
        latest day any survey figure held covers): Wilson intervals, change on last year,
        the MPS and the peer group, the +1 point target and the smallest significant
        change."""
        return body(borough_code, as_of, measure)

    @router.get("/mps/survey", dependencies=[central])
    def mps_survey(as_of: IsoDate | None = None, measure: str | None = None) -> Any:
        """The MPS's survey figures."""
        return body(MPS_AREA, as_of, measure)

    @router.get("/wards/{ward_code}/survey", dependencies=[ward_scope], status_code=422)
    def ward_survey(ward_code: str) -> Any:
        """Refused: survey samples are not valid at ward level."""
        raise ApiError(422, "not_available", WARD_REFUSAL)

    return router
