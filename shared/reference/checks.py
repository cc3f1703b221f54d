"""Official GSS code formats, and validation helpers raising a specific ReferenceDataError."""

from __future__ import annotations

import re

from shared.reference.errors import ReferenceDataError

WARD_CODE = re.compile(r"E05[0-9]{6}")
BOROUGH_CODE = re.compile(r"E09[0-9]{6}")
LSOA_CODE = re.compile(r"E01[0-9]{6}")

_KINDS = {"E01": "LSOA", "E05": "ward", "E09": "borough"}
_DIGITS = re.compile(r"[0-9]+")


def is_ward_code(value: str) -> bool:
    """True for an electoral ward code: ``E05`` and six digits."""
    return WARD_CODE.fullmatch(value) is not None


def is_borough_code(value: str) -> bool:
    """True for a London borough (local authority district) code: ``E09`` and six digits."""
    return BOROUGH_CODE.fullmatch(value) is not None


def is_lsoa_code(value: str) -> bool:
    """True for a lower layer super output area code: ``E01`` and six digits."""
    return LSOA_CODE.fullmatch(value) is not None


def check_code(pattern: re.Pattern[str], value: str, where: str) -> str:
    """Return ``value`` if it is a well-formed code, else raise naming the file and line."""
    if pattern.fullmatch(value) is None:
        prefix = pattern.pattern[:3]
        kind = _KINDS.get(prefix, "code")
        raise ReferenceDataError(
            f"{where}: {kind} code {value!r} is not {prefix} followed by six digits"
        )
    return value


def check_new(seen: dict[str, str], code: str, where: str, what: str) -> None:
    """Record ``code`` at ``where``; raise if it was already seen."""
    first = seen.get(code)
    if first is not None:
        raise ReferenceDataError(f"{where}: duplicate {what} {code}, first seen at {first}")
    seen[code] = where


def check_count(what: str, actual: int, expected: int) -> None:
    """Raise unless ``actual`` equals the count the reference was validated against."""
    if actual != expected:
        raise ReferenceDataError(f"expected {expected:,} {what}, found {actual:,}")


def parse_count(value: str, where: str, what: str) -> int:
    """A non-negative whole number from a CSV cell."""
    if _DIGITS.fullmatch(value) is None:
        raise ReferenceDataError(f"{where}: {what} {value!r} is not a whole number")
    return int(value)
