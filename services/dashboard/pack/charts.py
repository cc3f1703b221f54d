"""Charts as self-contained SVG (no script, no external fonts): the same markup goes into
the dashboard, the HTML pack and the PDF. Every chart has a <title> and <desc> for screen
readers, and lines differ by dash pattern and markers as well as colour."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 28, 40


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[float | None]
    colour: str
    dash: str = ""
    markers: bool = False


def line_chart(title: str, description: str, labels: Sequence[str], lines: Sequence[Line],
               bands: Sequence[tuple[str, float, str, str]] = ()) -> str:  # fmt: skip
    """Lines over categorical x labels; ``bands`` are horizontal reference lines
    (label, y, colour, dash)."""
    ys = [v for line in lines for v in line.values if v is not None] + [b[1] for b in bands]
    top = max(ys, default=1.0) or 1.0
    bottom = min(0.0, *ys) if ys else 0.0
    span = (top - bottom) or 1.0
    top, bottom = top + span * 0.08, bottom - (span * 0.04 if bottom < 0 else 0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return TOP + plot_h * (1 - (v - bottom) / (top - bottom))

    out = [_open(title, description)]
    for tick in _ticks(bottom, top):
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"'
                   ' stroke="#ddd" stroke-width="1"/>')  # fmt: skip
        out.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                   f'font-size="11">{_fmt(tick)}</text>')  # fmt: skip
    step = max(1, math.ceil(n / 8))
    for i, label in enumerate(labels):
        if i % step == 0:
            out.append(f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                       f'font-size="10">{escape(label)}</text>')  # fmt: skip
    legend_y: float = TOP + 4
    for label, level, colour, dash in bands:
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(level):.1f}" '
                   f'y2="{y(level):.1f}" stroke="{colour}" stroke-width="1.5" '
                   f'stroke-dasharray="{dash}"/>')  # fmt: skip
        legend_y = _legend(out, legend_y, label, colour, dash, False)
    for line in lines:
        points = [(x(i), y(v)) for i, v in enumerate(line.values) if v is not None]
        if points:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            out.append(f'<polyline fill="none" stroke="{line.colour}" stroke-width="2" '
                       f'stroke-dasharray="{line.dash}" points="{path}"/>')  # fmt: skip
            if line.markers:
                out += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{line.colour}"/>'
                        for px, py in points]  # fmt: skip
        legend_y = _legend(out, legend_y, line.label, line.colour, line.dash, line.markers)
    out.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#333"/>')
    out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" '
               f'y2="{TOP + plot_h}" stroke="#333"/>')  # fmt: skip
    out.append("</svg>")
    return "".join(out)


def trajectory_chart(spc: Mapping[str, Any], as_of: date, target_ratio: float | None,
                     name: str) -> str:  # fmt: skip
    """Cumulative whole-month count this financial year against last year's and the target
    trajectory (last year's cumulative × the target ratio), from the monthly series."""
    counts = {p["start"][:7] if isinstance(p["start"], str) else p["start"].isoformat()[:7]:
              p["count"] for p in spc.get("series", [])}  # fmt: skip
    fy = as_of.year if as_of.month >= 4 else as_of.year - 1
    months = [(fy + (m > 12), (m - 1) % 12 + 1) for m in range(4, 16)]
    labels, this_year, last_year, trajectory = [], [], [], []
    total = previous = 0.0
    have_this = have_last = True
    for year, month in months:
        labels.append(date(year, month, 1).strftime("%b"))
        this_key, last_key = f"{year}-{month:02d}", f"{year - 1}-{month:02d}"
        have_this = have_this and this_key in counts
        have_last = have_last and last_key in counts
        total += counts.get(this_key, 0)
        previous += counts.get(last_key, 0)
        this_year.append(total if have_this else None)
        last_year.append(previous if have_last else None)
        trajectory.append(previous * target_ratio if have_last and target_ratio else None)
    lines = [Line("This year", this_year, "#1f4e9a", "", True),
             Line("Last year", last_year, "#666", "6 4")]  # fmt: skip
    if target_ratio:
        lines.append(Line(f"Trajectory ×{target_ratio:g}", trajectory, "#b3261e", "2 3"))
    title = f"{name}: cumulative count, financial year {fy}/{str(fy + 1)[2:]}"
    done = _filled(this_year)
    now, then = _last(this_year), _last(last_year[:done])
    desc = (
        f"Whole months to {as_of:%d %B %Y}. This year's cumulative count {_fmt(now)}; "
        f"last year to the same month {_fmt(then)}."
    )
    return line_chart(title, desc, labels, lines)


def spc_chart(spc: Mapping[str, Any], name: str) -> str:
    """The XmR chart: counts, mean, process limits; special-cause points ringed and
    marked with a letter (C concern, I improvement). The counts are the series the KPI
    service charts (a 2022-set ward's on its own boundaries, as its figures). A chart with too
    few points to judge draws its limits as trial limits and rings nothing."""
    series = spc.get("series", [])
    labels = [str(p["start"])[:7] for p in series]
    values: list[float | None] = [float(p["count"]) for p in series]
    limits = spc.get("limits")
    judged = spc.get("signal", "insufficient_data") != "insufficient_data"
    trial = "" if judged else " (trial)"
    bands = []
    if limits:
        bands = [("Mean", limits["mean"], "#333", ""),
                 (f"Upper limit{trial}", limits["upper"], "#b3261e", "6 3"),
                 (f"Lower limit{trial}", limits["lower_shown"], "#1b7a3a", "6 3")]  # fmt: skip
    verdict = spc.get("signal", "").replace("_", " ") if judged else "too few points to judge"
    title = f"{name}: monthly XmR chart"
    desc = (f"{len(series)} months. Latest point: {verdict}."
            + (f" Mean {_fmt(limits['mean'])},{trial} limits {_fmt(limits['lower_shown'])} to "
               f"{_fmt(limits['upper'])}." if limits else " No limits yet."))  # fmt: skip
    svg = line_chart(title, desc, labels, [Line("Count", values, "#1f4e9a", "", True)], bands)
    marks = _signal_marks(spc, values, limits) if judged else ""
    return svg.replace("</svg>", marks + "</svg>") if marks else svg


def _signal_marks(spc: Mapping[str, Any], values: Sequence[float | None],
                  limits: Mapping[str, Any] | None) -> str:  # fmt: skip
    if not limits or not values:
        return ""
    ys = [v for v in values if v is not None] + [limits["upper"], limits["lower_shown"],
                                                  limits["mean"]]  # fmt: skip
    top, bottom = max(ys), min(0.0, *ys)
    span = (top - bottom) or 1.0
    top, bottom = top + span * 0.08, bottom - (span * 0.04 if bottom < 0 else 0)
    plot_w, plot_h, n = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM, len(values)
    out = []
    for signal in spc.get("signals", []):
        letter = "C" if signal["verdict"] == "concern" else "I"
        colour = "#b3261e" if letter == "C" else "#1b7a3a"
        for i in signal["points"]:
            v = values[i]
            if v is None:
                continue
            px = LEFT + plot_w * (i + 0.5) / n
            py = TOP + plot_h * (1 - (v - bottom) / (top - bottom))
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="6" fill="none" '
                       f'stroke="{colour}" stroke-width="2"/><text x="{px:.1f}" '
                       f'y="{py - 9:.1f}" text-anchor="middle" font-size="10" '
                       f'fill="{colour}">{letter}</text>')  # fmt: skip
    return "".join(out)


