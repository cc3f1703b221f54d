"""Which geographic scopes each role takes, and what a valid code looks like."""

from __future__ import annotations

import re
from collections.abc import Iterable

from shared.auth.principal import Role

BOROUGH_CODE = re.compile(r"E09\d{6}")
WARD_CODE = re.compile(r"E05\d{6}")


class ScopeError(ValueError):
    """A token request whose scopes do not fit its role; the message says what to change."""


def check_codes(codes: Iterable[str], pattern: re.Pattern[str], kind: str) -> None:
    """``kind`` names the code in the message, e.g. "borough code (E09 + 6 digits)"."""
    bad = [repr(code) for code in codes if not pattern.fullmatch(code)]
    if bad:
        raise ScopeError(f"not a {kind}: {', '.join(bad)}")


def check_scopes(role: Role, boroughs: Iterable[str], wards: Iterable[str]) -> None:
    """Raise ScopeError unless the borough and ward scopes suit the role."""
    boroughs, wards = list(boroughs), list(wards)
    check_codes(boroughs, BOROUGH_CODE, "borough code (E09 + 6 digits)")
    check_codes(wards, WARD_CODE, "ward code (E05 + 6 digits)")
    if role is Role.BOROUGH_LEAD:
        _need(boroughs, "a borough_lead token needs at least one borough scope (E09…)")
        _refuse(wards, "a borough_lead token takes borough scopes only, not ward scopes")
    elif role is Role.CLUSTER_INSPECTOR:
        _need(wards, "a cluster_inspector token needs at least one ward scope (E05…)")
        _refuse(boroughs, "a cluster_inspector token takes ward scopes only, not borough scopes")
    else:
        _refuse([*boroughs, *wards], f"a {role.value} token sees everything and takes no scopes")


def _need(codes: list[str], message: str) -> None:
    if not codes:
        raise ScopeError(message)


def _refuse(codes: list[str], message: str) -> None:
    if codes:
        raise ScopeError(message)
