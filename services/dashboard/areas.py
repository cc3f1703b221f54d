"""The places a user can drill through: MPS → borough → cluster (when clusters are
configured) → ward, limited to what the signed-in user may see."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.auth import Principal
from shared.reference import ClusterSet, LondonReference


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    borough_code: str


class Directory:
    def __init__(self, reference: LondonReference, clusters: ClusterSet | None) -> None:
        self.boroughs = {b.code: b.name for b in reference.boroughs()}
        self.wards = {w.code: Place(w.code, w.name, w.borough_code)
                      for w in reference.wards("2022")
                      if w.borough_code in self.boroughs}  # fmt: skip
        self.clusters = clusters

    def borough_of(self, ward_code: str) -> str | None:
        found = self.wards.get(ward_code)
        return found.borough_code if found else None

    def wards_of(self, borough_code: str) -> list[Place]:
        return sorted((w for w in self.wards.values() if w.borough_code == borough_code),
                      key=lambda w: w.name)  # fmt: skip

    def wards_in_scope(self, principal: Principal, borough_code: str) -> list[Place]:
        """The borough's wards the user may see, by name."""
        return [w for w in self.wards_of(borough_code)
                if principal.can_see_ward(w.code, borough_code)]  # fmt: skip

    def names(self) -> dict[str, str]:
        """Borough and ward code → name."""
        return {**self.boroughs, **{w.code: w.name for w in self.wards.values()}}

    def visible(self, principal: Principal) -> dict[str, Any]:
        """The tree the user may see: boroughs with clusters and wards."""
        out = []
        for code, name in sorted(self.boroughs.items(), key=lambda kv: kv[1]):
            wards = self.wards_in_scope(principal, code)
            if not wards:
                continue
            out.append({"code": code, "name": name,
                        "whole_borough": principal.can_see_borough(code),
                        "clusters": self._clusters(code, {w.code for w in wards}),
                        "wards": [{"code": w.code, "name": w.name} for w in wards]})  # fmt: skip
        return {"mps": principal.can_see_mps(), "boroughs": out}

    def _clusters(self, borough_code: str, seen: set[str]) -> list[Mapping[str, Any]]:
        if self.clusters is None:
            return []
        return [{"id": c.id, "name": c.name,
                 "wards": [w for w in c.ward_codes if w in seen]}
                for c in self.clusters.clusters
                if c.borough_code == borough_code and seen & set(c.ward_codes)]  # fmt: skip
