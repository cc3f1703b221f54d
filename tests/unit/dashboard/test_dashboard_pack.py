"""The pack's own logic: the previous pack's date, what changed since it, and the pack
assembled from the services' answers (a recorded source stands in for the HTTP APIs here;
the e2e test reads the real services)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.dashboard.pack.build import Area, build_pack, changes, previous_pack_date
from services.dashboard.pack.map import WardMap
from services.dashboard.pack.render import render_html
from shared.reference import load_2022_shapes, load_reference

WARDS = [Area("E05013714", "Bellingham"), Area("E05013715", "Blackheath")]


@pytest.mark.parametrize(("as_of", "previous"), [
    (date(2025, 12, 31), date(2025, 11, 30)),  # a month end → the month end before
    (date(2025, 3, 31), date(2025, 2, 28)),
    (date(2024, 3, 31), date(2024, 2, 29)),
    (date(2025, 3, 15), date(2025, 2, 15)),
    (date(2025, 1, 10), date(2024, 12, 10)),  # across the year
    (date(2025, 5, 30), date(2025, 4, 30)),  # 30 May is not a month end: 30 April
])  # fmt: skip
def test_previous_pack_date(as_of: date, previous: date) -> None:
    assert previous_pack_date(as_of) == previous


def figure(group: str, value: int, last_year: int, verdict: str = "not_significant",
           rank: int = 1, signal: str = "common_cause") -> dict[str, Any]:  # fmt: skip
    ratio = {"violence": 0.98, "property": 0.99}.get(group)
    return {"kpi": {"violence": 1, "property": 4, "asb": 5}[group], "kpi_group": group,
            "period": "fytd", "period_start": "2025-04-01", "period_end": "2025-12-31",
            "value": value, "last_year": last_year,
            "pct_change": None if not last_year else 100 * (value - last_year) / last_year,
            "target_ratio": ratio, "trajectory": last_year * ratio if ratio else None,
            "gap_to_trajectory": value - last_year * ratio if ratio else None,
            "vs_last_year": {"verdict": verdict, "p_value": 0.5},
            "vs_target": {"verdict": verdict, "p_value": 0.5} if ratio else None,
            "rank_in_borough": rank, "rank_in_mps": rank,
            "spc": {"signal": signal, "rules_fired": []}}  # fmt: skip


class Recorded:
    """Answers by path, and the calls made."""

    def __init__(self, answers: Mapping[str, Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    async def get(self, service: str, path: str, params: Mapping[str, Any] | None = None) -> Any:
        self.calls.append((service, path, dict(params or {})))
        key = f"{path}?{(params or {}).get('as_of', '')}"
        return self.answers.get(key, self.answers.get(path))


def answers() -> dict[str, Any]:
    body = {"figures": [figure("violence", 552, 443, "significant_worse", 1, "concern"),
                        figure("property", 721, 779, rank=8), figure("asb", 0, 0)]}  # fmt: skip
    quiet = {"figures": [figure("violence", 476, 435, rank=8), figure("property", 800, 780),
                         figure("asb", 0, 0)]}  # fmt: skip
    before = {"figures": [figure("violence", 480, 400, rank=5), figure("property", 640, 700),
                          figure("asb", 0, 0)]}  # fmt: skip
    counts = {"persons": 10, "repeat_persons": 2, "contacts": 12, "repeat_contacts": 4,
              "repeat_share": 0.2}  # fmt: skip
    diagnostics = {"rules": {"owner": "most_recent", "repeat_victim_threshold": 2,
                             "repeat_caller_threshold": 3},
                   "period_start": "2025-01-01", "period_end": "2025-12-31",
                   "repeat_victims": counts,
                   "repeat_callers": counts | {"vulnerable_persons": 1, "vulnerable_contacts": 3,
                                               "vulnerable_repeat_persons": 1}}  # fmt: skip
    spc = {"signal": "concern", "limits": None, "signals": [],
           "series": [{"start": "2025-04-01", "end": "2025-04-30", "count": 60}]}  # fmt: skip
    row = {"code": "E05013714", "name": "Bellingham", "model": "1-2-3", "planned": 6000,
           "abstracted_total": 600, "abstraction_share": 0.1, "flexed_out": 120,
           "flexed_out_unauthorised": 60, "days_below_minimum": 2}  # fmt: skip
    league = {"poor": [{"area_code": "E05013715", "value": 552, "last_year": 443,
                        "q_value": 0.001, "verdict": "significant_worse"}], "good": []}  # fmt: skip
    return {
        "/v1/kpi/wards/E05013715?2025-12-31": body, "/v1/kpi/wards/E05013714?2025-12-31": quiet,
        "/v1/kpi/wards/E05013715?2025-11-30": before, "/v1/kpi/wards/E05013714?2025-11-30": quiet,
        "/v1/kpi/boroughs/E09000023": {"figures": [
            figure("violence", 9_100, 9_050), figure("property", 12_000, 12_500),
            figure("asb", 0, 0)]},
        "/v1/kpi/wards/E05013715/diagnostics": diagnostics,
        "/v1/kpi/wards/E05013714/diagnostics": diagnostics,
        "/v1/kpi/boroughs/E09000023/diagnostics": diagnostics,
        "/v1/kpi/boroughs/E09000023/spc": spc,
        "/v1/kpi/boroughs/E09000023/exceptions": league,
        "/v1/kpi/boroughs/E09000023/survey": {"figures": []},
        "/v1/flex/boroughs/E09000023/report": {"month": "2025-12", "rows": [row], "total": row},
        "/v1/flex/boroughs/E09000023/kpi9": {"periods": [
            {"period": "month", "share": 0.1, "last_year_share": 0.08},
            {"period": "fytd", "share": 0.09, "last_year_share": None}]},
    }  # fmt: skip


async def test_the_pack_is_assembled_from_the_apis_and_rendered() -> None:
    source = Recorded(answers())
    made = await build_pack(source, Area("E09000023", "Lewisham"), WARDS, date(2025, 12, 31),
                            datetime(2026, 1, 2, 9, 0, tzinfo=UTC))  # fmt: skip
    # every ward asked for FYTD and rolling 12 months as of the date, and FYTD a month before
    asked = {(path, p.get("period"), p.get("as_of")) for _, path, p in source.calls}
    for ward in WARDS:
        assert (f"/v1/kpi/wards/{ward.code}", "fytd", "2025-12-31") in asked
        assert (f"/v1/kpi/wards/{ward.code}", "rolling_12m", "2025-12-31") in asked
        assert (f"/v1/kpi/wards/{ward.code}", "fytd", "2025-11-30") in asked
    assert ("flex", "/v1/flex/boroughs/E09000023/report", {"month": "2025-12"}) in source.calls
    # Blackheath needs attention (significant breach and an SPC concern where the borough
    # has neither); Bellingham does not; the borough as a whole has nothing to say
    assert [(w.ward.name, reasons) for w, reasons in made.attention] == [
        ("Blackheath", ["Violence (KPI 1): Off trajectory (significant)",
                        "Violence (KPI 1): Special cause: concern"])]  # fmt: skip
    assert made.movement == []
    assert [(c.ward.name, c.group, c.what, c.before, c.after) for c in made.changes] == [
        ("Blackheath", "violence", "status", "Above trajectory", "Off trajectory (significant)"),
        ("Blackheath", "violence", "SPC", "Common cause", "Special cause: concern"),
        ("Blackheath", "violence", "rank in borough", "5", "1"),
        ("Blackheath", "property", "rank in borough", "1", "8"),
    ]  # fmt: skip
    html = render_html(made, WardMap(load_reference(), load_2022_shapes()))
    assert "<h1>Borough SN Performance Pack: Lewisham</h1>" in html
    assert '<tr data-ward="E05013715"><td class="name">Blackheath</td><td>552</td><td>443</td>' \
        "<td>+24.6%</td><td>434.1</td><td>117.9</td>" in html  # fmt: skip
    assert "No survey figures are held for this borough up to this date." in html
    assert "<td>100.0</td><td>10.0</td><td>10.0%</td>" in html  # flex hours and share
    assert "What changed since the last pack (30 November 2025)" in html


def test_changes_ignore_small_rank_moves() -> None:
    from services.dashboard.pack.build import Cell, WardRow
    from services.dashboard.pack.status import spc_class, trajectory_status

    def cells(rank: int) -> dict[tuple[str, str], Cell]:
        f = figure("violence", 100, 100, rank=rank)
        return {("violence", "fytd"): Cell(f, trajectory_status(f), spc_class(f["spc"])),
                **{(g, "fytd"): Cell(figure(g, 0, 0), trajectory_status(figure(g, 0, 0)),
                                     spc_class(None)) for g in ("property", "asb")}}  # fmt: skip

    row = WardRow(WARDS[0], cells(4))
    assert changes([row], {WARDS[0].code: cells(6)}) == []
    assert [c.what for c in changes([row], {WARDS[0].code: cells(7)})] == ["rank in borough"]


async def test_a_borough_moving_as_a_whole_is_said_once() -> None:
    """The borough itself off trajectory with a special cause: said once, as the borough's
    movement; a ward that only shares it is not listed; a ward that differs significantly
    from the MPS trend is, with London's change beside its own."""
    found = answers()
    moving = {"figures": [figure("violence", 9_900, 9_000, "significant_worse", 1, "concern"),
                          figure("property", 12_000, 12_500), figure("asb", 0, 0)]}  # fmt: skip
    found["/v1/kpi/boroughs/E09000023"] = moving
    made = await build_pack(Recorded(found), Area("E09000023", "Lewisham"), WARDS,
                            date(2025, 12, 31), datetime(2026, 1, 2, 9, 0, tzinfo=UTC))  # fmt: skip
    assert made.movement == ["Violence (KPI 1): Lewisham +10.0%, off trajectory, "
                             "special cause of concern"]  # fmt: skip
    assert made.attention == []
    differs = answers()["/v1/kpi/wards/E05013715?2025-12-31"]
    differs["figures"][0]["vs_mps"] = {"verdict": "significant_worse", "null_ratio": 1.077,
                                       "q_value": 0.002}  # fmt: skip
    found["/v1/kpi/wards/E05013715?2025-12-31"] = differs
    made = await build_pack(Recorded(found), Area("E09000023", "Lewisham"), WARDS,
                            date(2025, 12, 31), datetime(2026, 1, 2, 9, 0, tzinfo=UTC))  # fmt: skip
    assert [(w.ward.name, reasons) for w, reasons in made.attention] == [
        ("Blackheath", ["Violence (KPI 1): +24.6% against London's +7.7%, significantly "
                        "worse than the MPS trend"])]  # fmt: skip


