"""CARM3 duty changes: as received, and as recorded (pseudonymised) by the ingest service."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Final, Literal, Self

from pydantic import Field, StrictBool, StringConstraints, model_validator

from shared.contracts.base import PERSONAL_DATA, PSEUDONYM, Contract, check_rules
from shared.contracts.codes import (
    BoroughCode,
    Day,
    Pseudonym,
    RawPersonalId,
    RecordId,
    Role,
    ShortText,
    Timestamp,
    WardCode,
)
from shared.contracts.envelope import TYPE_DOC, VERSION_DOC, Envelope

MAX_DUTY: Final = timedelta(hours=24)
ProblemSolvingRef = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Rank(StrEnum):
    """Police rank, junior to senior; compare with :meth:`at_least`."""

    CONSTABLE = "constable"
    SERGEANT = "sergeant"
    INSPECTOR = "inspector"
    CHIEF_INSPECTOR = "chief_inspector"
    SUPERINTENDENT = "superintendent"
    CHIEF_SUPERINTENDENT = "chief_superintendent"
    COMMANDER = "commander"
    DEPUTY_ASSISTANT_COMMISSIONER = "deputy_assistant_commissioner"
    ASSISTANT_COMMISSIONER = "assistant_commissioner"
    DEPUTY_COMMISSIONER = "deputy_commissioner"
    COMMISSIONER = "commissioner"

    @property
    def seniority(self) -> int:
        """0 for constable, rising with rank."""
        return list(Rank).index(self)

    def at_least(self, other: Rank) -> bool:
        """Whether this rank is ``other`` or more senior."""
        return self.seniority >= other.seniority


class DutyChange(StrEnum):
    """What happened to the duty on CARM3."""

    CREATED = "created"
    CHANGED = "changed"
    CANCELLED = "cancelled"


class ActivityKind(StrEnum):
    """What a duty was spent on, as classified from the CARM3 activity descriptor."""

    WARD_DUTY = "ward_duty"
    AUTHORISED_WARD_FLEX = "authorised_ward_flex"
    AID = "aid"
    PUBLIC_ORDER = "public_order"
    COURT = "court"
    TRAINING = "training"
    LEAVE = "leave"
    SICKNESS = "sickness"
    OTHER = "other"


class Authoriser(Contract):
    """Who authorised an abstraction (raw identifier; input contracts only)."""

    rank: Rank = Field(description="Rank of the authorising officer")
    officer_id: RawPersonalId = Field(
        description="Authorising officer's identifier on CARM3 (personal data; ingest only)",
        json_schema_extra=PERSONAL_DATA,
    )


class PseudonymousAuthoriser(Contract):
    """Who authorised an abstraction, pseudonymised."""

    rank: Rank = Field(description="Rank of the authorising officer")
    officer_pseudonym: Pseudonym = Field(
        description="Keyed-hash pseudonym of the authorising officer", json_schema_extra=PSEUDONYM
    )


class _DutyFields(Contract):
    """What a CARM3 duty says, apart from who worked and who authorised it."""

    duty_id: RecordId = Field(description="The duty's id on CARM3")
    change: DutyChange = Field(description="created, changed or cancelled")
    role: Role = Field(description="Officer's role: PS, PC, PCSO or INSP")
    home_ward_code: WardCode = Field(description="Ward whose SN team the officer belongs to")
    duty_date: Day = Field(description="Date of the duty (Europe/London)")
    start: Timestamp = Field(description="Start of the duty (with a timezone offset)")
    end: Timestamp = Field(description="End of the duty, after start, at most 24 hours later")
    planned_ward_code: WardCode = Field(description="Ward the duty was planned on")
    actual_ward_code: WardCode | None = Field(
        default=None, description="Ward actually worked (None: off-ward, e.g. aid, court, leave)"
    )
    activity: ShortText = Field(description="Activity descriptor as on CARM3")
    activity_kind: ActivityKind = Field(
        description="Activity classified, e.g. authorised_ward_flex"
    )
    authorised_at: Timestamp | None = Field(
        default=None, description="When the abstraction was authorised (only with an authoriser)"
    )
    problem_solving_ref: ProblemSolvingRef | None = Field(
        default=None, description="Problem-solving (302) reference, if any"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_rules(self._problems())
        return self

    def _problems(self) -> Iterator[tuple[str, str]]:
        if self.end <= self.start:
            yield "end", "must be after start"
        elif self.end - self.start > MAX_DUTY:
            yield "end", "must be at most 24 hours after start"
        if self.authorised_at is not None and getattr(self, "authoriser", None) is None:
            yield "authorised_at", "must be absent unless authoriser is given"


class DutyChangeV1(_DutyFields):
    """A CARM3 duty change as received, before pseudonymisation."""

    officer_id: RawPersonalId = Field(
        description="Officer's identifier on CARM3 (personal data; ingest only)",
        json_schema_extra=PERSONAL_DATA,
    )
    authoriser: Authoriser | None = Field(default=None, description="Who authorised it, if anyone")


class DutyRecordedV1(_DutyFields):
    """A CARM3 duty change, pseudonymised and with the home ward's borough."""

    home_borough_code: BoroughCode = Field(description="Borough of the home ward")
    officer_pseudonym: Pseudonym = Field(
        description="Keyed-hash pseudonym of the officer", json_schema_extra=PSEUDONYM
    )
    authoriser: PseudonymousAuthoriser | None = Field(
        default=None, description="Who authorised it, if anyone"
    )
    simulated: StrictBool = Field(
        default=False,
        description="The duty comes from a simulated roster (source system simulated:...), "
        "not from CARM3: every figure resting on it says so",
    )


class DutyChanged(Envelope[DutyChangeV1]):
    """duty.changed v1: a CARM3 duty change as received (topic snt.raw.carm3.v1)."""

    event_type: Literal["duty.changed"] = Field(default="duty.changed", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)


class DutyRecorded(Envelope[DutyRecordedV1]):
    """duty.recorded v1: a duty change, pseudonymised (topic snt.duty.v1)."""

    event_type: Literal["duty.recorded"] = Field(default="duty.recorded", description=TYPE_DOC)
    schema_version: Literal[1] = Field(default=1, description=VERSION_DOC)
