"""Months as published (``2023-01``, ``202401``) → the dates and moments the intake carries.

Published data give only a month: a crime or incident is placed at the first moment of its
month in London time, with precision ``month``; a monthly count is dated the 1st.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from services.ingest.importers.errors import RowError

LONDON: Final = ZoneInfo("Europe/London")

_DASHED = re.compile(r"(\d{4})-(\d{2})")
_COLUMN = re.compile(r"(\d{4})(\d{2})")


class MonthStarts:
    """``YYYY-MM`` → first moment of the month in Europe/London, cached per file."""

    __slots__ = ("_cache", "_field")

    def __init__(self, field: str) -> None:
        self._field = field
        self._cache: dict[str, datetime] = {}

    def __call__(self, text: str) -> datetime:
        start = self._cache.get(text)
        if start is None:
            start = self._cache[text] = self._parse(text)
        return start

    def _parse(self, text: str) -> datetime:
        found = _DASHED.fullmatch(text)
        month = _month(found) if found else None
        if month is None:
            raise RowError(self._field, "must be a month like 2023-01")
        return datetime(month.year, month.month, 1, tzinfo=LONDON)


def month_column(name: str) -> date | None:
    """The 1st of the month a ``YYYYMM`` column name stands for, or None."""
    found = _COLUMN.fullmatch(name)
    return _month(found) if found else None


def _month(found: re.Match[str]) -> date | None:
    year, month = int(found[1]), int(found[2])
    return date(year, month, 1) if 1900 <= year <= 2999 and 1 <= month <= 12 else None
