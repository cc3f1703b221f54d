"""Resolve the borough labels used in published files to a borough or a special unit."""

from __future__ import annotations

from collections.abc import Iterable

from shared.reference.errors import ReferenceDataError
from shared.reference.models import Borough, SpecialUnit

Unit = Borough | SpecialUnit


def normalise_label(label: str) -> str:
    """Case- and whitespace-insensitive key for matching borough and unit labels."""
    return " ".join(label.split()).casefold()


class NameIndex:
    """Case- and whitespace-insensitive lookup of borough names, aliases and unit labels."""

    __slots__ = ("_units",)

    def __init__(self, boroughs: Iterable[Borough], special_units: Iterable[SpecialUnit]) -> None:
        self._units: dict[str, Unit] = {}
        for borough in boroughs:
            self._add(borough.names, borough)
        for unit in special_units:
            self._add(unit.labels, unit)

    def _add(self, labels: Iterable[str], unit: Unit) -> None:
        for label in labels:
            key = normalise_label(label)
            other = self._units.setdefault(key, unit)
            if other != unit:
                raise ReferenceDataError(f"label {label!r} names both {other.code} and {unit.code}")

    def resolve(self, label: str) -> Unit | None:
        """The borough or special unit a label names, or None."""
        return self._units.get(normalise_label(label))
