"""Planar point-in-polygon for GeoJSON Polygon and MultiPolygon geometries.

Coordinates are (x, y) = (longitude, latitude). Containment uses even-odd ray casting over all
rings of a polygon, so holes are excluded without special cases. A point exactly on a shared
edge may be reported in either neighbour.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class GeometryError(ValueError):
    """A GeoJSON geometry this module cannot use."""


@dataclass(frozen=True, slots=True)
class BBox:
    min_x: float
    min_y: float
    max_x: float
    max_y: float

    def contains(self, x: float, y: float) -> bool:
        return self.min_x <= x <= self.max_x and self.min_y <= y <= self.max_y

    @staticmethod
    def around(boxes: Iterable[BBox]) -> BBox:
        items = list(boxes)
        return BBox(
            min(b.min_x for b in items),
            min(b.min_y for b in items),
            max(b.max_x for b in items),
            max(b.max_y for b in items),
        )


@dataclass(frozen=True, slots=True)
class Ring:
    """A closed linear ring as parallel coordinate tuples."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]

    def crossed_odd(self, x: float, y: float) -> bool:
        """True if a ray from (x, y) towards +x crosses this ring an odd number of times."""
        odd = False
        x1, y1 = self.xs[-1], self.ys[-1]
        for x2, y2 in zip(self.xs, self.ys, strict=True):
            if (y2 > y) != (y1 > y) and x < (x1 - x2) * (y - y2) / (y1 - y2) + x2:
                odd = not odd
            x1, y1 = x2, y2
        return odd


@dataclass(frozen=True, slots=True)
class Polygon:
    """An outer ring followed by zero or more holes."""

    rings: tuple[Ring, ...]
    bbox: BBox

    def contains(self, x: float, y: float) -> bool:
        if not self.bbox.contains(x, y):
            return False
        odd = False
        for ring in self.rings:
            odd ^= ring.crossed_odd(x, y)
        return odd


@dataclass(frozen=True, slots=True)
class Shape:
    """A keyed area made of one or more polygons."""

    key: str
    polygons: tuple[Polygon, ...]
    bbox: BBox

    def contains(self, x: float, y: float) -> bool:
        return self.bbox.contains(x, y) and any(p.contains(x, y) for p in self.polygons)


def shape_from_geojson(key: str, geometry: Mapping[str, Any]) -> Shape:
    """A Shape from a GeoJSON Polygon or MultiPolygon geometry object."""
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    polygons: tuple[Polygon, ...]
    if kind == "Polygon":
        polygons = (_polygon(coordinates),)
    elif kind == "MultiPolygon" and isinstance(coordinates, list) and coordinates:
        polygons = tuple(_polygon(item) for item in coordinates)
    else:
        raise GeometryError(f"{key}: expected a Polygon or MultiPolygon, got {kind!r}")
    return Shape(key, polygons, BBox.around(p.bbox for p in polygons))


def _polygon(coordinates: object) -> Polygon:
    if not isinstance(coordinates, list) or not coordinates:
        raise GeometryError("a polygon needs at least one ring")
    rings = tuple(_ring(ring) for ring in coordinates)
    outer = rings[0]
    bbox = BBox(min(outer.xs), min(outer.ys), max(outer.xs), max(outer.ys))
    return Polygon(rings, bbox)


def _ring(coordinates: object) -> Ring:
    if not isinstance(coordinates, list) or len(coordinates) < 4:
        raise GeometryError("a ring needs at least four positions")
    try:
        xs, ys = _columns(coordinates)
    except (TypeError, ValueError, IndexError) as exc:
        raise GeometryError(f"bad position in ring: {exc}") from exc
    if (xs[0], ys[0]) != (xs[-1], ys[-1]):
        raise GeometryError("ring is not closed")
    return Ring(xs, ys)


def _columns(positions: Sequence[Any]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    xs = tuple(float(position[0]) for position in positions)
    ys = tuple(float(position[1]) for position in positions)
    return xs, ys
