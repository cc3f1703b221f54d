"""What the page's figures cover and rest on, in words; and a KPI group with no data loaded
(ASB while no ASB source is) said as such, never as a count of zero."""

from __future__ import annotations

from typing import Any

from services.dashboard.pack.basis import basis, period_sentence, source_sentences
from services.dashboard.pack.status import figure_spc_class, trajectory_status

MONTHLY = {"area": "wards", "resolution": "published_monthly", "complete": True, "held": True}
NO_ASB = {"area": "wards", "resolution": "event_records", "complete": False, "held": False}
EVENTS = {"area": "wards", "resolution": "event_records", "complete": True, "held": True}


def figure(group: str, this_year: dict[str, Any], last_year: dict[str, Any] | None = None,
           value: int = 0) -> dict[str, Any]:  # fmt: skip
    return {"kpi_group": group, "period": "fytd", "period_label": "FYTD 2025-26 to December 2025",
            "period_start": "2025-04-01", "period_end": "2025-12-31",
            "last_year_start": "2024-04-01", "last_year_end": "2024-12-31",
            "value": value, "last_year": 0, "trajectory": None, "vs_target": None,
            "vs_last_year": {"verdict": "insufficient_data"},
            "spc": {"signal": "insufficient_data"},
            "sources": {"this_year": this_year, "last_year": last_year or this_year}}  # fmt: skip


def test_the_period_is_said_in_words_with_its_dates_and_last_years() -> None:
    assert period_sentence(figure("violence", MONTHLY)) == (
        "FYTD 2025-26 to December 2025: 1 April 2025 to 31 December 2025, against the same "
        "period last year (1 April 2024 to 31 December 2024).")  # fmt: skip


def test_the_crime_files_alone_say_monthly_counts_and_no_asb_data() -> None:
    figures = [figure("violence", MONTHLY), figure("property", MONTHLY), figure("asb", NO_ASB)]
    assert source_sentences(figures) == [
        "Violence (KPI 1) and Property (KPI 4): monthly published counts (whole months).",
        "ASB (KPI 5): no ASB data loaded (no CAD ASB incidents for this period).",
    ]
    found = basis(figures)
    assert (found["simulated"], found["no_data"]) == (False, ["asb"])


def test_simulated_and_partial_sources_are_said() -> None:
    simulated = {**EVENTS, "complete": False, "simulated": True}
    found = basis([figure("violence", MONTHLY), figure("asb", simulated, NO_ASB, value=40)])
    assert found["sources"][1] == (
        "ASB (KPI 5): event-level records dated to the day, including simulated records (not "
        "real police data), held for part of the period only; none held for last year's "
        "period, so there is no like-for-like comparison.")  # fmt: skip
    assert found["simulated"]
    assert found["no_data"] == []


def test_no_data_loaded_is_its_own_status_not_nothing_recorded() -> None:
    status = trajectory_status(figure("asb", NO_ASB))
    assert (status.key, status.symbol, status.label) == ("no_source", "∅", "No ASB data loaded")
    assert "not a count of zero" in status.explanation
    assert not status.needs_attention
    assert figure_spc_class(figure("asb", NO_ASB)).label == "Not judged"
    # a group that is loaded and recorded nothing still says so
    assert trajectory_status(figure("asb", EVENTS)).label == "Nothing recorded"
    assert figure_spc_class(figure("asb", EVENTS)).label == "Too few points"
    # a figure without sources (an older body) is taken as held
    assert trajectory_status({**figure("asb", EVENTS), "sources": None}).key == "no_data"
