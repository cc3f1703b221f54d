"""The alerts engine applies each event once: an id repeated in a batch, or delivered again in
a later batch (Kafka re-delivery, or the outbox re-sending after a crash), is a duplicate and
makes no second notice."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from services.alerts.engine import Engine
from services.alerts.rule_config import load_rules
from services.alerts.store.sql import SqlAlertsStore, create_schema
from shared.consumer import Record
from shared.contracts.examples import example_event
from shared.db import make_engine

WARD, BOROUGH = "E05013806", "E09000033"
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def breach(n: int) -> bytes:
    """A KPI update of ``WARD`` significantly worse than its trajectory."""
    event = example_event("kpi.updated", event_id=f"kpi:{WARD}:1:fytd:t{n}")
    event["payload"].update(
        level="ward", area_code=WARD, borough_code=BOROUGH, kpi=1, period="fytd", value=130,
        last_year=100, trajectory=98.0, gap_to_trajectory=32.0,
        significance={"test": "poisson_conditional_binomial", "null_ratio": 1.0,
                      "p_value": 0.01, "verdict": "significant_worse"},
        target_significance={"test": "poisson_conditional_binomial", "null_ratio": 0.98,
                             "p_value": 0.001, "verdict": "significant_worse"},
    )  # fmt: skip
    return json.dumps(event).encode()


def test_an_event_applied_before_or_twice_in_a_batch_is_a_duplicate(tmp_path: Path) -> None:
    db = make_engine(f"sqlite:///{tmp_path / 'alerts.db'}")
    create_schema(db)
    engine = Engine(SqlAlertsStore(db), load_rules(), lambda ward: None, lambda: NOW)
    first, second = breach(1), breach(2)
    records = [Record("snt.kpi.updates.v1", 0, i, raw) for i, raw in
               enumerate([first, first, second])]  # fmt: skip
    result = engine.fold(records)
    assert (result.applied, result.duplicates, result.bad) == (2, 1, ())
    [held] = engine.alerts.values()
    again = engine.fold([Record("snt.kpi.updates.v1", 0, 3, second),
                         Record("snt.kpi.updates.v1", 0, 4, first)])  # fmt: skip
    assert (again.applied, again.duplicates, again.notices) == (0, 2, 0)
    assert list(engine.alerts.values()) == [held]
    # a restarted engine loads the same alert and still knows the ids as applied
    restarted = Engine(SqlAlertsStore(db), load_rules(), lambda ward: None, lambda: NOW)
    restarted.load()
    assert list(restarted.alerts.values()) == [held]
    assert restarted.fold([Record("snt.kpi.updates.v1", 0, 5, first)]).duplicates == 1
