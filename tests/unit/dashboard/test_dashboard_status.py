"""A figure's status in words: against the trajectory when the KPI has a target, against
last year when it is a baseline KPI; every status has a symbol and a label, not only a
colour."""

from __future__ import annotations

from typing import Any

import pytest

from services.dashboard.pack.status import pct, spc_class, trajectory_status


def figure(value: float, last_year: float, trajectory: float | None, vs_target: str | None,
           vs_last_year: str) -> dict[str, Any]:  # fmt: skip
    return {"value": value, "last_year": last_year, "trajectory": trajectory,
            "vs_target": {"verdict": vs_target} if vs_target else None,
            "vs_last_year": {"verdict": vs_last_year}}  # fmt: skip


@pytest.mark.parametrize(("f", "key", "label"), [
    # KPI 1 / 4 with a target: the trajectory decides, significance against it
    (figure(552, 443, 434.1, "significant_worse", "significant_worse"), "breach",
     "Off trajectory (significant)"),
    (figure(476, 435, 426.3, "not_significant", "not_significant"), "above", "Above trajectory"),
    (figure(263, 284, 278.3, "not_significant", "not_significant"), "on_track", "On trajectory"),
    (figure(721, 900, 882.0, "significant_better", "significant_better"), "improving",
     "Significantly down"),
    # on the trajectory exactly is on track
    (figure(98, 100, 98.0, "not_significant", "not_significant"), "on_track", "On trajectory"),
    # KPI 5, a baseline: last year decides
    (figure(60, 20, None, None, "significant_worse"), "breach", "Up on last year (significant)"),
    (figure(21, 20, None, None, "not_significant"), "above", "Up on last year"),
    (figure(20, 20, None, None, "not_significant"), "on_track", "Level or down"),
    (figure(5, 20, None, None, "significant_better"), "improving", "Significantly down"),
    (figure(0, 0, None, None, "not_significant"), "no_data", "Nothing recorded"),
])  # fmt: skip
def test_status(f: dict[str, Any], key: str, label: str) -> None:
    found = trajectory_status(f)
    assert (found.key, found.label) == (key, label)
    assert found.symbol
    assert found.needs_attention == (key == "breach")


def test_the_explanation_gives_the_figures_in_plain_words() -> None:
    found = trajectory_status(figure(552, 443, 434.1, "significant_worse", "significant_worse"))
    assert found.explanation == (
        "552 against a trajectory of 434.1: above the target trajectory by more than chance "
        "would explain. Needs attention.")  # fmt: skip


@pytest.mark.parametrize(("spc", "key", "symbol"), [
    ({"signal": "concern", "rules_fired": ["run_of_7"]}, "concern", "⚠"),
    ({"signal": "improvement", "rules_fired": ["beyond_limits"]}, "improvement", "★"),
    ({"signal": "common_cause", "rules_fired": []}, "common_cause", "~"),
    ({"signal": "insufficient_data"}, "insufficient_data", "?"),
    (None, "insufficient_data", "?"),
])  # fmt: skip
def test_spc_class(spc: dict[str, Any] | None, key: str, symbol: str) -> None:
    found = spc_class(spc)
    assert (found.key, found.symbol) == (key, symbol)


def test_too_few_points_says_why_and_that_nothing_is_flagged() -> None:
    warning = ("too few points: 6 of the 12 needed before special causes are judged; the "
               "limits are trial limits")  # fmt: skip
    found = spc_class({"signal": "insufficient_data", "rules_fired": [], "warning": warning})
    assert found.label == "Too few points"
    assert warning in found.explanation
    assert "no signal is raised" in found.explanation


def test_the_concern_names_the_rules_that_fired() -> None:
    assert (
        "(run_of_7, two_of_three)"
        in spc_class({"signal": "concern", "rules_fired": ["run_of_7", "two_of_three"]}).explanation
    )


@pytest.mark.parametrize(("value", "shown"), [
    (12.54, "+12.5%"), (-3.0, "−3.0%"), (0.0, "+0.0%"), (None, "n/a")])  # fmt: skip
def test_pct(value: float | None, shown: str) -> None:
    assert pct(value) == shown
