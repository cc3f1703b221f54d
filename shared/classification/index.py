"""Build the lookup table of a validated classification file, refusing duplicate keys."""

from __future__ import annotations

from collections.abc import Iterator

from shared.classification.errors import ClassificationError, describe
from shared.classification.groups import Taxonomy
from shared.classification.result import Category, Classification, match_key
from shared.classification.schema import ClassificationFile, PairEntry, TypeEntry

Index = dict[Taxonomy, dict[Category, Classification]]


def build_index(file: ClassificationFile) -> Index:
    """Every taxonomy's match keys, each pointing at its entry's classification."""
    return {taxonomy: _taxonomy_index(file, taxonomy) for taxonomy in Taxonomy}


def _taxonomy_index(file: ClassificationFile, taxonomy: Taxonomy) -> dict[Category, Classification]:
    index: dict[Category, Classification] = {}
    where: dict[Category, str] = {}
    for position, entry in enumerate(_entries(file, taxonomy)):
        result = _classification(file.version, taxonomy, entry)
        for spelling in _spellings(entry):
            key = match_key(*spelling)
            here = f"{taxonomy}[{position}] {describe(*spelling)}"
            if key in index and index[key] is not result:
                raise ClassificationError(
                    f"duplicate key in classification: {here} matches the same category as "
                    f"{where[key]} (matching ignores letter case and repeated whitespace)"
                )
            index[key], where[key] = result, here
    return index


def _entries(file: ClassificationFile, taxonomy: Taxonomy) -> tuple[PairEntry | TypeEntry, ...]:
    entries: tuple[PairEntry | TypeEntry, ...] = getattr(file, taxonomy.value)
    return entries


def _spellings(entry: PairEntry | TypeEntry) -> Iterator[tuple[str, str | None]]:
    if isinstance(entry, PairEntry):
        yield entry.major, entry.minor
        return
    yield entry.name, None
    if entry.slug is not None:
        yield entry.slug, None


def _classification(
    version: str, taxonomy: Taxonomy, entry: PairEntry | TypeEntry
) -> Classification:
    major, minor = next(_spellings(entry))
    return Classification(
        taxonomy=taxonomy,
        major=major,
        minor=minor,
        group=entry.group,
        kpi=entry.group.kpi,
        version=version,
    )
