"""Running the live simulated feed until SIGTERM or SIGINT: `snt simulate live`, and the
child process `snt up` starts (``python -m snt simulate live --data-dir DIR``).

Events go through ingest's pipeline into its event store, the same path as `snt import`
and `snt simulate roster`: the running ingest service's outbox relay publishes them to the
broker, in order, for kpi, flex and alerts.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from services.ingest.decode import submission
from services.ingest.pipeline import Pipeline
from snt.sim.live import STATE_FILE, LiveFeed, Sink
from snt.sim.settings import SimSettings

WARD_FILE = "ward_most_recent_24m_202401-202512.csv"
MAX_EVENT_BYTES = 65_536
CHUNK = 2_000


class PipelineSink:
    """Submits to ingest's pipeline (one transaction per chunk of 2,000)."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    def submit(self, event_type: str, raws: list[bytes]) -> Counter[str]:
        outcomes: Counter[str] = Counter()
        for i in range(0, len(raws), CHUNK):
            chunk = [submission(raw, max_bytes=MAX_EVENT_BYTES, expected=event_type)
                     for raw in raws[i : i + CHUNK]]  # fmt: skip
            outcomes.update(o.status for o in self.pipeline.submit(chunk))
        return outcomes


def default_ward_file() -> Path:
    """The MPS ward file bundled in the repository (``data/public/``)."""
    bundled = Path(__file__).resolve().parents[2] / "data" / "public" / WARD_FILE
    if not bundled.is_file():
        raise FileNotFoundError(f"{bundled} is missing; give --ward-file")
    return bundled


def build(data_dir: Path, settings: SimSettings, sink: Sink | None = None,
          environ: dict[str, str] | None = None,
          boroughs: Sequence[str] = ()) -> LiveFeed:  # fmt: skip
    """The live feed for the stack in ``data_dir`` (``sink``: ingest's pipeline), for every
    MPS ward or those of ``boroughs``."""
    from shared.classification import load_classification
    from snt.ingest_setup import bulk_pipeline
    from snt.sim.feed import Feed
    from snt.sim.rates import load_rates

    pipeline, reference = bulk_pipeline(data_dir, dict(environ or os.environ))
    chosen = [w for b in boroughs or (None,) for w in reference.wards("2022", b)]
    wards = frozenset(w.code for w in chosen)
    rates = load_rates(settings.ward_file or default_ward_file(), load_classification(), wards)
    data_dir.mkdir(parents=True, exist_ok=True)
    return LiveFeed(Feed(rates, settings.seed), reference,
                    sink or PipelineSink(pipeline),
                    data_dir / STATE_FILE, day_seconds=settings.day_seconds,
                    seed=settings.seed,
                    roster_wards=sorted(wards) if boroughs else None)  # fmt: skip


def run(
    feed: LiveFeed, tick_s: float, say: Callable[[str], None], stop: threading.Event | None = None
) -> None:
    """Tick every ``tick_s`` until ``stop`` is set (SIGTERM and SIGINT set it)."""
    stop = stop or _stop_on_signals()
    say(f"simulated live feed from {feed.progress.clock.isoformat()} (data clock), "
        f"one data-day every {feed.day_seconds:g} s; every event is marked simulated")  # fmt: skip
    last, day = time.monotonic(), feed.progress.clock.date()
    try:
        while not stop.is_set():
            now = time.monotonic()
            clock = feed.advance(now - last)
            last = now
            if clock.date() != day:
                day = clock.date()
                say(_summary(feed))
            stop.wait(tick_s)
    finally:
        feed.close()
        say(f"stopped at data clock {feed.progress.clock.isoformat()}; {_summary(feed)}")


def _summary(feed: LiveFeed) -> str:
    done = feed.progress.submitted
    outcomes = ", ".join(f"{k} {v:,}" for k, v in sorted(feed.progress.outcomes.items()))
    return (
        f"{feed.progress.clock:%Y-%m-%d %H:%M} UTC: submitted {done['crime.recorded']:,} "
        f"crimes, {done['cad.incident']:,} ASB incidents, {done['duty.changed']:,} duty "
        f"changes ({outcomes})"
    )


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop
