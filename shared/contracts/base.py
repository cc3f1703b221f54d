"""The base every message contract derives from, and the markers its fields carry.

Contracts are frozen, reject unknown fields and reject non-finite numbers. Cross-field rules
raise :class:`RuleError`, which names the offending field so that a rejection can say
exactly what is wrong (see :mod:`shared.contracts.errors`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from pydantic import BaseModel, ConfigDict
from pydantic.config import JsonDict

#: JSON Schema marker of a raw personal identifier (victim, caller, officer, respondent).
PERSONAL_DATA_KEY: Final = "x-personal-data"
#: JSON Schema marker of a keyed-hash pseudonym that replaced a raw identifier.
PSEUDONYM_KEY: Final = "x-pseudonym"

PERSONAL_DATA: Final[JsonDict] = {PERSONAL_DATA_KEY: True}
PSEUDONYM: Final[JsonDict] = {PSEUDONYM_KEY: True}


class Contract(BaseModel):
    """A message contract: immutable, closed to unknown fields, finite numbers only."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        allow_inf_nan=False,
        validate_default=True,
    )


class RuleError(ValueError):
    """One or more cross-field rules broken; each item names a field and the problem."""

    def __init__(self, problems: Iterable[tuple[str, str]]) -> None:
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        super().__init__("; ".join(f"{field} {problem}" for field, problem in self.problems))


def check_rules(problems: Iterable[tuple[str, str]]) -> None:
    """Raise :class:`RuleError` if ``problems`` holds any (field, problem) pair."""
    found = tuple(problems)
    if found:
        raise RuleError(found)


def present_iff(condition: bool, field: str, value: object, when: str) -> Iterable[tuple[str, str]]:
    """The problem, if any, with ``field`` being required exactly when ``condition`` holds."""
    if condition and value is None:
        yield field, f"is required when {when}"
    elif not condition and value is not None:
        yield field, f"must be absent unless {when}"
