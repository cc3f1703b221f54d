"""Point-in-polygon and the grid index on small hand-made shapes."""

from __future__ import annotations

from typing import Any

import pytest

from shared.reference.geometry import GeometryError, Shape, shape_from_geojson
from shared.reference.grid import GridIndex


def _square(x: float, y: float, size: float) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


SQUARE_WITH_HOLE = {"type": "Polygon", "coordinates": [_square(0, 0, 10), _square(4, 4, 2)]}
TWO_SQUARES = {
    "type": "MultiPolygon",
    "coordinates": [[_square(0, 0, 1)], [_square(5, 5, 1), _square(5.25, 5.25, 0.5)]],
}
CONCAVE = {  # a "U": the notch between the arms is outside
    "type": "Polygon",
    "coordinates": [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]],
}


@pytest.mark.parametrize(
    ("geometry", "point", "inside"),
    [
        (SQUARE_WITH_HOLE, (1, 1), True),
        (SQUARE_WITH_HOLE, (5, 5), False),
        (SQUARE_WITH_HOLE, (6.5, 5), True),
        (SQUARE_WITH_HOLE, (11, 5), False),
        (SQUARE_WITH_HOLE, (-0.5, 5), False),
        (TWO_SQUARES, (0.5, 0.5), True),
        (TWO_SQUARES, (5.1, 5.9), True),
        (TWO_SQUARES, (5.5, 5.5), False),
        (TWO_SQUARES, (3, 3), False),
        (CONCAVE, (0.5, 2.5), True),
        (CONCAVE, (1.5, 2.5), False),
        (CONCAVE, (1.5, 0.5), True),
        (CONCAVE, (2.5, 2.9), True),
    ],
)
def test_contains(geometry: dict[str, Any], point: tuple[float, float], inside: bool) -> None:
    assert shape_from_geojson("s", geometry).contains(*point) is inside


def test_multipolygon_bbox_spans_all_parts() -> None:
    bbox = shape_from_geojson("s", TWO_SQUARES).bbox
    assert (bbox.min_x, bbox.min_y, bbox.max_x, bbox.max_y) == (0, 0, 6, 6)


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Point", "coordinates": [0, 0]}, "Polygon or MultiPolygon"),
        ({"type": "MultiPolygon", "coordinates": []}, "Polygon or MultiPolygon"),
        ({"type": "Polygon", "coordinates": []}, "at least one ring"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "four positions"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "not closed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1], [1, 1], [0, 0]]]}, "bad position"),
        ({"type": "Polygon", "coordinates": [[[0, 0], ["x", 0], [1, 1], [0, 0]]]}, "bad position"),
    ],
)
def test_bad_geometry_is_refused(geometry: dict[str, Any], message: str) -> None:
    with pytest.raises(GeometryError, match=message):
        shape_from_geojson("s", geometry)


def _grid_shapes() -> list[Shape]:
    return [
        shape_from_geojson("a", {"type": "Polygon", "coordinates": [_square(0, 0, 1)]}),
        shape_from_geojson("b", {"type": "Polygon", "coordinates": [_square(1, 0, 1)]}),
        shape_from_geojson("c", SQUARE_WITH_HOLE),
    ]


@pytest.mark.parametrize(
    ("point", "key"),
    [
        ((0.5, 0.5), "a"),
        ((1.5, 0.5), "b"),
        ((1.0, 0.5), "b"),  # on a shared north-south edge: the eastern shape holds it
        ((5, 5), None),  # in c's hole
        ((8, 8), "c"),
        ((20, 20), None),
        ((-1, 0.5), None),
    ],
)
def test_grid_index_finds_the_containing_shape(point: tuple[float, float], key: str | None) -> None:
    index = GridIndex(_grid_shapes(), cell=0.25)
    found = index.find(*point)
    assert (found.key if found else None) == key


def test_grid_candidates_are_limited_to_the_cell() -> None:
    index = GridIndex(_grid_shapes(), cell=0.25)
    assert {s.key for s in index.candidates(0.5, 0.5)} == {"a", "c"}
    assert {s.key for s in index.candidates(9.9, 9.9)} == {"c"}
    assert index.candidates(50, 50) == ()


def test_grid_index_needs_shapes() -> None:
    with pytest.raises(ValueError, match="at least one shape"):
        GridIndex([])
