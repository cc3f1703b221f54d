"""Episodes, not days; history is not news; severity that means action; human words. The
engine on a real (SQLite) store with an injected clock, driven by tables of flex exceptions
and KPI updates."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from services.alerts.domain.routing import Subscription
from services.alerts.domain.rules import Rule
from services.alerts.domain.words import Names, days_words, percent, plural, shortfall_words
from services.alerts.engine import Engine
from services.alerts.rule_config import load_rules
from services.alerts.store.sql import SqlAlertsStore, create_schema
from shared.consumer import Record
from shared.contracts.examples import example_event
from shared.db import make_engine

WARD, BOROUGH = "E05013806", "E09000033"
NAMES = Names({WARD: "Harrow Road"}.get, {BOROUGH: "Westminster"}.get)
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LEAD = Subscription("lead", "Westminster lead", "borough", BOROUGH, "webhook", "http://lead")


class Clock:
    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> datetime:
        return self.at


def engine(tmp_path: Path, clock: Clock | None = None) -> Engine:
    db = make_engine(f"sqlite:///{tmp_path / 'alerts.db'}")
    create_schema(db)
    made = Engine(SqlAlertsStore(db), load_rules(), lambda w: None, clock or Clock(),
                  names=NAMES)  # fmt: skip
    made.put_subscription(LEAD)
    return made


def short(day: str, pcso: int = 2, ward: str = WARD) -> bytes:
    """A below-minimum-staffing exception: ``pcso`` PCSOs of 3 on ``day``."""
    event = example_event("flex.exception", event_id=f"flex:{ward}:{day}:{pcso}")
    event["payload"].update(kind="below_minimum_staffing", ward_code=ward,
                            borough_code=BOROUGH, date=day, duty_ids=[],
                            figures={"pcso_available": pcso, "pcso_required": 3})  # fmt: skip
    return json.dumps(event).encode()


def breach(n: int, end: str, holds: bool = True) -> bytes:
    event = example_event("kpi.updated", event_id=f"kpi:{WARD}:{end}:{n}")
    event["payload"].update(
        level="ward", area_code=WARD, borough_code=BOROUGH, kpi=1, period="fytd",
        period_end=end, period_label=f"FYTD 2025-26 to {end}", value=130 if holds else 90,
        last_year=100, trajectory=98.0, gap_to_trajectory=32.0 if holds else -8.0,
        target_significance={"test": "poisson_conditional_binomial", "null_ratio": 0.98,
                             "p_value": 0.001 if holds else 0.4,
                             "verdict": "significant_worse" if holds else "not_significant"},
    )  # fmt: skip
    return json.dumps(event).encode()


def fold(e: Engine, raws: Iterable[bytes], topic: str = "snt.flex.exceptions.v1") -> None:
    e.fold([Record(topic, 0, i, raw) for i, raw in enumerate(raws)])


def deliveries(e: Engine) -> list[tuple[str, str, str, str]]:
    """(recipient, rule, kind, status) of every logged delivery, in order."""
    log = e._store.log(limit=10_000)
    return sorted((d.subscription_id, d.body["rule_id"], d.kind, d.status) for d in log)


MARCH = [f"2025-03-{d:02d}" for d in (3, 4, 5, 9, 12, 18)]


@pytest.mark.parametrize(
    ("days", "episodes", "summary"),
    [(["2025-03-04"], 1, "below minimum staffing on 4 March 2025, worst: 2 PCSOs of 3"),
     (MARCH, 1, "below minimum staffing on 6 of 31 days in March 2025, worst: 1 PCSO of 3"),
     (["2025-03-01", "2025-03-20"], 2, "below minimum staffing on 20 March 2025"),
     (["2025-03-28", "2025-04-02"], 1,
      "below minimum staffing on 2 days from 28 March to 2 April 2025")],
)  # fmt: skip
def test_consecutive_days_of_an_exception_are_one_episode(
    tmp_path: Path, days: list[str], episodes: int, summary: str
) -> None:
    e = engine(tmp_path)
    for day in days:  # one day at a time, as a live roster arrives
        fold(e, [short(day, pcso=1 if day == "2025-03-09" else 2)])
        assert len(e.alerts) == 1, "one alert per ward and rule"
    [alert] = e.alerts.values()
    assert alert.alert_id == f"below_minimum_staffing:{WARD}"
    assert alert.summary.startswith(summary)
    assert alert.title == "Harrow Road, Westminster: below minimum staffing"
    assert alert.sequence == 2 * episodes - 1  # firing (and resolved) per episode


@pytest.mark.parametrize(
    ("later", "state"),
    [("2025-03-10", "firing"),  # 6 days on: still within clear_days (7)
     ("2025-03-11", "firing"),
     ("2025-03-12", "resolved")],  # clear for more than 7 data days: resolved by itself
)  # fmt: skip
def test_an_episode_resolves_when_its_data_have_run_clear(
    tmp_path: Path, later: str, state: str
) -> None:
    e = engine(tmp_path)
    fold(e, [short("2025-03-04")])
    other = "E05013807"  # another ward's roster moves the roster's clock on
    fold(e, [short(later, ward=other)])
    assert e.alerts[f"below_minimum_staffing:{WARD}"].state == state


def test_a_past_month_loaded_at_once_is_history_recorded_and_summed_up_once(
    tmp_path: Path,
) -> None:
    e = engine(tmp_path)
    fold(e, [breach(1, "2025-12-31")], "snt.kpi.updates.v1")  # crime data to December
    fold(e, [short(d) for d in MARCH] + [short(d, ward="E05013807") for d in MARCH])
    march = [a for a in e.alerts.values() if a.rule_id == "below_minimum_staffing"]
    assert len(march) == 2
    assert all(a.history and a.severity == "warning" and a.state == "firing" for a in march)
    log = deliveries(e)
    staffing = [d for d in log if d[1] == "below_minimum_staffing"]
    assert ("lead", "below_minimum_staffing", "history", "pending") in staffing
    assert {d[2:] for d in staffing if d[0] == "lead"} == {("history", "pending")}
    assert {d[2:] for d in staffing if d[0] == "topic"} == {("firing", "held")}  # recorded
    # history never repeats or escalates
    e._now = lambda: NOW + timedelta(days=30)
    e.tick()
    assert [e.alerts[a.alert_id] for a in march] == march


@pytest.mark.parametrize(
    ("roster", "newest", "severity", "history"),
    [("2025-03-31", "2025-03-31", "critical", False),  # today's roster short
     ("2025-04-01", "2025-03-31", "critical", False),  # tomorrow's
     ("2025-03-29", "2025-03-31", "warning", True),  # before the data held: history
     ("2025-03-30", "2025-03-31", "critical", False)],  # the grace day (yesterday)
)  # fmt: skip
def test_critical_only_for_a_current_or_next_day_roster(
    tmp_path: Path, roster: str, newest: str, severity: str, history: bool
) -> None:
    e = engine(tmp_path)
    fold(e, [short(newest, ward="E05013807")])
    fold(e, [short(roster)])
    alert = e.alerts[f"below_minimum_staffing:{WARD}"]
    assert (alert.severity, alert.history) == (severity, history)


def test_a_replayed_past_update_never_changes_the_current_alert(tmp_path: Path) -> None:
    e = engine(tmp_path)
    fold(e, [breach(1, "2025-12-31")], "snt.kpi.updates.v1")
    key = f"trajectory_breach:{WARD}:1"
    assert (e.alerts[key].state, e.alerts[key].history) == ("firing", False)
    assert e.alerts[key].summary.startswith("KPI 1 violent crime, FYTD 2025-26 to 2025-12-31:")
    fold(e, [breach(2, "2025-06-30", holds=False), breach(3, "2025-07-31", holds=False)],
         "snt.kpi.updates.v1")  # fmt: skip
    assert e.alerts[key].state == "firing"
    assert date.fromisoformat(e.alerts[key].period_end or "") == date(2025, 12, 31)


def test_each_kind_of_period_has_its_own_clock(tmp_path: Path) -> None:
    """A week ends on a Sunday, a year to date on the data date: neither makes the other
    history."""
    e = engine(tmp_path)
    week = json.loads(breach(9, "2025-01-12", holds=False))
    week["payload"]["period"] = "week"
    fold(e, [json.dumps(week).encode(), breach(1, "2025-01-10")], "snt.kpi.updates.v1")
    alert = e.alerts[f"trajectory_breach:{WARD}:1"]
    assert (alert.state, alert.history) == ("firing", False)


def test_survey_figures_neither_set_nor_follow_the_crime_and_roster_date(tmp_path: Path) -> None:
    survey = json.loads(breach(5, "2026-09-30"))
    survey["payload"].update(kpi=6, level="borough", area_code=BOROUGH, borough_code=None,
                             period="rolling_12m", unit="proportion", value=0.7,
                             last_year=0.8)  # fmt: skip
    e = engine(tmp_path)
    fold(e, [json.dumps(survey).encode(), breach(1, "2025-01-10")], "snt.kpi.updates.v1")
    alert = e.alerts[f"trajectory_breach:{WARD}:1"]
    assert (alert.state, alert.history) == ("firing", False)


def test_a_figure_with_no_data_does_not_move_the_clock(tmp_path: Path) -> None:
    """The kpi service publishes every area's figures before their data arrive (zero, as
    of the machine's date): that is not the data's date."""
    empty = json.loads(breach(7, "2026-12-07", holds=False))
    empty["payload"].update(value=0, last_year=0, trajectory=0.0, gap_to_trajectory=0.0)
    e = engine(tmp_path)
    fold(e, [json.dumps(empty).encode()], "snt.kpi.updates.v1")
    fold(e, [breach(1, "2025-01-10")], "snt.kpi.updates.v1")
    assert e.clock.newest == {"crime:fytd": date(2025, 1, 10)}
    assert e.alerts[f"trajectory_breach:{WARD}:1"].history is False


def test_the_data_clock_survives_a_restart(tmp_path: Path) -> None:
    e = engine(tmp_path)
    fold(e, [breach(1, "2025-12-31")], "snt.kpi.updates.v1")
    again = engine(tmp_path)
    again.load()
    assert again.clock.newest == {"crime:fytd": date(2025, 12, 31)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [(plural(1, "duty", "duties"), "1 duty"), (plural(3, "duty", "duties"), "3 duties"),
     (plural(1.5, "hour"), "1.5 hours"), (percent(0.769), "76.9 %"),
     (shortfall_words({"pcso_available": 1, "pcso_required": 3}), "1 PCSO of 3"),
     (shortfall_words({"pc_available": 0, "pc_required": 2, "pcso_available": 2,
                       "pcso_required": 3}), "0 PCs of 2, 2 PCSOs of 3"),
     (days_words([date(2025, 3, 1), date(2025, 3, 2)]), "on 2 of 31 days in March 2025"),
     (NAMES.area("ward", WARD, BOROUGH), "Harrow Road, Westminster"),
     (NAMES.area("borough", BOROUGH, BOROUGH), "Westminster"),
     (NAMES.area("mps", "MPS", None), "the MPS"),
     (NAMES.area("ward", "E05999999", None), "ward E05999999")],
)  # fmt: skip
def test_human_words(text: str, expected: str) -> None:
    assert text == expected


@pytest.mark.parametrize(
    ("severity", "critical_days", "current", "near", "expected"),
    [("warning", 1, True, True, "critical"),
     ("warning", 1, True, False, "warning"),
     ("warning", 1, False, True, "warning"),  # history is never critical
     ("critical", None, True, False, "critical"),  # configured critical, current
     ("critical", None, False, False, "warning"),
     ("info", None, True, True, "info")],
)  # fmt: skip
def test_severity_of_a_signal(
    severity: str, critical_days: int | None, current: bool, near: bool, expected: str
) -> None:
    rule = Rule("below_minimum_staffing", severity, critical_days=critical_days)
    assert rule.severity_of(current, near) == expected
