"""Reconciling a borough's figures with its published borough total.

A borough's figure is its wards plus its records with no ward (unlocated). The MPS also
publishes borough totals; those count every crime filed to the borough, including crimes
never geocoded to a ward, which the ward file leaves out (about 1.5–3% of a borough, e.g.
Westminster 175,233 in the borough file against 171,857 in its wards over 2024–25). Published
totals are held apart (never added to a roll-up) so the difference stays visible: published
total − (wards + unlocated records). When live records carry no ward, they count as
unlocated and the difference shrinks towards zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.kpi.domain.days import day_index
from services.kpi.domain.periods import Period
from services.kpi.domain.state import GROUPS, KpiState, Unit


@dataclass(frozen=True, slots=True)
class Reconciliation:
    group: str
    """A KPI group, or ``all`` (every group, including other and excluded crime)."""
    wards: int
    unlocated: int
    published: int | None
    """The published borough total (None when none is held for the period)."""

    @property
    def borough(self) -> int:
        """The borough's figure: its wards plus its unlocated records."""
        return self.wards + self.unlocated

    @property
    def difference(self) -> int | None:
        """Published total − the borough's figure."""
        return None if self.published is None else self.published - self.borough


def reconcile(state: KpiState, borough_code: str, current: Period) -> list[Reconciliation]:
    """Per KPI group and for all crime: wards, unlocated records and the published total of
    ``borough_code`` over ``current``."""
    first, last = day_index(current.first), day_index(current.last)
    borough = Unit("borough", borough_code, borough_code)
    unlocated = Unit("unlocated", borough_code, borough_code)
    published = Unit("borough_total", borough_code, borough_code)
    found = []
    for group in GROUPS:
        held = state.series(published, group) is not None
        whole = state.total(borough, group, first, last)
        loose = state.total(unlocated, group, first, last)
        total = state.total(published, group, first, last) if held else None
        found.append(Reconciliation(group, whole - loose, loose, total))
    totals = [r.published for r in found if r.published is not None]
    found.append(Reconciliation("all", sum(r.wards for r in found),
                                sum(r.unlocated for r in found),
                                sum(totals) if totals else None))  # fmt: skip
    return found
