"""Email notices over SMTP to a local server: one message per recipient and borough, the
notices bundled, delivered once and recorded in the delivery log."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.alerts.domain.lifecycle import Alert, Notice
from services.alerts.domain.routing import Budget, Delivery, Subscription
from services.alerts.engine import delivery_row
from services.alerts.sender import EmailChannel, Sender
from services.alerts.store.sql import SqlAlertsStore, create_schema
from shared.db import make_engine
from tests.support.smtp import smtp_server

pytestmark = pytest.mark.integration
NOW = datetime(2025, 3, 3, 9, tzinfo=UTC)
LEAD = Subscription("lead", "Westminster lead", "borough", "E09000033", "email",
                    "lead@westminster.example")  # fmt: skip


def alert(area: str, rule: str) -> Alert:
    return Alert(f"{rule}:{area}:1", rule, "2026.1", "warning", False, "ward", area,
                 "E09000033", 1, f"Ward {area}: {rule}", "KPI 1 is 130 against 98", {}, (),
                 "firing", NOW, 1, NOW)  # fmt: skip


def test_email_notices_are_bundled_sent_once_and_logged(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'alerts.db'}")
    create_schema(engine)
    store = SqlAlertsStore(engine)
    # one push group: the same borough and rule (another rule would be its own message)
    pairs = (("E05013806", "trajectory_breach"), ("E05013807", "trajectory_breach"))
    rows = [delivery_row(Delivery(LEAD, Notice(alert(a, r), "firing", 1)), None, NOW)
            for a, r in pairs]  # fmt: skip
    with store.unit() as unit:
        unit.add_deliveries(rows)
        unit.add_deliveries(rows)  # the same keys again: logged once
    with smtp_server() as (port, messages):
        sender = Sender(store, lambda: [LEAD],
                        {"email": EmailChannel("127.0.0.1", port, "snt@example")},
                        lambda: NOW, budget=Budget(group_wait_s=0, group_interval_s=0))  # fmt: skip
        assert asyncio.run(sender.send_due()) == 2
        assert asyncio.run(sender.send_due()) == 0  # nothing left to send
    [message] = messages
    assert message["To"] == "lead@westminster.example"
    assert message["Subject"] == "[SNT] 2 alert notice(s) for E09000033"
    text = message.get_payload()
    assert "Ward E05013806: trajectory_breach" in text
    assert "Ward E05013807: trajectory_breach" in text
    log = store.log()
    assert sorted((d.status, d.attempts) for d in log) == [("delivered", 1), ("delivered", 1)]
