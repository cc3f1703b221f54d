"""Fixed facts about London's policing units that the data files do not carry."""

from __future__ import annotations

from shared.reference.models import SpecialUnit

CITY_OF_LONDON = "E09000001"
"""Policed by City of London Police, not the MPS."""

HEATHROW_VILLAGES = "E05013570"
"""2022-set ward in Hillingdon that the MPS ward files report under SO18."""

BOROUGH_ALIASES: dict[str, tuple[str, ...]] = {
    CITY_OF_LONDON: ("City and County of the City of London",),
    "E09000027": ("Richmond Upon Thames",),
    "E09000033": ("City of Westminster",),
}
"""Other names the borough is published under (the official name comes from the data)."""

AVIATION_SECURITY = SpecialUnit(
    code="SO18",
    name="Aviation Security (SO18)",
    labels=("Aviation Security (SO18)", "London Heathrow and London City Airports"),
    description=(
        "MPS Aviation Security command policing Heathrow and London City airports. "
        "MPS ward files report Heathrow Villages (Hillingdon) under this label; "
        "MPS borough files report the airports under their own label."
    ),
    ward_codes=(HEATHROW_VILLAGES,),
)

UNKNOWN_BOROUGH = SpecialUnit(
    code="UNKNOWN",
    name="Unknown",
    labels=("Unknown",),
    description="MPS borough files' row for crimes not attributed to any borough.",
)

SPECIAL_UNITS: tuple[SpecialUnit, ...] = (AVIATION_SECURITY, UNKNOWN_BOROUGH)
