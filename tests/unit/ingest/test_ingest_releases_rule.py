"""The release rule, table-driven and broker-free: which months a release governs, when its
figures are implausible, and the versioned configuration that says so."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from services.ingest.domain.releases import (
    ALL_AREAS,
    PlausibilityRule,
    ReleaseWindow,
    governed_months,
    judge,
    with_whole_file,
)
from services.ingest.release_rule import ReleaseRuleError, load_release_rule


def m(text: str) -> date:
    return date(int(text[:4]), int(text[5:]), 1)


def window(first: str, last: str, dataset: str = "mps-ward") -> ReleaseWindow:
    return ReleaseWindow(dataset, m(first), m(last))


@pytest.mark.parametrize(
    ("release", "applied", "governed"),
    [
        (window("2024-01", "2024-03"), [], ["2024-01", "2024-02", "2024-03"]),
        (window("2023-11", "2024-02"), [window("2024-01", "2024-06")], ["2023-11", "2023-12"]),
        (window("2024-01", "2024-06"), [window("2023-11", "2024-02")],
         ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]),
        # same last month: the later first month is newer
        (window("2024-01", "2024-03"), [window("2024-02", "2024-03")], ["2024-01"]),
        (window("2024-01", "2024-03"), [window("2024-01", "2024-09", "mps-borough")],
         ["2024-01", "2024-02", "2024-03"]),
        (window("2024-01", "2024-03"), [window("2024-01", "2024-03")],
         ["2024-01", "2024-02", "2024-03"]),  # itself (re-import)
    ],
)  # fmt: skip
def test_a_release_governs_the_months_no_newer_applied_release_covers(
    release: ReleaseWindow, applied: list[ReleaseWindow], governed: list[str]
) -> None:
    assert governed_months(release, applied) == [m(g) for g in governed]


def test_a_release_is_named_by_its_dataset_and_window_across_a_year_end() -> None:
    w = window("2023-11", "2024-02")
    assert w.release_id == "mps-ward:202311-202402"
    assert [f"{x:%Y-%m}" for x in w.months()] == ["2023-11", "2023-12", "2024-01", "2024-02"]


RULE = PlausibilityRule(max_fall=0.5, min_area_count=20, version="t")
JAN, FEB = m("2024-01"), m("2024-02")


@pytest.mark.parametrize(
    ("previous", "new", "found"),
    [
        ({("W1", JAN): 100}, {("W1", JAN): 51}, []),
        ({("W1", JAN): 100}, {("W1", JAN): 49}, [(ALL_AREAS, JAN), ("W1", JAN)]),
        ({("W1", JAN): 19, ("W2", JAN): 200}, {("W1", JAN): 0, ("W2", JAN): 200}, []),
        ({("W1", JAN): 100}, {}, [(ALL_AREAS, JAN), ("W1", JAN)]),
        ({("W1", JAN): 100}, {("W1", JAN): 100, ("W1", FEB): 1}, []),  # a new month is new
    ],
)  # fmt: skip
def test_a_month_total_falling_by_more_than_half_is_implausible(
    previous: dict[tuple[str, date], int], new: dict[tuple[str, date], int],
    found: list[tuple[str, date]],
) -> None:  # fmt: skip
    totals = with_whole_file(new)
    assert [(f.area, f.month) for f in judge(with_whole_file(previous), totals, RULE)] == found


def test_the_packaged_rule_is_versioned(tmp_path: Path) -> None:
    rule = load_release_rule()
    assert (rule.version, rule.max_fall, rule.min_area_count) == ("2026.1", 0.5, 20)
    bad = tmp_path / "rule.toml"
    for text, problem in [
        ('version = "1"\nmax_fall = 1.5\nmin_area_count = 20\n', "max_fall"),
        ("max_fall = 0.5\nmin_area_count = 20\n", "version"),
        ('version = "1"\nmax_fall = 0.5\nmin_area_count = 20\nfall = 1\n', "unknown"),
    ]:
        bad.write_text(text)
        with pytest.raises(ReleaseRuleError, match=problem):
            load_release_rule(bad)
