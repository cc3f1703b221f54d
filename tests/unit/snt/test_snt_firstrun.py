"""The first start's decisions without a stack: what a data directory's marker says is
loaded, started empty or kept; how far a load has got; and the wait for the consumers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import snt.catchup
from snt import firstrun
from snt.catchup import Progress, catch_up
from snt.config import StackSettings


def settings(tmp_path: Path, *, empty: bool) -> StackSettings:
    tmp_path.mkdir(parents=True, exist_ok=True)
    return StackSettings(data_dir=tmp_path, empty=empty)


@pytest.fixture(autouse=True)
def no_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to load would build ingest's pipeline: these tests must not get there."""

    def refuse(*_args: object) -> None:
        raise AssertionError("the bundle was about to be loaded")

    monkeypatch.setattr("snt.ingest_setup.bulk_pipeline", refuse)


def test_a_new_data_directory_started_empty_stays_empty(tmp_path: Path) -> None:
    said: list[str] = []
    firstrun.load_bundled(settings(tmp_path, empty=True), said.append)
    marker = json.loads((tmp_path / firstrun.MARKER).read_text())
    assert marker["status"] == "empty"
    assert "first started with --empty" in said[-1]
    firstrun.load_bundled(settings(tmp_path, empty=False), said.append)  # a later plain start
    assert "first started with --empty" in said[-1]
    assert firstrun.progress_line(settings(tmp_path, empty=False)) == said[-1]


def test_a_loaded_data_directory_is_not_loaded_again(tmp_path: Path) -> None:
    steps = {"MPS ward file": {"events": 315_576}, "simulated roster 2025-12": {"events": 9}}
    marker = {"status": "loaded", "loaded_at": "2026-12-07T23:15:37+00:00", "steps": steps}
    (tmp_path / firstrun.MARKER).write_text(json.dumps(marker))
    said: list[str] = []
    for empty in (False, True):
        firstrun.load_bundled(settings(tmp_path, empty=empty), said.append)
        assert said[-1] == (
            "London's public data was loaded on 2026-12-07 23:15 UTC (MPS ward file 315,576 "
            "events, simulated roster 2025-12 9 events); not loaded again"
        )
    assert json.loads((tmp_path / firstrun.MARKER).read_text())["status"] == "loaded"


def test_progress_is_noted_at_most_every_five_seconds() -> None:
    clock = iter([0.0, 1.0, 2.0, 6.0, 6.0, 7.0])
    notes: list[str] = []
    shown = Progress(notes.append, "loading MPS ward file", 448_968, "cells", lambda: next(clock))
    shown.add(2_000)  # 1 s
    shown.add(2_000)  # 2 s
    shown.add(2_000)  # 6 s: noted
    shown.add(2_000)  # 7 s
    assert notes == ["loading MPS ward file: 1% (6,000 / 448,968 cells)"]


def test_the_load_waits_until_each_consumer_has_applied_what_was_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {"kpi": iter([1_000, 346_965]), "flex": iter([0, 50_000, 112_564])}
    monkeypatch.setattr(snt.catchup, "consumed", lambda _url, service: next(answers[service]))
    notes: list[str] = []
    catch_up(
        settings(tmp_path, empty=False),
        {"kpi": 346_965, "flex": 112_564},
        notes.append,
        sleep=lambda _s: None,
    )
    assert notes == [
        "kpi applied 1,000 / 346,965; flex applied 0 / 112,564",
        "kpi applied 346,965 / 346,965 events",
        "flex applied 50,000 / 112,564",
        "flex applied 112,564 / 112,564 events",
    ]


def test_a_consumer_that_makes_no_progress_is_not_waited_for_forever(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snt.catchup, "consumed", lambda _url, _service: 10)
    monkeypatch.setattr(snt.catchup, "STALL_S", 0.0)
    notes: list[str] = []
    catch_up(settings(tmp_path, empty=False), {"kpi": 20}, notes.append, sleep=lambda _s: None)
    assert notes[-1] == "kpi: no progress for 0 s; not waiting (see the logs)"
