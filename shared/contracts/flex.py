"""Flex and abstraction figures and exceptions published by the flex service.

Durations are whole minutes: sums of integers are exact and order-independent, so a
figure always equals its batch recomputation (hours are minutes / 60 for display).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from shared.contracts.base import Contract
from shared.contracts.codes import BoroughCode, Day, Name, RecordId, Role, Text, WardCode
from shared.contracts.duty import ActivityKind
from shared.contracts.envelope import TYPE_DOC, VERSION_DOC, Envelope

Minutes = Annotated[int, Field(ge=0)]


class FlexUpdateV1(Contract):
    """Planned, flexed and abstracted time for one ward, role and day."""

    ward_code: WardCode = Field(description="The SN team's ward (the message key)")
    borough_code: BoroughCode = Field(description="Borough of the ward")
    date: Day = Field(description="Duty date (Europe/London)")
    role: Role = Field(description="PS, PC, PCSO or INSP")
    planned_minutes: Minutes = Field(description="Minutes of SN duty planned on the ward")
    flexed_out_minutes: Minutes = Field(description="Planned minutes worked on another ward")
    flexed_in_minutes: Minutes = Field(description="Minutes worked here by other wards' officers")
    abstracted_minutes: dict[ActivityKind, Minutes] = Field(
        default_factory=dict, description="Minutes abstracted from the ward, by activity"
    )
    officers_on_duty: int = Field(ge=0, description="Officers of this role on duty on the ward")


class FlexExceptionKind(StrEnum):
    """What rule a day's duties broke."""

    UNAUTHORISED_FLEX = "unauthorised_flex"
    LATE_AUTHORISATION = "late_authorisation"
    BELOW_MINIMUM_STAFFING = "below_minimum_staffing"
    ABSTRACTION_OVER_THRESHOLD = "abstraction_over_threshold"
    FLEXED_WHILE_BREACHING = "flexed_while_breaching"


class FlexExceptionV1(Contract):
    """A ward-day that broke a flex or staffing rule, with the duties behind it."""

    exception_id: RecordId = Field(description="Stable id: the same exception keeps its id")
    kind: FlexExceptionKind = Field(description="Which rule was broken")
    ward_code: WardCode = Field(description="The ward (the message key)")
    borough_code: BoroughCode = Field(description="Borough of the ward")
    date: Day = Field(description="Duty date (Europe/London)")
    duty_ids: tuple[RecordId, ...] = Field(default=(), description="CARM3 duties involved")
    detail: Text = Field(description="Plain-English explanation (no personal data)")
    figures: dict[Name, float] = Field(
        default_factory=dict, description="Numbers behind the exception, e.g. pcs_on_duty"
    )


class FlexUpdated(Envelope[FlexUpdateV1]):
    """flex.updated v1: a ward/role/day flex figure (topic snt.flex.updates.v1)."""

    event_type: Literal["flex.updated"] = Field(default="flex.updated", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)


class FlexExceptionRaised(Envelope[FlexExceptionV1]):
    """flex.exception v1: a flex or staffing exception (topic snt.flex.exceptions.v1)."""

    event_type: Literal["flex.exception"] = Field(default="flex.exception", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)
