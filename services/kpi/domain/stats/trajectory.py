"""Plain comparisons of a count with last year and with its target trajectory.

- % change: 100 × (current − previous) / previous, in percent (−18.0 for 41 against 50);
  undefined (None), never infinite, when last year was 0.
- Trajectory: last year's cumulative count to the same point × (1 + target change); a −2%
  target on 50 gives 49.
- Projected year end, straight line: the count so far × days in the year / days elapsed (the
  rate so far continued for the rest of the year, with no seasonal adjustment).
- Gap: current − trajectory; positive is above the trajectory.
"""

from __future__ import annotations


def pct_change(current: int, previous: int) -> float | None:
    """% change on last year; None when last year is 0."""
    if previous == 0:
        return None
    return 100.0 * (current - previous) / previous


def trajectory(previous_cumulative: int, target: float) -> float:
    """Where the count should be: last year's cumulative count × (1 + ``target``), with
    ``target`` a fraction such as −0.02."""
    if target < -1.0:
        raise ValueError(f"target must be a change of at least -100%, got {target}")
    return previous_cumulative * (1.0 + target)


def projected_year_end(current_to_date: int, days_elapsed: int, days_in_year: int) -> float:
    """The year-end count if the rate so far continues: count × days_in_year / days_elapsed."""
    if not 1 <= days_elapsed <= days_in_year:
        raise ValueError(
            f"need 1 <= days_elapsed <= days_in_year, got {days_elapsed}, {days_in_year}"
        )
    return current_to_date * days_in_year / days_elapsed


def gap(current: float, trajectory: float) -> float:
    """current − trajectory: how far above (positive) or below the trajectory the count is."""
    return current - trajectory
