"""Alerts published by the alerts service: exceptions to act on, and ones to recognise."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Self

from pydantic import Field, model_validator

from shared.contracts.base import Contract, check_rules
from shared.contracts.codes import (
    AreaCode,
    BoroughCode,
    Level,
    Name,
    RecordId,
    ShortText,
    Text,
    Version,
)
from shared.contracts.envelope import TYPE_DOC, VERSION_DOC, Envelope
from shared.contracts.kpi import KpiNumber
from shared.contracts.location import area_problems
from shared.contracts.refs import EventRef


class Severity(StrEnum):
    """How urgently an alert needs attention."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class AlertState(StrEnum):
    """Where an alert is in its life."""

    FIRING = "firing"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class AlertV1(Contract):
    """The current state of one alert about one area."""

    alert_id: RecordId = Field(description="Stable id: every state of the same alert shares it")
    rule_id: Name = Field(description="The rule that raised it, e.g. trajectory_breach")
    rule_version: Version = Field(description="Version of the rule's configuration")
    severity: Severity = Field(description="info, warning or critical")
    state: AlertState = Field(description="firing, acknowledged or resolved")
    recognition: bool = Field(
        default=False, description="A positive exception to recognise rather than a concern"
    )
    level: Level = Field(description="ward, borough or mps")
    area_code: AreaCode = Field(description="Ward, borough or MPS (the message key)")
    borough_code: BoroughCode | None = Field(
        default=None, description="Borough of a ward alert (routes it to the borough lead)"
    )
    kpi: KpiNumber | None = Field(default=None, description="KPI concerned, if any")
    title: ShortText = Field(description="One-line title (no personal data)")
    summary: Text = Field(description="Plain-English explanation (no personal data)")
    figures: dict[Name, float] = Field(
        default_factory=dict,
        description="Numbers behind the alert, e.g. value, trajectory, p_value",
    )
    fired_by: tuple[EventRef, ...] = Field(
        default=(), description="Events that caused it (topic, partition, offset, event id)"
    )

    @model_validator(mode="after")
    def _area(self) -> Self:
        check_rules(area_problems(self.level, self.area_code, self.borough_code))
        return self


class AlertUpdated(Envelope[AlertV1]):
    """alert.updated v1: an alert fired, acknowledged or resolved (topic snt.alerts.v1)."""

    event_type: Literal["alert.updated"] = Field(default="alert.updated", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)
