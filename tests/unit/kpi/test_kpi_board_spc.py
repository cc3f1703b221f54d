"""The SPC charts the board serves are judged from the number of points the versioned
configuration asks for."""

from __future__ import annotations

import dataclasses
from datetime import date

from services.kpi.board import Board
from services.kpi.domain.periods import period
from services.kpi.domain.state import Unit
from services.kpi.target_config import load_targets
from tests.unit.kpi.conftest import BOROUGH, WARD, MakeFolder, counted, record

W = Unit("ward", WARD, BOROUGH)
AS_OF = date(2024, 6, 30)


def test_the_configured_minimum_points_decides_whether_a_chart_is_judged(
    make_folder: MakeFolder,
) -> None:
    folder = make_folder()
    # January to June 2024: 2, 3, 2, 3, 2 then a spike of 20 (beyond the limits).
    folder.fold([record(counted(f"{m}-{i}", at=f"2024-{m:02d}-10T09:30:00+01:00"))
                 for m, n in enumerate((2, 3, 2, 3, 2, 20), start=1)
                 for i in range(n)])  # fmt: skip
    packaged = load_targets()
    lenient = dataclasses.replace(packaged, spc_min_points=6)
    by_default = Board(folder, packaged).spc(W, "violence", AS_OF, "month")
    assert [p.count for p in by_default.points] == [2, 3, 2, 3, 2, 20]
    assert (by_default.latest, by_default.rules_fired) == ("insufficient_data", ())
    assert Board(folder, lenient).spc(W, "violence", AS_OF, "month").latest == "concern"
    month = period("month", AS_OF)
    assert Board(folder, packaged).spc_for(W, "violence", month).latest == "insufficient_data"
    assert Board(folder, lenient).spc_for(W, "violence", month).latest == "concern"
