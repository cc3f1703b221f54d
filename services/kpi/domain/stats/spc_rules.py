"""The special-cause rules of an XmR chart (NHS England and NHS Improvement, "Making Data
Count"; Western Electric, *Statistical Quality Control Handbook*, 1956):

- ``beyond_limits``: a point above the upper or below the lower process limit (a point exactly
  on a limit is not beyond it);
- ``run_of_7``: 7 or more consecutive points strictly on one side of the mean (a point exactly
  on the mean ends the run);
- ``trend_of_7``: 7 or more consecutive points each strictly above (or each strictly below) the
  one before, i.e. 6 increases or decreases in a row (a repeated value ends the trend);
- ``two_of_three_beyond_2_sigma``: 2 of any 3 consecutive points beyond the same near ("2σ")
  limit, all 3 strictly on that side of the mean; a point beyond the process limit is beyond
  the near limit too. One point past the upper and one past the lower near limit never make
  the rule, and neither does a window with a point on or across the mean (NHS-R's
  ``NHSRplotthedots``, ``ptd_two_in_three``: the window's 3 points share a side of the mean).

Each finding is one ``Signal`` naming every point involved: a run or trend is reported once,
at its full length; overlapping 2-of-3 windows on one side merge into one signal; each point
beyond a limit is its own signal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Final, Literal

Direction = Literal["lower_is_better", "higher_is_better"]
Rule = Literal["beyond_limits", "run_of_7", "trend_of_7", "two_of_three_beyond_2_sigma"]
Side = Literal["high", "low"]
Verdict = Literal["concern", "improvement"]

RUN_LENGTH: Final = 7
TREND_LENGTH: Final = 7
_SIDES: Final[tuple[Side, Side]] = ("high", "low")


@dataclass(frozen=True, slots=True)
class Limits:
    centre: float
    upper: float
    lower: float
    near_upper: float
    near_lower: float


@dataclass(frozen=True, slots=True)
class Signal:
    rule: Rule
    indices: tuple[int, ...]
    side: Side
    """``high``: above the mean or rising; ``low``: below the mean or falling."""
    verdict: Verdict


def special_causes(
    values: Sequence[float], limits: Limits, direction: Direction
) -> tuple[Signal, ...]:
    """Every special-cause signal in ``values``, ordered by the first point involved."""
    found = [
        Signal(rule, indices, side, verdict_of(side, direction))
        for rule, finder in _FINDERS
        for side in _SIDES
        for indices in finder(values, limits, side)
    ]
    return tuple(sorted(found, key=lambda s: (s.indices[0], _ORDER[s.rule])))


def verdict_of(side: Side, direction: Direction) -> Verdict:
    """High is a concern when lower is better, an improvement when higher is better."""
    return "concern" if (side == "high") == (direction == "lower_is_better") else "improvement"


def _beyond_limits(values: Sequence[float], limits: Limits, side: Side) -> Iterator[tuple[int]]:
    beyond = _outside(limits.upper, limits.lower, side)
    return ((i,) for i, v in enumerate(values) if beyond(v))


def _runs(values: Sequence[float], limits: Limits, side: Side) -> Iterator[tuple[int, ...]]:
    beyond = _outside(limits.centre, limits.centre, side)
    return _stretches([beyond(v) for v in values], RUN_LENGTH)


def _trends(values: Sequence[float], limits: Limits, side: Side) -> Iterator[tuple[int, ...]]:
    steps = [_outside(a, a, side)(b) for a, b in pairwise(values)]
    for stretch in _stretches(steps, TREND_LENGTH - 1):
        yield (*stretch, stretch[-1] + 1)


def _two_of_three(values: Sequence[float], limits: Limits, side: Side) -> Iterator[tuple[int, ...]]:
    beyond = _outside(limits.near_upper, limits.near_lower, side)
    on_side = _outside(limits.centre, limits.centre, side)
    flagged = sorted({
        i for start in range(len(values) - 2)
        if all(on_side(v) for v in values[start : start + 3])
        and len(window := [i for i in range(start, start + 3) if beyond(values[i])]) >= 2
        for i in window
    })  # fmt: skip
    group: list[int] = []
    for i in flagged:
        if group and i - group[-1] > 2:
            yield tuple(group)
            group = []
        group.append(i)
    if group:
        yield tuple(group)


def _outside(upper: float, lower: float, side: Side) -> Callable[[float], bool]:
    if side == "high":
        return lambda v: v > upper
    return lambda v: v < lower


def _stretches(flags: Sequence[bool], length: int) -> Iterator[tuple[int, ...]]:
    """Maximal stretches of consecutive True flags at least ``length`` long, as indices."""
    start = 0
    for i, flag in enumerate([*flags, False]):
        if not flag:
            if i - start >= length:
                yield tuple(range(start, i))
            start = i + 1


_Finder = Callable[[Sequence[float], Limits, Side], Iterator[tuple[int, ...]]]
_FINDERS: Final[tuple[tuple[Rule, _Finder], ...]] = (
    ("beyond_limits", _beyond_limits),
    ("run_of_7", _runs),
    ("trend_of_7", _trends),
    ("two_of_three_beyond_2_sigma", _two_of_three),
)
_ORDER: Final = {rule: n for n, (rule, _) in enumerate(_FINDERS)}
