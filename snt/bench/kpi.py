"""KPI benchmark: every stage of the fold, end to end through the broker on one core, ward
query latency, memory with 10 years × every ward, and the SQL GROUP BY baseline.

1. In process, on synthetic events over every 2022 ward and four years: decoding
   (``codec.decode``), the fold into the in-memory state alone (``KpiState.net`` +
   ``KpiState.apply``, the figure the 1M events/s target is about) and the full
   ``Folder.fold`` (decode, de-duplication, one SQLite transaction per batch of 5,000); the
   garbage collector runs as in the service (:mod:`shared.heap`), with the held inputs
   frozen out of its passes.
2. End to end: events pre-loaded into the local broker, then the real kpi service process
   (SQLite state) pinned to one core, the broker on the other; events/s from the service's
   first applied batch until every event is applied. Before it, on the same events and core,
   the ceilings: the service's own subscriber with a handler that only counts the records,
   and one that also parses each JSON event (:mod:`snt.bench.kpi_consume`) — no end-to-end
   rate on this machine can exceed them.
3. Ward query latency over HTTP against that service (FYTD and rolling 12 months, random
   wards): once idle, and again while new events arrive one at a time, ten a second
   (``kpi_parts.LIVE_RATE``), so that queries follow changes of the state (nothing derived
   from what changed cached yet). The target is met when both p99s are under it.
4. RSS of a process holding 10 years × every 2022 ward × 3 KPI groups, every day non-zero.
5. Baseline: the same ward queries answered by SQL GROUP BY over the stored count rows
   (SQLite, indexed by ward, group and day), against the in-memory answer; reported as the
   ratio baseline / incremental.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

from snt.bench.harness import peak_rss_mib
from snt.bench.kpi_parts import end_to_end, fold_rates, sql_baseline

TARGETS = {"fold_events_per_s": 1_000_000, "end_to_end_events_per_s": 100_000,
           "query_p99_ms": 10.0, "rss_10_years_mib": 300.0}  # fmt: skip
FOLD_EVENTS = 1_000_000
E2E_EVENTS = 200_000


def run() -> dict[str, Any]:
    folds = fold_rates(FOLD_EVENTS)
    e2e = end_to_end(E2E_EVENTS)
    rss = _rss_in_child()
    baseline = sql_baseline(200_000)
    figures = folds | e2e | rss | baseline
    met = {
        "fold": figures["fold_events_per_s"] >= TARGETS["fold_events_per_s"],
        "end_to_end": figures["end_to_end_events_per_s"] >= TARGETS["end_to_end_events_per_s"],
        "query_p99": max(figures["query_p99_ms"], figures["query_live_p99_ms"])
        < TARGETS["query_p99_ms"],
        "rss": figures["rss_10_years_mib"] < TARGETS["rss_10_years_mib"],
    }
    return figures | {
        "peak_rss_mib_bench_process": round(peak_rss_mib(), 1),
        **{f"target_{k}": v for k, v in TARGETS.items()},
        "targets_met_each": met,
        "targets_met": all(met.values()),
    }


def _rss_in_child() -> dict[str, Any]:
    """Peak RSS of a fresh process that builds the 10-year state."""
    code = "import json; from snt.bench.kpi_parts import ten_years; print(json.dumps(ten_years()))"
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=1800).stdout  # fmt: skip
    found = json.loads(out.strip().splitlines()[-1])
    return {"rss_10_years_mib": found["rss_mib"], "rss_10_years_series": found["series"],
            "rss_10_years_day_counts": found["day_counts"],
            "rss_10_years_build_s": round(time.perf_counter() - started, 1)}  # fmt: skip
