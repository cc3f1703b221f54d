"""KPI classification: which offence and incident categories count toward which ward KPI.

The mapping is versioned configuration (``kpi_groups.toml``), not code; see README.md.
"""

from shared.classification.classifier import CategoryLike, Classifier
from shared.classification.errors import (
    ClassificationError,
    TaxonomyNotDetectedError,
    UnknownTaxonomyError,
    UnmappedCategory,
)
from shared.classification.groups import KPI_OF_GROUP, MPS_TAXONOMIES, Kpi, KpiGroup, Taxonomy
from shared.classification.loader import load_classification
from shared.classification.result import Category, Classification, normalise

__all__ = [
    "KPI_OF_GROUP",
    "MPS_TAXONOMIES",
    "Category",
    "CategoryLike",
    "Classification",
    "ClassificationError",
    "Classifier",
    "Kpi",
    "KpiGroup",
    "Taxonomy",
    "TaxonomyNotDetectedError",
    "UnknownTaxonomyError",
    "UnmappedCategory",
    "load_classification",
    "normalise",
]
