"""KPI 9 as published on kpi.updated: the authorised ward flex share of a ward, its borough
and the MPS, for the month and the financial year to date, against last year; only for
months the area holds duties in. Published through a recording sender, no broker."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from services.flex.domain.exceptions import Rules
from services.flex.domain.ledger import Duty, Ledger
from services.flex.domain.report import WardInfo
from services.flex.fold import Folder
from services.flex.publisher import KPI_TOPIC, Area, FlexPublisher
from services.flex.store.sql import SqlFlexStore, create_schema
from shared.contracts import parse_event
from shared.contracts.kpi import KpiUpdated
from shared.db import make_engine
from tests.unit.flex.conftest import BOROUGH, WARD_A, WARD_B, MakeDuty

BASE = {"PS": 1, "PC": 2, "PCSO": 3}
AREA = Area({w: WardInfo(w, w, BOROUGH, BASE) for w in (WARD_A, WARD_B)}, "test-ref")
NOW = datetime(2025, 4, 2, 9, tzinfo=UTC)
Figure = tuple[str, str, str]
"""(area, period, period end)."""


class Recorded:
    """A flex publisher over a ledger, its KPI 9 messages recorded."""

    def __init__(self, tmp_path: Path) -> None:
        engine = make_engine(f"sqlite:///{tmp_path / 'flex.db'}")
        create_schema(engine)
        self.folder = Folder(SqlFlexStore(engine), Ledger())
        self.sent: list[tuple[str, bytes, bytes]] = []
        self.publisher = FlexPublisher(
            self.folder, AREA, Rules(), self.send, interval_s=1, now=lambda: NOW
        )

    async def send(self, messages: Sequence[tuple[str, bytes, bytes]]) -> None:
        self.sent.extend(messages)

    async def apply(self, *duties: tuple[str, int, Duty | None]) -> dict[Figure, Any]:
        """(area, period, period end) → each KPI 9 payload published after applying the
        duty versions (a None duty: cancelled)."""
        touched = set()
        for duty_id, version, duty in duties:
            for d in (self.folder.ledger.duty(duty_id), duty):
                if d is not None:
                    touched.add((d.home_ward, d.day))
            self.folder.ledger.apply(duty_id, version, duty)
        self.sent.clear()
        self.publisher.touched(frozenset(touched), frozenset())
        await self.publisher.flush()
        found = {}
        for topic, _, raw in self.sent:
            if topic == KPI_TOPIC:
                assert isinstance(parse_event(raw.decode()), KpiUpdated)  # meets the contract
                p = json.loads(raw)["payload"]
                found[(p["area_code"], p["period"], p["period_end"])] = p
        return found


async def published(tmp_path: Path, duties: list[Duty]) -> dict[Figure, Any]:
    return await Recorded(tmp_path).apply(*((d.duty_id, d.version, d) for d in duties))


async def test_kpi_9_month_and_fytd_against_last_year(make_duty: MakeDuty, tmp_path: Path) -> None:
    def team(day: date, flexed: int, tag: str) -> list[Duty]:
        """Ward A's three PCs on ``day``, the first ``flexed`` flexed to B with authority."""
        return [pc(f"{tag}{i}", f"p{i}", day, i < flexed) for i in range(3)]

    def pc(duty_id: str, officer: str, day: date, flexed: bool) -> Duty:
        if not flexed:
            return make_duty(duty_id, officer, "PC", day=day)
        kind, rank = "authorised_ward_flex", "superintendent"
        return make_duty(duty_id, officer, "PC", kind, day=day, worked=WARD_B, rank=rank)

    duties = team(date(2025, 3, 3), 3, "m") + team(date(2024, 3, 4), 1, "l")
    duties += team(date(2024, 12, 2), 0, "d")
    found = await published(tmp_path, duties)
    month = found[(WARD_A, "month", "2025-03-31")]
    assert (month["kpi"], month["measure"], month["unit"]) == (
        9,
        "authorised_ward_flex_share",
        "proportion",
    )
    assert (month["value"], month["last_year"], month["period_start"]) == (
        1.0,
        pytest.approx(1 / 3),
        "2025-03-01",
    )
    fytd = found[(WARD_A, "fytd", "2025-03-31")]
    assert (fytd["period_start"], fytd["value"]) == ("2024-04-01", pytest.approx(3 / 6))
    assert fytd["last_year"] == pytest.approx(1 / 3)
    assert found[(WARD_A, "fytd", "2024-12-31")]["value"] == 0.0
    assert found[(BOROUGH, "fytd", "2025-03-31")]["value"] == pytest.approx(3 / 6)
    assert found[("MPS", "month", "2025-03-31")]["level"] == "mps"
    assert (WARD_B, "month", "2025-03-31") not in found  # nothing planned on B
    # no figure ends in a month without duties: January, February, or a year on
    assert {end for _, _, end in found} == {"2024-03-31", "2024-12-31", "2025-03-31"}
    assert {(area, period) for area, period, end in found if end == "2024-03-31"} == {
        (code, period) for code in (WARD_A, BOROUGH, "MPS") for period in ("month", "fytd")
    }


async def test_a_change_to_april_republishes_the_later_fytd_figures(
    make_duty: MakeDuty, tmp_path: Path
) -> None:
    april, june = date(2024, 4, 8), date(2024, 6, 3)
    flex = make_duty(
        "a", "p1", "PC", "authorised_ward_flex", day=april, worked=WARD_B, rank="superintendent"
    )
    recorded = Recorded(tmp_path)
    first = await recorded.apply(("a", 1, flex), ("j", 1, make_duty("j", "p1", "PC", day=june)))
    assert first[(WARD_A, "fytd", "2024-06-30")]["value"] == pytest.approx(1 / 2)
    assert first[(WARD_A, "month", "2024-06-30")]["value"] == 0.0
    assert (WARD_A, "fytd", "2024-05-31") not in first  # no duties held in May
    again = await recorded.apply(("a", 2, None))  # April's flex cancelled
    assert again[(WARD_A, "fytd", "2024-06-30")]["value"] == 0.0  # June's FYTD moves too
    assert (WARD_A, "month", "2024-06-30") not in again  # unchanged: not re-sent
