"""A coarse uniform grid over shape bounding boxes, for fast point lookups."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from shared.reference.geometry import BBox, Shape

DEFAULT_CELL_DEGREES = 0.01
"""About 0.7 km east-west by 1.1 km north-south at London's latitude."""


class GridIndex:
    """Shapes registered in every grid cell their bounding box touches.

    A lookup tests only the shapes of the point's cell, each behind its bounding box; shapes
    are tried in the order given, so the first containing shape wins on shared edges.
    """

    __slots__ = ("_cell", "_cells", "_extent", "_shapes")

    def __init__(self, shapes: Sequence[Shape], cell: float = DEFAULT_CELL_DEGREES) -> None:
        if not shapes:
            raise ValueError("a grid index needs at least one shape")
        self._shapes = tuple(shapes)
        self._cell = cell
        self._extent = BBox.around(shape.bbox for shape in self._shapes)
        cells: dict[tuple[int, int], list[Shape]] = defaultdict(list)
        for shape in self._shapes:
            for key in self._keys(shape.bbox):
                cells[key].append(shape)
        self._cells = {key: tuple(found) for key, found in cells.items()}

    def _column(self, x: float) -> int:
        return math.floor((x - self._extent.min_x) / self._cell)

    def _row(self, y: float) -> int:
        return math.floor((y - self._extent.min_y) / self._cell)

    def _keys(self, bbox: BBox) -> list[tuple[int, int]]:
        columns = range(self._column(bbox.min_x), self._column(bbox.max_x) + 1)
        rows = range(self._row(bbox.min_y), self._row(bbox.max_y) + 1)
        return [(column, row) for column in columns for row in rows]

    def candidates(self, x: float, y: float) -> tuple[Shape, ...]:
        """Shapes whose bounding box shares the point's grid cell."""
        if not self._extent.contains(x, y):
            return ()
        return self._cells.get((self._column(x), self._row(y)), ())

    def find(self, x: float, y: float) -> Shape | None:
        """The first shape containing the point, or None."""
        for shape in self.candidates(x, y):
            if shape.contains(x, y):
                return shape
        return None
