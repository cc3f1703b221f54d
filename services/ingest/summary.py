"""What an import did: outcomes, rejections, events stored and, for a release of a published
monthly file, its cells by kind (new, revised, retracted, held, unchanged, superseded) with
their net effect per KPI group."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from services.ingest.pipeline import Outcome

GROUPS = ("violence", "property", "asb", "other", "excluded")
CELL_KINDS = ("new", "revised", "retracted", "held", "unchanged", "superseded")
_UNMOVED = frozenset({"unchanged", "superseded"})


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

    def add(self, outcomes: Iterable[Outcome], *, read: bool = True) -> None:
        """Tally outcomes; ``read=False`` for cells the import itself made (retractions)."""
        for outcome in outcomes:
            self.read += read
            self.outcomes[outcome.status] += 1
            self.published += len(outcome.published)
            if outcome.reason is not None:
                self.rejected_by_reason[outcome.reason.value] += 1
            self._cell(outcome)

    def _cell(self, outcome: Outcome) -> None:
        effect = outcome.effect
        if effect is not None:
            self.cells[effect.kind] += 1
            self.net.setdefault(effect.kind, Counter())[effect.group] += effect.delta
        elif outcome.status in _UNMOVED:
            self.cells[outcome.status] += 1

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
            "events_published": self.published,
        }  # fmt: skip
        if self.release is not None:
            body["release"] = self.release
            body["cells"] = self.cells_dict()
        return body
