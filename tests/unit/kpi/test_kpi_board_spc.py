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


def test_a_chart_is_kept_until_its_own_series_changes(make_folder: MakeFolder) -> None:
    other = Unit("ward", "E05013807", BOROUGH)  # another Westminster ward
    folder = make_folder()
    folder.fold(
        [record(counted(f"w{m}", at=f"2024-{m:02d}-10T09:30:00+01:00")) for m in range(1, 7)]
        + [record(counted("x1", ward=other.code, at="2024-01-10T09:30:00+01:00"))]
    )
    board = Board(folder, load_targets())
    kept = board.spc(W, "violence", AS_OF, "month")

    folder.fold([record(counted("x2", ward=other.code, at="2024-06-10T09:30:00+01:00"))])
    assert board.spc(W, "violence", AS_OF, "month") is kept  # another ward's batch
    counts = [p.count for p in board.spc(other, "violence", AS_OF, "month").points]
    assert counts == [1, 0, 0, 0, 0, 1]

    folder.fold([record(counted("w7", at="2024-06-20T09:30:00+01:00"))])
    again = board.spc(W, "violence", AS_OF, "month")
    assert again is not kept
    assert [p.count for p in again.points] == [1, 1, 1, 1, 1, 2]

    # a month of data before every chart's first: each chart starts again from it
    folder.fold([record(counted("x0", ward=other.code, at="2023-12-10T09:30:00+01:00"))])
    earlier = board.spc(W, "violence", AS_OF, "month")
    assert [p.count for p in earlier.points] == [0, 1, 1, 1, 1, 1, 2]
