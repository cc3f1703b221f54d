"""Ward choropleths from the real reference polygons: exact where the reference has the
ward's own polygon, approximate (and saying so) where a 2022 ward has only 2018 shapes;
status shown by a symbol and a tooltip as well as colour."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import cache

from services.dashboard.pack.map import WardMap
from services.dashboard.pack.status import Status
from shared.reference import LondonReference, load_2022_shapes, load_reference

SVG = "{http://www.w3.org/2000/svg}"
BREACH = Status("breach", "▲!", "Off trajectory (significant)", "…")
ON_TRACK = Status("on_track", "✓", "On trajectory", "…")


@cache
def reference() -> LondonReference:
    return load_reference()


@cache
def ward_map() -> WardMap:
    return WardMap(reference(), load_2022_shapes())


def names(borough: str) -> dict[str, str]:
    return {w.code: w.name for w in reference().wards("2022", borough)}


def areas(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("data-ward") or g.get("data-borough") or "": g for g in root.iter(f"{SVG}g")
            if g.get("data-ward") or g.get("data-borough")}  # fmt: skip


def test_lewisham_is_drawn_from_its_exact_2022_polygons() -> None:
    wards = names("E09000023")
    statuses = {code: BREACH if i % 2 else ON_TRACK for i, code in enumerate(sorted(wards))}
    svg = ward_map().borough_svg("E09000023", "Lewisham", statuses, wards)
    drawn = areas(svg)
    assert set(drawn) == set(wards)
    assert len(drawn) == 19
    assert "Approximate" not in svg
    for code, g in drawn.items():
        status = statuses[code]
        assert g.get("aria-label") == f"{wards[code]}: {status.label}"
        fills = [p.get("fill") for p in g.iter(f"{SVG}path")]
        # breach: red plus a hatch pattern; on track: green, no pattern
        assert fills == (["#d7301f", "url(#hatch)"] if status is BREACH else ["#a6d96a"])
    symbols = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert sorted(s for s in symbols if s in ("▲!", "✓")) == sorted(
        s.symbol for s in statuses.values()
    )


def test_a_borough_unchanged_in_2022_is_drawn_exactly_from_2018_polygons() -> None:
    wards = names("E09000008")  # Croydon: its 2018 wards are its 2022 wards
    svg = ward_map().borough_svg("E09000008", "Croydon", {}, wards)
    assert set(areas(svg)) == set(wards)
    assert "Approximate" not in svg
    assert all(g.get("aria-label", "").endswith(": no figure") for g in areas(svg).values())


def test_a_redrawn_borough_is_approximate_and_says_which_wards_it_could_not_draw() -> None:
    wards = names("E09000011")  # Greenwich: redrawn in 2022, no exact polygons held
    svg = ward_map().borough_svg("E09000011", "Greenwich", {}, wards)
    drawn = set(areas(svg))
    assert drawn < set(wards)
    text = " ".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))
    assert "Approximate: this borough's 2022 wards are drawn from 2018 ward shapes" in text
    missing = sorted(wards[c] for c in set(wards) - drawn)
    assert missing
    assert all(name.split()[0] in text for name in missing)


def test_the_mps_map_colours_every_borough() -> None:
    boroughs = {b.code: b.name for b in reference().boroughs()}
    statuses = dict.fromkeys(boroughs, ON_TRACK) | {"E09000023": BREACH}
    svg = ward_map().mps_svg("MPS", statuses, boroughs)
    drawn = areas(svg)
    assert set(drawn) == set(boroughs)
    assert drawn["E09000023"].get("aria-label") == "Lewisham: Off trajectory (significant)"
    assert re.search(r'viewBox="0 0 \d+ \d+"', svg)
