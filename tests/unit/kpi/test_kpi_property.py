"""Any interleaving of events, duplicates, amendments and restarts folds to the state a batch
recomputation over the distinct events gives."""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.kpi.domain.state import KpiState
from services.kpi.fold import Folder
from services.kpi.store.sql import SqlKpiStore, create_schema
from services.kpi.verify import recompute
from shared.db import make_engine
from tests.unit.kpi.conftest import counted, record

WARDS = ["E05013806", "E05013807", "E05013808"]
GROUPS = ["violence", "property", "other"]
DAYS = ["2024-05-01T09:30:00+01:00", "2024-05-02T23:30:00+00:00", "2025-01-01T00:00:00+00:00"]
_runs = itertools.count()

places = st.tuples(st.sampled_from(WARDS), st.sampled_from(GROUPS))
crime = st.tuples(st.lists(places, min_size=1, max_size=4), st.booleans(), st.sampled_from(DAYS))


def history(n: int, moves: list[tuple[str, str]], cancelled: bool, at: str) -> list[bytes]:
    """The count events ingest publishes for one crime: +1, then -1/+1 per amendment."""
    events = [counted(f"c{n}:v1:in", ward=moves[0][0], group=moves[0][1], at=at)]
    for v, (old, new) in enumerate(itertools.pairwise(moves), start=2):
        events.append(counted(f"c{n}:v{v}:out", ward=old[0], group=old[1], at=at, delta=-1))
        events.append(counted(f"c{n}:v{v}:in", ward=new[0], group=new[1], at=at))
    if cancelled:
        last = moves[-1]
        events.append(counted(f"c{n}:cancel", ward=last[0], group=last[1], at=at, delta=-1))
    return events


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(crimes=st.lists(crime, min_size=1, max_size=12), data=st.data())
def test_folding_equals_batch_recomputation(
    tmp_path: Path, crimes: list, data: st.DataObject
) -> None:  # type: ignore[type-arg]
    events = [e for n, (moves, cancelled, at) in enumerate(crimes)
              for e in history(n, moves, cancelled, at)]  # fmt: skip
    duplicates = data.draw(st.lists(st.sampled_from(events), max_size=len(events)))
    stream = data.draw(st.permutations(events + duplicates))
    cuts = sorted(data.draw(st.sets(st.integers(0, len(stream)), max_size=5)))
    url = f"sqlite:///{tmp_path / f'kpi-{next(_runs)}.db'}"
    engine = make_engine(url)
    create_schema(engine)
    store = SqlKpiStore(engine)
    for start, end in itertools.pairwise([0, *cuts, len(stream)]):
        folder = Folder(store, KpiState())  # every batch after a restart
        folder.load()
        folder.fold([record(raw) for raw in stream[start:end]])
    expected = recompute(events, lambda _id: True)
    assert store.held_counts() == expected.counts
    assert store.applied() == len(events)
    restarted = Folder(store, KpiState())
    restarted.load()
    for (kind, code, group, day), count in expected.counts.items():
        unit = next(u for u, g, _s in restarted.state.stored_units() if u.code == code)
        assert restarted.state.total(unit, group, day, day) == count, (kind, code, group, day)
