"""API models for tokens: what a caller asks for, and what is shown back (never the hash)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    StringConstraints,
    model_validator,
)

from shared.auth.principal import Principal, Role
from shared.auth.scopes import check_scopes

TokenName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Codes = Annotated[tuple[str, ...], AfterValidator(lambda codes: tuple(sorted(set(codes))))]


class TokenCreate(BaseModel):
    """A request for a new token; scopes are checked against the role."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: TokenName
    role: Role
    boroughs: Codes = ()
    wards: Codes = ()
    expires_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _scopes_fit_role(self) -> Self:
        check_scopes(self.role, self.boroughs, self.wards)
        return self


class TokenPublic(BaseModel):
    """A token as stored and shown: everything but the secret and its hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    role: Role
    boroughs: tuple[str, ...] = ()
    wards: tuple[str, ...] = ()
    created_at: AwareDatetime
    expires_at: AwareDatetime | None = None
    revoked_at: AwareDatetime | None = None

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def principal(self) -> Principal:
        return Principal(
            token_id=self.id,
            name=self.name,
            role=self.role,
            boroughs=frozenset(self.boroughs),
            wards=frozenset(self.wards),
        )


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """The result of issuing: the plain token, to hand over once, and the stored record."""

    plain_token: str = field(repr=False)
    public: TokenPublic
