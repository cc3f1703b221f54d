"""Build ward shapes from the boundary GeoJSON, checked against the ward list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.reference.checks import check_count, check_new
from shared.reference.errors import ReferenceDataError
from shared.reference.geometry import GeometryError, Shape, shape_from_geojson
from shared.reference.sources import POLYGON_CODE, POLYGON_FEATURES, POLYGONS_SET
from shared.reference.ward import Ward


def build_shapes(file: str, document: Any, wards: Mapping[str, Ward]) -> tuple[Shape, ...]:
    """One shape per feature, keyed by ward code, in ward-code order."""
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise ReferenceDataError(f"{file} is not a GeoJSON FeatureCollection")
    seen: dict[str, str] = {}
    shapes = [_shape(file, index, feature, wards, seen) for index, feature in enumerate(features)]
    check_count(f"features in {file}", len(shapes), POLYGON_FEATURES)
    return tuple(sorted(shapes, key=lambda shape: shape.key))


def _shape(
    file: str, index: int, feature: Any, wards: Mapping[str, Ward], seen: dict[str, str]
) -> Shape:
    where = f"{file} feature {index}"
    try:
        code = feature["properties"][POLYGON_CODE]
        geometry = feature["geometry"]
    except (TypeError, KeyError) as exc:
        raise ReferenceDataError(f"{where}: missing properties.{POLYGON_CODE} or geometry") from exc
    if code not in wards:
        raise ReferenceDataError(f"{where}: {code!r} is not a ward of the {POLYGONS_SET} set")
    check_new(seen, code, where, "ward polygon")
    try:
        return shape_from_geojson(code, geometry)
    except (GeometryError, AttributeError) as exc:
        raise ReferenceDataError(f"{where} ({code}): {exc}") from exc
