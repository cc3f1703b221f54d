"""The fields of one PAS dashboard row, read and checked (dates, decimal commas, names)."""

from __future__ import annotations

import re
from datetime import date
from typing import Final, NamedTuple

from services.ingest.importers.errors import RowError
from shared.contracts import RejectReason
from shared.reference import LondonReference, UnknownCodeError

MEASURES: Final = {
    '"good job" local': "good_job",
    "contact ward officer": "contact_ward_officer",
    "informed local": "informed_local",
    "listen to concerns": "listen_to_concerns",
    "relied on to be there": "relied_on_to_be_there",
    "treat everyone fairly": "treat_everyone_fairly",
    "understand issues": "understand_issues",
    "trust mps": "trust_mps",
}
"""Published measure (whitespace- and case-insensitive) → the measure's name."""

_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_PROPORTION = re.compile(r"\d+(?:[.,]\d+)?")


class PasRow(NamedTuple):
    period_end: date
    borough_code: str
    measure: str
    proportion: float
    mps: float


def read_row(fields: list[str], reference: LondonReference) -> PasRow:
    """The row's values; raises ``RowError`` naming the first field that is wrong.

    Columns after ``MPS`` have no name and are not read (one row of the 2014-2023 export
    carries a stray note there).
    """
    day, survey, borough, measure, proportion, mps = fields[:6]
    if survey.strip().upper() != "PAS":
        raise RowError("Survey", "must be PAS")
    return PasRow(
        _date(day), _borough(borough, reference), _measure(measure),
        _proportion(proportion, "Proportion"), _proportion(mps, "MPS"),
    )  # fmt: skip


def _date(text: str) -> date:
    found = _DATE.fullmatch(text.strip())
    try:
        if found:
            return date(int(found[3]), int(found[2]), int(found[1]))
    except ValueError:
        pass
    raise RowError("Date", "must be a date written d/m/YYYY, e.g. 31/3/2015")


def _borough(name: str, reference: LondonReference) -> str:
    if not name.strip():
        raise RowError("Borough", "is empty")
    try:
        return reference.borough_by_name(name).code
    except UnknownCodeError:
        raise RowError(
            "Borough", "is not a London borough name", RejectReason.UNRESOLVABLE_LOCATION
        ) from None


def _measure(text: str) -> str:
    name = MEASURES.get(" ".join(text.split()).casefold())
    if name is None:
        raise RowError("Measure", "is not a known PAS measure", RejectReason.UNKNOWN_CATEGORY)
    return name


def _proportion(text: str, field: str) -> float:
    if not _PROPORTION.fullmatch(text.strip()):
        raise RowError(field, "must be a proportion like 0,56 or 0.56")
    value = float(text.strip().replace(",", "."))
    if value > 1:
        raise RowError(field, "must be a proportion between 0 and 1")
    return value
