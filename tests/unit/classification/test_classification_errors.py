"""Bad classification files and bad lookups fail with a message naming the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.classification import (
    ClassificationError,
    Classifier,
    KpiGroup,
    UnknownTaxonomyError,
    UnmappedCategory,
    load_classification,
)

VALID = """
version = "test.1"

[[mps_upper]]
major = "THEFT"
minor = "SHOPLIFTING"
group = "property"

[[mps_mixed]]
major = "Theft"
minor = "Shoplifting"
group = "property"

[[police_uk]]
name = "Burglary"
slug = "burglary"
group = "property"

[[police_uk]]
name = "Violence and sexual offences"
slug = "violent-crime"
group = "violence"

[[cad_asb]]
name = "personal"
group = "asb"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kpi_groups.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str) -> Classifier:
    return load_classification(write(tmp_path, text))


def test_a_minimal_valid_file_loads(tmp_path: Path) -> None:
    classifier = load_text(tmp_path, VALID)
    assert classifier.version == "test.1"
    assert classifier.classify("police_uk", "BURGLARY").group is KpiGroup.PROPERTY


def test_an_unknown_taxonomy_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    classifier = load_text(tmp_path, VALID)
    with pytest.raises(UnknownTaxonomyError, match=r"'home_office'.*mps_upper, mps_mixed"):
        classifier.classify("home_office", "THEFT", "SHOPLIFTING")
    with pytest.raises(UnknownTaxonomyError):
        classifier.unmapped("home_office", [("THEFT", "SHOPLIFTING")])


def test_an_unmapped_pair_is_refused_naming_it(tmp_path: Path) -> None:
    classifier = load_text(tmp_path, VALID)
    with pytest.raises(UnmappedCategory) as caught:
        classifier.classify("mps_upper", "THEFT", "SCRUMPING")
    assert str(caught.value).startswith("unmapped mps_upper category 'THEFT' / 'SCRUMPING': ")
    assert (caught.value.taxonomy, caught.value.major, caught.value.minor) == (
        "mps_upper",
        "THEFT",
        "SCRUMPING",
    )


def test_an_unmapped_type_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(UnmappedCategory, match="unmapped police_uk category 'drugs'"):
        load_text(tmp_path, VALID).classify("police_uk", "drugs")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('version = "1"\n[[mps_upper]\n', "not a valid TOML file"),
        ('version = "1\n', "not a valid TOML file"),
    ],
)
def test_malformed_toml_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ClassificationError, match=message):
        load_text(tmp_path, text)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kpi_groups.toml"
    path.write_bytes(b'version = "\xff"\n')
    with pytest.raises(ClassificationError, match="not a valid TOML file"):
        load_classification(path)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ClassificationError, match="cannot read the classification file"):
        load_classification(tmp_path / "absent.toml")


def test_an_unknown_group_is_refused_naming_the_entry(tmp_path: Path) -> None:
    text = VALID.replace(
        'minor = "Shoplifting"\ngroup = "property"', 'minor = "Shoplifting"\ngroup = "theft"'
    )
    with pytest.raises(ClassificationError) as caught:
        load_text(tmp_path, text)
    message = str(caught.value)
    assert "mps_mixed[0] (major='Theft', minor='Shoplifting'): group: " in message
    assert "'violence', 'property', 'asb', 'other' or 'excluded'" in message


@pytest.mark.parametrize("version", ['""', '"   "'])
def test_an_empty_version_is_refused(tmp_path: Path, version: str) -> None:
    text = VALID.replace('"test.1"', version)
    with pytest.raises(ClassificationError, match="version: String should have at least 1"):
        load_text(tmp_path, text)


def test_a_missing_version_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ClassificationError, match="version: Field required"):
        load_text(tmp_path, VALID.replace('version = "test.1"', ""))


def test_a_missing_taxonomy_is_refused(tmp_path: Path) -> None:
    text = VALID.replace('[[cad_asb]]\nname = "personal"\ngroup = "asb"\n', "")
    with pytest.raises(ClassificationError, match="cad_asb: Field required"):
        load_text(tmp_path, text)


def test_an_empty_taxonomy_is_refused(tmp_path: Path) -> None:
    text = "cad_asb = []\n" + VALID.replace('[[cad_asb]]\nname = "personal"\ngroup = "asb"\n', "")
    with pytest.raises(ClassificationError, match="cad_asb: Tuple should have at least 1 item"):
        load_text(tmp_path, text)


def test_an_unknown_field_is_refused_naming_the_entry(tmp_path: Path) -> None:
    text = VALID.replace('name = "personal"\ngroup = "asb"', 'name = "personal"\ngruop = "asb"')
    with pytest.raises(ClassificationError) as caught:
        load_text(tmp_path, text)
    assert "cad_asb[0] (name='personal'): gruop: Extra inputs are not permitted" in str(
        caught.value
    )


def test_a_blank_minor_is_refused(tmp_path: Path) -> None:
    text = VALID.replace('minor = "SHOPLIFTING"', 'minor = " "')
    with pytest.raises(ClassificationError, match=r"mps_upper\[0\] \(major='THEFT', minor=' '\)"):
        load_text(tmp_path, text)


DUPLICATES = [
    (
        '\n[[mps_upper]]\nmajor = "theft"\nminor = "  Shoplifting "\ngroup = "other"\n',
        "mps_upper[1] 'theft' / 'Shoplifting' matches the same category as "
        "mps_upper[0] 'THEFT' / 'SHOPLIFTING'",
    ),
    (
        '\n[[police_uk]]\nname = "Violent crime"\nslug = "Violent-Crime"\ngroup = "violence"\n',
        "police_uk[2] 'Violent-Crime' matches the same category as police_uk[1] 'violent-crime'",
    ),
    (
        '\n[[cad_asb]]\nname = "PERSONAL"\ngroup = "asb"\n',
        "cad_asb[1] 'PERSONAL' matches the same category as cad_asb[0] 'personal'",
    ),
]


@pytest.mark.parametrize(("extra", "message"), DUPLICATES)
def test_a_duplicate_key_after_normalisation_is_refused_naming_both(
    tmp_path: Path, extra: str, message: str
) -> None:
    with pytest.raises(ClassificationError) as caught:
        load_text(tmp_path, VALID + extra)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path))


def test_a_name_and_slug_of_one_entry_may_coincide(tmp_path: Path) -> None:
    classifier = load_text(tmp_path, VALID)
    assert classifier.classify("police_uk", "burglary") is classifier.classify(
        "police_uk", "Burglary"
    )


def test_the_same_pair_in_two_taxonomies_is_not_a_duplicate(tmp_path: Path) -> None:
    classifier = load_text(tmp_path, VALID)
    upper = classifier.classify("mps_upper", "Theft", "Shoplifting")
    mixed = classifier.classify("mps_mixed", "THEFT", "SHOPLIFTING")
    assert (upper.major, mixed.major) == ("THEFT", "Theft")
