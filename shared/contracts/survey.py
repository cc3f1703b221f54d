"""Survey results: Public Attitude Survey (PAS) and victim User Satisfaction Survey (USS).

Both individual weighted responses and published aggregates are accepted.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, StrictBool, StrictFloat, StrictInt

from shared.contracts.base import PERSONAL_DATA, PSEUDONYM, Contract
from shared.contracts.codes import (
    BoroughCode,
    Day,
    EthnicityGroup,
    Name,
    Pseudonym,
    RawPersonalId,
    ShortText,
    SurveyAreaCode,
)
from shared.contracts.envelope import TYPE_DOC, VERSION_DOC, Envelope


class Survey(StrEnum):
    """Which survey."""

    PAS = "pas"
    USS = "uss"


class SurveyPeriod(StrEnum):
    """The period a published figure covers."""

    ROLLING_12M = "rolling_12m"
    QUARTER = "quarter"


class RespondentGroup(StrEnum):
    """Which respondents a published aggregate covers (USS reports white vs minority-ethnic)."""

    ALL = "all"
    WHITE = "white"
    MINORITY_ETHNIC = "minority_ethnic"


class _ResponseFields(Contract):
    """One weighted answer to one survey measure."""

    survey: Survey = Field(description="pas or uss")
    borough_code: BoroughCode = Field(
        description="Borough the respondent lives in or was a victim in"
    )
    interviewed_on: Day = Field(description="Date of the interview")
    measure: Name = Field(description="The measure answered, e.g. good_job or satisfied")
    positive: StrictBool = Field(description="The answer counts toward the measure's percentage")
    weight: StrictFloat = Field(gt=0, description="Survey weight of the response (> 0)")
    ethnicity_group: EthnicityGroup | None = Field(
        default=None, description="Respondent's self-defined ethnicity group, if recorded"
    )
    crime_group: ShortText | None = Field(
        default=None, description="USS crime group of the victim's crime, if any"
    )


class SurveyResponseV1(_ResponseFields):
    """A survey response as received, before pseudonymisation."""

    respondent_id: RawPersonalId | None = Field(
        default=None,
        description="Respondent identifier (personal data; ingest only)",
        json_schema_extra=PERSONAL_DATA,
    )


class SurveyRecordedV1(_ResponseFields):
    """A survey response, pseudonymised."""

    respondent_pseudonym: Pseudonym | None = Field(
        default=None,
        description="Keyed-hash pseudonym of the respondent",
        json_schema_extra=PSEUDONYM,
    )


class SurveyAggregateV1(Contract):
    """A published survey figure: a proportion over a period for a borough or the MPS."""

    survey: Survey = Field(description="pas or uss")
    area_code: SurveyAreaCode = Field(description="Borough (E09…) or MPS")
    measure: Name = Field(description="The measure, e.g. good_job or satisfied")
    respondent_group: RespondentGroup = Field(
        default=RespondentGroup.ALL,
        description="Respondents covered: all, white or minority_ethnic",
    )
    period_end: Day = Field(description="Last day of the period")
    period: SurveyPeriod = Field(description="rolling_12m or quarter")
    n: StrictInt | None = Field(
        default=None, ge=1, description="Number of respondents, if published"
    )
    proportion: StrictFloat = Field(
        ge=0, le=1, description="Proportion answering positively (0..1)"
    )


class SurveyResponse(Envelope[SurveyResponseV1]):
    """survey.response v1: a survey response as received (topic snt.raw.survey.v1)."""

    event_type: Literal["survey.response"] = Field(default="survey.response", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)


class SurveyRecorded(Envelope[SurveyRecordedV1]):
    """survey.recorded v1: a survey response, pseudonymised (topic snt.survey.v1)."""

    event_type: Literal["survey.recorded"] = Field(default="survey.recorded", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)


class SurveyAggregate(Envelope[SurveyAggregateV1]):
    """survey.aggregate v1: a published survey figure (snt.raw.survey.v1, snt.survey.v1)."""

    event_type: Literal["survey.aggregate"] = Field(
        default="survey.aggregate", description=TYPE_DOC
    )
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)
