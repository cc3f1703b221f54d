"""Ward choropleths from the reference polygons, as SVG.

The reference holds polygons for the 2018 ward set, and exact 2022 polygons (in British
National Grid metres) for the boroughs that have them (Lewisham). A borough whose every 2022
ward has an exact polygon is drawn from those. Otherwise a ward whose code is in both the
2018 and 2022 sets is the same area and is drawn exactly, and a 2022-set ward of a borough
redrawn in 2022 has no polygon of its own: each changed 2018 ward is drawn as the 2022 ward
that took the largest share of its residents (the Census 2021 crosswalk), and the map says
it is approximate (naming any ward it could not draw). Every area carries its status symbol
as well as its colour, and its name and status in a tooltip.
"""

from __future__ import annotations

import math
import textwrap
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from services.dashboard.pack.status import Status
from shared.reference import LondonReference
from shared.reference.geometry import Ring, Shape

SIZE = 560
PAD = 12
COS_LAT = math.cos(math.radians(51.5))
FILLS: Mapping[str, tuple[str, str]] = {
    "breach": ("#d7301f", "url(#hatch)"), "above": ("#fdae61", "url(#dots)"),
    "on_track": ("#a6d96a", ""), "improving": ("#1a9641", ""), "no_data": ("#eeeeee", ""),
    "no_source": ("#ffffff", ""),
}  # fmt: skip
DEFS = ('<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#fff" '
        'stroke-width="2"/></pattern><pattern id="dots" width="6" height="6" '
        'patternUnits="userSpaceOnUse"><circle cx="3" cy="3" r="1.2" fill="#fff"/></pattern>'
        "</defs>")  # fmt: skip


@dataclass(frozen=True)
class Piece:
    """One drawn 2018 polygon set and the area it stands for."""

    code: str
    """2022-set ward (or borough) it is drawn as"""
    shape: Shape
    exact: bool


class WardMap:
    def __init__(self, reference: LondonReference, exact_2022: Sequence[Shape] = ()) -> None:
        wards_2022 = reference.wards("2022")
        current = {w.code for w in wards_2022}
        drawn_as = _drawn_as({w: reference.apportioned_from(w) for w in sorted(current)})
        self._by_borough: dict[str, list[Piece]] = defaultdict(list)
        self._borough_of_shape: dict[str, str] = {}
        for shape in reference.shapes():
            borough = reference.ward(shape.key, boundary_set="2018").borough_code
            self._borough_of_shape[shape.key] = borough
            if shape.key in current:
                self._by_borough[borough].append(Piece(shape.key, shape, True))
            elif shape.key in drawn_as:
                self._by_borough[borough].append(Piece(drawn_as[shape.key], shape, False))
        self._all = [p for pieces in self._by_borough.values() for p in pieces]
        exact = {s.key: s for s in exact_2022}
        self._grid: dict[str, list[Piece]] = {}
        """boroughs drawn from exact 2022 polygons (British National Grid metres)"""
        for borough in {w.borough_code for w in wards_2022}:
            codes = [w.code for w in wards_2022 if w.borough_code == borough]
            if all(code in exact for code in codes):
                self._grid[borough] = [Piece(code, exact[code], True) for code in codes]

    def borough_svg(self, borough_code: str, title: str, statuses: Mapping[str, Status],
                    names: Mapping[str, str]) -> str:  # fmt: skip
        """The borough's wards coloured and marked by ``statuses`` (ward code → status)."""
        if borough_code in self._grid:
            return _svg(title, "", self._grid[borough_code], statuses, names, "data-ward",
                        x_scale=1.0)  # fmt: skip
        pieces = self._by_borough.get(borough_code, [])
        approximate = any(not p.exact for p in pieces)
        drawn = {p.code for p in pieces}
        missing = sorted(set(names) - drawn)
        note = (
            "Approximate: this borough's 2022 wards are drawn from 2018 ward shapes, each as "
            "the 2022 ward that took most of its residents."
            if approximate
            else ""
        )
        if missing:
            note += f" Not drawn (no shape): {', '.join(names[c] for c in missing)}."
        return _svg(title, note.strip(), pieces, statuses, names, "data-ward")

    def mps_svg(self, title: str, statuses: Mapping[str, Status],
                names: Mapping[str, str]) -> str:  # fmt: skip
        """Every borough coloured and marked by ``statuses`` (borough code → status)."""
        pieces = [Piece(self._borough_of_shape[p.shape.key], p.shape, True) for p in self._all]
        return _svg(title, "", pieces, statuses, names, "data-borough", outline=False)


def _drawn_as(shares: Mapping[str, Sequence[tuple[str, float]]]) -> dict[str, str]:
    """Changed 2018 ward → the 2022 ward it is drawn as: the one that took the largest share
    of its residents; then each 2022 ward left with no shape takes the 2018 ward it has the
    largest share of among those whose 2022 ward keeps another shape (so as many 2022 wards
    as possible appear)."""
    best: dict[str, tuple[float, str]] = {}
    for new, parts in shares.items():
        for old, share in parts:
            if share > best.get(old, (0.0, ""))[0]:
                best[old] = (share, new)
    drawn = {old: new for old, (_, new) in best.items()}
    for new, parts in shares.items():
        if new in drawn.values():
            continue
        spare = [(share, old) for old, share in parts
                 if list(drawn.values()).count(drawn[old]) > 1]  # fmt: skip
        if spare:
            drawn[max(spare)[1]] = new
    return drawn


