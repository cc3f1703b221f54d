"""Classify offence and incident categories into KPI groups under one mapping version."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

from shared.classification.errors import (
    TaxonomyNotDetectedError,
    UnknownTaxonomyError,
    UnmappedCategory,
)
from shared.classification.groups import MPS_TAXONOMIES, Taxonomy
from shared.classification.index import Index
from shared.classification.result import Category, Classification, match_key

CategoryLike = Category | tuple[str, str | None] | str
"""An (major, minor) pair, or a bare string for a single-level type."""


class Classifier:
    """An immutable, versioned mapping from categories to KPI groups. Pure: no I/O."""

    __slots__ = ("_index", "_version")

    def __init__(self, version: str, index: Index) -> None:
        self._version = version
        self._index = index

    @property
    def version(self) -> str:
        """The mapping version carried by every classification this classifier returns."""
        return self._version

    def classify(
        self, taxonomy: Taxonomy | str, major: str, minor: str | None = None
    ) -> Classification:
        """The group of one category; raises ``UnmappedCategory`` rather than guess."""
        known = self._table(taxonomy)
        found = known.get(match_key(major, minor))
        if found is None:
            raise UnmappedCategory(str(taxonomy), major, minor)
        return found

    def unmapped(
        self, taxonomy: Taxonomy | str, categories: Iterable[CategoryLike]
    ) -> list[Category]:
        """Distinct categories with no entry, as first given, in input order."""
        known = self._table(taxonomy)
        missing: dict[Category, Category] = {}
        for category in map(_as_category, categories):
            key = match_key(*category)
            if key not in known:
                missing.setdefault(key, category)
        return list(missing.values())

    def mappings(self, taxonomy: Taxonomy | str) -> list[Classification]:
        """One classification per entry of ``taxonomy``, in file order."""
        return list(dict.fromkeys(self._table(taxonomy).values()))

    def detect_taxonomy(
        self, categories: Iterable[CategoryLike], candidates: Sequence[Taxonomy] = MPS_TAXONOMIES
    ) -> Taxonomy:
        """The one candidate that maps every category (e.g. of an MPS file's rows)."""
        rows = [_as_category(category) for category in categories]
        fits = [taxonomy for taxonomy in candidates if not self.unmapped(taxonomy, rows)]
        if len(fits) == 1:
            return fits[0]
        problem = "none of" if not fits else "more than one of"
        raise TaxonomyNotDetectedError(
            f"cannot tell the taxonomy of {len(rows)} categories: {problem} "
            f"{', '.join(candidates)} maps them all"
        )

    def fingerprint(self) -> str:
        """SHA-256 over every match key and group: changes whenever the mapping does."""
        lines = sorted(
            f"{taxonomy}\t{key.major}\t{key.minor}\t{result.group}"
            for taxonomy, table in self._index.items()
            for key, result in table.items()
        )
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()

    def _table(self, taxonomy: Taxonomy | str) -> dict[Category, Classification]:
        try:
            return self._index[Taxonomy(taxonomy)]
        except ValueError:
            raise UnknownTaxonomyError(str(taxonomy), tuple(Taxonomy)) from None


def _as_category(category: CategoryLike) -> Category:
    return Category(category) if isinstance(category, str) else Category(*category)
