"""Charts as SVG: the trajectory chart's cumulative lines come from the monthly series, the
XmR chart marks special-cause points; both describe themselves for screen readers."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

from services.dashboard.pack.charts import HEIGHT, spc_chart, trajectory_chart

SVG = "{http://www.w3.org/2000/svg}"


def series(counts: dict[str, int]) -> dict[str, Any]:
    return {"series": [{"start": f"{m}-01", "end": f"{m}-28", "count": c}
                       for m, c in counts.items()]}  # fmt: skip


def polyline_ys(svg: str) -> list[list[float]]:
    root = ET.fromstring(svg)
    return [[float(p.split(",")[1]) for p in line.get("points", "").split()]
            for line in root.iter(f"{SVG}polyline")]  # fmt: skip


def test_the_trajectory_chart_draws_this_year_last_year_and_the_trajectory() -> None:
    months = {f"2024-{m:02d}": 10 for m in range(4, 13)} | {"2025-01": 10, "2025-02": 10,
                                                           "2025-03": 10}  # fmt: skip
    months |= {"2025-04": 20, "2025-05": 20, "2025-06": 20}
    svg = trajectory_chart(series(months), date(2025, 6, 30), 0.98, "Lewisham Violence")
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == (  # type: ignore[union-attr]
        "Lewisham Violence: cumulative count, financial year 2025/26"
    )
    assert root.find(f"{SVG}desc").text == (  # type: ignore[union-attr]
        "Whole months to 30 June 2025. This year's cumulative count 60; last year to the same "
        "month 30.")  # fmt: skip
    this_year, last_year, trajectory = polyline_ys(svg)
    assert len(this_year) == 3  # April to June this year
    assert len(last_year) == len(trajectory) == 12  # the whole of last year
    # the trajectory is last year × 0.98, so it sits just below last year at every month
    assert all(t > ly for t, ly in zip(trajectory, last_year, strict=True))  # y grows down
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"This year", "Last year", "Trajectory ×0.98"} <= set(labels)


def test_a_baseline_kpi_has_no_trajectory_line() -> None:
    months = {f"2024-{m:02d}": 5 for m in range(4, 13)} | {"2025-04": 7}
    svg = trajectory_chart(series(months), date(2025, 4, 30), None, "ASB")
    assert len(polyline_ys(svg)) == 2
    assert "Trajectory" not in svg


def test_the_xmr_chart_rings_and_letters_the_special_cause_points() -> None:
    spc = series({f"2024-{m:02d}": c for m, c in zip(range(1, 13), [5] * 11 + [30],
                                                     strict=True)})  # fmt: skip
    limits = {"mean": 7.1, "upper": 20.0, "lower_shown": 0.0}
    signal = {"rule": "beyond_limits", "verdict": "concern", "points": [11]}
    spc |= {"signal": "concern", "limits": limits, "signals": [signal]}
    svg = spc_chart(spc, "Evelyn Property")
    root = ET.fromstring(svg)
    rings = [c for c in root.iter(f"{SVG}circle") if c.get("fill") == "none"]
    assert len(rings) == 1
    assert [t.text for t in root.iter(f"{SVG}text") if t.text == "C"] == ["C"]
    assert "Latest point: concern. Mean 7.1, limits 0 to 20." in svg
    # the ring is on the 12th point: the highest (smallest y) of the count line
    [counts] = polyline_ys(svg)
    assert float(rings[0].get("cy", "0")) == min(counts) < HEIGHT


def test_labels_and_titles_are_escaped() -> None:
    svg = spc_chart(series({"2024-01": 1, "2024-02": 2}), "Kings <Cross> & Co")
    assert "Kings &lt;Cross&gt; &amp; Co" in svg
    ET.fromstring(svg)
    assert re.search(r"No limits yet", svg)


def test_a_chart_with_too_few_points_draws_trial_limits_and_rings_nothing() -> None:
    spc = series({f"2024-{m:02d}": c for m, c in zip(range(1, 7), [5, 6, 5, 6, 5, 30],
                                                     strict=True)})  # fmt: skip
    limits = {"mean": 9.5, "upper": 40.0, "lower_shown": 0.0}
    spc |= {"signal": "insufficient_data", "limits": limits, "signals": []}
    svg = spc_chart(spc, "Evelyn Property")
    root = ET.fromstring(svg)
    assert not [c for c in root.iter(f"{SVG}circle") if c.get("fill") == "none"]
    labels = {t.text for t in root.iter(f"{SVG}text")}
    assert {"Upper limit (trial)", "Lower limit (trial)"} <= labels
    assert "Latest point: too few points to judge. Mean 9.5, (trial) limits 0 to 40." in svg
