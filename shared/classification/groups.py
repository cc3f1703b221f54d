"""The KPI groups an offence category falls into, the KPIs they feed, and the taxonomies."""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum, StrEnum


class Kpi(IntEnum):
    """Ward KPIs of the 2011 Safer Neighbourhoods framework that count offences or incidents."""

    VIOLENT_CRIME = 1
    PROPERTY_CRIME = 4
    ASB_INCIDENTS = 5


class KpiGroup(StrEnum):
    """The one group every mapped category belongs to."""

    VIOLENCE = "violence"
    PROPERTY = "property"
    ASB = "asb"
    OTHER = "other"
    EXCLUDED = "excluded"

    @property
    def kpi(self) -> Kpi | None:
        """The KPI this group counts toward; ``None`` for ``other`` and ``excluded``."""
        return KPI_OF_GROUP.get(self)


KPI_OF_GROUP: Mapping[KpiGroup, Kpi] = {
    KpiGroup.VIOLENCE: Kpi.VIOLENT_CRIME,
    KpiGroup.PROPERTY: Kpi.PROPERTY_CRIME,
    KpiGroup.ASB: Kpi.ASB_INCIDENTS,
}
"""The single place that says which KPI each group feeds."""


class Taxonomy(StrEnum):
    """A vocabulary of offence or incident categories that inputs arrive in."""

    MPS_UPPER = "mps_upper"
    MPS_MIXED = "mps_mixed"
    POLICE_UK = "police_uk"
    CAD_ASB = "cad_asb"

    @property
    def keyed_by_pair(self) -> bool:
        """True when categories are (major, minor) pairs; False when a single type."""
        return self in MPS_TAXONOMIES


MPS_TAXONOMIES: tuple[Taxonomy, ...] = (Taxonomy.MPS_UPPER, Taxonomy.MPS_MIXED)
"""The MPS major/minor taxonomies, in the order taxonomy detection tries them."""
