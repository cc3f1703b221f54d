"""Financial years (April–March) for KPI 9."""

from __future__ import annotations

from datetime import date


def fytd_start(day: date) -> date:
    """1 April of the financial year holding ``day``."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)
