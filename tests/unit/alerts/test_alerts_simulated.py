"""An alert on a figure that rests on simulated records says so in its text."""

from __future__ import annotations

from tests.unit.alerts.test_alerts_domain import kpi_update, signals


def test_an_alert_on_simulated_records_says_so_and_a_real_one_does_not() -> None:
    event = kpi_update(gap=22, target="significant_worse", spc="concern")
    real = signals(event)
    event["payload"]["sources"] = {"this_year": {"simulated": True}, "last_year": {}}
    simulated = signals(event)
    for rule in ("trajectory_breach", "spc_concern"):
        assert "simulated" not in real[rule].summary
        assert ", on simulated records:" in simulated[rule].summary
