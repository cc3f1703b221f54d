"""Published table cells: the count event is the change of the cell's value.

First publication: delta = value (nothing is published for a zero cell). Revision: delta =
new - previous (nothing when unchanged). So a consumer's running sum equals the cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class CellChange:
    delta: int
    change: Literal["published", "revised"]
    revision: int


def cell_change(previous: int | None, revision: int, value: int) -> CellChange | None:
    """The change to publish when a cell last seen at ``previous`` is now ``value``."""
    if previous is None:
        return CellChange(value, "published", 1) if value else None
    if value == previous:
        return None
    return CellChange(value - previous, "revised", revision + 1)
