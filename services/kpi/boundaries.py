"""Ward boundary changes for the kpi state: which counts a 2022-set ward takes a share of.

Counts published on 2018-set codes (before the 2022 boundaries, and for a few months after in
the MPS's own files) stay on those codes; a 2022-set ward's figures add its share of the
changed 2018-set wards' counts (shares from :mod:`shared.reference.crosswalk`), so a ward is
compared with last year on its own boundaries.
"""

from __future__ import annotations

from services.kpi.domain.state import Apportioning, Unit
from shared.reference import LondonReference


def apportioning(reference: LondonReference) -> Apportioning:
    """Each 2022-set ward → the changed 2018-set wards it takes a share of, with the shares."""
    out = {}
    for ward in reference.wards("2022"):
        parts = reference.apportioned_from(ward.code)
        if parts:
            out[Unit("ward", ward.code, ward.borough_code)] = tuple(
                (Unit("ward", old, reference.ward(old, boundary_set="2018").borough_code), share)
                for old, share in parts
            )
    return out
