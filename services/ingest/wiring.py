"""Builds the pipeline's collaborators from reference data, classification and a key."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from services.ingest.domain.intake import Category
from services.ingest.domain.process import Context
from services.ingest.domain.pseudonymise import Pseudonymiser
from services.ingest.domain.records import Classified
from services.ingest.domain.rejection import RejectionError
from services.ingest.domain.resolve import Resolver
from shared.classification import Classifier, UnknownTaxonomyError, UnmappedCategory
from shared.contracts import RejectReason
from shared.reference import LondonReference


def classify_with(classifier: Classifier) -> Callable[[Category], Classified]:
    cache: dict[Category, Classified] = {}

    def classify(category: Category) -> Classified:
        found = cache.get(category)
        if found is None:
            found = cache[category] = _classify(classifier, category)
        return found

    return classify


def _classify(classifier: Classifier, category: Category) -> Classified:
    try:
        c = classifier.classify(category.taxonomy, category.major, category.minor)
    except (UnmappedCategory, UnknownTaxonomyError) as exc:
        raise RejectionError(RejectReason.UNKNOWN_CATEGORY, "payload.offence", str(exc)) from None
    kpi = int(c.kpi) if c.kpi is not None else None
    return Classified(category, c.group.value, kpi, c.version)


def context_factory(
    reference: LondonReference, classifier: Classifier, key: bytes,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Callable[[], Context]:  # fmt: skip
    resolver = Resolver(reference)
    classify = classify_with(classifier)
    pseudonymise = Pseudonymiser(key)
    return lambda: Context(resolver, classify, pseudonymise, clock())