def _svg(title: str, note: str, pieces: list[Piece], statuses: Mapping[str, Status],
         names: Mapping[str, str], attribute: str, outline: bool = True,
         x_scale: float = COS_LAT) -> str:  # fmt: skip
    """``x_scale`` makes x and y the same distance: cos(latitude) for longitude degrees,
    1 for grid metres."""
    if not pieces:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{SIZE}" height="40">'
                f"<title>{escape(title)}</title><text x='4' y='24'>No ward shapes held for this "
                "area.</text></svg>")  # fmt: skip
    min_x = min(p.shape.bbox.min_x for p in pieces) * x_scale
    max_x = max(p.shape.bbox.max_x for p in pieces) * x_scale
    min_y, max_y = min(p.shape.bbox.min_y for p in pieces), max(p.shape.bbox.max_y for p in pieces)
    scale = (SIZE - 2 * PAD) / max(max_x - min_x, max_y - min_y)
    width = round((max_x - min_x) * scale + 2 * PAD)
    height = round((max_y - min_y) * scale + 2 * PAD)

    def at(lon: float, lat: float) -> tuple[float, float]:
        return (round(PAD + (lon * x_scale - min_x) * scale, 1),
                round(PAD + (max_y - lat) * scale, 1))  # fmt: skip

    grouped: dict[str, list[Piece]] = defaultdict(list)
    for piece in pieces:
        grouped[piece.code].append(piece)
    body = []
    labels = []
    for code in sorted(grouped):
        status = statuses.get(code)
        fill, pattern = FILLS[status.key if status else "no_data"]
        name = names.get(code, code)
        tip = f"{name}: {status.label if status else 'no figure'}"
        polygons = [poly for piece in grouped[code] for poly in piece.shape.polygons]
        d = " ".join(_path(poly.rings, at) for poly in polygons)
        stroke = "#ffffff" if outline else fill
        body.append(f'<g {attribute}="{code}" tabindex="0" role="listitem" aria-label="'
                    f'{escape(tip)}"><title>{escape(tip)}</title><path d="{d}" fill="{fill}" '
                    f'stroke="{stroke}" stroke-width="0.8" fill-rule="evenodd"/>'
                    + (f'<path d="{d}" fill="{pattern}" fill-rule="evenodd"/>' if pattern else "")
                    + "</g>")  # fmt: skip
        biggest = max(polygons, key=lambda poly: (poly.bbox.max_x - poly.bbox.min_x)
                      * (poly.bbox.max_y - poly.bbox.min_y))  # fmt: skip
        cx, cy = at((biggest.bbox.min_x + biggest.bbox.max_x) / 2,
                    (biggest.bbox.min_y + biggest.bbox.max_y) / 2)  # fmt: skip
        if status:
            labels.append(f'<text x="{cx}" y="{cy}" text-anchor="middle" font-size="11" '
                          f'font-weight="bold" fill="#000" stroke="#fff" stroke-width="2.5" '
                          f'paint-order="stroke" aria-hidden="true">'
                          f"{escape(status.symbol)}</text>")  # fmt: skip
    lines = textwrap.wrap(note, 95)
    note_h = 12 * len(lines) + 6
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + note_h}" '
            f'width="{width}" height="{height + note_h}" role="img" font-family="sans-serif">'
            f"<title>{escape(title)}</title><desc>{escape(note or title)}</desc>"
            f"{DEFS}")  # fmt: skip
    tail = "".join(
        f'<text x="{PAD}" y="{height + 12 * (k + 1)}" font-size="9">{escape(line)}</text>'
        for k, line in enumerate(lines)
    )
    return head + '<g role="list">' + "".join(body) + "</g>" + "".join(labels) + tail + "</svg>"


def _path(rings: Sequence[Ring], at: Callable[[float, float], tuple[float, float]]) -> str:
    parts = []
    for ring in rings:
        points = []
        last = None
        for x, y in zip(ring.xs, ring.ys, strict=True):
            p = at(x, y)
            if p != last:
                points.append(f"{p[0]},{p[1]}")
                last = p
        if len(points) >= 3:
            parts.append("M" + "L".join(points) + "Z")
    return "".join(parts)


def legend(statuses: list[Status]) -> list[tuple[str, str, str]]:
    """(fill, symbol, label) of each status shown, for the legend beside a map."""
    seen: dict[str, tuple[str, str, str]] = {}
    for s in statuses:
        seen.setdefault(s.key, (FILLS[s.key][0], s.symbol, s.label))
    order = ["breach", "above", "on_track", "improving", "no_data", "no_source"]
    return [seen[k] for k in order if k in seen]
