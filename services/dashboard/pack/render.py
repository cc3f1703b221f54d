"""The pack as HTML (one self-contained page: inline CSS and SVG) and as PDF (the same
HTML laid out by WeasyPrint, A4 landscape, numbered pages)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from services.dashboard.pack.build import Pack
from services.dashboard.pack.charts import spc_chart, trajectory_chart
from services.dashboard.pack.map import WardMap, legend
from services.dashboard.pack.status import GROUP_NAMES, GROUPS, Status, held, pct

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)  # fmt: skip
    env.globals.update(num=num, pct=pct, share=share, hours=hours, verdict=verdict, held=held,
                       groups=GROUP_NAMES, css=(TEMPLATES / "base.css").read_text())  # fmt: skip
    return env


def render_html(pack: Pack, ward_map: WardMap) -> str:
    charts = {}
    for group in GROUPS:
        spc = pack.spc[group]
        ratio = pack.borough_cells[(group, "fytd")].figure.get("target_ratio")
        charts[group] = {
            "trajectory": trajectory_chart(spc, pack.as_of, ratio,
                                           f"{pack.borough.name} {GROUP_NAMES[group]}"),
            "spc": spc_chart(spc, f"{pack.borough.name} {GROUP_NAMES[group]}"),
        }  # fmt: skip
    names = {w.ward.code: w.ward.name for w in pack.wards}
    maps = {}
    shown: list[Status] = []
    for group in GROUPS:
        statuses = {w.ward.code: w.cells[(group, "fytd")].status for w in pack.wards}
        shown += statuses.values()
        maps[group] = ward_map.borough_svg(
            pack.borough.code, f"{pack.borough.name}: {GROUP_NAMES[group]}, FYTD status",
            statuses, names)  # fmt: skip
    return (
        environment()
        .get_template("pack.html")
        .render(pack=pack, charts=charts, maps=maps, legend=legend(shown), name_of=pack.ward_name)
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]  # heavy: only for PDFs

    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    if pdf is None:
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)


def render_template(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def num(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def share(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def hours(minutes: float | None) -> str:
    return "0" if not minutes else f"{minutes / 60:,.1f}"


def verdict(comparison: Mapping[str, Any] | None) -> str:
    if not comparison:
        return "n/a"
    words: Callable[[float], str] = {
        "significant_worse": lambda d: f"▼ significantly worse ({d:+.1f} points)",
        "significant_better": lambda d: f"▲ significantly better ({d:+.1f} points)",
    }.get(comparison.get("verdict", ""), lambda d: f"no significant change ({d:+.1f} points)")
    return words(float(comparison.get("difference_points", 0.0)))
