"""Constrained field types shared by the contracts: official area codes and identifiers.

Each pattern has a plain-English name so that a rejection reads "must be a ward code like
E05000138" rather than quoting a regular expression.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Final

from pydantic import AwareDatetime, BeforeValidator, StringConstraints
from pydantic_core import PydanticCustomError

WARD_PATTERN: Final = r"^E05\d{6}$"
LSOA_PATTERN: Final = r"^E01\d{6}$"
BOROUGH_PATTERN: Final = r"^E09\d{6}$"
AREA_PATTERN: Final = r"^(?:E05\d{6}|E09\d{6}|MPS)$"
SURVEY_AREA_PATTERN: Final = r"^(?:E09\d{6}|MPS)$"
RECORD_ID_PATTERN: Final = r"^[A-Za-z0-9._:/-]{1,128}$"
NAME_PATTERN: Final = r"^[a-z][a-z0-9_]{0,63}$"
SOURCE_PATTERN: Final = r"^[a-z][a-z0-9-]{0,31}(?::[a-z0-9][a-z0-9-]{0,47})?$"
EVENT_TYPE_PATTERN: Final = r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)+$"
PSEUDONYM_PATTERN: Final = r"^[0-9a-f]{16,128}$"

#: How each pattern is described in a rejection ("must be ...").
PATTERN_HINTS: Final[dict[str, str]] = {
    WARD_PATTERN: "a ward code like E05000138",
    LSOA_PATTERN: "an LSOA code like E01000001",
    BOROUGH_PATTERN: "a borough code like E09000033",
    AREA_PATTERN: "a ward code (E05…), a borough code (E09…) or MPS",
    SURVEY_AREA_PATTERN: "a borough code (E09…) or MPS",
    RECORD_ID_PATTERN: "1-128 characters from A-Z a-z 0-9 . _ : / -",
    NAME_PATTERN: "a lower-case name like good_job (letters, digits, underscores)",
    SOURCE_PATTERN: "a lower-case system name like cris or import:police-uk-csv",
    EVENT_TYPE_PATTERN: "a dotted lower-case event type like crime.recorded",
    PSEUDONYM_PATTERN: "a pseudonym (16-128 lower-case hex digits)",
}

WardCode = Annotated[str, StringConstraints(pattern=WARD_PATTERN)]
LsoaCode = Annotated[str, StringConstraints(pattern=LSOA_PATTERN)]
BoroughCode = Annotated[str, StringConstraints(pattern=BOROUGH_PATTERN)]
AreaCode = Annotated[str, StringConstraints(pattern=AREA_PATTERN)]
SurveyAreaCode = Annotated[str, StringConstraints(pattern=SURVEY_AREA_PATTERN)]
RecordId = Annotated[str, StringConstraints(pattern=RECORD_ID_PATTERN)]
Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
SourceSystem = Annotated[str, StringConstraints(pattern=SOURCE_PATTERN)]
EventType = Annotated[str, StringConstraints(pattern=EVENT_TYPE_PATTERN)]
Pseudonym = Annotated[str, StringConstraints(pattern=PSEUDONYM_PATTERN)]
#: A raw personal identifier as the source system holds it (input contracts only).
RawPersonalId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Version = Annotated[str, StringConstraints(min_length=1, max_length=64)]


def _iso_timestamp(value: object) -> object:
    """Only ISO 8601 text (or a datetime) is a time: never a bare number of seconds."""
    if isinstance(value, str | datetime):
        return value
    raise PydanticCustomError("iso_timestamp", "must be an ISO 8601 date-time string")


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD text (or a date) is a date: never a date-time or a number."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise PydanticCustomError("iso_day", "must be a date in the format YYYY-MM-DD")


#: A moment with a timezone offset, given as ISO 8601 text.
Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_timestamp)]
#: A calendar date given as YYYY-MM-DD.
Day = Annotated[date, BeforeValidator(_iso_day)]


class EthnicityGroup(StrEnum):
    """Self-defined ethnicity group (the 2011 census top-level groups)."""

    WHITE = "white"
    MIXED = "mixed"
    ASIAN = "asian"
    BLACK = "black"
    OTHER = "other"
    NOT_STATED = "not_stated"


class Level(StrEnum):
    """The level of the geography a figure or alert is about."""

    WARD = "ward"
    BOROUGH = "borough"
    MPS = "mps"


class Role(StrEnum):
    """An officer's role in a Safer Neighbourhoods team."""

    PS = "PS"
    PC = "PC"
    PCSO = "PCSO"
    INSP = "INSP"
