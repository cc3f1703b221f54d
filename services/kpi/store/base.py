"""What the kpi service needs from its database: state, applied event ids and offsets,
written together in one transaction per consumed batch (the exactly-once effect)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from services.kpi.domain.state import DayKey, Unit
from services.kpi.domain.survey import Published, SumKey, SumNet
from shared.consumer import Event as T
from shared.consumer import Position, Resume

CategoryKey = tuple[Unit, str, str, int]
"""(unit, group, category, day)."""
MonthKey = tuple[Unit, str, int]
"""(stored unit, KPI group, month index) holding counts known only to their month."""
ContactKey = tuple[str, str, str, Unit]
"""(victim or caller, pseudonym, record id, unit)."""
ContactNet = tuple[int, int, int]
"""(day, net count, net count of the changes flagged vulnerable)."""
StoredContact = tuple[ContactKey, ContactNet]


class KpiUnit(Protocol):
    def claim(self, changes: Sequence[T]) -> list[T]:
        """``changes`` whose event ids were never applied (the first of each id in the batch),
        their ids recorded as applied."""
        ...

    def add(self, net: Mapping[DayKey, int], categories: Mapping[CategoryKey, int],
            offsets: Mapping[Position, int], epoch: str | None = None) -> None:  # fmt: skip
        """Add the nets; record the next offsets to read (in the broker log of ``epoch``)."""
        ...

    def add_monthly(self, keys: Iterable[MonthKey]) -> None:
        """Record that these (unit, group, month) hold counts known only to their month."""
        ...

    def add_simulated(self, keys: Iterable[MonthKey]) -> None:
        """Record that these (unit, group, month) hold counts of simulated records."""
        ...

    def add_contacts(self, contacts: Mapping[ContactKey, ContactNet]) -> None:
        """Add the net contact changes of the persons the batch's records name."""
        ...

    def add_survey(self, sums: Mapping[SumKey, SumNet], published: Sequence[Published]) -> None:
        """Add survey response sums; store published survey figures (latest wins)."""
        ...


class KpiStore(Protocol):
    def unit(self) -> AbstractContextManager[KpiUnit]:
        """One transaction: committed on a clean exit, rolled back on an exception."""
        ...

    def load(self) -> Iterator[tuple[DayKey, int]]:
        """Every stored day count (to rebuild the in-memory state at start)."""
        ...

    def load_monthly(self) -> Iterator[MonthKey]:
        """Every stored (unit, group, month) holding counts known only to their month."""
        ...

    def load_simulated(self) -> Iterator[MonthKey]:
        """Every stored (unit, group, month) holding counts of simulated records."""
        ...

    def load_contacts(self) -> Iterator[StoredContact]:
        """Every stored contact (to rebuild the diagnostics at start)."""
        ...

    def load_survey(self) -> tuple[dict[SumKey, SumNet], list[Published]]:
        """Every stored survey sum and published survey figure."""
        ...

    def offsets(self) -> dict[Position, int]:
        """The next offset to read per topic partition."""
        ...

    def resume_points(self) -> dict[Position, Resume]:
        """The next offset to read per topic partition, with the broker epoch it belongs to."""
        ...

    def categories(self, unit: Unit, group: str, first: int, last: int) -> dict[str, int]:
        """Counts per offence category of ``unit`` × ``group`` over days ``first..last``."""
        ...

    def applied(self) -> int:
        """How many events have been applied."""
        ...


def nonzero(items: Iterable[tuple[CategoryKey, int]]) -> dict[CategoryKey, int]:
    out: dict[CategoryKey, int] = {}
    for key, delta in items:
        out[key] = out.get(key, 0) + delta
    return {k: v for k, v in out.items() if v}
