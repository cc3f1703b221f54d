"""Plain-language status of a KPI figure, with the icon and words that go with its colour
(colour is never the only signal: every status has a symbol and a label)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GROUP_NAMES: Mapping[str, str] = {
    "violence": "Violence (KPI 1)", "property": "Property (KPI 4)", "asb": "ASB (KPI 5)",
}  # fmt: skip
GROUPS = tuple(GROUP_NAMES)
DATA_NAMES: Mapping[str, str] = {"violence": "violence", "property": "property crime",
                                 "asb": "ASB"}  # fmt: skip
SOURCE_NAMES: Mapping[str, str] = {"violence": "crime records or counts",
                                   "property": "crime records or counts",
                                   "asb": "CAD ASB incidents"}  # fmt: skip


@dataclass(frozen=True)
class Status:
    key: str
    """breach, above, on_track, improving, no_data (nothing recorded) or no_source (no data
    of the KPI group loaded for the period)"""
    symbol: str
    label: str
    explanation: str

    @property
    def needs_attention(self) -> bool:
        return self.key == "breach"


@dataclass(frozen=True)
class SpcClass:
    key: str
    symbol: str
    label: str
    explanation: str


def trajectory_status(figure: Mapping[str, Any]) -> Status:
    """Where a crime figure stands: against its target trajectory when the KPI has a target,
    against last year when it is a baseline KPI. "Significant" is the exact conditional
    Poisson test at 5% (a rise or fall that chance alone would rarely give)."""
    if not held(figure):
        group = str(figure.get("kpi_group", ""))
        return Status("no_source", "∅", no_data_label(group),
                      f"No {SOURCE_NAMES.get(group, 'data')} are loaded for this period: the "
                      "figure is not a count of zero but no figure at all.")  # fmt: skip
    value, last_year = figure["value"], figure["last_year"]
    if not value and not last_year:
        return Status("no_data", "–", "Nothing recorded",
                      "Nothing recorded in this period or the same period last year.")  # fmt: skip
    trajectory = figure.get("trajectory")
    vs_target = figure.get("vs_target") or {}
    vs_last = figure.get("vs_last_year") or {}
    if trajectory is None:
        return _against_last_year(value, last_year, vs_last.get("verdict"))
    if vs_target.get("verdict") == "significant_worse":
        return Status("breach", "▲!", "Off trajectory (significant)",
                      f"{_n(value)} against a trajectory of {_n(trajectory)}: above the target "
                      "trajectory by more than chance would explain. Needs attention.")  # fmt: skip
    if value > trajectory:
        return Status("above", "▲", "Above trajectory",
                      f"{_n(value)} against a trajectory of {_n(trajectory)}: above it, but "
                      "not by more than chance could explain. Watch.")  # fmt: skip
    if vs_last.get("verdict") == "significant_better":
        return Status("improving", "▼✓", "Significantly down",
                      f"{_n(value)} against {_n(last_year)} last year: a fall chance alone "
                      "would rarely give. On track.")  # fmt: skip
    return Status(
        "on_track",
        "✓",
        "On trajectory",
        f"{_n(value)} against a trajectory of {_n(trajectory)}: at or below it.",
    )


def _against_last_year(value: float, last_year: float, verdict: str | None) -> Status:
    if verdict == "significant_worse":
        return Status("breach", "▲!", "Up on last year (significant)",
                      f"{_n(value)} against {_n(last_year)} last year: a rise by more than "
                      "chance would explain (baseline KPI, no target). "
                      "Needs attention.")  # fmt: skip
    if value > last_year:
        return Status("above", "▲", "Up on last year",
                      f"{_n(value)} against {_n(last_year)} last year: up, but not by more "
                      "than chance could explain (baseline KPI, no target).")  # fmt: skip
    if verdict == "significant_better":
        return Status("improving", "▼✓", "Significantly down",
                      f"{_n(value)} against {_n(last_year)} last year: a fall chance alone "
                      "would rarely give (baseline KPI, no target).")  # fmt: skip
    return Status("on_track", "✓", "Level or down",
                  f"{_n(value)} against {_n(last_year)} last year: level with it or lower "
                  "(baseline KPI, no target).")  # fmt: skip


def held(figure: Mapping[str, Any]) -> bool:
    """Does the figure's source hold any count of its KPI group this period? (False: its 0
    is no count but the absence of data.) A figure that does not say is held."""
    this_year = (figure.get("sources") or {}).get("this_year") or {}
    return bool(this_year.get("held", True))


def no_data_label(group: str) -> str:
    """'No ASB data loaded'."""
    return f"No {DATA_NAMES.get(group, group)} data loaded"


def figure_spc_class(figure: Mapping[str, Any]) -> SpcClass:
    """The SPC class of a figure: not judged where no data of its group is loaded."""
    if not held(figure):
        return SpcClass("no_source", "∅", "Not judged",
                        "No data of this KPI group is loaded, so there is no control chart "
                        "to judge.")  # fmt: skip
    return spc_class(figure.get("spc"))


def spc_class(spc: Mapping[str, Any] | None) -> SpcClass:
    """The SPC verdict on the latest point, in words."""
    signal = (spc or {}).get("signal")
    rules = ", ".join((spc or {}).get("rules_fired") or ()) or "none"
    if signal == "concern":
        return SpcClass("concern", "⚠", "Special cause: concern",
                        f"The latest point breaks an SPC rule ({rules}) in the bad direction: "
                        "something has changed, not just ordinary ups and downs.")  # fmt: skip
    if signal == "improvement":
        return SpcClass("improvement", "★", "Special cause: improvement",
                        f"The latest point breaks an SPC rule ({rules}) in the good direction: "
                        "a real improvement, worth recognising.")  # fmt: skip
    if signal == "common_cause":
        return SpcClass("common_cause", "~", "Common cause",
                        "Ordinary variation only: no SPC rule is broken.")  # fmt: skip
    warning = (spc or {}).get("warning")
    return SpcClass("insufficient_data", "?", "Too few points",
                    "Not enough whole weeks or months yet to judge special causes on a control "
                    f"chart{f' ({warning})' if warning else ''}: no signal is raised.")  # fmt: skip


def pct(value: float | None) -> str:
    """A % change for a table: '+12.5%', '−3.0%', or 'n/a' when last year was 0."""
    if value is None:
        return "n/a"
    return f"{value:+.1f}%".replace("-", "−")


def _n(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
