"""Rejections that say exactly which field is wrong and why, in plain English.

:func:`flatten_errors` turns a pydantic ``ValidationError`` into ``FieldProblem`` items with
dotted field paths (``payload.location.ward_code``); input values are never quoted, so a
problem text can be logged or dead-lettered without leaking personal data.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Final

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails

from shared.contracts.base import Contract, RuleError
from shared.contracts.codes import PATTERN_HINTS

#: The ``field`` of a problem with the message as a whole.
ROOT: Final = "(message)"

_TEXT: Final = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "timezone_aware": "must include a timezone offset, e.g. 2024-05-01T09:30:00+01:00 or …Z",
    "finite_number": "must be a finite number",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "tuple_type": "must be a JSON array",
    "list_type": "must be a JSON array",
}

_PARSING: Final = {
    "date_parsing": "must be a valid date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a valid date (YYYY-MM-DD)",
    "datetime_parsing": "must be a valid ISO 8601 date-time",
    "datetime_from_date_parsing": "must be a valid ISO 8601 date-time",
}


class RejectReason(StrEnum):
    """Why an input was rejected (the dead-letter reason code)."""

    INVALID_JSON = "invalid_json"
    SCHEMA_VIOLATION = "schema_violation"
    UNKNOWN_WARD = "unknown_ward"
    UNKNOWN_CATEGORY = "unknown_category"
    FUTURE_DATE = "future_date"
    OVERSIZED = "oversized"
    BAD_ENCODING = "bad_encoding"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    UNRESOLVABLE_LOCATION = "unresolvable_location"
    PERSONAL_DATA_LEAK = "personal_data_leak"
    OUT_OF_AREA = "out_of_area"
    OTHER = "other"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    CONFLICTING_DUPLICATE = "conflicting_duplicate"


class FieldProblem(Contract):
    """One thing wrong with an input: where, and what."""

    field: str = Field(
        min_length=1,
        max_length=300,
        description=f"Dotted path of the field, e.g. payload.location.ward_code ({ROOT}: whole)",
    )
    problem: str = Field(
        min_length=1, max_length=500, description="What is wrong, in plain English"
    )

    @field_validator("field", "problem", mode="before")
    @classmethod
    def _fit(cls, value: object, info: ValidationInfo) -> object:
        """Long or unencodable text (a quoted field name, say) is shortened, never refused."""
        if not isinstance(value, str):
            return value
        return clip(value, _LIMITS[info.field_name or "problem"])


_LIMITS: Final = {"field": 300, "problem": 500}


class ParsePosition(Contract):
    """Where an input stopped being readable: a byte offset, and its line and column."""

    offset: int = Field(ge=0, description="Offset of the first unreadable byte (from 0)")
    line: int = Field(ge=1, description="Its line (from 1)")
    column: int = Field(ge=1, description="Its column on that line, in bytes (from 1)")

    @classmethod
    def of(cls, data: bytes, offset: int) -> ParsePosition:
        """The position of byte ``offset`` in ``data``."""
        offset = max(0, min(offset, len(data)))
        start = data.rfind(b"\n", 0, offset) + 1
        return cls(offset=offset, line=data.count(b"\n", 0, offset) + 1, column=offset - start + 1)


def clip(text: str, limit: int) -> str:
    """``text`` as valid Unicode (lone surrogates → U+FFFD) of at most ``limit`` characters."""
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ContractError(ValueError):
    """An input that does not meet its contract; carries the reason and every problem found."""

    def __init__(
        self,
        reason: RejectReason,
        problems: Sequence[FieldProblem],
        *,
        event_type: str | None = None,
        schema_version: int | None = None,
        at: ParsePosition | None = None,
    ) -> None:
        self.reason = reason
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        self.event_type = event_type
        self.schema_version = schema_version
        self.at = at
        """Where the input stopped being readable (invalid JSON or UTF-8), if it did."""
        super().__init__(self._describe())

    @classmethod
    def single(
        cls,
        reason: RejectReason,
        field: str,
        problem: str,
        *,
        event_type: str | None = None,
        schema_version: int | None = None,
        at: ParsePosition | None = None,
    ) -> ContractError:
        """A rejection with one problem."""
        problems = [FieldProblem(field=field, problem=problem)]
        return cls(reason, problems, event_type=event_type, schema_version=schema_version, at=at)

    def _describe(self) -> str:
        what = self.event_type or "message"
        if self.schema_version is not None:
            what = f"{what} v{self.schema_version}"
        details = "; ".join(f"{p.field}: {p.problem}" for p in self.problems)
        return f"{what} rejected ({self.reason.value}): {details}"


def flatten_errors(exc: ValidationError) -> list[FieldProblem]:
    """Every error in ``exc`` as a (dotted field path, plain-English problem) item."""
    return [problem for error in exc.errors() for problem in _problems(error)]


def _problems(error: ErrorDetails) -> Iterator[FieldProblem]:
    path = field_path(error["loc"])
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, RuleError):
        for field, problem in cause.problems:
            yield FieldProblem(field=f"{path}.{field}" if path else field, problem=problem)
        return
    yield FieldProblem(field=path or ROOT, problem=problem_text(error))


def field_path(loc: Sequence[int | str]) -> str:
    """``("payload", "duty_ids", 2)`` → ``payload.duty_ids[2]``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part.startswith("[") or not path:
            path += part
        else:
            path += f".{part}"
    return path


def problem_text(error: ErrorDetails) -> str:
    """A pydantic error as a plain-English problem that never quotes the input value."""
    kind = error["type"]
    if kind in _TEXT:
        return _TEXT[kind]
    if kind in _PARSING:
        detail = error["msg"].partition(", ")[2]
        return f"{_PARSING[kind]}: {detail}" if detail else _PARSING[kind]
    if kind == "string_pattern_mismatch":
        hint = PATTERN_HINTS.get(str((error.get("ctx") or {}).get("pattern")))
        if hint:
            return f"must be {hint}"
    message = error["msg"].removeprefix("Value error, ")
    for subject in ("Input should", "String should", "List should", "Tuple should"):
        message = message.replace(subject, "should", 1)
    return message
