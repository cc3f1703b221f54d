"""Figures say when they rest on simulated records: the months of each unit × group that
hold simulated counts are kept with the counts (and survive a restart), and every figure's
sources say ``simulated`` and name it in words."""

from __future__ import annotations

import json
from datetime import date

from services.kpi.domain.figures import figure
from services.kpi.domain.periods import period
from services.kpi.domain.state import MPS, Unit
from services.kpi.views import sources_body
from shared.contracts.kpi import FigureSources
from tests.unit.kpi.conftest import BOROUGH, WARD, MakeFolder, counted, record

W = Unit("ward", WARD, BOROUGH)
B = Unit("borough", BOROUGH, BOROUGH)


def _simulated(n: str, at: str, *, asb: bool = False) -> bytes:
    event = json.loads(counted(n, at=at, group="asb" if asb else "violence", asb=asb))
    event["payload"]["simulated"] = True
    return json.dumps(event).encode()


def _fold(make_folder: MakeFolder) -> None:
    folder = make_folder()
    real = [counted(f"r:{y}:{m}", delta=10, at=f"{y}-{m:02d}-01T00:00:00+00:00")
            for y in (2024, 2025) for m in range(1, 13)]  # fmt: skip
    live = [_simulated(f"s{d}", f"2026-01-{d:02d}T10:00:00+00:00") for d in range(1, 32)]
    folder.fold([record(v) for v in real + live])


def test_a_month_of_simulated_records_is_named_simulated_and_survives_a_restart(
    make_folder: MakeFolder,
) -> None:
    _fold(make_folder)
    state = make_folder().state  # a restart: everything reloaded from the store
    for unit in (W, B, MPS):
        now, then = figure(state, unit, "violence", period("month", date(2026, 1, 31)),
                           None).sources  # fmt: skip
        assert (now.simulated, now.label) == (True, "simulated event-level records")
        assert (then.simulated, then.label) == (False, "monthly published counts")
    before = figure(state, W, "violence", period("month", date(2025, 12, 31)), None)
    assert not any(s.simulated for s in before.sources)


def test_a_period_mixing_published_and_simulated_months_says_both(
    make_folder: MakeFolder,
) -> None:
    _fold(make_folder)
    found = figure(make_folder().state, MPS, "violence", period("fytd", date(2026, 1, 31)), None)
    assert found.value == 9 * 10 + 31
    assert found.sources[0].label == "monthly published counts and simulated event-level records"


def test_the_sources_body_meets_the_contract_and_says_simulated(make_folder: MakeFolder) -> None:
    _fold(make_folder)
    state = make_folder().state
    body = sources_body(figure(state, W, "violence", period("month", date(2026, 1, 31)), None))
    parsed = FigureSources.model_validate(body)
    assert parsed.this_year.simulated
    assert parsed.this_year.label == "simulated event-level records"
    assert not parsed.last_year.simulated


def test_only_the_group_with_simulated_records_is_simulated(make_folder: MakeFolder) -> None:
    folder = make_folder()
    folder.fold([record(counted("real", at="2026-01-05T10:00:00+00:00")),
                 record(_simulated("asb", "2026-01-05T11:00:00+00:00", asb=True),
                        "snt.cad.v1")])  # fmt: skip
    month = period("month", date(2026, 1, 31))
    assert figure(folder.state, W, "asb", month, None).sources[0].simulated
    violence = figure(folder.state, W, "violence", month, None).sources[0]
    assert (violence.simulated, violence.label) == (False, "event-level records")
