"""Pydantic models of the classification file (``kpi_groups.toml``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.classification.groups import KpiGroup

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
"""A non-blank string, surrounding whitespace removed."""


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    group: KpiGroup
    note: str = ""


class PairEntry(_Entry):
    """One MPS (major, minor) category and its group."""

    major: Text
    minor: Text


class TypeEntry(_Entry):
    """One single-level category (police.uk crime type, CAD ASB category) and its group.

    ``name`` is the spelling of bulk files; ``slug`` the API spelling of the same type, when
    it has one that is not already taken by another entry.
    """

    name: Text
    slug: Text | None = None


class ClassificationFile(BaseModel):
    """The whole file: its version and, per taxonomy, every mapped category."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Text
    mps_upper: Annotated[tuple[PairEntry, ...], Field(min_length=1)]
    mps_mixed: Annotated[tuple[PairEntry, ...], Field(min_length=1)]
    police_uk: Annotated[tuple[TypeEntry, ...], Field(min_length=1)]
    cad_asb: Annotated[tuple[TypeEntry, ...], Field(min_length=1)]
