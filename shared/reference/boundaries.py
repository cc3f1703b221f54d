"""Ward boundary sets and the dates they are in force.

Each set starts on a London borough election day, the day new ward boundaries come into force,
and ends the day before the next one.
"""

from __future__ import annotations

from datetime import date, timedelta

from shared.reference.errors import UnknownCodeError
from shared.reference.models import BoundarySet

ELECTION_2014 = date(2014, 5, 22)
ELECTION_2018 = date(2018, 5, 3)
ELECTION_2022 = date(2022, 5, 5)

_DAY = timedelta(days=1)

SET_2014 = BoundarySet("2014", ELECTION_2014, ELECTION_2018 - _DAY)
SET_2018 = BoundarySet("2018", ELECTION_2018, ELECTION_2022 - _DAY)
SET_2022 = BoundarySet("2022", ELECTION_2022, None)

BOUNDARY_SETS: tuple[BoundarySet, ...] = (SET_2014, SET_2018, SET_2022)
LATEST_SET = SET_2022


def boundary_set_named(name: str) -> BoundarySet:
    """The boundary set called ``name`` ("2014", "2018" or "2022")."""
    for boundary_set in BOUNDARY_SETS:
        if boundary_set.name == name:
            return boundary_set
    known = ", ".join(s.name for s in BOUNDARY_SETS)
    raise UnknownCodeError(f"unknown boundary set {name!r}; known sets: {known}")


def boundary_set_on(on: date) -> BoundarySet:
    """The boundary set in force on ``on``."""
    for boundary_set in BOUNDARY_SETS:
        if boundary_set.contains(on):
            return boundary_set
    raise UnknownCodeError(
        f"no ward boundary set is held for {on.isoformat()}; "
        f"the earliest starts {ELECTION_2014.isoformat()}"
    )
