"""A notification budget: pushed notices grouped by recipient, borough and rule (group wait,
group interval); the rest in one daily digest; a cap a recipient a day with "N more on the
dashboard"; history summed up once. Table-driven on the sender with an injected clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.alerts.domain.lifecycle import Alert, Notice
from services.alerts.domain.routing import Budget, Delivery, Subscription, next_digest
from services.alerts.engine import delivery_row
from services.alerts.sender import Sender
from services.alerts.store.sql import SqlAlertsStore, create_schema
from shared.db import make_engine

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT)
WESTMINSTER, CAMDEN = "E09000033", "E09000007"
BUDGET = Budget(group_wait_s=30, group_interval_s=300, digest_hour=7, daily_cap=3,
                history_wait_s=60)  # fmt: skip
LEAD = Subscription("lead", "Westminster lead", "borough", WESTMINSTER, "webhook", "http://l")


class Recorder:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def send(self, subscription: Subscription, message: dict[str, Any]) -> None:
        self.messages.append(message)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        return self.at


def alert(n: int, rule: str = "below_minimum_staffing", severity: str = "critical",
          borough: str = WESTMINSTER, history: bool = False) -> Alert:  # fmt: skip
    return Alert(f"{rule}:E05{n:06d}", rule, "2026.2", severity, False, "ward", f"E05{n:06d}",
                 borough, None, f"Ward {n}", "s", {}, (), "firing", T0, 1, T0,
                 history=history)  # fmt: skip


def setup(tmp_path: Path, alerts: list[Alert], clock: Clock,
          sub: Subscription = LEAD) -> tuple[SqlAlertsStore, Sender, Recorder]:  # fmt: skip
    db = make_engine(f"sqlite:///{tmp_path / 'alerts.db'}")
    create_schema(db)
    store = SqlAlertsStore(db)
    rows = []
    for a in alerts:
        mode = BUDGET.mode(a, sub)
        rows.append(delivery_row(Delivery(sub, Notice(a, "firing", 1)), None, clock(),
                                 BUDGET.when(mode, clock()), mode))  # fmt: skip
    with store.unit() as unit:
        unit.add_deliveries(rows)
    recorder = Recorder()
    return store, Sender(store, lambda: [sub], {"webhook": recorder}, clock,
                         budget=BUDGET), recorder  # fmt: skip


def send_at(sender: Sender, clock: Clock, *seconds: float) -> None:
    for s in seconds:
        clock.at = T0 + timedelta(seconds=s)
        asyncio.run(sender.send_due())


@pytest.mark.parametrize(
    ("alerts", "times", "messages", "sizes"),
    [  # critical: pushed after the group wait, one message per borough and rule
     ([alert(1), alert(2)], [0, 29], 0, []),
     ([alert(1), alert(2)], [0, 30], 1, [2]),
     ([alert(1), alert(2, rule="flexed_while_breaching")], [30], 2, [1, 1]),
     ([alert(1), alert(2, borough=CAMDEN)], [30], 2, [1, 1]),
     # warnings wait for the digest (07:00 the next morning), all in one message
     ([alert(1, severity="warning"), alert(2, "spc_concern", "warning")], [30, 3600], 0, []),
     ([alert(1, severity="warning"), alert(2, "spc_concern", "warning")], [22 * 3600], 1, [2]),
     # history: one summary once the load has been quiet
     ([alert(i, severity="warning", history=True) for i in range(40)], [30], 0, []),
     ([alert(i, severity="warning", history=True) for i in range(40)], [60], 1, [1])],
)  # fmt: skip
def test_push_digest_and_history_groups(
    tmp_path: Path, alerts: list[Alert], times: list[float], messages: int, sizes: list[int]
) -> None:
    clock = Clock()
    _, sender, recorder = setup(tmp_path, alerts, clock)
    send_at(sender, clock, *times)
    assert len(recorder.messages) == messages
    assert sorted(len(m["notifications"]) for m in recorder.messages) == sorted(sizes)


def test_a_group_sends_again_no_sooner_than_the_group_interval(tmp_path: Path) -> None:
    clock = Clock()
    store, sender, recorder = setup(tmp_path, [alert(1)], clock)
    send_at(sender, clock, 30)
    later = alert(2)
    row = delivery_row(Delivery(LEAD, Notice(later, "firing", 1)), None, clock(),
                       BUDGET.when("push", clock()), "push")  # fmt: skip
    with store.unit() as unit:
        unit.add_deliveries([row])
    send_at(sender, clock, 61, 300)
    assert len(recorder.messages) == 1  # within the interval of the first
    send_at(sender, clock, 330)
    assert [len(m["notifications"]) for m in recorder.messages] == [1, 1]


def test_history_summary_says_what_the_load_shows(tmp_path: Path) -> None:
    clock = Clock()
    history = [alert(i, severity="warning", history=True) for i in range(5)]
    history += [alert(9, "unauthorised_flex", "warning", history=True)]
    _, sender, recorder = setup(tmp_path, history, clock)
    send_at(sender, clock, 60)
    [message] = recorder.messages
    [summary] = message["notifications"]
    assert summary["title"] == "Newly loaded history: 6 alerts about past periods"
    assert summary["by_rule"] == {"below_minimum_staffing": 5, "unauthorised_flex": 1}


@pytest.mark.parametrize(
    ("severities", "sent", "more"),
    [(["warning"] * 2, 2, 0),
     (["warning"] * 5, 3, 2),
     (["critical"] * 5, 5, 0),  # critical notices are never held back by the cap
     (["critical", "warning", "warning", "warning", "warning"], 3, 2)],
)  # fmt: skip
def test_a_recipient_gets_at_most_the_daily_cap(
    tmp_path: Path, severities: list[str], sent: int, more: int
) -> None:
    clock = Clock()
    alerts = [alert(i, "spc_concern", s) for i, s in enumerate(severities)]
    store, sender, recorder = setup(tmp_path, alerts, clock)
    send_at(sender, clock, 22 * 3600)  # the digest (and the critical pushes) are out
    notices = [n for m in recorder.messages for n in m["notifications"]]
    assert len(notices) == sent
    assert sum(m["more"] for m in recorder.messages) == more
    if more:
        assert f"{more} more on the dashboard" in [m["more_text"] for m in recorder.messages]
    held = [d for d in store.log() if d.status == "held"]
    assert len(held) == more


@pytest.mark.parametrize(
    ("now", "digest"),
    [(datetime(2026, 11, 2, 6, 59, tzinfo=UTC), datetime(2026, 11, 2, 7, tzinfo=UTC)),
     (datetime(2026, 11, 2, 7, 0, tzinfo=UTC), datetime(2026, 11, 3, 7, tzinfo=UTC)),
     (datetime(2026, 7, 1, 5, 0, tzinfo=UTC), datetime(2026, 7, 1, 6, tzinfo=UTC))],  # BST
)  # fmt: skip
def test_the_digest_is_at_seven_london_time(now: datetime, digest: datetime) -> None:
    assert next_digest(now, 7) == digest
