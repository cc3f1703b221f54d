"""A bulk file as pipeline submissions: the format's parser, and each item's event type."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from services.ingest.domain.intake import (
    CountIntake,
    CrimeIntake,
    IncidentIntake,
    RowRejection,
    SurveyIntake,
)
from services.ingest.importers import FORMATS, Item
from services.ingest.pipeline import Submission
from shared.reference import LondonReference


def event_type(item: Item) -> str:
    if isinstance(item, CrimeIntake):
        return "crime.recorded"
    if isinstance(item, IncidentIntake):
        return "cad.incident"
    if isinstance(item, CountIntake):
        return "cad.counted" if item.category.major == "Anti-social behaviour" else "crime.counted"
    if isinstance(item, SurveyIntake):
        return "survey.aggregate"
    return "unknown"


def items(fmt: str, path: Path, reference: LondonReference) -> Iterator[Item]:
    spec = FORMATS[fmt]
    if spec.release is not None:
        return spec.parse(path, include_zero=True)  # type: ignore[call-arg]
    if fmt == "pas-borough-csv":
        return spec.parse(path, reference=reference)  # type: ignore[call-arg]
    return spec.parse(path)


def submissions(stream: Iterator[Item]) -> Iterator[Submission]:
    for item in stream:
        original = item.original if isinstance(item, RowRejection) else ""
        yield Submission(item, event_type(item), original)
