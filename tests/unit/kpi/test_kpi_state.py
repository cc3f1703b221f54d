"""The fold: net changes per day, roll-ups to borough and MPS, published totals kept apart."""

from __future__ import annotations

from services.kpi.domain.state import MPS, Change, KpiState, Unit, net_by_day

CAMDEN, HACKNEY = "E09000007", "E09000012"
W1 = Unit("ward", "E05013652", CAMDEN)
W2 = Unit("ward", "E05013653", CAMDEN)
W3 = Unit("ward", "E05009367", HACKNEY)
UNLOCATED = Unit("unlocated", CAMDEN, CAMDEN)
TOTAL = Unit("borough_total", CAMDEN, CAMDEN)


def change(n: int, unit: Unit, delta: int = 1, group: str = "violence", day: int = 9000) -> Change:
    return Change(f"e{n}", unit, group, "VAP|VWI", day, 295, delta)


def fold(*changes: Change) -> KpiState:
    state = KpiState()
    state.apply(net_by_day(changes))
    return state


def test_a_move_between_wards_nets_to_zero_for_the_borough() -> None:
    state = fold(change(1, W1), change(2, W1, -1), change(3, W2))
    assert state.total(W1, "violence", 9000, 9000) == 0
    assert state.total(W2, "violence", 9000, 9000) == 1
    assert state.total(Unit("borough", CAMDEN, CAMDEN), "violence", 0, 20000) == 1


def test_borough_is_wards_plus_unlocated_and_published_totals_stay_apart() -> None:
    state = fold(change(1, W1), change(2, W2), change(3, UNLOCATED), change(4, TOTAL, 40),
                 change(5, W3), change(6, W3, group="property"))  # fmt: skip
    camden = Unit("borough", CAMDEN, CAMDEN)
    assert state.total(camden, "violence", 0, 20000) == 3
    assert state.total(TOTAL, "violence", 0, 20000) == 40
    assert state.total(MPS, "violence", 0, 20000) == 4
    assert state.total(MPS, "property", 0, 20000) == 1
    assert state.units("ward", CAMDEN) == [W1, W2]
    assert [u.code for u in state.units("borough")] == [CAMDEN, HACKNEY]


def test_net_by_day_drops_changes_that_cancel() -> None:
    net = net_by_day([change(1, W1), change(2, W1, -1), change(3, W1, day=9001)])
    assert net == {(W1, "violence", 9001, 295): 1}


def test_stored_units_exclude_roll_ups() -> None:
    state = fold(change(1, W1), change(2, UNLOCATED), change(3, TOTAL, 5))
    assert sorted(u.kind for u, _g, _s in state.stored_units()) == [
        "borough_total", "unlocated", "ward",
    ]  # fmt: skip
