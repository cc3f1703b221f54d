"""Cluster configuration: the example file and each validation rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.reference import (
    LondonReference,
    ReferenceDataError,
    UnknownCodeError,
    load_clusters,
    parse_clusters,
)

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "clusters.example.toml"
SUTTON = "E09000029"


def _config(**cluster: Any) -> dict[str, Any]:
    entry = {"name": "North", "borough": SUTTON, "wards": ["E05013766"], **cluster}
    return {"boundary_set": "2022", "clusters": {"SU-N": entry}}


def test_example_file_covers_sutton(reference: LondonReference) -> None:
    clusters = load_clusters(EXAMPLE, reference)
    assert clusters.boundary_set == "2022"
    assert [c.id for c in clusters.clusters] == ["SU-CW", "SU-NH", "SU-SC", "SU-WP"]
    assigned = sorted(code for c in clusters.clusters for code in c.ward_codes)
    assert assigned == [w.code for w in reference.wards("2022", SUTTON)]
    found = clusters.cluster_for_ward("E05013773")
    assert found is not None
    assert found.name == "Worcester Park"
    assert clusters.cluster("SU-NH").borough_code == SUTTON
    assert clusters.cluster_for_ward("E05013570") is None
    with pytest.raises(UnknownCodeError, match="no cluster 'XX'"):
        clusters.cluster("XX")


def test_a_valid_mapping(reference: LondonReference) -> None:
    clusters = parse_clusters(_config(), reference)
    (cluster,) = clusters.clusters
    assert (cluster.id, cluster.borough_code, cluster.ward_codes) == (
        "SU-N",
        SUTTON,
        ("E05013766",),
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (_config(wards=["E05000565"]), "not in the 2022 boundary set (it is in: 2014, 2018)"),
        (_config(wards=["E05013570"]), "ward E05013570 (Heathrow Villages) is in E09000017"),
        (_config(borough="E09000099"), "'E09000099' is not a London borough code"),
        (
            _config(borough="E09000001", wards=["E05009288"]),
            "City of London is not policed by the MPS",
        ),
        (_config(wards=["E0501376"]), "invalid cluster configuration"),
        (_config(wards=[]), "invalid cluster configuration"),
        (_config(colour="red"), "invalid cluster configuration"),
        ({**_config(), "boundary_set": "2019"}, "unknown boundary set '2019'"),
        (
            {"boundary_set": "2022", "clusters": {"bad id!": _config()["clusters"]["SU-N"]}},
            "bad id!",
        ),
    ],
)
def test_invalid_configuration(
    reference: LondonReference, config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ReferenceDataError) as caught:
        parse_clusters(config, reference, source="test.toml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("test.toml")


def test_a_ward_in_two_clusters(reference: LondonReference) -> None:
    entry = {"name": "A", "borough": SUTTON, "wards": ["E05013766"]}
    config = {"boundary_set": "2022", "clusters": {"A": entry, "B": {**entry, "name": "B"}}}
    with pytest.raises(ReferenceDataError, match="ward E05013766 is already in 'A'"):
        parse_clusters(config, reference)


def test_a_ward_listed_twice_in_one_cluster(reference: LondonReference) -> None:
    with pytest.raises(ReferenceDataError, match="is already in 'SU-N'"):
        parse_clusters(_config(wards=["E05013766", "E05013766"]), reference)


def test_2018_set_clusters(reference: LondonReference) -> None:
    config = {**_config(wards=["E05000565"]), "boundary_set": "2018"}
    assert parse_clusters(config, reference).clusters[0].ward_codes == ("E05000565",)


def test_file_errors(reference: LondonReference, tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match="cannot read cluster file"):
        load_clusters(tmp_path / "absent.toml", reference)
    broken = tmp_path / "broken.toml"
    broken.write_text("boundary_set = \n", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="is not valid TOML"):
        load_clusters(broken, reference)
