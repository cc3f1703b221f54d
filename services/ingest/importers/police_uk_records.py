"""One police.uk API crime record (a decoded JSON object) → a crime, an incident or a rejection."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Final

from services.ingest.domain.intake import Category, CrimeIntake, IncidentIntake, Origin, Place
from services.ingest.importers.coordinates import point
from services.ingest.importers.errors import RowError
from services.ingest.importers.months import MonthStarts
from services.ingest.importers.rejects import Item, Rejector
from shared.contracts import RejectReason

TAXONOMY: Final = "police_uk"
ASB_SLUG: Final = "anti-social-behaviour"
BTP: Final = "BTP"
BTP_PROBLEM: Final = (
    "is BTP: a British Transport Police record, not a Metropolitan Police crime; "
    "the Met's KPIs do not count it"
)

_PERSISTENT_ID = re.compile(r"[A-Za-z0-9._/-]{1,100}")


class Records:
    """Numbers records across a whole import and remembers the crime ids already given."""

    __slots__ = ("_categories", "_given", "_months", "_rejector", "_shared", "line")

    def __init__(self, rejector: Rejector) -> None:
        self.line = 0
        self._rejector = rejector
        self._months = MonthStarts("month")
        self._given: dict[str, str] = {}
        self._shared: dict[str, int] = {}
        self._categories: dict[str, Category] = {}

    def item(self, record: object) -> Item:
        self.line += 1
        try:
            return self._item(_object(record))
        except RowError as error:
            return self._rejector.from_error(error, self.line, _original(record))

    def _item(self, record: Mapping[str, object]) -> Item:
        api_id = _api_id(record.get("id"))
        category = self._category(record.get("category"))
        at = self._months(_string(record.get("month"), "month"))
        place = _place(record.get("location"))
        if record.get("location_type") == BTP:
            return self._rejector.reject(
                self.line, RejectReason.OUT_OF_AREA, "location_type", BTP_PROBLEM,
                _original(record), f"police-uk:api-{api_id}",
            )  # fmt: skip
        if category.major == ASB_SLUG:
            incident_id = f"police-uk-api-{api_id}"
            origin = Origin(f"police-uk:{incident_id}", 1, self._rejector.source, None, self.line)
            return IncidentIntake(origin, incident_id, at, "month", place, category)
        crime_id = self._crime_id(api_id, record.get("persistent_id"))
        origin = Origin(f"police-uk:{crime_id}", 1, self._rejector.source, None, self.line)
        return CrimeIntake(origin, crime_id, at, "month", place, category)

    def _category(self, slug: object) -> Category:
        text = _string(slug, "category")
        category = self._categories.get(text)
        if category is None:
            category = self._categories[text] = Category(TAXONOMY, text)
        return category

    def _crime_id(self, api_id: str, persistent_id: object) -> str:
        if persistent_id is None or persistent_id == "":
            return f"api-{api_id}"
        if not isinstance(persistent_id, str) or not _PERSISTENT_ID.fullmatch(persistent_id):
            raise RowError("persistent_id", "must be 1-100 characters from A-Z a-z 0-9 . _ / -")
        given = self._given.get(api_id)
        if given is None:
            seen = self._shared[persistent_id] = self._shared.get(persistent_id, 0) + 1
            given = persistent_id if seen == 1 else f"{persistent_id}:{seen}"
            self._given[api_id] = given
        return given


def _object(record: object) -> Mapping[str, object]:
    if not isinstance(record, dict):
        raise RowError("(record)", "must be a JSON object")
    return record


def _api_id(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return str(int(value))
    raise RowError("id", "must be a whole number")


def _string(value: object, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RowError(field, "must be a non-empty string")
    return value


def _place(location: object) -> Place:
    if location is None:
        return Place()
    if not isinstance(location, dict):
        raise RowError("location", "must be a JSON object or null")
    names = ("location.latitude", "location.longitude")
    latitude, longitude = point(_number(location, names[0]), _number(location, names[1]), names)
    return Place(latitude=latitude, longitude=longitude)


def _number(location: Mapping[str, object], field: str) -> str | None:
    value = location.get(field.rpartition(".")[2])
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value)
    raise RowError(field, "must be a decimal number (as text or a number)")


def _original(record: object) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
