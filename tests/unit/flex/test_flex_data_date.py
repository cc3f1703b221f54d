"""The flex data's clock: reports and KPI 9 open on the latest day holding a duty, not on
the machine's date."""

from __future__ import annotations

from datetime import date

from services.flex.domain.ledger import Ledger
from tests.unit.flex.test_flex_domain import duty

TODAY = date(2026, 12, 7)


def test_the_data_date_is_the_latest_day_holding_a_duty_up_to_today() -> None:
    ledger = Ledger()
    assert ledger.data_date(TODAY) == TODAY  # nothing held: the machine's date
    for n, day in enumerate((date(2025, 12, 1), date(2025, 12, 31), date(2027, 1, 4))):
        d = duty(f"d{n}", f"o{n}", "PC", day=day)
        ledger.apply(d.duty_id, d.version, d)
    assert ledger.data_date(TODAY) == date(2025, 12, 31)  # a rostered future day is not data
    assert ledger.data_date(date(2027, 1, 10)) == date(2027, 1, 4)
    ledger.apply("d1", 2, None)  # the last day's only duty, cancelled
    assert ledger.data_date(TODAY) == date(2025, 12, 1)
