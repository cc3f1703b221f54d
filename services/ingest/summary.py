"""What an import did: outcomes, rejections, events stored and, for a release of a published
monthly file, its cells by kind (new, revised, retracted, held, unchanged, superseded) with
their net effect per KPI group."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from services.ingest.pipeline import CellKind, Outcome

GROUPS = ("violence", "property", "asb", "other", "excluded")
CELL_KINDS = ("new", "revised", "retracted", "held", "unchanged", "superseded")
_UNMOVED = frozenset({"unchanged", "superseded"})
_status = attrgetter("status")
_published = attrgetter("published")


FIRST_REJECTIONS = 5
"""Refused rows an import summary names (every one is dead-lettered with its reason)."""


def _rejection(o: Outcome) -> dict[str, Any]:
    return {"event_id": o.event_id, "reason": o.reason.value if o.reason else None,
            "problems": [f"{p.field}: {p.problem}" for p in o.problems]}  # fmt: skip


@dataclass
class ImportSummary:
    format: str
    path: str
    read: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    published: int = 0
    cells: Counter[str] = field(default_factory=Counter)
    """Published cells by kind: new, revised, retracted, held, unchanged, superseded."""
    net: dict[str, Counter[str]] = field(default_factory=dict)
    """Per kind, the net delta per KPI group (for held cells: their value, not applied)."""
    release: dict[str, Any] | None = None
    first_rejections: list[dict[str, Any]] = field(default_factory=list)
    """The first few refused rows: event id, reason and the problems (field and what is
    wrong, never the value)."""

    def add(self, outcomes: Sequence[Outcome], *, read: bool = True) -> None:
        """Tally a batch's outcomes; ``read=False`` for cells the import itself made
        (retractions). Counted a batch at a time, in C loops: an import has hundreds of
        thousands of cells."""
        self.read += len(outcomes) if read else 0
        self.outcomes.update(map(_status, outcomes))
        self.published += sum(map(len, map(_published, outcomes)))
        refused = [o for o in outcomes if o.reason is not None]
        self.rejected_by_reason.update(o.reason.value for o in refused)  # type: ignore[union-attr]
        for o in refused[: FIRST_REJECTIONS - len(self.first_rejections)]:
            self.first_rejections.append(_rejection(o))
        effects = [o.effect for o in outcomes if o.effect is not None]
        self.cells.update(e.kind for e in effects)
        self.cells.update(o.status for o in outcomes if o.effect is None and o.status in _UNMOVED)
        net: Counter[tuple[CellKind, str]] = Counter()
        for kind, group, delta in effects:
            net[(kind, group)] += delta
        for (kind, group), delta in net.items():
            self.net.setdefault(kind, Counter())[group] += delta

    def cells_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for kind in CELL_KINDS:
            entry: dict[str, Any] = {"cells": self.cells.get(kind, 0)}
            if kind in ("new", "revised", "retracted", "held"):
                net = self.net.get(kind, Counter())
                entry["value" if kind == "held" else "net"] = {g: net.get(g, 0) for g in GROUPS}
            found[kind] = entry
        return found

    def as_dict(self) -> dict[str, Any]:
        body = {
            "format": self.format, "path": self.path, "read": self.read,
            "outcomes": dict(self.outcomes), "rejected_by_reason": dict(self.rejected_by_reason),
            "events_published": self.published, "first_rejections": self.first_rejections,
        }  # fmt: skip
        if self.release is not None:
            body["release"] = self.release
            body["cells"] = self.cells_dict()
        return body
