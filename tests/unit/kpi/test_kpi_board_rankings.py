"""Rankings are kept while none of the series they read changes: a batch of another KPI's
events leaves them as they were, a batch of their own KPI's events ranks again."""

from __future__ import annotations

from datetime import date

from services.kpi.board import Board
from services.kpi.domain.periods import period
from services.kpi.domain.state import Unit
from services.kpi.target_config import load_targets
from tests.unit.kpi.conftest import BOROUGH, WARD, MakeFolder, counted, record

OTHER = "E05013807"  # another Westminster ward
FYTD = period("fytd", date(2024, 5, 31))
W, X = Unit("ward", WARD, BOROUGH), Unit("ward", OTHER, BOROUGH)


def test_a_ranking_is_kept_until_a_series_it_reads_changes(make_folder: MakeFolder) -> None:
    folder = make_folder()
    board = Board(folder, load_targets())
    folder.fold([record(counted(f"w{i}", ward=WARD)) for i in range(3)]
                + [record(counted(f"x{i}", ward=OTHER)) for i in range(2)]
                + [record(counted(f"p{n}", ward=code, group="property"))
                   for n, code in enumerate((WARD, OTHER))])  # fmt: skip
    assert board.ranks(W, "violence", FYTD) == (1, 1)
    assert board.ranks(X, "violence", FYTD) == (2, 2)
    kept = board.ward_league(Unit("borough", BOROUGH, BOROUGH), "violence", FYTD)

    folder.fold([record(counted("p2", ward=WARD, group="property"))])  # another KPI only
    assert board.ward_league(Unit("borough", BOROUGH, BOROUGH), "violence", FYTD) is kept
    assert board.ranks(X, "property", FYTD) == (2, 2)  # 1 on 0: below W's 2 on 0

    folder.fold([record(counted(f"x{i}", ward=OTHER)) for i in range(2, 6)])  # X: 6 on 0
    assert board.ranks(X, "violence", FYTD) == (1, 1)
    assert board.ranks(W, "violence", FYTD) == (2, 2)
    again = board.ward_league(Unit("borough", BOROUGH, BOROUGH), "violence", FYTD)
    assert again is not kept
    assert [(s.unit, s.value) for s in again.standings] == [(X, 6), (W, 3)]
