"""Choose the LSOA lookup that fits a date: 2011 LSOAs before May 2022, 2021 LSOAs after."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from shared.reference.boundaries import ELECTION_2022, SET_2018, SET_2022
from shared.reference.models import BoundarySet


class LsoaLookup:
    """LSOA code to ward code, using 2011 and 2021 LSOA lookups.

    Before 2022-05-05 a code is looked up among 2011 LSOAs (wards of the 2018 set), from that
    day among 2021 LSOAs (wards of the 2022 set); a code found only in the other lookup falls
    back to it. Most LSOA codes are in both.
    """

    __slots__ = ("_lsoa11", "_lsoa21")

    def __init__(self, lsoa11: Mapping[str, str], lsoa21: Mapping[str, str]) -> None:
        self._lsoa11 = dict(lsoa11)
        self._lsoa21 = dict(lsoa21)

    def codes(self, vintage: int) -> frozenset[str]:
        """The LSOA codes of the 2011 or the 2021 lookup."""
        if vintage == 2011:
            return frozenset(self._lsoa11)
        if vintage == 2021:
            return frozenset(self._lsoa21)
        raise ValueError(f"LSOA vintage must be 2011 or 2021, not {vintage}")

    def locate(self, lsoa: str, on: date) -> tuple[BoundarySet, str] | None:
        """The boundary set and ward code the LSOA maps to on ``on``, or None."""
        older = (SET_2018, self._lsoa11)
        newer = (SET_2022, self._lsoa21)
        for boundary_set, lookup in (newer, older) if on >= ELECTION_2022 else (older, newer):
            code = lookup.get(lsoa)
            if code is not None:
                return boundary_set, code
        return None
