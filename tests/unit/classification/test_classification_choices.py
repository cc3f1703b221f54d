"""The mapping choices of the packaged classification, table-driven."""

from __future__ import annotations

import pickle
from collections import Counter

import pytest
from pydantic import ValidationError

from shared.classification import (
    Category,
    CategoryLike,
    Classification,
    Classifier,
    Kpi,
    KpiGroup,
    Taxonomy,
    TaxonomyNotDetectedError,
    UnmappedCategory,
    load_classification,
)

VERSION = "2026.3"
# Each version's fingerprint. A mapping changed without a new version fails here: bump
# `version` in kpi_groups.toml and add the new pair (never edit an old one).
FINGERPRINTS = {
    "2026.1": "a76cb9559e1f4b5a2cef9bb6b8bf239d77f4e0c7e563c8858747b6de3aa59f06",
    "2026.2": "13c9e447ffa3c4151a827a124ed040ccc4e47d73797412aa5248cc66a970944f",
    "2026.3": "5720660aec75774989ee3528d5eccc42e4b73f720366df1d01c51e6ef2d9f242",
}

UPPER, MIXED, POLICE_UK, CAD = (
    Taxonomy.MPS_UPPER,
    Taxonomy.MPS_MIXED,
    Taxonomy.POLICE_UK,
    Taxonomy.CAD_ASB,
)
VIO, PROP, ASB, OTH, EXC = (
    KpiGroup.VIOLENCE,
    KpiGroup.PROPERTY,
    KpiGroup.ASB,
    KpiGroup.OTHER,
    KpiGroup.EXCLUDED,
)


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return load_classification()


CHOICES = [
    (UPPER, "BURGLARY", "RES BURGLARY OF A HOME", PROP),
    (UPPER, "BURGLARY", "RES BURGLARY OF UNCONNECTED BUILDING", PROP),
    (UPPER, "BURGLARY", "BURGLARY - RESIDENTIAL", PROP),
    (UPPER, "BURGLARY", "BURGLARY IN A DWELLING", PROP),
    (UPPER, "BURGLARY", "BURGLARY NON-DWELLING", PROP),
    (UPPER, "BURGLARY", "BURGLARY BUSINESS AND COMMUNITY", PROP),
    (UPPER, "ROBBERY", "ROBBERY OF PERSONAL PROPERTY", PROP),
    (UPPER, "ROBBERY", "ROBBERY OF BUSINESS PROPERTY", PROP),
    (UPPER, "VIOLENCE AGAINST THE PERSON", "VIOLENCE WITH INJURY", VIO),
    (UPPER, "VIOLENCE AGAINST THE PERSON", "STALKING AND HARASSMENT", VIO),
    (UPPER, "VIOLENCE AGAINST THE PERSON", "DEATH SERIOUS INJURY ILLEGAL DRIVING", VIO),
    (UPPER, "SEXUAL OFFENCES", "RAPE", VIO),
    (UPPER, "SEXUAL OFFENCES", "OTHER SEXUAL OFFENCES", VIO),
    (UPPER, "THEFT", "SHOPLIFTING", PROP),
    (UPPER, "THEFT", "THEFT FROM THE PERSON", PROP),
    (UPPER, "VEHICLE OFFENCES", "INTERFERING WITH A MOTOR VEHICLE", PROP),
    (UPPER, "VEHICLE OFFENCES", "AGGRAVATED VEHICLE TAKING", PROP),
    (UPPER, "ARSON AND CRIMINAL DAMAGE", "CRIMINAL DAMAGE", PROP),
    (UPPER, "ARSON AND CRIMINAL DAMAGE", "ARSON", PROP),
    (UPPER, "PUBLIC ORDER OFFENCES", "VIOLENT DISORDER", OTH),
    (UPPER, "PUBLIC ORDER OFFENCES", "RACE OR RELIGIOUS AGG PUBLIC FEAR", OTH),
    (UPPER, "DRUG OFFENCES", "TRAFFICKING OF DRUGS", OTH),
    (UPPER, "POSSESSION OF WEAPONS", "POSSESSION OF WEAPONS", OTH),
    (UPPER, "MISCELLANEOUS CRIMES AGAINST SOCIETY", "MISC CRIMES AGAINST SOCIETY", OTH),
    (UPPER, "NFIB FRAUD", "NFIB", EXC),
    (UPPER, "FRAUD AND FORGERY", "FRAUD AND FORGERY", EXC),
    (MIXED, "Burglary", "Domestic Burglary", PROP),
    (MIXED, "Robbery", "Robbery of Business Property", PROP),
    (MIXED, "Sexual Offences", "Rape", VIO),
    (MIXED, "Vehicle Offences", "Theft from a Motor Vehicle", PROP),
    (MIXED, "Miscellaneous Crimes Against Society", "Handling Stolen Goods", OTH),
    (MIXED, "Miscellaneous Crimes Against Society", "Dangerous Driving", OTH),
    (MIXED, "Miscellaneous Crimes Against Society", "Aiding Suicide", OTH),
    (MIXED, "Possession of Weapons", "Possession of Firearm with Intent", OTH),
    (MIXED, "Historical Fraud and Forgery", "Historical Fraud and Forgery", EXC),
    (POLICE_UK, "violent-crime", None, VIO),
    (POLICE_UK, "Violence and sexual offences", None, VIO),
    (POLICE_UK, "Violent crime", None, VIO),
    (POLICE_UK, "robbery", None, PROP),
    (POLICE_UK, "Criminal damage and arson", None, PROP),
    (POLICE_UK, "criminal-damage-arson", None, PROP),
    (POLICE_UK, "Theft from the person", None, PROP),
    (POLICE_UK, "Other crime", None, OTH),
    (POLICE_UK, "public-disorder-weapons", None, OTH),
    (POLICE_UK, "Possession of weapons", None, OTH),
    (POLICE_UK, "Anti-social behaviour", None, ASB),
    (POLICE_UK, "anti-social-behaviour", None, ASB),
    (CAD, "personal", None, ASB),
    (CAD, "nuisance", None, ASB),
    (CAD, "environmental", None, ASB),
]


