"""Assurance: will the process, as it stands, meet its target?

NHS England and NHS Improvement, "Making Data Count" (2019), assurance icons; the rule of
NHS-R's ``NHSRplotthedots`` (``ptd_calculate_assurance_type``). Common-cause variation
ranges over the process limits, so when the whole band lies on the good side of the target
the target will consistently be met, when it lies wholly on the bad side it will consistently
be missed, and otherwise hitting the target is down to chance.

For lower-is-better: target ≥ upper limit → consistently meet; target < lower limit →
consistently miss; otherwise inconsistent. Mirrored for higher-is-better: target ≤ lower limit
→ consistently meet; target > upper limit → consistently miss. (The limits themselves are
the ones computed, not the display ``lcl_floored``.)
"""

from __future__ import annotations

from typing import Literal

from services.kpi.domain.stats.spc import XmrChart
from services.kpi.domain.stats.spc_rules import Direction

Assurance = Literal["consistently_meet", "consistently_miss", "inconsistent"]


def assurance(chart: XmrChart, target: float, direction: Direction) -> Assurance:
    """Whether the process on ``chart`` consistently meets, consistently misses, or only
    sometimes meets ``target``."""
    if direction == "lower_is_better":
        if target >= chart.ucl:
            return "consistently_meet"
        return "consistently_miss" if target < chart.lcl else "inconsistent"
    if target <= chart.lcl:
        return "consistently_meet"
    return "consistently_miss" if target > chart.ucl else "inconsistent"
