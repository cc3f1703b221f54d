"""% change, target trajectory, straight-line projection and gap."""

from __future__ import annotations

import pytest

from services.kpi.domain.stats import gap, pct_change, projected_year_end, trajectory


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [(41, 50, -18.0), (50, 40, 25.0), (7, 7, 0.0), (0, 12, -100.0), (3, 1, 200.0),
     (0, 0, None), (5, 0, None)],
)  # fmt: skip
def test_pct_change(current: int, previous: int, expected: float | None) -> None:
    assert pct_change(current, previous) == (
        None if expected is None else pytest.approx(expected, rel=1e-15)
    )


@pytest.mark.parametrize(
    ("previous", "target", "expected"),
    [(50, -0.02, 49.0), (200, -0.01, 198.0), (0, -0.02, 0.0), (120, 0.0, 120.0),
     (300, 0.01, 303.0), (40, -1.0, 0.0)],
)  # fmt: skip
def test_trajectory(previous: int, target: float, expected: float) -> None:
    assert trajectory(previous, target) == pytest.approx(expected, rel=1e-15, abs=1e-15)


def test_trajectory_refuses_a_cut_beyond_everything() -> None:
    with pytest.raises(ValueError, match="at least -100%"):
        trajectory(50, -1.5)


@pytest.mark.parametrize(
    ("to_date", "elapsed", "year", "expected"),
    [(100, 73, 365, 500.0), (0, 10, 365, 0.0), (366, 366, 366, 366.0), (30, 30, 365, 365.0),
     (41, 31, 365, 41 * 365 / 31)],
)  # fmt: skip
def test_projected_year_end(to_date: int, elapsed: int, year: int, expected: float) -> None:
    assert projected_year_end(to_date, elapsed, year) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(("elapsed", "year"), [(0, 365), (366, 365), (-3, 365)])
def test_projected_year_end_refuses_impossible_days(elapsed: int, year: int) -> None:
    with pytest.raises(ValueError, match="days_elapsed"):
        projected_year_end(10, elapsed, year)


@pytest.mark.parametrize(
    ("current", "against", "expected"), [(41, 49.0, -8.0), (52, 49.0, 3.0), (0, 0.0, 0.0)]
)
def test_gap(current: int, against: float, expected: float) -> None:
    assert gap(current, against) == expected
