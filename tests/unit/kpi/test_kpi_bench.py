"""The kpi benchmark's parts on a small scale: synthetic events meet their contracts, the
measured fold holds exactly what a batch recomputation finds, and the SQL baseline answers
the same as the state."""

from __future__ import annotations

from collections import Counter

from services.kpi.codec import decode_change as decode
from services.kpi.domain.state import KpiState
from services.kpi.verify import recompute
from shared.contracts import parse_event
from snt.bench.kpi_events import synthetic_events
from snt.bench.kpi_parts import fold_rates, sql_baseline

AREAS = [("E05013806", "E09000033"), ("E05013807", "E09000033"), ("E05009367", "E09000012")]


def test_synthetic_events_meet_their_contracts_and_mix_every_kind() -> None:
    events = list(synthetic_events(3000, seed=1, areas=AREAS))
    assert len(events) == 3000
    parsed = [parse_event(e.value) for e in events]
    assert len({p.event_id for p in parsed}) == 3000
    changes = Counter((p.event_type, p.payload.change.value, p.payload.delta) for p in parsed)
    assert changes[("crime.counted", "recorded", 1)] > 1500
    assert changes[("cad.counted", "recorded", 1)] > 400
    assert changes[("crime.counted", "relocated", -1)] == changes[("crime.counted", "relocated", 1)]
    assert changes[("crime.counted", "cancelled", -1)] > 0
    assert {e.key for e in events} >= {b"E05013806", b"E09000033"}  # ward, or unlocated borough


def test_the_fold_of_synthetic_events_equals_a_batch_recomputation() -> None:
    events = list(synthetic_events(5000, seed=2, areas=AREAS))
    state = KpiState()
    state.apply(state.net([c for e in events if (c := decode(e.value)) is not None]))
    expected = recompute([e.value for e in events], lambda _: True).counts
    held = {(u.kind, u.code, g, d): n
            for u, g, s in state.stored_units() for d, n in s.nonzero_days()}  # fmt: skip
    assert held == expected


def test_the_measurements_run_and_check_their_own_answers() -> None:
    folds = fold_rates(4000)  # raises if the MPS totals differ from the events'
    assert folds["fold_events"] == 4000
    assert folds["full_fold_sqlite_events"] == 4000
    baseline = sql_baseline(4000)  # raises if SQL and the state disagree
    assert baseline["baseline_rows"] == 4000
    assert baseline["baseline_queries"] > 0