@pytest.mark.parametrize(("taxonomy", "major", "minor", "group"), CHOICES)
def test_mapping_choice(
    classifier: Classifier, taxonomy: Taxonomy, major: str, minor: str | None, group: KpiGroup
) -> None:
    result = classifier.classify(taxonomy, major, minor)
    assert (result.group, result.kpi, result.version) == (group, group.kpi, VERSION)


@pytest.mark.parametrize(
    ("group", "kpi"),
    [
        (VIO, Kpi.VIOLENT_CRIME),
        (PROP, Kpi.PROPERTY_CRIME),
        (ASB, Kpi.ASB_INCIDENTS),
        (OTH, None),
        (EXC, None),
    ],
)
def test_each_group_feeds_its_kpi(group: KpiGroup, kpi: Kpi | None) -> None:
    assert group.kpi == kpi


def test_kpi_ids_are_those_of_the_framework() -> None:
    assert [int(kpi) for kpi in Kpi] == [1, 4, 5]


@pytest.mark.parametrize(
    ("taxonomy", "given", "canonical"),
    [
        (
            UPPER,
            ("burglary", "  res  burglary of a HOME "),
            ("BURGLARY", "RES BURGLARY OF A HOME"),
        ),
        (
            UPPER,
            ("Robbery", "Robbery of Personal Property"),
            ("ROBBERY", "ROBBERY OF PERSONAL PROPERTY"),
        ),
        (MIXED, ("THEFT", "THEFT FROM PERSON"), ("Theft", "Theft from Person")),
        (POLICE_UK, ("VIOLENT-CRIME", None), ("Violence and sexual offences", None)),
        (POLICE_UK, ("vehicle\tcrime", None), ("Vehicle crime", None)),
        (CAD, ("Nuisance", None), ("nuisance", None)),
    ],
)
def test_matching_ignores_case_and_whitespace_and_reports_the_file_spelling(
    classifier: Classifier,
    taxonomy: Taxonomy,
    given: tuple[str, str | None],
    canonical: tuple[str, str | None],
) -> None:
    result = classifier.classify(taxonomy, *given)
    assert (result.major, result.minor) == canonical


@pytest.mark.parametrize(
    ("taxonomy", "major", "minor"),
    [
        (UPPER, "BURGLARY", None),
        (UPPER, "THEFT", "RES BURGLARY OF A HOME"),
        (UPPER, "BURGLARY", "RES BURGLARY"),
        (UPPER, "Burglary", "Domestic Burglary"),
        (MIXED, "NFIB FRAUD", "NFIB"),
        (POLICE_UK, "violence-and-sexual-offences", None),
        (POLICE_UK, "Burglary", "Burglary"),
        (POLICE_UK, "all-crime", None),
        (CAD, "Anti-social behaviour", None),
    ],
)
def test_never_guesses(
    classifier: Classifier, taxonomy: Taxonomy, major: str, minor: str | None
) -> None:
    with pytest.raises(UnmappedCategory):
        classifier.classify(taxonomy, major, minor)


