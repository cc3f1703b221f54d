"""ward_at against real crime locations and hand-checked landmarks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shared.reference import Force, LondonReference


def test_police_uk_locations_fall_in_the_ward_they_were_fetched_for(
    reference: LondonReference, shared_data_dir: Path
) -> None:
    """data.police.uk API files per 2018-set ward (Lambeth and Sutton), June 2017.

    Snapped crime locations on or near a boundary legitimately land in the neighbour, and the
    same crime can be listed in both neighbours' files.
    """
    folder = shared_data_dir / "police_uk" / "api_crimes_street_by_ward" / "2017-06"
    files = sorted(folder.glob("*.json"))
    assert len(files) == 39
    own = neighbour = outside = 0
    for path in files:
        match = re.search(r"E05[0-9]{6}", path.name)
        assert match is not None
        for record in json.loads(path.read_text(encoding="utf-8")):
            location = record["location"]
            ward = reference.ward_at(float(location["latitude"]), float(location["longitude"]))
            if ward is None:
                outside += 1
            elif ward.code == match.group():
                own += 1
            else:
                neighbour += 1
                assert ward.boundary_set.name == "2018"
    assert (own, neighbour, outside) == (4_802, 259, 0)


@pytest.mark.parametrize(
    ("lat", "lon", "code", "name", "borough"),
    [
        (51.4995, -0.1248, "E05000644", "St. James's", "E09000033"),  # Palace of Westminster
        (51.5560, -0.2795, "E05000102", "Tokyngton", "E09000005"),  # Wembley Stadium
        (51.4837, -0.1150, "E05000426", "Oval", "E09000022"),  # The Oval cricket ground
        (51.4790, -0.2935, "E05000524", "Kew", "E09000027"),  # Kew Gardens, Palm House
        (51.4723, -0.4882, "E05000331", "Heathrow Villages", "E09000017"),  # Terminal 5
    ],
)
def test_landmarks(
    reference: LondonReference, lat: float, lon: float, code: str, name: str, borough: str
) -> None:
    ward = reference.ward_at(lat, lon)
    assert ward is not None
    assert (ward.code, ward.name, ward.borough_code) == (code, name, borough)


def test_st_pauls_is_policed_by_the_city(reference: LondonReference) -> None:
    ward = reference.ward_at(51.5138, -0.0984)
    assert ward is not None
    assert reference.borough(ward.borough_code).force is Force.CITY_OF_LONDON


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (51.6565, -0.3903),  # Watford: inside London's bounding box, outside every ward
        (50.8225, -0.1372),  # Brighton
        (0.0, 0.0),
    ],
)
def test_points_outside_london(reference: LondonReference, lat: float, lon: float) -> None:
    assert reference.ward_at(lat, lon) is None
