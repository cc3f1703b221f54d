"""The access audit: every read of personal-level records, with who, what, when and why."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import AwareDatetime, BaseModel, ConfigDict

from shared.auth.principal import Principal, Role


class AccessOutcome(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"


class MissingPurposeError(ValueError):
    """A read of personal-level records was attempted without saying why."""


class AccessRecord(BaseModel):
    """One audited read. ``record_ids`` are the (pseudonymous) ids of the records read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: AwareDatetime
    token_id: str
    principal_name: str
    role: Role
    resource: str
    record_ids: tuple[str, ...]
    purpose: str
    outcome: AccessOutcome


class AccessLog(Protocol):
    """An append-only audit trail of personal-level reads."""

    def append(self, record: AccessRecord) -> None: ...

    def list(self) -> Sequence[AccessRecord]:
        """Every record, oldest first."""
        ...


def record_access(
    log: AccessLog,
    *,
    principal: Principal,
    resource: str,
    record_ids: Iterable[str],
    purpose: str,
    now: datetime,
    outcome: AccessOutcome = AccessOutcome.GRANTED,
) -> AccessRecord:
    """Audit one read before the records are returned; refuse it if no purpose is given."""
    if not purpose.strip():
        raise MissingPurposeError(
            f"a purpose is required to read personal-level records ({resource}): "
            "say why they are needed"
        )
    record = AccessRecord(
        at=now,
        token_id=principal.token_id,
        principal_name=principal.name,
        role=principal.role,
        resource=resource,
        record_ids=tuple(record_ids),
        purpose=purpose.strip(),
        outcome=outcome,
    )
    log.append(record)
    return record
