"""Roles, the authenticated principal, and what each role may see."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    SYSTEM = "system"
    CENTRAL = "central"
    BOROUGH_LEAD = "borough_lead"
    CLUSTER_INSPECTOR = "cluster_inspector"


MPS_WIDE_ROLES = frozenset({Role.SYSTEM, Role.CENTRAL})


class Forbidden(Exception):  # noqa: N818 (named for the HTTP status it becomes)
    """The principal is authenticated but may not see or do this; the message says why and
    ``reason`` is the code of the answer: ``out_of_scope`` (another area) or ``forbidden``."""

    def __init__(self, message: str, reason: str = "out_of_scope") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: one API token, its role and its geographic scope."""

    token_id: str
    name: str
    role: Role
    boroughs: frozenset[str] = frozenset()
    wards: frozenset[str] = frozenset()

    def can_see_mps(self) -> bool:
        return self.role in MPS_WIDE_ROLES

    def can_see_borough(self, borough_code: str) -> bool:
        if self.can_see_mps():
            return True
        return self.role is Role.BOROUGH_LEAD and borough_code in self.boroughs

    def can_see_ward(self, ward_code: str, borough_code: str) -> bool:
        """A borough lead sees every ward of their boroughs; an inspector only their wards."""
        if self.role is Role.CLUSTER_INSPECTOR:
            return ward_code in self.wards
        return self.can_see_borough(borough_code)

    def require_mps(self) -> None:
        if not self.can_see_mps():
            raise Forbidden("out of scope: the MPS-wide view needs the system or central role")

    def require_borough(self, borough_code: str) -> None:
        if not self.can_see_borough(borough_code):
            raise Forbidden(f"out of scope: borough {borough_code} is not in your scope")

    def require_ward(self, ward_code: str, borough_code: str) -> None:
        if not self.can_see_ward(ward_code, borough_code):
            raise Forbidden(f"out of scope: ward {ward_code} is not in your scope")

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            allowed = ", ".join(sorted(role.value for role in roles))
            raise Forbidden(
                f"forbidden: role {self.role.value} may not do this (allowed: {allowed})",
                "forbidden",
            )