def _last(values: Sequence[float | None]) -> float:
    return next((v for v in reversed(values) if v is not None), 0.0)


def _filled(values: Sequence[float | None]) -> int:
    return sum(v is not None for v in values)


def _open(title: str, description: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" role="img" font-family="sans-serif">'
            f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
            f'<text x="{LEFT}" y="16" font-size="13" font-weight="bold">'
            f"{escape(title)}</text>")  # fmt: skip


def _legend(out: list[str], at: float, label: str, colour: str, dash: str,
            markers: bool) -> float:  # fmt: skip
    x0 = WIDTH - RIGHT + 12
    out.append(f'<line x1="{x0}" x2="{x0 + 22}" y1="{at:.1f}" y2="{at:.1f}" stroke="{colour}" '
               f'stroke-width="2" stroke-dasharray="{dash}"/>')  # fmt: skip
    if markers:
        out.append(f'<circle cx="{x0 + 11}" cy="{at:.1f}" r="3" fill="{colour}"/>')
    out.append(f'<text x="{x0 + 28}" y="{at + 4:.1f}" font-size="11">{escape(label)}</text>')
    return at + 18


def _ticks(bottom: float, top: float, count: int = 5) -> list[float]:
    raw = (top - bottom) / count
    magnitude: float = 10 ** max(0, len(str(int(raw))) - 1) if raw >= 1 else 1
    step = max(1, round(raw / magnitude)) * magnitude
    first = float(int(bottom // step) * step)
    return [first + i * step for i in range(count + 2) if bottom <= first + i * step <= top]


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.1f}"