ENTRY_COUNTS = {
    UPPER: {VIO: 7, PROP: 18, OTH: 8, EXC: 2},
    MIXED: {VIO: 5, PROP: 14, OTH: 36, EXC: 1},
    POLICE_UK: {VIO: 2, PROP: 8, ASB: 1, OTH: 5},
    CAD: {ASB: 3, OTH: 1},
}


@pytest.mark.parametrize("taxonomy", list(Taxonomy))
def test_entries_per_taxonomy_and_group(classifier: Classifier, taxonomy: Taxonomy) -> None:
    groups = Counter(result.group for result in classifier.mappings(taxonomy))
    assert groups == ENTRY_COUNTS[taxonomy]


@pytest.mark.parametrize("taxonomy", [UPPER, MIXED])
def test_every_mps_major_falls_wholly_in_one_group(
    classifier: Classifier, taxonomy: Taxonomy
) -> None:
    groups: dict[str, set[KpiGroup]] = {}
    for result in classifier.mappings(taxonomy):
        groups.setdefault(result.major, set()).add(result.group)
    assert {major: g for major, g in groups.items() if len(g) > 1} == {}


def test_the_version_and_its_fingerprint_are_pinned(classifier: Classifier) -> None:
    assert classifier.version == VERSION
    assert classifier.fingerprint() == FINGERPRINTS[classifier.version]


def test_a_classification_is_frozen_and_round_trips_as_json(classifier: Classifier) -> None:
    result = classifier.classify(UPPER, "ROBBERY", "ROBBERY OF PERSONAL PROPERTY")
    with pytest.raises(ValidationError):
        result.group = VIO  # type: ignore[misc]
    assert Classification.model_validate_json(result.model_dump_json()) == result


def test_a_classification_whose_kpi_contradicts_its_group_is_refused() -> None:
    with pytest.raises(ValidationError, match="group violence feeds KPI 1"):
        Classification(
            taxonomy=UPPER, major="M", minor="m", group=VIO, kpi=Kpi.PROPERTY_CRIME, version="1"
        )


def test_unmapped_lists_distinct_categories_as_given_in_order(classifier: Classifier) -> None:
    given: list[CategoryLike] = [
        ("Theft", "Scrumping"),
        ("Theft", "Shoplifting"),
        ("THEFT", " scrumping"),
        Category("Poaching", None),
        "Poaching",
    ]
    assert classifier.unmapped(MIXED, given) == [
        Category("Theft", "Scrumping"),
        Category("Poaching", None),
    ]


def test_unmapped_accepts_bare_types(classifier: Classifier) -> None:
    assert classifier.unmapped(POLICE_UK, ["drugs", "Drugs", "arson"]) == [Category("arson")]


@pytest.mark.parametrize(
    ("categories", "problem"),
    [
        ([("ROBBERY", "ROBBERY OF PERSONAL PROPERTY")], "more than one of"),
        ([("THEFT", "SCRUMPING")], "none of"),
        ([("THEFT", "THEFT FROM PERSON"), ("NFIB FRAUD", "NFIB")], "none of"),
    ],
)
def test_taxonomy_detection_refuses_to_guess(
    classifier: Classifier, categories: list[tuple[str, str]], problem: str
) -> None:
    with pytest.raises(TaxonomyNotDetectedError, match=problem):
        classifier.detect_taxonomy(categories)


def test_taxonomy_detection_picks_the_only_complete_fit(classifier: Classifier) -> None:
    rows = [("ROBBERY", "ROBBERY OF PERSONAL PROPERTY"), ("NFIB FRAUD", "NFIB")]
    assert classifier.detect_taxonomy(rows) is UPPER
    rows = [("Robbery", "Robbery of Personal Property"), ("Burglary", "Domestic Burglary")]
    assert classifier.detect_taxonomy(rows) is MIXED


def test_unmapped_category_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(UnmappedCategory("mps_upper", "THEFT", "SCRUMPING")))
    assert (error.taxonomy, error.major, error.minor) == ("mps_upper", "THEFT", "SCRUMPING")
    assert "'THEFT' / 'SCRUMPING'" in str(error)
