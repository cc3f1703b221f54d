"""The PDF pack as WeasyPrint lays it out (A4 landscape): every table fits the page's width,
the longest ward name and the widest statuses included; a table with nothing to show says
why instead of a row of zeros."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.dashboard.pack.build import Area, Pack, build_pack
from services.dashboard.pack.map import WardMap
from services.dashboard.pack.render import render_html
from shared.reference import load_2022_shapes, load_reference
from tests.unit.dashboard.test_dashboard_pack import Recorded, answers, figure

LONGEST = "Mottingham, Coldharbour & New Eltham"
"""The longest MPS ward name (2022 wards)."""
WARDS = [Area("E05013714", LONGEST), Area("E05013715", "Blackheath")]


async def made(found: dict[str, Any]) -> Pack:
    return await build_pack(
        Recorded(found),
        Area("E09000023", "Kensington and Chelsea"),
        WARDS,
        date(2025, 12, 31),
        datetime(2026, 1, 2, 9, 0, tzinfo=UTC),
    )


def widest() -> dict[str, Any]:
    """Six-figure counts, the longest statuses and SPC classes, every table with rows."""
    found = answers()
    big = {
        "figures": [
            figure("violence", 123_456, 101_234, "significant_worse", 12, "concern"),
            figure("property", 234_567, 212_345, "significant_better", 33, "improvement"),
            figure("asb", 98_765, 87_654, "significant_worse", 21, "concern"),
        ]
    }
    for key in list(found):
        if key.startswith("/v1/kpi/wards/") and key.endswith("?2025-12-31"):
            found[key] = big
    found["/v1/kpi/boroughs/E09000023"] = big
    return found


def table_overflows(html: str) -> Iterator[float]:
    """How far each table's right edge is past its page's content edge (px), as laid out."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    from services.dashboard.pack.render import TEMPLATES

    for page in HTML(string=html, base_url=str(TEMPLATES)).render().pages:
        box = page._page_box  # the laid-out page; WeasyPrint has no public box API
        right = box.content_box_x() + box.width
        for found in _boxes(box):
            if type(found).__name__ == "TableBox":
                yield found.position_x + found.margin_width() - right


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


@pytest.fixture(scope="module")
def ward_map() -> WardMap:
    return WardMap(load_reference(), load_2022_shapes())


async def test_every_table_of_the_pdf_pack_fits_the_page(ward_map: WardMap) -> None:
    html = render_html(await made(widest()), ward_map)
    assert "Mottingham, Coldharbour &amp; New Eltham" in html
    assert "123,456" in html
    overflows = list(table_overflows(html))
    assert len(overflows) >= 7  # three crime groups, repeats (two), flex, changes
    assert max(overflows) <= 0.5, overflows


async def test_an_empty_table_says_why(ward_map: WardMap) -> None:
    found = answers()  # the monthly files: no victims, no callers, no ASB data
    nothing = {
        "persons": 0,
        "repeat_persons": 0,
        "contacts": 0,
        "repeat_contacts": 0,
        "repeat_share": None,
        "vulnerable_persons": 0,
        "vulnerable_contacts": 0,
        "vulnerable_repeat_persons": 0,
    }
    for key, body in list(found.items()):
        if key.endswith("/diagnostics"):
            found[key] = {**body, "repeat_victims": nothing, "repeat_callers": nothing}
        elif body.get("figures"):
            for f in body["figures"]:
                held = f["kpi_group"] != "asb"
                f["sources"] = {"this_year": {"held": held}, "last_year": {"held": held}}
    empty_row = {**found["/v1/flex/boroughs/E09000023/report"]["total"], "planned": 0}
    found["/v1/flex/boroughs/E09000023/report"] = {
        "month": "2025-12",
        "rows": [],
        "total": empty_row,
    }
    html = render_html(await made(found), ward_map)
    assert (
        "No event-level crime records with victims in this period (2025-01-01 to "
        "2025-12-31)" in html
    )
    assert "No CAD ASB records with callers in this period" in html
    assert "Repeat victims</th>" not in html
    assert "ASB callers</th>" not in html
    assert "No ASB (KPI 5) data is loaded for FYTD 2025-04-01 to 2025-12-31" in html
    assert 'id="table-asb"' in html
    assert '<th scope="col">Last year</th>' in html
    assert "No duty records (CARM3 roster) are held for 2025-12" in html
    assert "No ASB (KPI 5) data is loaded for this period: no ward can be judged." in html
