"""Ward resolution: ward code (valid on the date), else LSOA, else point in polygon; a known
borough without a ward counts at borough level as unlocated; anything else is rejected.

Points are located on the 2018 polygons (the only London-wide set available). From the 2022
boundary change on, a point counts in its 2018 ward only where that ward is unchanged in the
set in force; otherwise it counts in the ward's borough as unlocated (resolution ``point``).
City of London areas are policed by the City of London Police and are out of area.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.ingest.domain.intake import Place
from services.ingest.domain.rejection import RejectionError
from shared.contracts import RejectReason
from shared.reference import Borough, LondonReference, UnknownCodeError, Ward

Level = Literal["ward", "borough_unlocated", "borough_total"]
CITY = "E09000001"


@dataclass(frozen=True, slots=True)
class Resolved:
    level: Level
    borough_code: str | None
    ward_code: str | None
    boundary_set: str
    resolution: str
    lsoa_code: str | None = None
    reporting_unit: str | None = None


class Resolver:
    def __init__(self, reference: LondonReference) -> None:
        self._ref = reference
        self._so18 = {w: u.code for u in reference.special_units for w in u.ward_codes}
        self._published: dict[tuple[Place, str, date], Resolved] = {}
        self.reference_version: str = reference.version

    def locate(self, place: Place, on: date, field: str = "location") -> Resolved:
        """Where a record counts on ``on``."""
        set_name = self._set_name(on)
        if place.ward_code:
            return self._by_ward(place, on, field)
        if place.lsoa_code and (found := self._by_lsoa(place.lsoa_code, on)) is not None:
            return self._ward(found, "lsoa", place.lsoa_code, f"{field}.lsoa_code")
        if place.latitude is not None and place.longitude is not None:
            return self._by_point(place, on, set_name, field)
        if place.lsoa_code:
            raise RejectionError(
                RejectReason.OUT_OF_AREA, f"{field}.lsoa_code", "is not a London LSOA"
            )
        if place.borough_code or place.borough_label:
            return self._unlocated(place, set_name, field)
        raise RejectionError(
            RejectReason.UNRESOLVABLE_LOCATION, field, "has no ward, LSOA, point or borough"
        )

    def published(self, place: Place, level: str, month: date) -> Resolved:
        """Where a published cell counts: its ward (any boundary set holding the code, as
        published files keep their codes) or its borough or special unit's total."""
        key = (place, level, month)
        found = self._published.get(key)
        if found is None:
            found = self._published[key] = self._published_uncached(place, level, month)
        return found

    def _published_uncached(self, place: Place, level: str, month: date) -> Resolved:
        if level == "ward":
            return self._published_ward(place, month)
        label = place.borough_label or place.borough_code or ""
        try:
            unit = self._ref.resolve_unit(label)
        except (UnknownCodeError, LookupError):
            raise RejectionError(
                RejectReason.UNRESOLVABLE_LOCATION, "borough", f"{label!r} is not a London borough"
            ) from None
        set_name = self._set_name(month)
        if isinstance(unit, Borough):
            self._check_force(unit.code, "borough")
            return Resolved("borough_total", unit.code, None, set_name, "published")
        return Resolved("borough_total", None, None, set_name, "published", None, unit.code)

    def _published_ward(self, place: Place, month: date) -> Resolved:
        code = place.ward_code or ""
        try:
            ward = self._ref.ward(code, month)
        except (UnknownCodeError, LookupError):
            try:
                ward = self._ref.ward(code)
            except (UnknownCodeError, LookupError):
                raise RejectionError(
                    RejectReason.UNKNOWN_WARD, "ward_code", f"{code} is not a London ward code"
                ) from None
        return self._ward(ward, "published", None, "ward_code")

    def ward_in_force(self, code: str, on: date, field: str) -> Resolved:
        """A ward code that must be valid on ``on`` (duties, live events)."""
        return self._by_ward(Place(ward_code=code), on, field.rsplit(".", 1)[0], field)

    def borough_in_force(self, code: str, field: str) -> Borough:
        return self._borough(Place(borough_code=code), field)

    def _set_name(self, on: date) -> str:
        try:
            return self._ref.boundary_set_on(on).name
        except (UnknownCodeError, LookupError, ValueError):
            return self._ref.boundary_sets[0].name

    def _by_ward(self, place: Place, on: date, field: str, exact: str | None = None) -> Resolved:
        code = place.ward_code or ""
        name = exact or f"{field}.ward_code"
        try:
            ward = self._ref.ward(code, on)
        except (UnknownCodeError, LookupError):
            raise RejectionError(
                RejectReason.UNKNOWN_WARD, name, self._ward_problem(code, on)
            ) from None
        return self._ward(ward, "ward_code", place.lsoa_code, name)

    def _ward_problem(self, code: str, on: date) -> str:
        try:
            sets = sorted({w.boundary_set.name for w in self._ref.ward_history(code)})
        except (UnknownCodeError, LookupError):
            return f"{code} is not a London ward code"
        return f"{code} is not a ward on {on.isoformat()} (it is in boundary set {', '.join(sets)})"

    def _by_lsoa(self, lsoa: str, on: date) -> Ward | None:
        try:
            return self._ref.ward_for_lsoa(lsoa, on)
        except (UnknownCodeError, LookupError):
            return None

    def _by_point(self, place: Place, on: date, set_name: str, field: str) -> Resolved:
        ward = self._ref.ward_at(place.latitude or 0.0, place.longitude or 0.0)
        if ward is None:
            raise RejectionError(RejectReason.OUT_OF_AREA, f"{field}.latitude", "is not in London")
        try:
            current = self._ref.ward(ward.code, on)
        except (UnknownCodeError, LookupError):
            self._check_force(ward.borough_code, f"{field}.latitude")
            return Resolved("borough_unlocated", ward.borough_code, None, set_name, "point",
                            place.lsoa_code)  # fmt: skip
        return self._ward(current, "point", place.lsoa_code, f"{field}.latitude")

    def _ward(self, ward: Ward, how: str, lsoa: str | None, field: str) -> Resolved:
        self._check_force(ward.borough_code, field)
        return Resolved("ward", ward.borough_code, ward.code, ward.boundary_set.name, how, lsoa,
                        self._so18.get(ward.code))  # fmt: skip

    def _unlocated(self, place: Place, set_name: str, field: str) -> Resolved:
        borough = self._borough(place, field)
        return Resolved("borough_unlocated", borough.code, None, set_name, "borough")

    def _borough(self, place: Place, field: str) -> Borough:
        field = field if field.endswith("borough_code") else f"{field}.borough_code"
        try:
            borough = (self._ref.borough(place.borough_code) if place.borough_code
                       else self._ref.borough_by_name(place.borough_label or ""))  # fmt: skip
        except (UnknownCodeError, LookupError):
            raise RejectionError(
                RejectReason.UNRESOLVABLE_LOCATION, field, "is not a London borough"
            ) from None
        self._check_force(borough.code, field)
        return borough

    def _check_force(self, borough_code: str, field: str) -> None:
        if borough_code == CITY:
            raise RejectionError(
                RejectReason.OUT_OF_AREA, field,
                "is in the City of London, policed by the City of London Police",
            )  # fmt: skip