def test_the_exceptions_say_londons_change_and_how_many_more() -> None:
    from services.dashboard.pack.render import environment

    table = environment().from_string(
        '{% from "standings.html" import table %}{{ table(body, name_of) }}'
    )

    def render_template(_: str, body: dict[str, Any]) -> str:
        return table.render(body=body, name_of=lambda code: {"E05013715": "Evelyn"}[code])

    trend = {"null_ratio": 1.077, "z": 4.1, "p_value": 0.0001, "q_value": 0.004,
             "verdict": "significant_worse"}  # fmt: skip
    body = {"basis": "mps_trend", "mps_pct_change": -6.74, "tested": 19,
            "poor": [{"area_code": "E05013715", "value": 627, "last_year": 402,
                      "pct_change": 55.97, "q_value": 0.9, "verdict": "significant_worse",
                      "vs_mps": trend}],
            "good": [], "more": {"poor": 2, "good": 0}}  # fmt: skip
    html = render_template("standings.html", body=body)
    assert "London-wide −6.7% on last year" in html
    assert '<td>+56.0%</td><td>0.0040</td><td class="name">worse than the MPS trend</td>' in html
    assert "… and 2 more poor" in html
    quiet = render_template("standings.html", body={**body, "poor": [], "more": {}})
    assert "No ward differs significantly from the MPS trend." in quiet
