"""A factory of CARM3 duties for hand-built rosters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol

import pytest

from services.flex.domain.ledger import ON_WARD, Duty, Ledger

WARD_A, WARD_B, BOROUGH = "E05013806", "E05013807", "E09000033"


class MakeDuty(Protocol):
    def __call__(
        self,
        n: str,
        officer: str,
        role: str,
        kind: str = "ward_duty",
        *,
        day: date,
        home: str = WARD_A,
        worked: str | None = None,
        hours: float = 8,
        rank: str | None = None,
        late: bool = False,
        version: int = 1,
    ) -> Duty: ...


@pytest.fixture
def make_duty() -> MakeDuty:
    """A duty of ``officer`` on ``day`` from 07:00: on-ward kinds work ``worked`` (default
    the home ward); ``rank`` authorised it the day before, or an hour late."""

    def make(
        n: str,
        officer: str,
        role: str,
        kind: str = "ward_duty",
        *,
        day: date,
        home: str = WARD_A,
        worked: str | None = None,
        hours: float = 8,
        rank: str | None = None,
        late: bool = False,
        version: int = 1,
    ) -> Duty:
        start = datetime(day.year, day.month, day.day, 7, tzinfo=UTC)
        at = None if rank is None else start + (timedelta(hours=1) if late else timedelta(-1))
        actual = (worked or home) if kind in ON_WARD else None
        return Duty(
            n,
            version,
            officer,
            role,
            home,
            BOROUGH,
            day,
            start,
            start + timedelta(hours=hours),
            home,
            actual,
            kind,
            rank,
            at,
        )

    return make


def ledger_of(duties: list[Duty]) -> Ledger:
    ledger = Ledger()
    for d in duties:
        assert ledger.apply(d.duty_id, d.version, d)
    return ledger
