"""LondonReference: the loaded, validated London reference data and its lookups."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from shared.reference.boundaries import (
    BOUNDARY_SETS,
    SET_2018,
    boundary_set_named,
    boundary_set_on,
)
from shared.reference.crosswalk import Crosswalk
from shared.reference.errors import UnknownCodeError
from shared.reference.geometry import Shape
from shared.reference.grid import GridIndex
from shared.reference.lsoa import LsoaLookup
from shared.reference.models import Borough, BoundarySet, Force, SpecialUnit
from shared.reference.names import NameIndex, Unit
from shared.reference.units import SPECIAL_UNITS
from shared.reference.ward import Ward


@dataclass(frozen=True, slots=True)
class ReferenceTables:
    """Validated tables a LondonReference answers from."""

    boroughs: Mapping[str, Borough]
    wards: Mapping[str, Mapping[str, Ward]]
    """Boundary set name to ward code to record."""
    lsoas: LsoaLookup
    shapes: tuple[Shape, ...]
    """2018-set ward polygons, keyed by ward code."""
    version: str
    crosswalk: Crosswalk = field(default_factory=dict)
    """Changed 2018-set wards apportioned to 2022-set wards (see shared.reference.crosswalk)."""


class LondonReference:
    """Boroughs, effective-dated wards, LSOA lookups and ward polygons for London.

    ``version`` fingerprints the data and code; record it with every figure computed from it.
    """

    __slots__ = ("_grid", "_names", "_tables")

    def __init__(self, tables: ReferenceTables) -> None:
        self._tables = tables
        self._names = NameIndex(tables.boroughs.values(), SPECIAL_UNITS)
        self._grid = GridIndex(tables.shapes)

    @property
    def version(self) -> str:
        return self._tables.version

    @property
    def boundary_sets(self) -> tuple[BoundarySet, ...]:
        return BOUNDARY_SETS

    @property
    def special_units(self) -> tuple[SpecialUnit, ...]:
        return SPECIAL_UNITS

    def boundary_set(self, name: str) -> BoundarySet:
        return boundary_set_named(name)

    def boundary_set_on(self, on: date) -> BoundarySet:
        return boundary_set_on(on)

    def boroughs(self, force: str | None = Force.MPS) -> tuple[Borough, ...]:
        """Boroughs policed by ``force`` (every borough when None), in code order."""
        wanted = _force(force)
        found = self._tables.boroughs.values()
        return tuple(b for b in found if wanted is None or b.force is wanted)

    def borough(self, code: str) -> Borough:
        borough = self._tables.boroughs.get(code)
        if borough is None:
            raise UnknownCodeError(f"{code!r} is not a London borough code")
        return borough

    def borough_by_name(self, name: str) -> Borough:
        """The borough a name or alias names (case-insensitive)."""
        unit = self._names.resolve(name)
        if not isinstance(unit, Borough):
            raise UnknownCodeError(f"{name!r} is not a London borough name")
        return unit

    def resolve_unit(self, label: str) -> Unit:
        """The borough or special unit (e.g. SO18) a published borough label names."""
        unit = self._names.resolve(label)
        if unit is None:
            raise UnknownCodeError(f"{label!r} names no borough or special policing unit")
        return unit

    def reporting_unit(self, ward_code: str) -> Unit:
        """The unit MPS crime files report a ward under: a special unit or its borough."""
        for unit in SPECIAL_UNITS:
            if ward_code in unit.ward_codes:
                return unit
        return self.borough(self.ward(ward_code).borough_code)

    def ward(self, code: str, on: date | None = None, *, boundary_set: str | None = None) -> Ward:
        """A ward record.

        With ``boundary_set``, the record in that set (for data published on that set's codes,
        whatever its date). Otherwise with ``on``, the record in the set in force that day.
        With neither, the record in the latest set holding the code, so a retired code still
        resolves.
        """
        if boundary_set is not None:
            return self._ward_in(code, boundary_set_named(boundary_set))
        if on is not None:
            return self._ward_in(code, boundary_set_on(on))
        return self.ward_history(code)[-1]

    def ward_history(self, code: str) -> tuple[Ward, ...]:
        """The code's record in every set holding it, oldest first."""
        records = (self._tables.wards[s.name].get(code) for s in BOUNDARY_SETS)
        found = tuple(ward for ward in records if ward is not None)
        if not found:
            raise UnknownCodeError(f"{code!r} is not a London ward code in any boundary set")
        return found

    def _ward_in(self, code: str, boundary_set: BoundarySet) -> Ward:
        ward = self._tables.wards[boundary_set.name].get(code)
        if ward is not None:
            return ward
        held = ", ".join(w.boundary_set.name for w in self.ward_history(code))
        raise UnknownCodeError(
            f"ward {code} is not in the {boundary_set.name} boundary set (it is in: {held}); "
            f"pass boundary_set= for data still published on those codes"
        )

    def wards(
        self,
        boundary_set: str | BoundarySet,
        borough_code: str | None = None,
        force: str | None = Force.MPS,
    ) -> tuple[Ward, ...]:
        """Wards of a set, optionally of one borough and/or force (None for all), by code."""
        name = boundary_set if isinstance(boundary_set, str) else boundary_set.name
        found = self._tables.wards[boundary_set_named(name).name].values()
        wanted = _force(force)
        return tuple(
            ward
            for ward in found
            if (borough_code is None or ward.borough_code == borough_code)
            and (wanted is None or self._tables.boroughs[ward.borough_code].force is wanted)
        )

    def shapes(self) -> tuple[Shape, ...]:
        """The 2018-set ward polygons (longitude, latitude), in ward-code order."""
        return self._tables.shapes

    def apportioned_from(self, ward_code: str) -> tuple[tuple[str, float], ...]:
        """The changed 2018-set wards whose counts a 2022-set ward takes a share of, with
        the shares (empty for any other code): for comparisons on 2022 boundaries over
        periods published on 2018 codes."""
        return self._tables.crosswalk.get(ward_code, ())

    def lsoa_codes(self, vintage: int) -> frozenset[str]:
        """LSOA codes of the 2011 or 2021 lookup."""
        return self._tables.lsoas.codes(vintage)

    def ward_for_lsoa(self, lsoa_code: str, on: date) -> Ward:
        """The ward an LSOA lies in on ``on``.

        2011 LSOAs map to 2018-set wards before 2022-05-05, 2021 LSOAs to 2022-set wards from
        that day; a code held by only one lookup uses that one. When the ward's code is also
        in the set in force on ``on`` (an unchanged ward) that set's record is returned.
        """
        found = self._tables.lsoas.locate(lsoa_code, on)
        if found is None:
            raise UnknownCodeError(f"{lsoa_code!r} is not a London LSOA code")
        lookup_set, code = found
        in_force = self._set_in_force(on)
        if in_force is not None and code in self._tables.wards[in_force.name]:
            return self._tables.wards[in_force.name][code]
        return self._tables.wards[lookup_set.name][code]

    def _set_in_force(self, on: date) -> BoundarySet | None:
        return next((s for s in BOUNDARY_SETS if s.contains(on)), None)

    def ward_at(self, lat: float, lon: float) -> Ward | None:
        """The 2018-set ward containing a WGS84 point, or None outside London."""
        shape = self._grid.find(lon, lat)
        return None if shape is None else self._tables.wards[SET_2018.name][shape.key]


def _force(force: str | None) -> Force | None:
    """The Force a filter names; ValueError for anything else."""
    return None if force is None else Force(force)
