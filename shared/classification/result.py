"""What classifying one category yields, and how categories are matched."""

from __future__ import annotations

from typing import NamedTuple, Self

from pydantic import BaseModel, ConfigDict, model_validator

from shared.classification.groups import Kpi, KpiGroup, Taxonomy


class Category(NamedTuple):
    """A category as it arrives: an MPS (major, minor) pair, or a single type (minor None)."""

    major: str
    minor: str | None = None


class Classification(BaseModel):
    """The group of one category under one mapping version; travels on classified events.

    ``major`` and ``minor`` are spelled as in the mapping file, so letter-case and whitespace
    variants of a category classify identically.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    taxonomy: Taxonomy
    major: str
    minor: str | None
    group: KpiGroup
    kpi: Kpi | None
    version: str

    @model_validator(mode="after")
    def _kpi_matches_group(self) -> Self:
        if self.kpi != self.group.kpi:
            raise ValueError(f"group {self.group} feeds KPI {self.group.kpi}, not {self.kpi}")
        return self


def normalise(text: str) -> str:
    """Collapse runs of whitespace, trim and case-fold: the only leniency in matching."""
    return " ".join(text.split()).casefold()


def match_key(major: str, minor: str | None) -> Category:
    """The key a category is looked up by; majors are never merged or guessed."""
    return Category(normalise(major), None if minor is None else normalise(minor))
