"""The data's own clock: what "current" means for an alert, whatever the machine's date.

Each source has its newest data date: ``crime:<period>`` (the period end of crime and flex
KPI figures of a kind of period: a week and a financial year to date end on different days),
``survey:<period>`` (KPI 6 and 7) and ``roster`` (the day of a staffing or flex exception; a
ward-month exception counts as its month's last day). An event is **history** when

- its period ended before the newest date its source already holds (counting the batch it
  came in: a month of roster loaded at once is as old as its last day), allowing
  ``grace_days`` (the roster's current and previous day are still current), or
- it ended more than ``stale_days`` before the newest date of the crime figures and rosters
  (a past roster month loaded after crime figures to December is history); survey figures,
  quarterly on their own cycle, are judged by their own clock only.

History updates figures and the alert record and notifies nobody but the one summary of a
load. Only the current period of the data makes live notices; severity can depend on how near
its source's newest date an alert is (``critical_days``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class DataClock:
    newest: Mapping[str, date] = field(default_factory=dict)

    def advanced(self, seen: Iterable[tuple[str, date]]) -> DataClock:
        """The clock after the data dates ``seen``."""
        newest = dict(self.newest)
        for source, day in seen:
            if source not in newest or day > newest[source]:
                newest[source] = day
        return replace(self, newest=newest)

    def today(self) -> date | None:
        """The newest data date of the crime figures and rosters (survey figures, quarterly
        on their own publication cycle, neither set it nor are judged by it)."""
        return max((d for k, d in self.newest.items() if not k.startswith("survey")),
                   default=None)  # fmt: skip

    def is_history(self, source: str, end: date, grace_days: int, stale_days: int) -> bool:
        held = self.newest.get(source)
        if held is not None and end < held - timedelta(days=grace_days):
            return True
        today = None if source.startswith("survey") else self.today()
        return today is not None and end < today - timedelta(days=stale_days)

    def within(self, source: str, end: date, days: int) -> bool:
        """Whether ``end`` is no more than ``days`` before its source's newest date."""
        held = self.newest.get(source)
        return held is not None and end >= held - timedelta(days=days)
