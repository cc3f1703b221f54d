"""The fold: net changes per day, roll-ups to borough and MPS, published totals kept apart."""

from __future__ import annotations

from services.kpi.domain.state import MPS, Change, KpiState, Unit

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
    state.apply(state.net(changes))
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


def test_the_net_drops_changes_that_cancel_and_sums_the_rest() -> None:
    net = KpiState().net([change(1, W1), change(2, W1, -1), change(3, W1, day=9001),
                          change(4, TOTAL, 40), change(5, TOTAL, -7), change(6, W1, day=9001),
                          change(7, W1, group="property"), change(8, W2, -1)])  # fmt: skip
    assert dict(net.items()) == {
        (W1, "violence", 9001, 295): 2, (TOTAL, "violence", 9000, 295): 33,
        (W1, "property", 9000, 295): 1, (W2, "violence", 9000, 295): -1,
    }  # fmt: skip
    assert len(net) == 4
    assert net.pairs() == {(W1, "violence"), (TOTAL, "violence"), (W1, "property"),
                           (W2, "violence")}  # fmt: skip
    assert not KpiState().net([])


def test_a_mapping_of_nets_folds_as_a_net_does() -> None:
    changes = [change(1, W1), change(2, W3, 3, day=9100), change(3, TOTAL, 4)]
    by_net = fold(*changes)
    by_mapping = KpiState()
    by_mapping.apply({(W1, "violence", 9000, 295): 1, (W3, "violence", 9100, 295): 3,
                      (TOTAL, "violence", 9000, 295): 4})  # fmt: skip
    for unit in (W1, W3, TOTAL, MPS, Unit("borough", HACKNEY, HACKNEY)):
        assert by_net.total(unit, "violence", 0, 20000) == by_mapping.total(
            unit, "violence", 0, 20000)  # fmt: skip


def test_stored_units_exclude_roll_ups() -> None:
    state = fold(change(1, W1), change(2, UNLOCATED), change(3, TOTAL, 5))
    assert sorted(u.kind for u, _g, _s in state.stored_units()) == [
        "borough_total", "unlocated", "ward",
    ]  # fmt: skip
