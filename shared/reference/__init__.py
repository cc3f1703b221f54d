"""London reference data: boroughs, effective-dated wards, populations, LSOA lookups, polygons.

Load once at start-up with ``load_reference()`` and pass the result where it is needed; record
``LondonReference.version`` with every figure computed from it.
"""

from shared.reference.boundaries import BOUNDARY_SETS, SET_2014, SET_2018, SET_2022
from shared.reference.clusters import Cluster, ClusterSet, parse_clusters
from shared.reference.errors import ReferenceDataError, UnknownCodeError
from shared.reference.loader import load_2022_shapes, load_clusters, load_reference
from shared.reference.models import Borough, BoundarySet, Force, SpecialUnit
from shared.reference.reference import LondonReference
from shared.reference.version import REFERENCE_CODE_VERSION
from shared.reference.ward import (
    BASE_STAFFING,
    ENHANCED_STAFFING,
    POPULATION_THRESHOLD,
    PopulationSource,
    StaffingModel,
    Ward,
)

__all__ = [
    "BASE_STAFFING",
    "BOUNDARY_SETS",
    "ENHANCED_STAFFING",
    "POPULATION_THRESHOLD",
    "REFERENCE_CODE_VERSION",
    "SET_2014",
    "SET_2018",
    "SET_2022",
    "Borough",
    "BoundarySet",
    "Cluster",
    "ClusterSet",
    "Force",
    "LondonReference",
    "PopulationSource",
    "ReferenceDataError",
    "SpecialUnit",
    "StaffingModel",
    "UnknownCodeError",
    "Ward",
    "load_2022_shapes",
    "load_clusters",
    "load_reference",
    "parse_clusters",
]
