"""Optional ward clusters: named groups of one borough's wards in one boundary set.

The configuration is a mapping (read from TOML by ``load_clusters``)::

    boundary_set = "2022"

    [clusters.<id>]
    name = "..."
    borough = "E09......"
    wards = ["E05......", ...]

Every ward must exist in the boundary set and belong to the cluster's borough, and no ward may
be in two clusters. Wards left out of every cluster are allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from shared.reference.errors import ReferenceDataError, UnknownCodeError
from shared.reference.models import Force
from shared.reference.reference import LondonReference

ClusterId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
BoroughCode = Annotated[str, StringConstraints(pattern=r"^E09[0-9]{6}$")]
WardCode = Annotated[str, StringConstraints(pattern=r"^E05[0-9]{6}$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class _ClusterEntry(_Frozen):
    name: str = Field(min_length=1)
    borough: BoroughCode
    wards: tuple[WardCode, ...] = Field(min_length=1)


class _ClusterFile(_Frozen):
    boundary_set: str
    clusters: dict[ClusterId, _ClusterEntry] = Field(min_length=1)


class Cluster(_Frozen):
    """A named group of wards within one borough."""

    id: str
    name: str
    borough_code: str
    boundary_set: str
    ward_codes: tuple[str, ...]


class ClusterSet(_Frozen):
    """Validated clusters of one boundary set, in file order."""

    boundary_set: str
    clusters: tuple[Cluster, ...]

    def cluster(self, cluster_id: str) -> Cluster:
        for cluster in self.clusters:
            if cluster.id == cluster_id:
                return cluster
        raise UnknownCodeError(f"no cluster {cluster_id!r}")

    def cluster_for_ward(self, ward_code: str) -> Cluster | None:
        """The cluster holding the ward, or None if it is in none."""
        return next((c for c in self.clusters if ward_code in c.ward_codes), None)


def parse_clusters(
    data: Mapping[str, Any], reference: LondonReference, source: str = "clusters"
) -> ClusterSet:
    """Validate a cluster configuration against the reference data."""
    try:
        spec = _ClusterFile.model_validate(data)
        boundary_set = reference.boundary_set(spec.boundary_set).name
    except (ValidationError, UnknownCodeError) as exc:
        raise ReferenceDataError(f"{source}: invalid cluster configuration: {exc}") from exc
    owners: dict[str, str] = {}
    clusters = tuple(
        _cluster(cluster_id, entry, boundary_set, reference, owners, source)
        for cluster_id, entry in spec.clusters.items()
    )
    return ClusterSet(boundary_set=boundary_set, clusters=clusters)


def _cluster(
    cluster_id: str,
    entry: _ClusterEntry,
    boundary_set: str,
    reference: LondonReference,
    owners: dict[str, str],
    source: str,
) -> Cluster:
    where = f"{source}: cluster {cluster_id!r}"
    _check_borough(entry.borough, reference, where)
    for code in entry.wards:
        _check_ward(code, entry.borough, boundary_set, reference, where)
        if code in owners:
            raise ReferenceDataError(f"{where}: ward {code} is already in {owners[code]!r}")
        owners[code] = cluster_id
    return Cluster(
        id=cluster_id,
        name=entry.name,
        borough_code=entry.borough,
        boundary_set=boundary_set,
        ward_codes=entry.wards,
    )


def _check_borough(code: str, reference: LondonReference, where: str) -> None:
    try:
        borough = reference.borough(code)
    except UnknownCodeError as exc:
        raise ReferenceDataError(f"{where}: {exc}") from exc
    if borough.force is not Force.MPS:
        raise ReferenceDataError(f"{where}: {borough.name} is not policed by the MPS")


def _check_ward(
    code: str, borough_code: str, boundary_set: str, reference: LondonReference, where: str
) -> None:
    try:
        ward = reference.ward(code, boundary_set=boundary_set)
    except UnknownCodeError as exc:
        raise ReferenceDataError(f"{where}: {exc}") from exc
    if ward.borough_code != borough_code:
        raise ReferenceDataError(
            f"{where}: ward {code} ({ward.name}) is in {ward.borough_code}, not {borough_code}"
        )
