"""Releases of a published monthly file: which months each one governs, and whether its
figures are plausible against the figures as they stand.

A release is the whole truth for the months of its window, over every area of its dataset.
Releases of one dataset are ordered by their own window (last month, then first month),
never by when they were imported: a month is governed by the newest applied release that
covers it. Pure: the store supplies the releases and totals, the caller acts on the verdict.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from services.ingest.domain.intake import CountIntake

ReleaseStatus = Literal["applied", "held", "rejected"]
AreaMonth = tuple[str, date]
"""(area, month): a ward code or a published borough label, and the 1st of the month."""
ALL_AREAS = "*"
"""The area of a whole-file month total."""


@dataclass(frozen=True, slots=True)
class ReleaseWindow:
    """One release of a dataset: the months its columns cover."""

    dataset: str
    first: date
    last: date

    @property
    def release_id(self) -> str:
        """``mps-ward:202307-202506``: the same file, or any file of that window, is one id."""
        return f"{self.dataset}:{self.first:%Y%m}-{self.last:%Y%m}"

    @property
    def order(self) -> tuple[date, date]:
        """Newer releases sort later: by last month, then by first month."""
        return (self.last, self.first)

    def covers(self, month: date) -> bool:
        return self.first <= month <= self.last

    def months(self) -> list[date]:
        found, month = [], self.first
        while month <= self.last:
            found.append(month)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return found


@dataclass(frozen=True, slots=True)
class ReleaseScope:
    """What the pipeline needs while it takes in one release's cells: the months the release
    governs (its other cells are superseded by a newer release), and whether it is held."""

    release_id: str
    dataset: str
    months: frozenset[date]
    hold: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    """One implausible figure: an area's (or the whole file's) month total fell too far."""

    area: str
    month: date
    previous: int
    new: int

    def describe(self) -> str:
        where = "the whole file" if self.area == ALL_AREAS else self.area
        return f"{where} {self.month:%Y-%m}: {self.previous} → {self.new}"


@dataclass(frozen=True, slots=True)
class ReleaseRecord:
    """What the store keeps about a release: its window, file digest, status and decision."""

    window: ReleaseWindow
    digest: str
    status: ReleaseStatus
    source: str
    imported_at: datetime
    findings: tuple[Finding, ...] = ()
    rule: str = ""
    decided_at: datetime | None = None
    decided_by: str | None = None
    note: str | None = None

    @property
    def release_id(self) -> str:
        return self.window.release_id


@dataclass(frozen=True, slots=True)
class PlausibilityRule:
    """When a release is held: a month total falls by more than ``max_fall`` of the figure
    as it stands, for the whole file or for one area whose figure was at least
    ``min_area_count`` (small areas move by chance)."""

    max_fall: float = 0.5
    min_area_count: int = 20
    version: str = "default"

    def describe(self) -> str:
        return (f"{self.version}: a month total falls by more than {self.max_fall:.0%} "
                f"(whole file, or an area of at least {self.min_area_count})")  # fmt: skip

    def falls(self, previous: int, new: int) -> bool:
        return previous > 0 and new < previous * (1 - self.max_fall)


def governed_months(release: ReleaseWindow, applied: Iterable[ReleaseWindow]) -> list[date]:
    """The months of ``release`` that no newer applied release of its dataset covers."""
    newer = [
        w
        for w in applied
        if w.dataset == release.dataset and w.order > release.order
    ]  # fmt: skip
    return [m for m in release.months() if not any(w.covers(m) for w in newer)]


def area_of(item: CountIntake) -> str:
    """The area a cell's figure belongs to: its ward, else its published borough label."""
    return item.place.ward_code or item.place.borough_label or ""


def add_totals(totals: Counter[AreaMonth], item: CountIntake) -> None:
    """Add one cell to the area and whole-file month totals."""
    totals[(area_of(item), item.month)] += item.count
    totals[(ALL_AREAS, item.month)] += item.count


def judge(
    previous: Mapping[AreaMonth, int], new: Mapping[AreaMonth, int], rule: PlausibilityRule
) -> tuple[Finding, ...]:
    """Every figure that falls implausibly, worst first; empty when the release is plausible.

    Only figures that stand already are compared: a month or area the release adds is new.
    """
    found = [
        Finding(area, month, before, new.get((area, month), 0))
        for (area, month), before in previous.items()
        if (area == ALL_AREAS or before >= rule.min_area_count)
        and rule.falls(before, new.get((area, month), 0))
    ]
    return tuple(sorted(found, key=lambda f: (f.new / f.previous, f.month, f.area)))


def with_whole_file(totals: Mapping[AreaMonth, int]) -> dict[AreaMonth, int]:
    """Area month totals plus each month's whole-file total."""
    result = dict(totals)
    for (area, month), value in totals.items():
        if area != ALL_AREAS:
            result[(ALL_AREAS, month)] = result.get((ALL_AREAS, month), 0) + value
    return result
